"""The gateway's Calendar client against the sandbox: one event per meeting, found by its key, never
duplicated (reruns, faults, commit-then-fail), and a meeting the principal moved or cancelled is noticed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ilt_bot.sandbox.core import ADMIN
from ilt_bot.sandbox.identity import sandbox_credentials
from ilt_bot.workspace.calendar import CalendarClient, event_id_for
from ilt_bot.workspace.clients import Caller
from ilt_bot.workspace.retry import RetryPolicy
from ilt_bot.workspace.transport import sandbox_http

BOT = "ilt-bot@cedar.example.org"
PRINCIPAL = "principal@cedar.example.org"
MEMBERS = ["ana@cedar.example.org", "tom@cedar.example.org"]
NY = ZoneInfo("America/New_York")
WRITES = ("calendar.events.insert", "calendar.events.patch", "calendar.events.update", "calendar.events.delete")


def client(sandbox, user: str = BOT) -> CalendarClient:
    policy = RetryPolicy(sleep=lambda s: None, max_attempts=12)
    return CalendarClient(sandbox_credentials(user), lambda: sandbox_http(sandbox.url),
                          caller=Caller(user=user, policy=policy))


def key(day: date) -> str:
    return f"cedar/meeting/{day.isoformat()}"


def start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 15, 0, tzinfo=NY)


def ensure(cal: CalendarClient, calendar_id: str, day: date, **changes):
    args = {"summary": f"ILT meeting {day}", "start": start_of(day), "end": start_of(day) + timedelta(hours=1),
            "location": "Library", "attendees": MEMBERS, "description": "Agenda to follow"} | changes
    return cal.ensure_event(calendar_id, key(day), **args)


@pytest.fixture
def ilt_calendar(sandbox) -> str:
    """The principal's shared ILT calendar, on which the bot user is a writer."""
    principal = client(sandbox, PRINCIPAL).service
    made = principal.calendars().insert(body={"summary": "Cedar ILT", "timeZone": "America/New_York"}).execute()
    principal.acl().insert(calendarId=made["id"], body={"role": "writer", "scope": {"type": "user", "value": BOT}}
                           ).execute()
    return made["id"]


def writes(sandbox) -> list[str]:
    return [e["method"] for e in sandbox.requests if e["method"] in WRITES]


def test_ensure_event_creates_the_meeting_once_and_a_rerun_writes_nothing(sandbox, ilt_calendar):
    """The first run makes the event (keyed, attendees invited); a rerun finds it by its key: 0 writes."""
    cal = client(sandbox)
    day = date(2026, 9, 15)
    made = ensure(cal, ilt_calendar, day)
    assert made.created and made.state == "scheduled"
    assert made.event_id == event_id_for(key(day))
    assert made.start == start_of(day)
    before = len(writes(sandbox))
    again = ensure(cal, ilt_calendar, day)
    assert (again.created, again.state, again.event_id) == (False, "scheduled", made.event_id)
    assert len(writes(sandbox)) == before
    stored = cal.find_event(ilt_calendar, key(day))
    assert sorted(a["email"] for a in stored["attendees"]) == MEMBERS
    assert stored["location"] == "Library"


def test_ensure_event_leaves_peoples_edits_and_only_invites_new_members(sandbox, ilt_calendar):
    """People own the event once made: a renamed title stays; a member added to the config is invited."""
    cal, principal = client(sandbox), client(sandbox, PRINCIPAL)
    day = date(2026, 9, 15)
    made = ensure(cal, ilt_calendar, day)
    principal.service.events().patch(calendarId=ilt_calendar, eventId=made.event_id,
                                     body={"summary": "ILT - data dive"}).execute()
    again = ensure(cal, ilt_calendar, day, attendees=[*MEMBERS, "lee@cedar.example.org"])
    assert again.event["summary"] == "ILT - data dive"
    assert sorted(a["email"] for a in again.event["attendees"]) == sorted([*MEMBERS, "lee@cedar.example.org"])


@pytest.mark.parametrize(("kind", "seed"), [("429", 3), ("500", 3), ("503", 3), ("reset", 3),
                                            ("commit", 1), ("commit", 4), ("commit", 8)])
def test_ensure_event_never_duplicates_under_faults(sandbox, ilt_calendar, kind, seed):
    """Under 30% faults (commit-then-fail: the insert is applied and its answer lost) two runs over ten
    meetings leave exactly one event per meeting."""
    cal = client(sandbox)
    days = [date(2026, 9, 1) + timedelta(weeks=w) for w in range(10)]
    sandbox.set_faults(0.3, kinds=[kind], seed=seed)
    for _run in range(2):
        for day in days:
            assert ensure(cal, ilt_calendar, day).state == "scheduled"
    sandbox.set_faults(0.0)
    faulted = [e for e in sandbox.requests if e.get("fault")]
    assert faulted, "faults were injected"
    if kind == "commit":
        assert any(e["method"] == "calendar.events.insert" and e["fault"].startswith("commit") for e in faulted)
    admin = client(sandbox, ADMIN).service
    every = admin.events().list(calendarId=ilt_calendar, showDeleted=True, maxResults=2500).execute()["items"]
    assert len(every) == len(days)
    for day in days:
        found = admin.events().list(calendarId=ilt_calendar, privateExtendedProperty=f"iltbot_key={key(day)}"
                                    ).execute()["items"]
        assert len(found) == 1, key(day)


def test_attach_adds_the_agenda_doc_once(sandbox, ilt_calendar, build_service):
    """The agenda Doc is attached (supportsAttachments=true) with its Drive fileId; attaching again writes nothing."""
    drive = build_service(sandbox, "drive", "v3", BOT)
    doc = drive.files().create(body={"name": "Agenda 2026-09-15", "mimeType": "application/vnd.google-apps.document"},
                               fields="id,name,webViewLink").execute()
    cal = client(sandbox)
    made = ensure(cal, ilt_calendar, date(2026, 9, 15))
    cal.attach(ilt_calendar, made.event_id, doc["id"], doc["name"], doc["webViewLink"])
    before = len(writes(sandbox))
    event = cal.attach(ilt_calendar, made.event_id, doc["id"], doc["name"], doc["webViewLink"])
    assert len(writes(sandbox)) == before
    assert [(a["fileId"], a["title"]) for a in event["attachments"]] == [(doc["id"], "Agenda 2026-09-15")]
    members_view = client(sandbox, MEMBERS[0]).service.events().get(calendarId="primary", eventId=made.event_id
                                                                    ).execute()
    assert members_view["attachments"][0]["fileUrl"] == doc["webViewLink"]


def test_a_meeting_moved_or_cancelled_by_the_principal_is_noticed_and_not_recreated(sandbox, ilt_calendar):
    """A changed start reads ``moved``; a deleted event reads ``cancelled`` (Calendar keeps it with
    status cancelled) and a rerun of ensure_event reports it instead of making a new one."""
    cal, principal = client(sandbox), client(sandbox, PRINCIPAL).service.events()
    day = date(2026, 9, 15)
    made = ensure(cal, ilt_calendar, day)
    later = start_of(day) + timedelta(days=1)
    principal.patch(calendarId=ilt_calendar, eventId=made.event_id, body={
        "start": {"dateTime": later.isoformat(), "timeZone": "America/New_York"},
        "end": {"dateTime": (later + timedelta(hours=1)).isoformat(), "timeZone": "America/New_York"}}).execute()
    moved = cal.event_status(ilt_calendar, made.event_id, start_of(day))
    assert (moved.state, moved.start) == ("moved", later)
    assert ensure(cal, ilt_calendar, day).state == "moved"
    principal.delete(calendarId=ilt_calendar, eventId=made.event_id).execute()
    assert cal.event_status(ilt_calendar, made.event_id, start_of(day)).state == "cancelled"
    rerun = ensure(cal, ilt_calendar, day)
    assert (rerun.state, rerun.created, rerun.event_id) == ("cancelled", False, made.event_id)
    assert cal.event_status(ilt_calendar, "nosuchevent01").state == "missing"


def test_an_adopted_series_reports_cancelled_and_moved_instances(sandbox):
    """The bot reads the principal's weekly series (shared with it as writer), tags one instance with a
    meeting key, and sees the instance the principal deleted as ``cancelled`` and the one moved as ``moved``."""
    principal = client(sandbox, PRINCIPAL).service
    principal.acl().insert(calendarId="primary", body={"role": "writer", "scope": {"type": "user", "value": BOT}}
                           ).execute()
    first = start_of(date(2026, 10, 6))
    series = principal.events().insert(calendarId="primary", body={
        "summary": "ILT", "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=6"],
        "start": {"dateTime": first.isoformat(), "timeZone": "America/New_York"},
        "end": {"dateTime": (first + timedelta(hours=1)).isoformat(), "timeZone": "America/New_York"}}).execute()
    cal = client(sandbox)
    instances = cal.instances(PRINCIPAL, series["id"])
    assert [i.state for i in instances] == ["scheduled"] * 6
    principal.events().delete(calendarId="primary", eventId=instances[1].event_id).execute()
    moved_to = start_of(date(2026, 10, 21))
    principal.events().patch(calendarId="primary", eventId=instances[2].event_id, body={
        "start": {"dateTime": moved_to.isoformat(), "timeZone": "America/New_York"},
        "end": {"dateTime": (moved_to + timedelta(hours=1)).isoformat(), "timeZone": "America/New_York"}}).execute()
    window = cal.instances(PRINCIPAL, series["id"], time_min=first, time_max=first + timedelta(weeks=4))
    assert [i.state for i in window] == ["scheduled", "cancelled", "moved", "scheduled"]
    assert window[2].start == moved_to
    cal.adopt(PRINCIPAL, instances[3].event_id, key(date(2026, 10, 27)))
    found = cal.find_event(PRINCIPAL, key(date(2026, 10, 27)))
    assert found["id"] == instances[3].event_id and found["recurringEventId"] == series["id"]
    assert cal.ensure_event(PRINCIPAL, key(date(2026, 10, 27)), "ILT", start_of(date(2026, 10, 27)),
                            start_of(date(2026, 10, 27)) + timedelta(hours=1)).event_id == instances[3].event_id
