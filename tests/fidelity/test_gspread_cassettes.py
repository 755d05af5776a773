"""Replay gspread's recorded Google interactions against the sandbox and compare the answers.

Source: ``tests/fidelity/data/gspread/*.json``, gspread's own cassettes (vcrpy, 2,130 real Sheets v4
and Drive v3 interactions; provenance in that folder's README.md). Each cassette is replayed in
recorded order as one user; spreadsheet, file, sheet, named-range and protected-range ids the
recording used are mapped to the ids the sandbox returned for the same earlier request (in URLs and
bodies). An interaction matches when the status code, the content type and the JSON shape (keys and
value types, lists element by element) agree; ids, times, etags and revision ids are by nature
compared by shape only.

Run ``python -m tests.fidelity.test_gspread_cassettes --write`` from the repository root to regenerate
``tests/fidelity/gspread_mismatches.md`` (figures: ``docs/fidelity.md``).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from tests.fidelity.figures import record
from tests.fidelity.recordings import recordings

REPORT = Path(__file__).with_name("gspread_mismatches.md")
USER = "gspread-tester-{n}@example.com"
"""Each cassette replays as its own user, so files left by other cassettes stay out of its listings."""
STRANGER = "someone-else@elsewhere.example"
FLOOR = 0.99
"""Share of all 2,130 interactions that must match (measured 99.5%; what is missed is listed in the
report)."""
SHEETS_FLOOR = 0.99
"""Share of the 1,508 Sheets v4 interactions that must match (measured 99.4%)."""

ID_KEYS = {"id", "spreadsheetId", "sheetId", "namedRangeId", "protectedRangeId", "chartId"}
_LONG_ID = re.compile(r"[A-Za-z0-9_-]{25,}")


@dataclass
class Outcome:
    cassette: str
    index: int
    method: str
    endpoint: str
    api: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def endpoint_of(method: str, url: str) -> tuple[str, str]:
    """A stable label (``GET sheets values.get``) and the API name for an interaction."""
    parts = urlsplit(url)
    path = parts.path
    if parts.hostname == "sheets.googleapis.com":
        path = re.sub(r"/spreadsheets/[^/:]+", "/spreadsheets/{id}", path)
        path = re.sub(r"/values/[^:]+", "/values/{range}", path)
        return f"{method} {path}", "sheets"
    path = re.sub(r"/files/[^/]+", "/files/{id}", path)
    return f"{method} {path}", "drive"


def shape_diff(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Differences in keys and value types between two JSON values (numbers are one type)."""

    def kind(value: Any) -> str:
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, int | float):
            return "number"
        if value is None:
            return "null"
        return type(value).__name__

    if kind(expected) != kind(actual):
        return [f"{path}: expected {kind(expected)} {_short(expected)}, got {kind(actual)} {_short(actual)}"]
    if isinstance(expected, dict):
        problems = []
        missing = sorted(set(expected) - set(actual))
        extra = sorted(set(actual) - set(expected))
        if missing:
            problems.append(f"{path}: missing keys {missing}")
        if extra:
            problems.append(f"{path}: unexpected keys {extra}")
        for key in sorted(set(expected) & set(actual)):
            problems.extend(shape_diff(expected[key], actual[key], f"{path}.{key}"))
        return problems
    if isinstance(expected, list):
        if len(expected) != len(actual):
            return [f"{path}: expected {len(expected)} items, got {len(actual)}"]
        problems = []
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            problems.extend(shape_diff(e, a, f"{path}[{i}]"))
        return problems
    return []


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


class Replayer:
    """Replays cassettes through the sandbox's WSGI app, mapping recorded ids to sandbox ids."""

    def __init__(self, server: Any, user: str) -> None:
        from werkzeug.test import Client

        self.server = server
        self.user = user
        self.client = Client(server.app)
        self.ids: dict[str, Any] = {}

    def map_text(self, text: str) -> str:
        return _LONG_ID.sub(lambda mt: str(self.ids.get(mt.group(), mt.group())), text)

    def map_json(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: self.map_json(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.map_json(v, key) for v in value]
        if isinstance(value, str):
            return self.ids.get(value, value) if key in ID_KEYS else self.map_text(value)
        if isinstance(value, int) and not isinstance(value, bool) and key in ID_KEYS:
            return self.ids.get(("int", value), value)
        return value

    def learn(self, expected: Any, actual: Any, key: str | None = None) -> None:
        """Remember recorded id -> sandbox id wherever the two answers carry an id."""
        if isinstance(expected, dict) and isinstance(actual, dict):
            for k in expected.keys() & actual.keys():
                self.learn(expected[k], actual[k], k)
        elif isinstance(expected, list) and isinstance(actual, list):
            for e, a in zip(expected, actual, strict=False):
                self.learn(e, a, key)
        elif key in ID_KEYS and expected != actual:
            if isinstance(expected, str) and isinstance(actual, str):
                self.ids[expected] = actual
            elif isinstance(expected, int) and isinstance(actual, int):
                self.ids[("int", expected)] = actual

    def seed_spreadsheet(self, recorded_id: str, owner: str, name: str) -> None:
        """A spreadsheet that existed before the recording started (the recorder's Drive held it)."""
        from ilt_bot.sandbox.drive import models as drive
        from ilt_bot.sandbox.sheets import models as sheets

        store = self.server.store
        with store.transaction():
            record = drive.create_file(store, owner=owner, name=name, now=datetime.now(UTC),
                                       mime_type="application/vnd.google-apps.spreadsheet")
            sheets.create_empty(store, record["id"], name)
        self.ids[recorded_id] = record["id"]

    def seed_listed(self, response: dict[str, Any]) -> None:
        """Files a recorded files.list shows that this replay never created: older files of the recorder."""
        try:
            listed = json.loads(response["body"]["string"]).get("files") or []
        except (ValueError, AttributeError):
            return
        for item in listed:
            if item.get("id") and item["id"] not in self.ids:
                self.seed_spreadsheet(item["id"], self.user, item.get("name") or "Untitled")

    def replay(self, name: str, interactions: list[dict[str, Any]]) -> list[Outcome]:
        outcomes = []
        for index, interaction in enumerate(interactions):
            request, response = interaction["request"], interaction["response"]
            url = request["uri"]
            label, api = endpoint_of(request["method"], url)
            outcome = Outcome(name, index, request["method"], label, api)
            parts = urlsplit(url)
            path = parts.path
            if response["status"]["code"] == 403:
                for token in _LONG_ID.findall(path):
                    if token not in self.ids:
                        self.seed_spreadsheet(token, STRANGER, "Private")
            if label == "GET /drive/v3/files":
                self.seed_listed(response)
            path = quote(self.map_text(unquote(path)), safe="/:!'$,;=@*()+&")
            query = self.map_text(parts.query)
            raw_body = request.get("body")
            if isinstance(raw_body, dict):
                raw_body = raw_body.get("string")
            headers = {"Authorization": f"Bearer sandbox:{self.user}", "X-Sandbox-Host": parts.hostname or ""}
            content_type = (request["headers"].get("Content-Type") or [None])[0]
            data: bytes | None = None
            if raw_body:
                if content_type and "json" in content_type:
                    data = json.dumps(self.map_json(json.loads(raw_body))).encode()
                else:
                    data = raw_body.encode() if isinstance(raw_body, str) else raw_body
            if content_type:
                headers["Content-Type"] = content_type
            reply = self.client.open(path=path, query_string=query, method=request["method"], headers=headers,
                                     data=data)
            self.compare(outcome, response, reply)
            outcomes.append(outcome)
        return outcomes

    def compare(self, outcome: Outcome, response: dict[str, Any], reply: Any) -> None:
        code = response["status"]["code"]
        if reply.status_code != code:
            answer = reply.get_data(as_text=True)[:200]
            outcome.problems.append(f"status {reply.status_code}, recorded {code}: {answer}")
            return
        recorded_body = response["body"]["string"]
        recorded_type = (response["headers"].get("Content-Type") or [""])[0]
        body = reply.get_data(as_text=True)
        if not recorded_body:
            if body:
                outcome.problems.append(f"expected an empty body, got {body[:80]!r}")
            return
        ours = (reply.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ours != recorded_type.split(";")[0].strip().lower():
            outcome.problems.append(f"content type {ours!r}, recorded {recorded_type!r}")
        if "json" not in recorded_type:
            return
        expected, actual = json.loads(recorded_body), json.loads(body)
        self.learn(expected, actual)
        outcome.problems.extend(shape_diff(expected, actual))


def replay_all() -> list[Outcome]:
    from ilt_bot.sandbox.server import SandboxServer

    outcomes: list[Outcome] = []
    with SandboxServer() as server:
        server.start()
        for n, path in enumerate(sorted(recordings("gspread").glob("*.json"))):
            cassette = json.loads(path.read_text())
            replayer = Replayer(server, USER.format(n=n))
            outcomes.extend(replayer.replay(path.stem, cassette["interactions"]))
    return outcomes


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    by_api = Counter(o.api for o in outcomes)
    ok_by_api = Counter(o.api for o in outcomes if o.ok)
    by_endpoint = Counter(o.endpoint for o in outcomes)
    ok_by_endpoint = Counter(o.endpoint for o in outcomes if o.ok)
    return {
        "total": len(outcomes),
        "matched": sum(o.ok for o in outcomes),
        "apis": {api: (ok_by_api[api], n) for api, n in sorted(by_api.items())},
        "endpoints": {e: (ok_by_endpoint[e], n) for e, n in by_endpoint.most_common()},
    }


def write_report(outcomes: list[Outcome]) -> None:
    s = summary(outcomes)
    lines = [
        "# gspread cassettes replayed against the sandbox",
        "",
        "Generated by `python -m tests.fidelity.test_gspread_cassettes --write` (do not edit by hand).",
        "Compared per interaction: status code, content type, JSON keys and value types (lists element by",
        "element); ids, times and etags by shape only. A recorded empty body (Drive's 204) is compared as",
        "empty, not by its `text/html` content type.",
        "",
        f"**Matched {s['matched']} of {s['total']} interactions ({s['matched'] / s['total']:.1%}).**",
        "",
        "| API | matched | total | share |",
        "|---|---|---|---|",
    ]
    for api, (ok, n) in s["apis"].items():
        lines.append(f"| {api} | {ok} | {n} | {ok / n:.1%} |")
    lines += ["", "| endpoint | matched | total |", "|---|---|---|"]
    for endpoint, (ok, n) in s["endpoints"].items():
        lines.append(f"| `{endpoint}` | {ok} | {n} |")
    lines += ["", KNOWN_DIFFERENCES, "## Mismatches (generated)", ""]
    grouped: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        if not outcome.ok:
            grouped.setdefault(outcome.problems[0], []).append(outcome)
    for problem, items in sorted(grouped.items(), key=lambda kv: -len(kv[1])):
        where = ", ".join(f"{o.cassette}[{o.index}]" for o in items[:3]) + (" ..." if len(items) > 3 else "")
        text = " ".join(problem.split()).replace("|", "/")
        lines.append(f"- ({len(items)}x) `{items[0].endpoint}`: {text}  ")
        lines.append(f"  e.g. {where}")
    REPORT.write_text("\n".join(lines) + "\n")


KNOWN_DIFFERENCES = """## How the replay sets things up

- Each cassette replays as its own user (`gspread-tester-<n>@example.com`), in one sandbox.
- Spreadsheets a recorded `files.list` shows but the replay never created (the recorder's older files)
  are created first, with their recorded names, so `openall` sees them; the recorded 403 for a private
  spreadsheet is replayed against a spreadsheet owned by another user.

## Known differences from Google that the cassettes do not show (Sheets)

- Formulas: USER_ENTERED stores the formula and computes arithmetic, comparisons, `&`, cell and range
  references (also across sheets and named ranges) and SUM, AVERAGE, MIN, MAX, COUNT, COUNTA,
  COUNTBLANK, IF, IFERROR, AND, OR, NOT, CONCATENATE, CONCAT, LEN, UPPER, LOWER, TRIM, ROUND, ABS,
  ISBLANK, HYPERLINK. Any other function is `#NAME?` (Google would compute it); volatile functions
  (NOW, TODAY) are not computed. Error messages are approximations of Google's.
- Formulas are not rewritten when rows/columns are inserted or deleted, or when a sheet is renamed
  (Google adjusts references).
- Number formats: general numbers print with up to 10 decimals; only DATE (yyyy-mm-dd, yyyy/mm/dd,
  m/d/yyyy), DATE_TIME, TIME, PERCENT, CURRENCY ($) and NUMBER (#,##0 with decimals) patterns are
  rendered; USER_ENTERED recognises those forms only (no locale-specific parsing).
- `effectiveFormat` is the default format merged with `userEnteredFormat` (conditional formats are
  stored but never applied); `autoResizeDimensions` estimates 7 px per character.
- Charts, filters, protected ranges, data validation and conditional formats are stored and returned,
  never enforced (a protected range does not block writes, a basic filter hides nothing).
- Append's table detection follows the recorded behaviour (the block around the last value inside the
  range, growing over touching cells); Google's exact heuristic is not documented.
- Requests not in `batch.HANDLERS` (e.g. addSlicer, addBanding, addTable) answer 501 naming the kind.
"""


def test_gspread_cassettes_replay_like_google() -> None:
    outcomes = replay_all()
    s = summary(outcomes)
    share = s["matched"] / s["total"]
    record("gspread cassettes", s["matched"], s["total"], "interactions")
    for api, (ok, n) in s["apis"].items():
        record(f"gspread cassettes, {api}", ok, n, "interactions")
    assert s["total"] == 2130
    assert share >= FLOOR, f"fidelity fell to {share:.1%} (floor {FLOOR:.0%}); see {REPORT.name}"
    ok, n = s["apis"]["sheets"]
    assert ok / n >= SHEETS_FLOOR, f"Sheets fidelity fell to {ok / n:.1%} (floor {SHEETS_FLOOR:.0%})"


if __name__ == "__main__":
    results = replay_all()
    stats = summary(results)
    print(f"matched {stats['matched']}/{stats['total']} ({stats['matched'] / stats['total']:.1%})")
    for api_name, (ok_count, count) in stats["apis"].items():
        print(f"  {api_name}: {ok_count}/{count}")
    if "--write" in sys.argv:
        write_report(results)
        print(f"wrote {REPORT}")
