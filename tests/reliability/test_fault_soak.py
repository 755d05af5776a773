"""Fault soak: the demo school on a sandbox injecting each fault kind, then the audit.

Every run ends with the independent audit (``audit.py``): each expected artifact exists exactly once,
each response in the Forms store is in the tracker exactly once, each permission is as configured,
no Form is half made; and each submission a person saw succeed is in the Forms store.
The full fall semester on the example school is ``slow`` (``ILT_BOT_SLOW=1``).
"""

from __future__ import annotations

import json
import os

import pytest

from tests.reliability.audit import AdminView, audit, expected_keys
from tests.reliability.soak import EXAMPLE_CONFIG, SMALL_CONFIG, Soak

SLOW = pytest.mark.skipif(os.environ.get("ILT_BOT_SLOW") != "1", reason="long soak: set ILT_BOT_SLOW=1")

SHORT_DAYS = 16
"""From the set-up week to just past the first meeting (its feedback and an intake submission)."""


def _assert_clean(result, *, faults_expected: bool = True) -> None:
    figures = result.figures()
    print(json.dumps(figures))  # the figures RELIABILITY.md quotes (pytest -s)
    assert result.problems == [], figures
    assert figures["duplicates"] == 0 and figures["responses_lost"] == 0 and figures["missing"] == 0
    assert figures["artifacts"] >= figures["expected"] >= 5
    assert figures["responses"] >= 3 and figures["tracker_response_rows"] == figures["responses"]
    assert result.believed_submissions >= 3
    if faults_expected:
        assert figures["faults_injected"] >= 0.08 * figures["requests"], figures


@pytest.mark.parametrize("kind", ["429", "500", "503", "reset", "commit"])
def test_soak_with_one_fault_kind(kind):
    with Soak(SMALL_CONFIG, fault_rate=0.25, kinds=(kind,), seed=11) as soak:
        result = soak.run(SHORT_DAYS)
    _assert_clean(result, faults_expected=kind != "commit")
    if kind == "commit":  # commit-then-fail only bites writes: count those
        assert sum(n for k, n in result.faults.items() if k.startswith("commit+")) >= 5, result.faults


def test_soak_with_every_fault_kind_and_latency():
    with Soak(SMALL_CONFIG, fault_rate=0.3, seed=7, latency_ms=2) as soak:
        result = soak.run(SHORT_DAYS)
    _assert_clean(result)
    assert set(result.faults) >= {"429", "500", "503", "reset"}, result.faults


@SLOW
@pytest.mark.slow
def test_whole_year_of_the_small_school_under_faults():
    with Soak(SMALL_CONFIG, fault_rate=0.2, seed=5) as soak:
        result = soak.run(None, whole_year=True)
    _assert_clean(result)
    kinds = {k.split("/")[1] for k in result.audit.responses_by_form}
    assert {"feedback", "intake", "thinking-map"} <= kinds, kinds


@SLOW
@pytest.mark.slow
def test_fall_semester_of_the_example_school_under_faults():
    with Soak(EXAMPLE_CONFIG, fault_rate=0.2, seed=7) as soak:
        result = soak.run(None)
    _assert_clean(result)
    assert result.figures()["responses"] >= 50


# --- the auditor itself can fail ------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean_run():
    soak = Soak(SMALL_CONFIG, fault_rate=0.0, seed=3)
    result = soak.run(SHORT_DAYS)
    assert result.problems == []
    yield soak
    soak.close()


def _file(view: AdminView, key: str) -> dict:
    return next(f for f in view.files() if (f.get("appProperties") or {}).get("iltbot_key") == key)


def _recount(soak):
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.demo import AFTER_SCHOOL, MORNING, _school_days

    year = SchoolYear(soak.config)
    begin = min(soak.config.year.start, min(m.date for m in year.meetings()))
    import datetime as dt

    days = _school_days(year, begin - dt.timedelta(days=7), soak.config.year.semesters[0].end)[:SHORT_DAYS]
    return audit(soak.server, soak.config,
                 expected_keys(soak.config, year.at(days[0], MORNING), year.at(days[-1], AFTER_SCHOOL)))


def test_auditor_finds_a_duplicate_a_lost_response_a_wide_permission_and_a_half_made_form(clean_run):
    soak = clean_run
    view = AdminView(soak.server)
    agenda = _file(view, "cedar/agenda/2026-08-25")
    tracker = _file(view, "cedar/tracker/2026-27")
    # a second live copy of the agenda with the same key
    view.drive.files().copy(fileId=agenda["id"], body={"name": "copy"}).execute()
    # a response row vanishes from the tracker
    view.sheets.spreadsheets().values().clear(spreadsheetId=tracker["id"], range="'Feedback'!A2:I2").execute()
    # the tracker opened to anyone with the link
    view.drive.permissions().create(fileId=tracker["id"], body={"type": "anyone", "role": "reader"}).execute()
    # a keyless, question-less Form of the bot's
    bot_forms = soak.server.url
    from tests.conftest import make_service

    make_service(bot_forms, "forms", "v1", soak.config.workspace.bot_user).forms().create(
        body={"info": {"title": "half made"}}).execute()

    report = _recount(soak)
    text = "\n".join(report.problems)
    assert "duplicate artifact: cedar/agenda/2026-08-25" in text
    assert "response not in the tracker: feedback" in text
    assert "cedar/tracker/2026-27: open beyond named people" in text
    assert "half-made Form" in text and "without a key" in text
