"""The ``calendar_event`` routine on the sandbox, read back as the principal and a member see their calendars.

Calendar behaviours followed (Calendar v3 reference): private extended properties are visible only on the
organizer's calendar and found with ``privateExtendedProperty``; an invitation appears on each attendee's
primary calendar; attachments need ``supportsAttachments=true``; a deleted event or instance is kept with
``status: cancelled`` (listed with ``showDeleted``); a deleted instance of a series is a cancelled exception.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ilt_bot import cli
from ilt_bot.config import GoogleCalendar
from ilt_bot.jobs.tick import run_tick
from ilt_bot.jobs.tracker import RUNS
from ilt_bot.selftest import run_selftest
from ilt_bot.status import school_status
from ilt_bot.workspace.auth import CALENDAR_EVENTS, required_scopes
from ilt_bot.workspace.ratelimit import RateLimiter

PRINCIPAL = "ana.ruiz@cedar.example.org"
MEMBER = "ben.okafor@cedar.example.org"
MEMBERS = sorted(f"{n}@cedar.example.org" for n in ("ana.ruiz", "ben.okafor", "chloe.park", "dev.patel"))
BOT = "ilt-bot@cedar.example.org"
DENVER = "America/Denver"
TRACKER = "cedar/tracker/2026-27"


def with_calendar(config, **settings):
    return config.model_copy(update={"calendar": GoogleCalendar(enabled=True, **settings)})


def local(config, *args: int) -> datetime:
    return datetime(*args, tzinfo=config.tz)


@pytest.fixture
def ilt_calendar(sandbox, build_service) -> str:
    """The principal's shared "Cedar ILT" calendar, on which the bot user may make changes."""
    principal = build_service(sandbox, "calendar", "v3", PRINCIPAL)
    made = principal.calendars().insert(body={"summary": "Cedar ILT", "timeZone": DENVER}).execute()
    principal.acl().insert(calendarId=made["id"], body={"role": "writer", "scope": {"type": "user", "value": BOT}}
                           ).execute()
    return made["id"]


@pytest.fixture
def connect_to(sandbox, monkeypatch):
    from ilt_bot.workspace.gateway import connect

    monkeypatch.setenv("ILT_BOT_SANDBOX_URL", sandbox.url)
    made = []

    def open_gateway(config):
        gateway = connect(config, limiter=RateLimiter(enabled=False))
        made.append(gateway)
        return gateway

    yield open_gateway
    for gateway in made:
        gateway.close()


def tick(config, gateway, *when: int):
    report = run_tick(config, gateway, local(config, *when))
    assert report.errors == []
    return report


def event_of(service, calendar_id: str, day: str) -> dict:
    """The meeting's event as its calendar's owner finds it: by the private extended property."""
    (event,) = service.events().list(calendarId=calendar_id, showDeleted=True,
                                     privateExtendedProperty=f"iltbot_key=cedar/meeting/{day}").execute()["items"]
    return event


def runs(gateway) -> list[list[str]]:
    return gateway.read_rows(gateway.find(TRACKER).id, RUNS)


def test_each_meeting_past_its_agenda_date_has_an_event_with_the_members_and_the_agenda(
        config, sandbox, build_service, connect_to, ilt_calendar):
    """The first run puts the year's meetings on the ILT calendar (members invited, time and place); the
    agenda made that run is attached; a member sees the event and the agenda on their own calendar; a
    second run reads Calendar once (one events.list) and writes nothing."""
    config = with_calendar(config, calendar_id=ilt_calendar)
    gateway = connect_to(config)
    tick(config, gateway, 2026, 8, 22, 12)
    principal = build_service(sandbox, "calendar", "v3", PRINCIPAL)
    event = event_of(principal, ilt_calendar, "2026-08-25")
    assert sorted(a["email"] for a in event["attendees"]) == MEMBERS
    assert event["location"] == "Library"
    assert datetime.fromisoformat(event["start"]["dateTime"]) == local(config, 2026, 8, 25, 15, 45)
    assert datetime.fromisoformat(event["end"]["dateTime"]) == local(config, 2026, 8, 25, 17, 0)
    agenda = gateway.find("cedar/agenda/2026-08-25")
    assert [(a["fileId"], a["fileUrl"]) for a in event["attachments"]] == [(agenda.id, agenda.web_link)]
    later = event_of(principal, ilt_calendar, "2026-09-08")  # on the calendar, its agenda not made yet
    assert "attachments" not in later and sorted(a["email"] for a in later["attendees"]) == MEMBERS
    mine = build_service(sandbox, "calendar", "v3", MEMBER).events().get(calendarId="primary",
                                                                         eventId=event["id"]).execute()
    assert mine["attachments"][0]["fileUrl"] == agenda.web_link
    assert "extendedProperties" not in mine  # the key is private to the ILT calendar's copy

    mark = len(sandbox.requests)
    tick(config, gateway, 2026, 8, 22, 18)
    calls = [e["method"] for e in sandbox.requests[mark:] if e["method"].startswith("calendar.")]
    assert calls == ["calendar.events.list"]  # one listing finds every event of the year: no writes
    tick(config, gateway, 2026, 9, 5, 12)  # the next agenda is due: attached to its event
    attached = event_of(principal, ilt_calendar, "2026-09-08")["attachments"]
    assert [a["fileId"] for a in attached] == [gateway.find("cedar/agenda/2026-09-08").id]


def test_a_meeting_the_principal_cancels_in_calendar_gets_no_agenda_and_is_reported(
        config, sandbox, build_service, connect_to, ilt_calendar):
    """The principal deletes the Sep 8 event (events.delete on the ILT calendar): when its agenda is due the
    bot makes neither the agenda nor the feedback Form, and the Runs tab and ``status`` say why."""
    config = with_calendar(config, calendar_id=ilt_calendar)
    gateway = connect_to(config)
    tick(config, gateway, 2026, 8, 22, 12)
    principal = build_service(sandbox, "calendar", "v3", PRINCIPAL)
    event = event_of(principal, ilt_calendar, "2026-09-08")
    principal.events().delete(calendarId=ilt_calendar, eventId=event["id"]).execute()
    report = tick(config, gateway, 2026, 9, 5, 12)
    assert gateway.find("cedar/agenda/2026-09-08") is None
    assert gateway.find("cedar/feedback/2026-09-08") is None
    assert any(s.startswith("cedar/meeting/2026-09-08: cancelled in Google Calendar") for s in report.skipped)
    rows = [r for r in runs(gateway) if r[3] == "cedar/meeting/2026-09-08"]
    assert rows and rows[-1][4] == "skipped" and "cancelled in Google Calendar" in rows[-1][5]
    assert event_of(principal, ilt_calendar, "2026-09-08")["status"] == "cancelled"  # not put back
    status = school_status(config, gateway, local(config, 2026, 9, 5, 13))
    attention = [a for a in status.attention if a.key == "cedar/meeting/2026-09-08"]
    assert attention and "cancelled in Google Calendar" in attention[0].detail


def test_a_meeting_moved_in_calendar_is_reported_and_keeps_its_agenda(
        config, sandbox, build_service, connect_to, ilt_calendar):
    """A start changed in Calendar is not followed: the agenda is made for the planned date, and the Runs
    tab names the new time and the config change that would follow it."""
    config = with_calendar(config, calendar_id=ilt_calendar)
    gateway = connect_to(config)
    tick(config, gateway, 2026, 8, 22, 12)
    principal = build_service(sandbox, "calendar", "v3", PRINCIPAL)
    event = event_of(principal, ilt_calendar, "2026-09-08")
    moved = local(config, 2026, 9, 9, 15, 45)
    principal.events().patch(calendarId=ilt_calendar, eventId=event["id"], body={
        "start": {"dateTime": moved.isoformat(), "timeZone": DENVER},
        "end": {"dateTime": (moved + timedelta(minutes=75)).isoformat(), "timeZone": DENVER}}).execute()
    tick(config, gateway, 2026, 9, 5, 12)
    assert gateway.find("cedar/agenda/2026-09-08") is not None
    rows = [r for r in runs(gateway) if r[3] == "cedar/meeting/2026-09-08"]
    (row,) = [r for r in rows if r[4] == "skipped"]
    assert [r[2] for r in rows if r[4] == "ok"] == ["attach"]  # the agenda is on the moved event too
    assert "moved in Google Calendar to Wed Sep 9, 2026 3:45 PM" in row[5] and "meetings.extra_dates" in row[5]
    assert event_of(principal, ilt_calendar, "2026-09-08")["start"]["dateTime"].startswith("2026-09-09")


def test_a_move_followed_in_the_config_keeps_the_moved_event(
        config, sandbox, build_service, connect_to, ilt_calendar):
    """After the report, the facilitator follows the move in the config (Sep 8 cancelled, Sep 9 added): the
    event the principal moved becomes Sep 9's (re-tagged), no second event is made, and Sep 9's agenda is on it."""
    config = with_calendar(config, calendar_id=ilt_calendar)
    gateway = connect_to(config)
    tick(config, gateway, 2026, 8, 22, 12)
    principal = build_service(sandbox, "calendar", "v3", PRINCIPAL)
    event = event_of(principal, ilt_calendar, "2026-09-08")
    moved = local(config, 2026, 9, 9, 15, 45)
    principal.events().patch(calendarId=ilt_calendar, eventId=event["id"], body={
        "start": {"dateTime": moved.isoformat(), "timeZone": DENVER},
        "end": {"dateTime": (moved + timedelta(minutes=75)).isoformat(), "timeZone": DENVER}}).execute()
    meetings = config.meetings.model_copy(update={"cancelled_dates": [date(2026, 9, 8)],
                                                  "extra_dates": [date(2026, 9, 9)]})
    followed = config.model_copy(update={"meetings": meetings})
    tick(followed, gateway, 2026, 9, 6, 12)
    now_on = event_of(principal, ilt_calendar, "2026-09-09")
    assert now_on["id"] == event["id"]
    assert now_on["attachments"][0]["fileId"] == gateway.find("cedar/agenda/2026-09-09").id
    on_the_day = principal.events().list(calendarId=ilt_calendar, timeMin=local(config, 2026, 9, 9).isoformat(),
                                         timeMax=local(config, 2026, 9, 10).isoformat()).execute()["items"]
    assert [e["id"] for e in on_the_day] == [event["id"]]


def test_an_adopted_series_is_tagged_and_a_deleted_instance_cancels_that_meeting(
        config, sandbox, build_service, connect_to):
    """With ``series_event_id`` the bot makes no events of its own for the series' days: it tags the
    principal's biweekly instances with the meeting keys and attaches the agenda; the instance the principal
    deleted (a cancelled exception of the series) gets no agenda. Meetings after the series ends get events
    of the bot's own."""
    principal = build_service(sandbox, "calendar", "v3", PRINCIPAL)
    principal.acl().insert(calendarId="primary", body={"role": "writer", "scope": {"type": "user", "value": BOT}}
                           ).execute()
    first = local(config, 2026, 8, 25, 15, 45)
    series = principal.events().insert(calendarId="primary", body={
        "summary": "ILT", "recurrence": ["RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=6"],
        "start": {"dateTime": first.isoformat(), "timeZone": DENVER},
        "end": {"dateTime": (first + timedelta(minutes=75)).isoformat(), "timeZone": DENVER}}).execute()
    instances = principal.events().instances(calendarId="primary", eventId=series["id"]).execute()["items"]
    principal.events().delete(calendarId="primary", eventId=instances[1]["id"]).execute()  # Sep 8
    config = with_calendar(config, calendar_id=PRINCIPAL, series_event_id=series["id"])
    gateway = connect_to(config)
    tick(config, gateway, 2026, 8, 22, 12)
    tagged = event_of(principal, "primary", "2026-08-25")
    assert tagged["id"] == instances[0]["id"] and tagged["recurringEventId"] == series["id"]
    assert tagged["attachments"][0]["fileId"] == gateway.find("cedar/agenda/2026-08-25").id
    assert sorted(a["email"] for a in tagged["attendees"]) == MEMBERS
    report = tick(config, gateway, 2026, 9, 5, 12)
    assert gateway.find("cedar/agenda/2026-09-08") is None
    assert any(s.startswith("cedar/meeting/2026-09-08: cancelled in Google Calendar") for s in report.skipped)
    owned = principal.events().list(calendarId="primary", showDeleted=True).execute()["items"]
    own = [e for e in owned if e.get("recurringEventId", e["id"]) != series["id"]]
    assert own and min(e["start"]["dateTime"][:10] for e in own) == "2026-11-17"  # only after the series ends


def test_calendar_off_plans_no_events_and_asks_no_calendar_scope(config):
    """Without ``[calendar]`` nothing changes: no ``calendar_event`` items, no Calendar scope."""
    from ilt_bot.plan import plan

    assert not [i for i in plan(config) if i.kind == "calendar_event"]
    assert CALENDAR_EVENTS not in required_scopes(config)
    on = with_calendar(config)
    assert required_scopes(on)[-1] == CALENDAR_EVENTS
    assert len([i for i in plan(on) if i.kind == "calendar_event"]) == len([i for i in plan(on) if i.kind == "agenda"])


def test_check_scopes_lists_calendar_events_only_when_calendar_is_on(tmp_path):
    """``ilt-bot check --scopes`` on the example config, then with ``[calendar] enabled = true`` added."""
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    path = tmp_path / "config.toml"
    path.write_text(example.read_text())
    runner = CliRunner()
    off = runner.invoke(cli.app, ["check", "-c", str(path), "--scopes", "--json"])
    assert off.exit_code == 0, off.output
    assert CALENDAR_EVENTS not in json.loads(off.stdout)
    path.write_text(example.read_text() + "\n[calendar]\nenabled = true\n")
    on = runner.invoke(cli.app, ["check", "-c", str(path), "--scopes", "--json"])
    assert on.exit_code == 0, on.output
    assert json.loads(on.stdout)[-1] == CALENDAR_EVENTS
    bad = tmp_path / "bad.toml"
    bad.write_text(example.read_text() + '\n[calendar]\ncalendar_id = "ilt@group.calendar.google.com"\n')
    refused = runner.invoke(cli.app, ["check", "-c", str(bad)])
    assert refused.exit_code != 0 and "calendar.calendar_id" in refused.output and "enabled = true" in refused.output


def test_selftest_inserts_reads_back_and_deletes_a_scratch_event(config):
    """The selftest's Calendar step, on a throwaway sandbox, when the config turns Calendar on."""
    report = run_selftest(with_calendar(config, calendar_id="ilt@group.calendar.google.com"))
    (step,) = [o for o in report.outcomes if o.step == "calendar"]
    assert step.status == "OK", step
    assert "found by iltbot_key, deleted (reads cancelled)" in step.detail
