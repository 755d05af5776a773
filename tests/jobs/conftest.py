"""Fixtures of the meeting-cycle tests: a small school, its calendar, and a Workspace to run on.

``world`` runs each scenario twice: on an in-memory WorkspaceAPI (fast, logic only) and on the sandbox
through the real gateway, with people acting over HTTP (responder page, Docs API, Drive API).
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ilt_bot.calendar import SchoolYear
from ilt_bot.config import load_config
from ilt_bot.jobs.tracker import ACTION_ITEMS, col

HERE = Path(__file__).parent


@pytest.fixture
def config():
    return load_config(HERE / "school.toml")


@pytest.fixture
def year(config):
    return SchoolYear(config)


def visible_text(page: str) -> str:
    """The text a reader sees in an HTML page (tags dropped, entities decoded)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


class FakeWorld:
    """People acting on the in-memory Workspace."""

    kind = "fake"

    def __init__(self, config: Any) -> None:
        from tests.jobs.fake_workspace import FakeWorkspace  # test helper module

        self.config = config
        self.ws = FakeWorkspace()

    def file_id(self, key: str) -> str:
        return self.ws.by_key(key).ref.id

    def respond(self, key: str, email: str, answers: dict[str, str], when: datetime) -> None:
        self.ws.respond(key, email, {ref: [text] for ref, text in answers.items()}, when)

    def accepting(self, key: str) -> bool:
        return self.ws.by_key(key).accepting

    def add_action(self, key: str, email: str, cells: list[str]) -> None:
        table = next(t for t in self.ws.by_key(key).tables if t.header[:1] == ["What"])
        table.rows.append(list(cells))

    def set_carried_status(self, key: str, ref: str, email: str, status: str) -> None:
        table = next(t for t in self.ws.by_key(key).tables if t.header[:1] == ["Ref"])
        row = next(r for r in table.rows if r[0] == ref)
        row[-1] = status

    def set_tracker_status(self, tracker_key: str, item_id: str, status: str) -> None:
        rows = self.ws.by_key(tracker_key).tabs[ACTION_ITEMS]
        row = next(r for r in rows if r[0] == item_id)
        row[col(ACTION_ITEMS, "Status")] = status

    def tracker_rows(self, tracker_key: str, tab: str) -> list[list[str]]:
        return [list(r) for r in self.ws.by_key(tracker_key).tabs[tab][1:]]

    def trash(self, key: str, email: str) -> None:
        self.ws.trash(key)

    def charts(self, tracker_key: str) -> list[dict[str, Any]]:
        """``{"tab", "title", "domain": column, "series": [columns]}`` of each chart in the spreadsheet."""
        return [dict(c) for c in self.ws.by_key(tracker_key).charts]

    def doc_text(self, key: str) -> str:
        return visible_text(self.ws.by_key(key).html)

    def calls(self) -> int:
        return sum(self.ws.calls.values())

    def notifications(self) -> list[tuple[str, str, str]]:
        """(to, file id, message) of each sharing e-mail."""
        return list(self.ws.notifications)

    def can_answer(self, key: str, email: str) -> bool:
        form = self.ws.by_key(key)
        if not form.accepting or form.permissions.get(email) is None:
            return False
        self.ws.respond(key, email, {"plus": ["trying"]}, datetime.now(self.config.tz))
        return True

    def writes(self) -> int:
        reads = {"find", "read_rows", "read_tracker", "list_responses", "read_doc_tables", "export_html",
                 "form_responder_uri"}
        return sum(n for op, n in self.ws.calls.items() if op not in reads)


@pytest.fixture
def fake_world(config):
    return FakeWorld(config)



def tick(world: Any, config: Any, *when: int) -> Any:
    """One pass at ``when`` (year, month, day, hour...) on the world's sandbox clock; it must not fail."""
    from ilt_bot.jobs.tick import run_tick

    now = datetime(*when, tzinfo=config.tz)
    world.server.set_now(now)
    report = run_tick(config, world.ws, now)
    assert report.errors == [], report.errors
    return report


class SandboxWorld:
    """People acting on the sandbox over HTTP; the bot ticks through the real gateway."""

    kind = "sandbox"

    def __init__(self, config: Any, server: Any, gateway: Any) -> None:
        from ilt_bot.demo.people import People

        self.config = config
        self.server = server
        self.ws = gateway
        self.people = People(server.url)
        self.bot = config.workspace.bot_user

    def file_id(self, key: str) -> str:
        found = self.ws.find(key)
        assert found is not None, key
        return found.id

    def respond(self, key: str, email: str, answers: dict[str, str], when: datetime) -> None:
        from ilt_bot.jobs.feedback import STYLES
        from ilt_bot.jobs.intake import intake_spec

        titles = {ref: f"{label}:" for ref, label, _ in STYLES[self.config.feedback.style]}
        titles.update({q.ref: q.title for q in intake_spec(self.config).questions})
        uri = self.ws.form_responder_uri(self.file_id(key))
        self.people.answer_form(uri, email, {titles[ref]: text for ref, text in answers.items()})

    def accepting(self, key: str) -> bool:
        form = self.ws.forms.get(self.file_id(key))
        return bool(form.get("publishSettings", {}).get("publishState", {}).get("isAcceptingResponses"))

    def add_action(self, key: str, email: str, cells: list[str]) -> None:
        self.people.add_table_row(self.file_id(key), email, "What", cells)

    def set_carried_status(self, key: str, ref: str, email: str, status: str) -> None:
        self.people.set_cell(self.file_id(key), email, "Ref", ref, 5, status)

    def set_tracker_status(self, tracker_key: str, item_id: str, status: str) -> None:
        rows = self.ws.read_rows(self.file_id(tracker_key), ACTION_ITEMS)
        index = next(i for i, r in enumerate(rows) if r[0] == item_id) + 2  # header is row 1
        column = chr(ord("A") + col(ACTION_ITEMS, "Status"))
        self.people.set_sheet_cell(self.file_id(tracker_key), "ana.ruiz@cedar.example.org",
                                   f"'{ACTION_ITEMS}'!{column}{index}", status)

    def tracker_rows(self, tracker_key: str, tab: str) -> list[list[str]]:
        return self.ws.read_rows(self.file_id(tracker_key), tab)

    def trash(self, key: str, email: str) -> None:
        self.people.trash(self.file_id(key), self.bot)

    def charts(self, tracker_key: str) -> list[dict[str, Any]]:
        """The spreadsheet's charts as Google returns them (``spreadsheets.get``), reduced to tab, title and
        the 0-based columns of their domain and series (each a whole column of that tab)."""
        from tests.conftest import make_service

        sheets = make_service(self.server, "sheets", "v4", self.bot)
        answer = sheets.spreadsheets().get(spreadsheetId=self.file_id(tracker_key),
                                           fields="sheets(properties(sheetId,title),charts)").execute()
        out = []
        for sheet in answer.get("sheets", []):
            props = sheet["properties"]
            for chart in sheet.get("charts", []):
                basic = chart["spec"]["basicChart"]

                def column(part: dict[str, Any], props: dict[str, Any] = props) -> int:
                    (source,) = part["sourceRange"]["sources"]
                    assert source["sheetId"] == props["sheetId"] and source.get("startRowIndex", 0) == 0
                    assert "endRowIndex" not in source  # whole column: later meetings are drawn too
                    assert source["endColumnIndex"] == source.get("startColumnIndex", 0) + 1
                    return int(source.get("startColumnIndex", 0))

                out.append({"tab": props["title"], "title": chart["spec"]["title"],
                            "type": basic["chartType"],
                            "domain": column(basic["domains"][0]["domain"]),
                            "series": [column(s["series"]) for s in basic["series"]]})
        return out

    def doc_text(self, key: str) -> str:
        return visible_text(self.ws.export_html(self.file_id(key)))

    def calls(self) -> int:
        return len(self.server.requests)

    def notifications(self) -> list[tuple[str, str, str]]:
        from ilt_bot.sandbox.drive.models import sent_emails

        return [(e["to"], e["fileId"], e["message"] or "") for e in sent_emails(self.server.store)]

    def can_answer(self, key: str, email: str) -> bool:
        """Whether ``email`` gets through the responder page (signed in, posting an answer)."""
        from ilt_bot.jobs.feedback import STYLES

        first = f"{STYLES[self.config.feedback.style][0][1]}:"
        try:
            self.people.answer_form(self.ws.form_responder_uri(self.file_id(key)), email, {first: "trying"})
        except RuntimeError:
            return False
        return True

    def writes(self) -> int:
        reads = (".get", ".list", ".export", ".batchGet")
        return sum(1 for e in self.server.requests if not e["method"].endswith(reads))


@pytest.fixture
def sandbox_world(config, sandbox, monkeypatch):
    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.ratelimit import RateLimiter

    monkeypatch.setenv("ILT_BOT_SANDBOX_URL", sandbox.url)
    gateway = connect(config, limiter=RateLimiter(enabled=False))  # simulated weeks pass in seconds
    try:
        yield SandboxWorld(config, sandbox, gateway)
    finally:
        gateway.close()
