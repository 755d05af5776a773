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
        from fake_workspace import FakeWorkspace  # noqa: PLC0415 - test helper module

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

    def doc_text(self, key: str) -> str:
        return visible_text(self.ws.by_key(key).html)

    def calls(self) -> int:
        return sum(self.ws.calls.values())


@pytest.fixture
def fake_world(config):
    return FakeWorld(config)


def _agenda_items(config, year, now):
    """What plan.due_items gives for agendas: each meeting's agenda from ``agenda_days`` before it."""
    from datetime import time, timedelta
    from types import SimpleNamespace

    out = []
    for meeting in year.meetings():
        due = year.at(meeting.date - timedelta(days=config.lead_times.agenda_days), time(0))
        if due <= now:
            out.append(SimpleNamespace(kind="agenda", key=f"{config.school.id}/agenda/{meeting.date}", due=due,
                                       target=meeting))
    return out


@pytest.fixture(autouse=True)
def _plan_fallback(monkeypatch):
    """Until ilt_bot.plan lands, plan agendas the way design.md says."""
    try:
        import ilt_bot.plan  # noqa: F401
    except ImportError:
        monkeypatch.setattr("ilt_bot.jobs.tick._due_items", _agenda_items)
