"""Calendar v3 for the bot: one event per ILT meeting, found by identity, never duplicated.

Each meeting's event carries the private extended property ``iltbot_key = <school>/meeting/<date>``
(as Drive files carry ``appProperties``) and, when the bot creates it, an event id derived from that
key (:func:`event_id_for`). Google refuses a second event with the same id on a calendar (409
``duplicate``), so a rerun, a retry after a lost answer, or a crash between the insert and its answer
can never make a second event: the retry finds the first one instead.

People own what the bot makes: once an event exists :meth:`CalendarClient.ensure_event` only adds
missing attendees; a meeting the principal moved or cancelled in Calendar is reported
(:class:`EventState`), never put back. The bot may also adopt an existing recurring series: it reads
the series' :meth:`~CalendarClient.instances` and tags the instance of a meeting with its key
(:meth:`~CalendarClient.adopt`).

:class:`CalendarClient` takes the credentials and the HTTP factory the other services are built with
(``httplib2.Http`` for Google, the transport seam's ``sandbox_http(url)`` for the sandbox) and sends every
request through a :class:`~ilt_bot.workspace.clients.Caller` (rate limit, typed errors, the one retry
policy). :func:`~ilt_bot.workspace.gateway.connect` gives the gateway one sharing the gateway's caller
(``WorkspaceAPI.calendar``) when the config enables ``[calendar]``. It needs the
``https://www.googleapis.com/auth/calendar.events`` scope.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import google_auth_httplib2
from googleapiclient.discovery import build

from ilt_bot.workspace.api import EventState, MeetingEvent
from ilt_bot.workspace.auth import CALENDAR_EVENTS as CALENDAR_SCOPE
from ilt_bot.workspace.clients import Caller, Collections, HttpFactory, no_silent_resend
from ilt_bot.workspace.errors import InvalidRequest, NotFound

KEY_PROPERTY = "iltbot_key"
__all__ = ["CALENDAR_SCOPE", "CalendarClient", "EventState", "MeetingEvent", "event_id_for", "state_of", "when"]


def event_id_for(key: str) -> str:
    """The event id the bot gives a new meeting event: ``ilt`` + base32hex of SHA-256(key).

    Calendar ids are 5 to 1024 characters of lowercase base32hex (``a``-``v``, ``0``-``9``).
    """
    digest = base64.b32hexencode(hashlib.sha256(key.encode("utf-8")).digest()).decode("ascii")
    return "ilt" + digest.rstrip("=").lower()


def when(moment: datetime | date, time_zone: str | None = None) -> dict[str, str]:
    """An event ``start``/``end``: ``dateTime`` (+ ``timeZone``) for a datetime, ``date`` for a day."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None and not time_zone:
            raise ValueError(f"{moment.isoformat()} has no time zone: pass an aware datetime or time_zone")
        out = {"dateTime": moment.isoformat()}
        return {**out, "timeZone": time_zone} if time_zone else out
    return {"date": moment.isoformat()}


def _moment(value: dict[str, Any] | None) -> datetime | date | None:
    if not value:
        return None
    if value.get("dateTime"):
        return datetime.fromisoformat(value["dateTime"].replace("Z", "+00:00"))
    return date.fromisoformat(value["date"]) if value.get("date") else None


def _same_time(actual: dict[str, Any] | None, wanted: dict[str, Any]) -> bool:
    """Whether two ``start`` objects are the same moment (offsets and zones may be written differently)."""
    a, b = _moment(actual), _moment(wanted)
    if isinstance(a, datetime) and isinstance(b, datetime) and (a.tzinfo is None or b.tzinfo is None):
        return a.replace(tzinfo=None) == b.replace(tzinfo=None)
    return a == b


def _instance_on(series: Sequence[EventState], start: datetime) -> EventState | None:
    """The instance whose original start falls on ``start``'s day (in ``start``'s zone), if any."""
    for instance in series:
        original = _moment(instance.event.get("originalStartTime"))
        if isinstance(original, datetime) and original.astimezone(start.tzinfo).date() == start.date():
            return instance
        if original == start.date():
            return instance
    return None


def state_of(event: dict[str, Any] | None, planned_start: dict[str, Any] | None = None, *,
             created: bool = False) -> EventState:
    """The :class:`EventState` of an event resource (None: ``missing``)."""
    if event is None:
        return EventState("missing")
    if event.get("status") == "cancelled":
        state = "cancelled"
    elif planned_start is not None and not _same_time(event.get("start"), planned_start):
        state = "moved"
    else:
        state = "scheduled"
    return EventState(state, event.get("id"), _moment(event.get("start")), event.get("htmlLink"), created=created,
                      event=event)


class CalendarClient:
    """The Calendar operations the bot needs, acting as one user (see the module docstring)."""

    def __init__(self, credentials: Any, http_factory: HttpFactory, *, caller: Caller | None = None,
                 user: str = "the bot user", timeout: float | None = 60) -> None:
        raw = no_silent_resend(http_factory())
        if timeout is not None and getattr(raw, "timeout", None) is None:
            raw.timeout = timeout
        authed = google_auth_httplib2.AuthorizedHttp(credentials, http=raw)
        self.service = Collections(build("calendar", "v3", http=authed, static_discovery=True, cache_discovery=False))
        self.caller = caller or Caller(user=user)

    # --- reads ---

    def find_event(self, calendar_id: str, key: str) -> dict[str, Any] | None:
        """The event tagged ``iltbot_key = key`` (a live one before a cancelled one), or None."""
        found: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self.caller.call(lambda t=token: self.service.events().list(
                calendarId=calendar_id, privateExtendedProperty=f"{KEY_PROPERTY}={key}", showDeleted=True,
                maxResults=250, pageToken=t), what=f"find the calendar event {key}")
            found.extend(page.get("items", []))
            token = page.get("nextPageToken")
            if not token:
                break
        live = [e for e in found if e.get("status") != "cancelled"]
        return (live or found or [None])[0]

    def keyed_events(self, calendar_id: str, prefix: str, time_min: datetime,
                     time_max: datetime) -> dict[str, dict[str, Any]]:
        """Key -> event for the events in the window tagged with an ``iltbot_key`` starting with ``prefix``
        (a live one before a cancelled one): one listing instead of one :meth:`find_event` per meeting."""
        found: dict[str, dict[str, Any]] = {}
        token: str | None = None
        while True:
            page = self.caller.call(lambda t=token: self.service.events().list(
                calendarId=calendar_id, timeMin=time_min.isoformat(), timeMax=time_max.isoformat(),
                showDeleted=True, maxResults=2500, pageToken=t), what=f"list the calendar events of {prefix}")
            for event in page.get("items", []):
                key = ((event.get("extendedProperties") or {}).get("private") or {}).get(KEY_PROPERTY, "")
                if key.startswith(prefix) and (key not in found or found[key].get("status") == "cancelled"):
                    found[key] = event
            token = page.get("nextPageToken")
            if not token:
                return found

    def get_event(self, calendar_id: str, event_id: str) -> dict[str, Any] | None:
        """The event (a deleted one comes back ``cancelled``), or None when Calendar answers 404/410."""
        try:
            return self.caller.call(lambda: self.service.events().get(calendarId=calendar_id, eventId=event_id),
                                    what=f"read calendar event {event_id}")
        except NotFound:
            return None
        except InvalidRequest as error:
            if error.status == 410:
                return None
            raise

    def event_status(self, calendar_id: str, event_id: str, planned_start: datetime | date | None = None,
                     time_zone: str | None = None) -> EventState:
        """Whether a meeting's event is still ``scheduled``, or was ``moved``, ``cancelled`` or is ``missing``."""
        planned = when(planned_start, time_zone) if planned_start is not None else None
        return state_of(self.get_event(calendar_id, event_id), planned)

    def instances(self, calendar_id: str, series_id: str, time_min: datetime | None = None,
                  time_max: datetime | None = None) -> list[EventState]:
        """Each instance of a recurring series in the window, cancelled ones included (``cancelled``) and
        moved ones reported as ``moved`` (their start is not their ``originalStartTime``)."""
        out: list[EventState] = []
        token: str | None = None
        while True:
            args: dict[str, Any] = {"calendarId": calendar_id, "eventId": series_id, "showDeleted": True,
                                    "maxResults": 250}
            if time_min is not None:
                args["timeMin"] = time_min.isoformat()
            if time_max is not None:
                args["timeMax"] = time_max.isoformat()
            page = self.caller.call(lambda a=args, t=token: self.service.events().instances(**a, pageToken=t),
                                    what=f"read the instances of calendar series {series_id}")
            out.extend(state_of(e, e.get("originalStartTime")) for e in page.get("items", []))
            token = page.get("nextPageToken")
            if not token:
                return out

    # --- writes ---

    def ensure_event(self, calendar_id: str, key: str, summary: str, start: datetime | date, end: datetime | date,
                     location: str = "", attendees: Sequence[str] = (), description: str = "",
                     time_zone: str | None = None) -> EventState:
        """The meeting's event, made if missing (id :func:`event_id_for`, tagged ``iltbot_key``).

        An existing event is left as people made it, except that missing attendees are added; a
        cancelled or moved one is reported, not restored. A rerun makes no writes.
        """
        planned = when(start, time_zone)
        existing = self.find_event(calendar_id, key) or self.get_event(calendar_id, event_id_for(key))
        if existing is None:
            body = {"id": event_id_for(key), "summary": summary, "description": description, "location": location,
                    "start": planned, "end": when(end, time_zone),
                    "attendees": [{"email": a} for a in attendees],
                    "extendedProperties": {"private": {KEY_PROPERTY: key}}}
            return state_of(self._insert(calendar_id, body, key), planned, created=True)
        if existing.get("status") != "cancelled":
            existing = self.invite(calendar_id, existing, attendees)
        return state_of(existing, planned)

    def _insert(self, calendar_id: str, body: dict[str, Any], key: str) -> dict[str, Any]:
        """events.insert, at most once in effect: a lost answer or a 409 ``duplicate`` finds the event
        that the first attempt made."""
        event_id = body["id"]

        def recover() -> dict[str, Any] | None:
            return self.get_event(calendar_id, event_id)

        try:
            return self.caller.once(lambda: self.service.events().insert(
                calendarId=calendar_id, body=body, sendUpdates="none"), recover,
                what=f"create the calendar event {key}")
        except InvalidRequest as error:
            found = recover() if error.status == 409 else None
            if found is None:
                raise
            return found

    def meeting_event(self, calendar_id: str, key: str, event: MeetingEvent, *,
                      series: Sequence[EventState] | None = None, dry_run: bool = False,
                      known: dict[str, Any] | None = None) -> EventState:
        """The meeting ``key``'s event (see :class:`~ilt_bot.workspace.api.CalendarAPI`).

        Found by its key (or its derived id): its state against its planned start (an adopted instance's
        ``originalStartTime``, else ``event.start``); missing members are invited. Not found, and ``series``
        (the instances of an adopted series) has an instance whose original start falls on the meeting's
        day: that instance is tagged with ``key`` (a cancelled one only reported). Otherwise the event is
        made (:meth:`ensure_event`). A dry run reads only. ``known``: the event as :meth:`keyed_events` listed
        it (no lookup then).
        """
        found = known or self.find_event(calendar_id, key) or self.get_event(calendar_id, event_id_for(key))
        if found is None and series is not None:
            instance = _instance_on(series, event.start)
            if instance is not None:
                if instance.state == "cancelled" or dry_run:
                    return instance
                found = self.adopt(calendar_id, str(instance.event_id), key)
                return replace(self._settled(calendar_id, found, event, dry_run), adopted=True)
        if found is not None:
            return self._settled(calendar_id, found, event, dry_run)
        if dry_run:
            return EventState("missing")
        return self.ensure_event(calendar_id, key, event.summary, event.start, event.end, event.location,
                                 event.attendees, event.description, event.time_zone)

    def _settled(self, calendar_id: str, found: dict[str, Any], event: MeetingEvent, dry_run: bool) -> EventState:
        """``found``'s state (missing members invited unless cancelled or a dry run)."""
        planned = found.get("originalStartTime") or when(event.start, event.time_zone)
        if found.get("status") != "cancelled" and not dry_run:
            found = self.invite(calendar_id, found, event.attendees)
        return state_of(found, planned)

    def invite(self, calendar_id: str, event: dict[str, Any], attendees: Sequence[str]) -> dict[str, Any]:
        """Add the ``attendees`` the event lacks (no write when none is missing); returns the event."""
        have = {a.get("email", "").lower() for a in event.get("attendees", [])}
        missing = [a for a in attendees if a.lower() not in have]
        if not missing:
            return event
        merged = [*event.get("attendees", []), *({"email": a} for a in missing)]
        return self.caller.call(lambda: self.service.events().patch(
            calendarId=calendar_id, eventId=event["id"], body={"attendees": merged}, sendUpdates="none"),
            what=f"invite {', '.join(missing)} to calendar event {event['id']}")

    def attach(self, calendar_id: str, event_id: str, file_id: str, title: str, url: str) -> dict[str, Any]:
        """Attach a Drive file (the agenda Doc) to the event, once: an attachment with the same
        ``fileId`` or ``fileUrl`` already there means no write."""
        event = self.get_event(calendar_id, event_id)
        if event is None:
            raise NotFound(f"calendar event {event_id} does not exist on {calendar_id}: rerun to recreate it.",
                           status=404, reason="notFound")
        current = event.get("attachments", [])
        if any(a.get("fileId") == file_id or a.get("fileUrl") == url for a in current):
            return event
        attachments = [*current, {"fileUrl": url, "title": title}]
        return self.caller.call(lambda: self.service.events().patch(
            calendarId=calendar_id, eventId=event_id, supportsAttachments=True, body={"attachments": attachments},
            sendUpdates="none"), what=f"attach {title} to calendar event {event_id}")

    def delete_event(self, calendar_id: str, event_id: str) -> bool:
        """Delete the event (Calendar keeps it as ``cancelled``); False when it was already gone (404/410)."""
        try:
            self.caller.call(lambda: self.service.events().delete(calendarId=calendar_id, eventId=event_id,
                                                                  sendUpdates="none"),
                             what=f"delete calendar event {event_id}")
        except NotFound:
            return False
        except InvalidRequest as error:
            if error.status == 410:
                return False
            raise
        return True

    def adopt(self, calendar_id: str, event_id: str, key: str) -> dict[str, Any]:
        """Tag an existing event or series instance as the meeting ``key`` (so :meth:`find_event` finds it)."""
        return self.caller.call(lambda: self.service.events().patch(
            calendarId=calendar_id, eventId=event_id,
            body={"extendedProperties": {"private": {KEY_PROPERTY: key}}}, sendUpdates="none"),
            what=f"tag calendar event {event_id} as {key}")
