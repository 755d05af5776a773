"""The demo's Google Calendar: the principal's shared ILT calendar, and the one meeting she cancels there.

A config without ``[calendar]`` plays the year with Calendar on all the same: the principal makes an
"ILT" calendar, lets the bot user make changes to its events, and mid-year deletes one meeting's event
(docs/calendar.md: that meeting gets no agenda and no feedback Form, and is reported).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ilt_bot.config import Config, GoogleCalendar
from ilt_bot.jobs.meeting_calendar import meeting_key

if TYPE_CHECKING:
    from ilt_bot.calendar import Meeting, SchoolYear
    from ilt_bot.demo.people import People
    from ilt_bot.workspace.gateway import Gateway


def principal(config: Config) -> str:
    """The principal's address (the first member if no member has that role)."""
    chosen = next((m for m in config.members if m.role == "principal"), config.members[0])
    return str(chosen.email)


def ilt_calendar(config: Config, people: People) -> str:
    """The principal's "<school> ILT" calendar, shared with the bot user as writer (made on the first run)."""
    service = people.service(principal(config), "calendar", "v3")
    title = f"{config.school.name} ILT"
    listed = service.calendarList().list().execute().get("items", [])
    found = next((c["id"] for c in listed if c.get("summary") == title), None)
    if found is None:
        found = service.calendars().insert(body={"summary": title, "timeZone": config.school.timezone}
                                           ).execute()["id"]
        service.acl().insert(calendarId=found, body={"role": "writer", "scope": {
            "type": "user", "value": config.workspace.bot_user}}).execute()
    return str(found)


def turn_on(config: Config, gateway: Gateway, people: People) -> Config:
    """``config`` with Calendar on (the principal's ILT calendar) and ``gateway`` given its Calendar client;
    a config that turns Calendar on itself is kept as it is."""
    if config.calendar.enabled:
        return config
    from ilt_bot.sandbox.identity import sandbox_credentials
    from ilt_bot.workspace.calendar import CalendarClient
    from ilt_bot.workspace.transport import sandbox_http

    settings = GoogleCalendar(enabled=True, calendar_id=ilt_calendar(config, people))
    copy = config.model_copy(update={"calendar": settings})
    copy._source = config._source
    gateway.calendar = CalendarClient(sandbox_credentials(config.workspace.bot_user),
                                      lambda: sandbox_http(people.base_url), caller=gateway.caller)
    return copy


def meeting_to_cancel(year: SchoolYear) -> tuple[Meeting, Meeting] | None:
    """(the meeting after which the principal cancels, the meeting she cancels): a regular meeting mid-year."""
    meetings = year.meetings()
    regular = [i for i, m in enumerate(meetings) if m.kind == "regular" and i > 0]
    if len(regular) < 3:
        return None
    target = regular[len(regular) // 2]
    return meetings[target - 1], meetings[target]


def cancel(config: Config, people: People, meeting: Meeting) -> Any:
    """The principal deletes the meeting's event on the ILT calendar (found by its private key)."""
    service = people.service(principal(config), "calendar", "v3")
    key = meeting_key(config, meeting.date)
    calendar_id = config.calendar.calendar_id
    events = service.events().list(calendarId=calendar_id, privateExtendedProperty=f"iltbot_key={key}"
                                   ).execute().get("items", [])
    for event in events:
        service.events().delete(calendarId=calendar_id, eventId=event["id"]).execute()
    return len(events)
