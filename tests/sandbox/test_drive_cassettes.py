"""Replay the Drive v3 calls recorded from the real API in gspread's cassettes against the sandbox.

Each cassette's Drive requests are sent in order (ids the sandbox returned mapped in for recorded ids);
the status, content type and JSON shape (keys and value types) must match what Google answered.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ilt_bot.sandbox.server import SandboxServer
from ilt_bot.workspace.transport import sandbox_session
from tests.fidelity.recordings import DATA_ROOT, recordings

DRIVE_V3 = "https://www.googleapis.com/drive/v3/"


SHEETS_V4 = "https://sheets.googleapis.com/v4/"
FILE_ID = re.compile(r"(?:files|spreadsheets)/([A-Za-z0-9_-]{25,})")


def _interactions(path: Path) -> list[dict[str, Any]]:
    """The cassette's Drive v3 and Sheets v4 calls (Sheets calls are replayed so content matches)."""
    data = json.loads(path.read_text())
    return [i for i in data["interactions"] if i["request"]["uri"].startswith((DRIVE_V3, SHEETS_V4))]


def _drive_interactions(path: Path) -> list[dict[str, Any]]:
    return [i for i in _interactions(path) if i["request"]["uri"].startswith(DRIVE_V3)]


def _cassettes() -> list[Any]:
    """gspread's cassettes with Drive calls; without them, one case that fails naming the missing folder."""
    found = [p for p in sorted((DATA_ROOT / "gspread").glob("*.json")) if _drive_interactions(p)]
    return found or [pytest.param(None, id="recordings-missing")]


def _shape_mismatch(recorded: Any, ours: Any, path: str = "$") -> str | None:
    """Where ``ours`` differs in structure from ``recorded`` (None if the shapes agree)."""
    if isinstance(recorded, dict):
        if not isinstance(ours, dict):
            return f"{path}: expected an object"
        if set(recorded) != set(ours):
            return f"{path}: keys {sorted(recorded)} != {sorted(ours)}"
        for key in recorded:
            found = _shape_mismatch(recorded[key], ours[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(recorded, list):
        if not isinstance(ours, list):
            return f"{path}: expected a list"
        if recorded and ours:
            return _shape_mismatch(recorded[0], ours[0], f"{path}[0]")
        return None
    if type(recorded) is not type(ours):
        return f"{path}: {type(recorded).__name__} != {type(ours).__name__}"
    return None


@pytest.fixture(scope="module")
def server():
    with SandboxServer() as running:
        yield running


@pytest.mark.parametrize("cassette", _cassettes(), ids=lambda p: p.stem)
def test_recorded_drive_calls_answer_like_google(server: SandboxServer, cassette: Path | None) -> None:
    if cassette is None:
        recordings("gspread")  # fails, naming the folder, when it holds no cassettes
        pytest.fail("no cassette in tests/fidelity/data/gspread records a Drive v3 call")
    session = sandbox_session(server.url)
    session.headers["Authorization"] = "Bearer sandbox:gspread-tester@cedar.example.org"
    ids: dict[str, str] = {}
    for number, interaction in enumerate(_interactions(cassette)):
        request, response = interaction["request"], interaction["response"]
        uri, body = request["uri"], request["body"]
        if any(found not in ids for found in FILE_ID.findall(uri)):
            continue  # a file made outside this cassette (listed from earlier tests)
        if isinstance(body, str) and any(found not in ids for found in FILE_ID.findall(body)):
            continue
        for recorded_id, our_id in ids.items():
            uri = uri.replace(recorded_id, our_id)
            body = body.replace(recorded_id, our_id) if isinstance(body, str) else body
        answer = session.request(request["method"], uri, data=body,
                                 headers={"Content-Type": "application/json"} if body else {})
        where = f"{cassette.stem} #{number} {request['method']} {uri}"
        if not uri.startswith(DRIVE_V3):
            recorded = json.loads(response["body"]["string"] or "{}")
            if answer.ok and isinstance(recorded, dict) and "spreadsheetId" in recorded and request["method"] == "POST":
                ids.setdefault(recorded["spreadsheetId"], answer.json().get("spreadsheetId", ""))
            continue
        assert answer.status_code == response["status"]["code"], f"{where}: {answer.text[:300]}"
        recorded_text = response["body"]["string"]
        recorded_type = response["headers"].get("Content-Type", [""])[0]
        if answer.status_code == 204:
            assert answer.content == b""
            continue
        assert answer.headers["Content-Type"].split(";")[0] == recorded_type.split(";")[0], where
        if recorded_type.startswith("application/json"):
            recorded_json, ours = json.loads(recorded_text), answer.json()
            mismatch = _shape_mismatch(recorded_json, ours)
            assert mismatch is None, f"{where}: {mismatch}"
            if request["method"] == "POST" and "id" in recorded_json:
                ids[recorded_json["id"]] = ours["id"]
        else:
            assert answer.text == recorded_text, where
