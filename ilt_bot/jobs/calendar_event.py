"""One Google Calendar event per ILT meeting, with the agenda attached (routine ``calendar_event``).

Only with ``[calendar] enabled = true`` (docs/calendar.md). Key ``<school>/meeting/<date>``, the event's
private extended property. A meeting's item is due with its agenda (and runs after it, the tick ordering
equal due times by key), so the agenda made in a pass is attached in that pass. Each pass, for each due
meeting not over yet: the event is found (or the adopted series' instance tagged, or the event made),
missing members are invited, the agenda Doc attached once it exists. The same pass also makes the events
of every later meeting of the year (:func:`ensure_ahead`), so the whole year is on the calendar from the
first agenda on and the principal can cancel a meeting there before its agenda is due. A meeting cancelled
in Calendar is reported and gets no agenda (:func:`~ilt_bot.jobs.meeting_calendar.cancelled_in_calendar`);
a moved one is reported, not followed: the agenda keeps the planned date.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ilt_bot.jobs import JobContext
from ilt_bot.jobs.agenda import agenda_key
from ilt_bot.jobs.meeting_calendar import CANCELLED, calendar_client, event_state, meeting_key, when_label
from ilt_bot.routine import Routine, WorkItem, prepared
from ilt_bot.workspace.api import EventState, is_building

if TYPE_CHECKING:
    from ilt_bot.calendar import Meeting, SchoolYear
    from ilt_bot.config import Config


def moved_note(config: Config, meeting: Meeting, state: EventState) -> str:
    """What the Runs tab says of a meeting moved in Calendar, and what to do about it."""
    return (f"moved in Google Calendar to {when_label(state.start, config)}; not followed: the agenda and "
            f"feedback Form keep {when_label(meeting.start, config)}. If the meeting really moved, put the old "
            "date in meetings.cancelled_dates and the new one in meetings.extra_dates")


def agenda_due(config: Config, year: SchoolYear, meeting: Meeting) -> datetime:
    """When the meeting's agenda is due (``lead_times.agenda_days`` before it): its event item's due time too."""
    return prepared(config, year, meeting, config.lead_times.agenda_days)


def event_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    """One item per meeting, due with its agenda (none when Calendar is off)."""
    if not config.calendar.enabled:
        return []
    return [WorkItem("calendar_event", meeting_key(config, m.date), agenda_due(config, year, m),
                     f"calendar event {m.date.isoformat()}", meeting_date=m.date, semester=m.semester,
                     cycle=m.cycle, meeting=m)
            for m in year.meetings()]


def ensure_ahead(ctx: JobContext) -> None:
    """The events of the meetings whose agenda is not due yet (once per pass); a failure is reported under
    that meeting's key and blocks only that meeting."""
    for meeting in ctx.year.meetings():
        key = meeting_key(ctx.config, meeting.date)
        if ctx.now >= agenda_due(ctx.config, ctx.year, meeting) or key in ctx.calendar_events:
            continue
        try:
            event_state(ctx, meeting)
        except Exception as exc:  # noqa: BLE001 - one meeting's event must not stop the others
            ctx.error(key, exc)


def attach_agenda(ctx: JobContext, meeting: Meeting, state: EventState) -> None:
    """Attach the meeting's agenda Doc to its event once the agenda is ready (not yet attached: one patch)."""
    agenda = ctx.find(agenda_key(ctx.config, meeting.date))
    if agenda is None or agenda.trashed or is_building(agenda) or not agenda.web_link:
        return
    if any(a.get("fileId") == agenda.id for a in state.event.get("attachments", [])):
        return
    key = meeting_key(ctx.config, meeting.date)
    if ctx.dry_run:
        ctx.record("would attach", key, "planned", agenda.name)
        return
    calendar_client(ctx).attach(ctx.config.calendar.calendar_id, str(state.event_id), agenda.id, agenda.name,
                                agenda.web_link)
    ctx.record("attach", key, "ok", f"{agenda.name} attached to calendar event {state.event_id}")


def run(ctx: JobContext, item: WorkItem) -> None:
    """Keep the meeting's event (see the module docstring); meetings already over are left alone."""
    meeting = item.meeting
    if meeting is None:
        ctx.skipped(item.key, "no meeting on that date in the calendar")
        return
    if meeting.end <= ctx.now:
        return
    ensure_ahead(ctx)
    state = event_state(ctx, meeting)
    if state.state == "cancelled":
        ctx.skipped(item.key, CANCELLED)
        return
    if state.state == "missing":  # a dry run: reported as to be created
        return
    if state.state == "moved":
        ctx.skipped(item.key, moved_note(ctx.config, meeting, state))
    elif not (state.created or state.adopted):
        ctx.report.existing += 1
    attach_agenda(ctx, meeting, state)


CALENDAR_EVENT = Routine("calendar_event", key=meeting_key, key_form="<school>/meeting/<date>", items=event_items,
                         run=run)
