"""A meeting's Google Calendar event as the jobs see it: its key, and what became of it (docs/calendar.md).

The ``calendar_event`` routine (:mod:`ilt_bot.jobs.calendar_event`) keeps one event per ILT meeting; the
agenda routine asks :func:`cancelled_in_calendar` before making a meeting's agenda and feedback Form. Both
read the event through :func:`event_state`, once per pass. The key builder lives here, below both
routines, because the agenda routine needs the event and the event routine needs the agenda.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import JobContext, member_emails
from ilt_bot.keys import school_key
from ilt_bot.workspace.api import CalendarAPI, EventState, MeetingEvent

if TYPE_CHECKING:
    from ilt_bot.calendar import Meeting
    from ilt_bot.config import Config

log = logging.getLogger(__name__)

CANCELLED = ("cancelled in Google Calendar: no agenda and no feedback Form; if the meeting is on after all, "
             "restore the event in Calendar (or add the date to meetings.cancelled_dates to silence this)")


def meeting_prefix(config: Config) -> str:
    """``<school>/meeting/``: what every meeting event's key starts with."""
    return school_key(config, "meeting") + "/"


def meeting_key(config: Config, day: date) -> str:
    """``<school>/meeting/<date>``: the event's private extended property ``iltbot_key``."""
    return meeting_prefix(config) + day.isoformat()


def meeting_event(config: Config, meeting: Meeting, total: int) -> MeetingEvent:
    """What the bot puts on the calendar for ``meeting``: title, time, place, the members invited."""
    what = "ILT semester reflection" if meeting.kind == "reflection" else "ILT meeting"
    return MeetingEvent(
        summary=f"{what} — {config.school.name}",
        start=meeting.start,
        end=meeting.end,
        location=meeting.location or config.meetings.location,
        attendees=tuple(member_emails(config)),
        description=(f"Instructional Leadership Team meeting {meeting.number} of {total}. The agenda Doc is "
                     f"attached here once it is ready, {config.lead_times.agenda_days} school days before. "
                     "Cancelling this event cancels the meeting's agenda and feedback Form."),
        time_zone=config.school.timezone,
    )


def calendar_client(ctx: JobContext) -> CalendarAPI:
    """The gateway's Calendar client (``[calendar]`` is enabled); a clear error if the gateway has none."""
    client = ctx.workspace.calendar
    if client is None:
        raise RuntimeError("calendar.enabled is true but this Workspace connection has no Calendar client: "
                           "connect with ilt_bot.workspace.gateway.connect (it adds one when Calendar is on)")
    return client


def _series(ctx: JobContext, client: CalendarAPI) -> list[EventState] | None:
    """The adopted series' instances over the school year (read once per pass), or None without a series."""
    settings = ctx.config.calendar
    if not settings.series_event_id:
        return None
    if ctx.calendar_series is None:
        year = ctx.config.year
        ctx.calendar_series = client.instances(
            settings.calendar_id, settings.series_event_id, time_min=ctx.year.at(year.start, time.min),
            time_max=ctx.year.at(year.end + timedelta(days=1), time.min))
    return ctx.calendar_series


def _listing(ctx: JobContext, client: CalendarAPI) -> dict[str, dict[str, Any]]:
    """The school's keyed events still to come (one listing per pass; a key not in it is looked up alone)."""
    if ctx.calendar_listing is None:
        end = ctx.year.at(ctx.config.year.end + timedelta(days=1), time.min)
        ctx.calendar_listing = client.keyed_events(ctx.config.calendar.calendar_id, meeting_prefix(ctx.config), ctx.now,
                                                   max(end, ctx.now + timedelta(days=1)))
    return ctx.calendar_listing


def _moved_here(ctx: JobContext, client: CalendarAPI, meeting: Meeting, key: str,
                listing: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """An event moved in Calendar to this meeting's start, whose own date is no longer a meeting (the config
    followed the move: old date cancelled, new one added): re-tagged with ``key``, so no second event is made."""
    if ctx.dry_run:
        return None
    planned = {meeting_key(ctx.config, m.date) for m in ctx.year.meetings()}
    for other, found in list(listing.items()):
        start = (found.get("start") or {}).get("dateTime")
        if other in planned or found.get("status") == "cancelled" or not start:
            continue
        if datetime.fromisoformat(start.replace("Z", "+00:00")) == meeting.start:
            listing[key] = client.adopt(ctx.config.calendar.calendar_id, found["id"], key)
            del listing[other]
            ctx.record("adopt", key, "ok", f"event {found['id']}, moved here in Calendar (it was {other})")
            return listing[key]
    return None


def _read(ctx: JobContext, meeting: Meeting, key: str) -> EventState:
    client = calendar_client(ctx)
    event = meeting_event(ctx.config, meeting, len(ctx.year.meetings()))
    listing = _listing(ctx, client)
    known = listing.get(key) or _moved_here(ctx, client, meeting, key, listing)
    state = client.meeting_event(ctx.config.calendar.calendar_id, key, event,
                                 series=None if known else _series(ctx, client), dry_run=ctx.dry_run, known=known)
    if state.state == "missing" and ctx.dry_run:
        ctx.created(key, "calendar event")
    elif state.created:
        ctx.created(key, f"calendar event {state.event_id}")
    elif state.adopted:
        ctx.record("adopt", key, "ok", f"instance {state.event_id} of series {ctx.config.calendar.series_event_id}")
    return state


def event_state(ctx: JobContext, meeting: Meeting) -> EventState:
    """``meeting``'s event, found (or adopted, or made) once per pass; a failure is raised again on each ask."""
    key = meeting_key(ctx.config, meeting.date)
    if key not in ctx.calendar_events:
        try:
            ctx.calendar_events[key] = _read(ctx, meeting, key)
        except Exception as exc:  # noqa: BLE001 - kept for the event routine, which reports it once
            ctx.calendar_events[key] = exc
    found = ctx.calendar_events[key]
    if isinstance(found, Exception):
        raise found
    return found


def cancelled_in_calendar(ctx: JobContext, meeting: Meeting) -> bool:
    """Whether ``meeting`` was cancelled in Google Calendar (then it gets no agenda and no feedback Form).

    Reported in ``skipped`` and the Runs tab. False when Calendar is off, and when Calendar cannot be read:
    the agenda is then made (an agenda too many does less harm than none for a meeting that happens), and
    the ``calendar_event`` routine reports the error.
    """
    if not ctx.config.calendar.enabled:
        return False
    try:
        state = event_state(ctx, meeting)
    except Exception as exc:  # noqa: BLE001 - reported by the calendar_event routine
        log.warning("%s: Google Calendar not read (%s); making the agenda", meeting.date, exc)
        return False
    if state.state != "cancelled":
        return False
    ctx.skipped(meeting_key(ctx.config, meeting.date), CANCELLED)
    return True


def when_label(moment: datetime | date | None, config: Config) -> str:
    """``Wed Sep 16, 2026 4:00 PM`` (school time) for a moved event's new start."""
    if isinstance(moment, datetime):
        local = moment.astimezone(config.tz)
        return f"{local:%a %b} {local.day}, {local.year} {local:%-I:%M %p}"
    return moment.isoformat() if moment is not None else "an unknown time"
