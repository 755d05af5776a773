"""Where the recordings of Google's real answers live: ``tests/fidelity/data/<set>/``, in the repository.

Each set keeps its upstream LICENSE and a README.md (source repository and commit, format, caveats);
``docs/fidelity.md`` explains how the tests score them. A missing or empty set fails the test that
needs it, naming the folder: the recordings are the sandbox's evidence, so they never skip.
"""

from __future__ import annotations

from pathlib import Path

import pytest

DATA_ROOT = Path(__file__).with_name("data")
REPOSITORY_ROOT = DATA_ROOT.parents[2]
SETS = ("gspread", "gspread-pandas", "gatsby-docs")
"""gspread's vcrpy cassettes, gspread-pandas's betamax cassettes, gatsby-source-google-docs's documents."""


def recordings(set_name: str, root: Path = DATA_ROOT) -> Path:
    """The folder holding ``set_name``'s recorded ``*.json`` files; fails the test when it has none."""
    if set_name not in SETS:
        raise ValueError(f"unknown recording set {set_name!r}; the sets are {', '.join(SETS)}")
    folder = root / set_name
    if not any(folder.glob("*.json")):
        shown = folder.relative_to(REPOSITORY_ROOT) if folder.is_relative_to(REPOSITORY_ROOT) else folder
        state = "is empty" if folder.is_dir() else "is missing"
        pytest.fail(
            f"the recordings folder {shown} {state} (no *.json files). These recordings are committed with "
            f"the repository: restore them with `git checkout -- {shown}` from the repository root "
            f"(provenance: docs/fidelity.md).",
            pytrace=False,
        )
    return folder
