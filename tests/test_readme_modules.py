"""The README's "Where things are" names every module of the package, so a new engineer finds each one."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_module_is_in_the_readme_with_a_line_saying_what_it_does():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {line.split("`")[1]: line for line in readme.splitlines() if line.startswith("| `ilt_bot/")}
    modules = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "ilt_bot").rglob("*.py")
                     if p.name != "__main__.py" and "__pycache__" not in p.parts)
    missing = [m for m in modules if m not in rows]
    assert not missing, f"add a row for each to the README's module list: {missing}"
    stale = [path for path in rows if path.endswith(".py") and not (ROOT / path).exists()]
    assert not stale, f"the README lists modules that are gone: {stale}"
    empty = [m for m in modules if not rows[m].rstrip(" |").split("|")[-1].strip()]
    assert not empty, f"say in a few words what each does: {empty}"
