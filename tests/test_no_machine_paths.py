"""Nothing committed names a path of the machine it was written on: commands work from any clone."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MACHINE_PATH = re.compile(r"(?<![\w.])/work/[\w.-]+")
"""The development machine's checkout and tools (examples of a user's own paths, like ``/home/ana``, are fine)."""


def test_no_committed_file_names_a_machines_path():
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False)
    if listed.returncode != 0:
        files = [p.relative_to(ROOT) for p in ROOT.rglob("*") if p.is_file() and ".ci" not in p.parts]
    else:
        files = [Path(line) for line in listed.stdout.splitlines()]
    found = []
    for path in files:
        if path.suffix not in {".py", ".md", ".toml", ".j2", ".yaml", ".yml", ".sh", ".txt", ".cfg"}:
            continue
        text = (ROOT / path).read_text(encoding="utf-8", errors="replace")
        found += [f"{path}: {m.group()}" for m in MACHINE_PATH.finditer(text)]
    assert not found, f"use a path relative to the clone (or `python`) instead: {found[:10]}"
