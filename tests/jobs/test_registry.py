"""The routine registry: one home per routine, one builder per key form, no import cycle.

docs/architecture.md ("The routine registry", "How to add a routine") describes what these check.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from ilt_bot import registry
from ilt_bot.calendar import SchoolYear
from ilt_bot.config import GoogleCalendar, load_config
from ilt_bot.jobs import JobContext
from ilt_bot.jobs.folders import root_folder
from ilt_bot.jobs.tick import run_tick
from ilt_bot.keys import school_key
from ilt_bot.plan import plan
from ilt_bot.routine import Routine, WorkItem, setup_due

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ilt_bot"
PLACEHOLDER = re.compile(r"<([a-z]+)>")


def _argument(name: str, item: dict) -> object:
    """The value a key form's placeholder stands for, read from a ``plan --json`` item."""
    if name == "date":
        return datetime.fromisoformat(item["meeting_date"]).date()
    return item[name]


def test_every_plan_key_is_built_by_its_routine_and_documented_in_the_readme():
    """Each key of ``plan --json`` for the example year is what its routine's one key builder makes, and
    matches the routine's key form, which the README documents. Calendar (off in the example) is turned on
    so that its routine plans items too."""
    example = load_config(ROOT / "config.example.toml")
    config = example.model_copy(update={"calendar": GoogleCalendar(enabled=True)})
    readme = (ROOT / "README.md").read_text()
    items = [i.to_json() for i in plan(config)]
    assert {i["kind"] for i in items} == set(registry.kinds())
    for routine in registry.routines():
        assert f"`{routine.key_form}`" in readme, f"README does not document {routine.key_form}"
        assert routine.key_form.startswith("<school>/")
    for item in items:
        routine = registry.by_kind(item["kind"])
        names = [n for n in PLACEHOLDER.findall(routine.key_form)[1:]
                 if n not in ("year", "nextyear")]  # <year>, <nextyear>: the config's and the one after it
        args = [_argument(n, item) for n in names]
        assert routine.key(config, *args) == item["key"], (item, routine.key_form)
        pattern = PLACEHOLDER.sub("[^/]+", routine.key_form.replace("<school>", config.school.id, 1))
        assert re.fullmatch(pattern, item["key"]), (item["key"], routine.key_form)
    forms = [r.key_form for r in registry.routines()]
    assert len(forms) == len(set(forms))  # no two routines share a key form


def test_key_builders_are_not_written_twice():
    """No inline ``key(config, "...")`` call and no second set of key functions: a key form's text
    (``"agenda"`` after the school id) appears in one ``school_key`` call in the whole package."""
    calls: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if "sandbox" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "school_key" and len(node.args) > 1:
                form = node.args[1]
                if isinstance(form, ast.Constant):
                    calls.setdefault(form.value, []).append(str(path.relative_to(ROOT)))
    assert calls, "no key builder found"
    assert {form: where for form, where in calls.items() if len(where) > 1} == {}


def _imports(path: Path, module: str, modules: set[str]) -> set[str]:
    """The ``ilt_bot`` modules (files) ``module`` imports anywhere: at module level, inside functions, under
    ``TYPE_CHECKING``, and by ``importlib.import_module("...")`` with a literal name. ``from pkg import name``
    is the file ``pkg/name.py`` when that is a module, else ``pkg/__init__.py``."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names}
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant)):
            found.add(str(node.args[0].value))
    return {m for m in found if m in modules and m != module}


def _import_graph(root: Path, package: Path) -> dict[str, set[str]]:
    """Module -> the modules it imports (:func:`_imports`), without a module's edges to its own packages:
    importing a submodule runs its packages first anyway, and a package imports its submodules only by
    naming them."""
    modules = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {name: _imports(path, name, set(modules)) for name, path in modules.items()}
    for name in modules:
        enclosing = name.rpartition(".")[0]
        while enclosing:
            graph[name].discard(enclosing)
            enclosing = enclosing.rpartition(".")[0]
    return graph


def test_no_import_cycle_and_every_module_imports_alone():
    """Every ``ilt_bot`` module imports in a fresh interpreter, and no two files import each other, directly
    or around a circle, counting imports inside functions and under ``TYPE_CHECKING`` too: a circle
    between files means neither has one job (docs/architecture.md, "Layers")."""
    graph = _import_graph(ROOT, PACKAGE)
    cycle = _find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])
    script = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n"
    for name in sorted(set(graph) - {"ilt_bot.__main__"}):  # __main__ runs the CLI
        done = subprocess.run([sys.executable, "-c", script, name], capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, (name, done.stderr[-2000:])


def test_the_cycle_check_sees_imports_in_functions_type_checking_and_import_module(tmp_path):
    """A circle closed by a lazy import, a ``TYPE_CHECKING`` import or ``import_module`` is found; a
    submodule importing its own package is not a circle."""
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from pkg.sub import leaf\n")
    (package / "sub" / "leaf.py").write_text("from pkg.sub import helper\nfrom . import helper as again\n")
    (package / "sub" / "helper.py").write_text("X = 1\n")
    (package / "a.py").write_text("from pkg.b import B\n")
    assert _find_cycle(_import_graph(tmp_path, package)) is None
    closers = {
        "inside a function": "def later():\n    from pkg import a\n",
        "under TYPE_CHECKING": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import A\n",
        "by import_module": "import importlib\nimportlib.import_module('pkg.a')\n",
        "relatively": "def later():\n    from .a import A\n",
    }
    for how, text in closers.items():
        (package / "b.py").write_text(text)
        assert _find_cycle(_import_graph(tmp_path, package)) == ["pkg.a", "pkg.b", "pkg.a"], how


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_side_effect_registries_left():
    """No ``@handles``, ``load_jobs()``, ``register_sample_context``, job modules loaded by name, or
    ``ctx.memo`` in the package."""
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        for word in ("@handles", "load_jobs", "register_sample_context", "ctx.memo", "\"ilt_bot.jobs."):
            assert word not in text, (path, word)


# --- a tiny routine, added without editing the registry module --------------------------------------


def _note_key(config) -> str:
    return school_key(config, "note", config.year.label)


def _note_items(config, year: SchoolYear) -> list[WorkItem]:
    return [WorkItem("note", _note_key(config), setup_due(config, year), "a note")]


def _note_run(ctx: JobContext, item: WorkItem) -> None:
    folder = root_folder(ctx)
    html = f"<p>Hello from the {ctx.config.school.name} bot</p>"
    ctx.ensure(item.key, lambda: ctx.workspace.ensure_doc_from_html(item.key, "A note", html, str(folder)),
               what="A note")


NOTE = Routine("note", key=_note_key, key_form="<school>/note/<year>", items=_note_items, run=_note_run)


def test_a_tiny_routine_is_planned_and_run_on_the_sandbox(sandbox_world, config, monkeypatch):
    """A routine added to the registry's tuple is in ``plan`` and made by ``tick``: the Doc is read back
    from the sandbox (Drive ``files.list`` by ``appProperties``, then its export), once however often
    the bot ticks."""
    monkeypatch.setattr(registry, "ROUTINES", (*registry.ROUTINES, NOTE))
    year = SchoolYear(config)
    note = [i for i in plan(config, year) if i.kind == "note"]
    assert [i.key for i in note] == [f"cedar/note/{config.year.label}"]
    now = note[0].due
    sandbox_world.server.set_now(now)
    first = run_tick(config, sandbox_world.ws, now)
    assert first.errors == []
    assert note[0].key in first.created
    found = sandbox_world.ws.find(note[0].key)
    assert found is not None and "Hello from the" in sandbox_world.ws.export_html(found.id)
    again = run_tick(config, sandbox_world.ws, now)
    assert again.errors == [] and note[0].key not in again.created
    assert sandbox_world.ws.find(note[0].key).id == found.id
