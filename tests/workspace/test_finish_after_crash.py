"""A crash between making an artifact and finishing it (sharing it with its audience, the caller's own last
step): the artifact stays ``iltbot_state=building``, and the next ensure call finishes it, with nothing
duplicated (one file, one permission and one e-mail per person), then counts it ready (a third call writes
nothing). Through the real clients on the sandbox."""

from __future__ import annotations

import pytest

from ilt_bot.sandbox.drive.models import sent_emails
from ilt_bot.workspace.api import FileRef, Share
from ilt_bot.workspace.embedded import seed_root_folder
from tests.workspace.test_gateway_sandbox import FEEDBACK, ROOT, log_since, make_gateway, writes

PEOPLE = ["ana@cedar.example.org", "ben@cedar.example.org", "chloe@cedar.example.org"]
TABS = {"Meetings": ["date", "what"], "Runs": ["time", "action"]}


class Killed(BaseException):
    """The bot process dies (no ``except Exception`` survives it)."""


@pytest.fixture
def gw(sandbox):
    seed_root_folder(sandbox.store, ROOT, "ilt-bot@cedar.example.org")
    return make_gateway(sandbox)


def ensure(gw, kind: str, key: str, share: list[Share], finish):
    if kind == "doc":
        return gw.ensure_doc_from_html(key, "Agenda", "<h1>Agenda</h1>", ROOT, share=share, finish=finish)
    if kind == "form":
        return gw.ensure_form(key, FEEDBACK, ROOT, share=share, finish=finish)
    return gw.ensure_spreadsheet(key, "Tracker", ROOT, TABS, share=share, finish=finish)


def grants(kind: str) -> list[Share]:
    def message(ref: FileRef) -> str:
        return f"Ready: {ref.id}"

    if kind == "form":
        return [Share(PEOPLE, "reader", notify=True, message=message, published_view=True)]
    return [Share(PEOPLE, "writer", notify=True, message=message)]


@pytest.mark.parametrize("step", ["share", "finish"], ids=["killed before sharing", "killed in finish"])
@pytest.mark.parametrize("kind", ["doc", "form", "sheet"])
def test_a_crash_before_finishing_is_finished_by_the_rerun_without_duplicates(sandbox, gw, monkeypatch, kind, step):
    key = f"cedar/{kind}/crash-{step}"
    finished: list[str] = []

    def finish(ref: FileRef) -> None:
        if step == "finish" and not finished:
            finished.append("killed")
            raise Killed
        finished.append(ref.id)

    if step == "share":  # the process dies as it is about to grant access: nothing shared yet
        real = gw.sharing.share
        calls = [0]

        def dies_once(*args, **kwargs):
            calls[0] += 1
            if calls[0] == 1:
                raise Killed
            return real(*args, **kwargs)

        monkeypatch.setattr(gw.sharing, "share", dies_once)

    with pytest.raises(Killed):
        ensure(gw, kind, key, grants(kind), finish)
    left = gw.find(key)
    assert left is not None and left.app_properties["iltbot_state"] == "building"

    again = make_gateway(sandbox)  # the rerun: a new process
    ensured = ensure(again, kind, key, grants(kind), finish)
    assert ensured.created and ensured.file.id == left.id
    assert ensured.file.app_properties["iltbot_state"] == "ready"
    assert [f["id"] for f in again.drive.find_items(key)] == [left.id]  # one file, never a second
    assert finished[-1] == left.id
    perms = again.drive.list_permissions(left.id)
    for person in PEOPLE:
        mine = [p for p in perms if p.get("emailAddress") == person]
        assert len(mine) == 1, (person, mine)
        assert mine[0]["role"] == ("reader" if kind == "form" else "writer")
        if kind == "form":
            assert mine[0].get("view") == "published"
    mails = [e for e in sent_emails(sandbox.store) if e["fileId"] == left.id]
    assert sorted(e["to"] for e in mails) == sorted(PEOPLE)  # one e-mail each, even when killed after sharing
    assert {e["message"] for e in mails} == {f"Ready: {left.id}"}
    if kind == "form":
        form = again.forms.get(left.id)
        assert [i["title"] for i in form["items"]] == [q.title for q in FEEDBACK.questions]
        assert form["publishSettings"]["publishState"]["isPublished"] is True
    if kind == "sheet":
        assert again.read_rows(left.id, "Runs") == []  # the tab exists

    mark, calls_before = len(sandbox.requests), again.total_calls
    third = ensure(again, kind, key, grants(kind), finish)
    assert not third.created and third.file.id == left.id
    assert writes(log_since(sandbox, mark)) == []
    if kind != "sheet":  # a ready Doc or Form found by key costs its lookup only (a sheet also checks its tabs)
        assert again.total_calls - calls_before == 1
