"""The layers under the CLI: only ``workspace/`` talks HTTP (the demo's simulated people and the sandbox
aside), and the config, runner, district, scheduler, CLI and demo modules import each other without cycles.

Read from the source with ``ast``: module-level imports are what Python runs on import; imports under
``if TYPE_CHECKING:`` are for type checkers only and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ilt_bot"
HTTP_MODULES = {"requests", "httplib2", "urllib", "urllib3", "http", "google_auth_httplib2", "aiohttp", "httpx"}
MAY_TALK_HTTP = ("workspace", "demo", "sandbox")
MINE = ("ilt_bot.config", "ilt_bot.runner", "ilt_bot.district", "ilt_bot.scheduler", "ilt_bot.cli",
        "ilt_bot.calendar", "ilt_bot.logs", "ilt_bot.locking", "ilt_bot.demo", "ilt_bot.workspace")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    """Full names of what ``node`` imports (``from a import b`` names ``a.b`` when that is a module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]


def all_imports(tree: ast.Module) -> list[str]:
    return [name for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
            for name in imported(node)]


def module_level_imports(tree: ast.Module) -> list[str]:
    found: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ast.walk(node):
            if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                break
            if isinstance(sub, ast.Import | ast.ImportFrom):
                found += imported(sub)
    return found


def test_only_workspace_talks_http():
    """Outside workspace/ (and the demo and sandbox), no module imports an HTTP library, even lazily."""
    offenders = {
        name: sorted({i for i in all_imports(ast.parse(path.read_text())) if i.split(".")[0] in HTTP_MODULES})
        for name, path in MODULES.items()
        if not name.startswith(tuple(f"ilt_bot.{p}" for p in MAY_TALK_HTTP))
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_no_import_cycle_through_the_outer_layers():
    graph = {
        name: {i for i in module_level_imports(ast.parse(path.read_text())) if i in MODULES and i != name}
        for name, path in MODULES.items()
    }

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            here = todo.pop()
            if here == goal:
                return True
            if here not in seen:
                seen.add(here)
                todo += graph.get(here, set())
        return False

    cycles = [(a, b) for a in graph if a.startswith(MINE) for b in graph[a] if reaches(b, a)]
    assert cycles == []


def test_the_import_graph_holds_the_known_imports():
    """The cycle check is not vacuous: the graph holds the imports the runner is known to make."""
    tree = ast.parse(MODULES["ilt_bot.runner"].read_text())
    assert {"ilt_bot.config", "ilt_bot.jobs.tick", "ilt_bot.locking"} <= set(module_level_imports(tree))
