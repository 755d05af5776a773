"""The recordings of Google's real answers travel with the repository, and a missing set fails loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fidelity.recordings import REPOSITORY_ROOT, SETS, recordings

EXPECTED_FILES = {"gspread": 124, "gspread-pandas": 14, "gatsby-docs": 15}
"""Recorded files per set, as listed in each set's README.md (what the replay and shape tests read)."""


@pytest.mark.parametrize("set_name", SETS)
def test_each_set_is_in_the_repository_with_its_license_and_provenance(set_name: str) -> None:
    folder = recordings(set_name)
    assert len(list(folder.glob("*.json"))) == EXPECTED_FILES[set_name]
    assert "Copyright" in (folder / "LICENSE").read_text(encoding="utf-8")
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "github.com/" in readme and "commit" in readme.lower()


@pytest.mark.parametrize("state", ["missing", "empty"])
def test_a_missing_or_empty_set_fails_naming_the_folder_and_the_fix(tmp_path: Path, state: str) -> None:
    if state == "empty":
        (tmp_path / "gspread").mkdir()
        (tmp_path / "gspread" / "LICENSE").write_text("kept, but no recordings")
    with pytest.raises(pytest.fail.Exception) as failed:
        recordings("gspread", root=tmp_path)
    message = str(failed.value)
    assert str(tmp_path / "gspread") in message
    assert f"is {state}" in message
    assert "git checkout --" in message


def test_an_unknown_set_name_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="gspread-pandas"):
        recordings("gspread_pandas")


def test_no_test_or_module_reads_recordings_from_outside_the_repository() -> None:
    """The recordings used to be read from a machine-local folder and skipped elsewhere; never again."""
    outside = "/".join(("shared", "fidelity"))  # spelled in two parts so this file does not match itself
    offenders = [str(path.relative_to(REPOSITORY_ROOT)) for top in ("ilt_bot", "tests")
                 for path in sorted((REPOSITORY_ROOT / top).rglob("*.py"))
                 if outside in path.read_text(encoding="utf-8")]
    assert offenders == []
