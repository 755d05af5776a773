"""Calendar v3 request handlers: translate a :class:`Call` into the models and back into Google's JSON."""

from __future__ import annotations

import secrets
from typing import Any

from ilt_bot.sandbox.calendar import models
from ilt_bot.sandbox.calendar.listing import ListQuery, candidates, ordered, page
from ilt_bot.sandbox.core import ApiError, Call, Result, implements


def _open(call: Call, need: str = "reader") -> tuple[dict[str, Any], str]:
    return models.open_calendar(call.store, call.user, call.param("calendarId"), call.now, need)


# --- calendars, calendar list, ACL ---------------------------------------------------------------


@implements("calendar.calendars.get")
def calendars_get(call: Call) -> dict[str, Any]:
    record, _role = _open(call)
    return models.calendar_resource(record)


@implements("calendar.calendars.insert")
def calendars_insert(call: Call) -> dict[str, Any]:
    """A secondary calendar owned by the caller (id ``...@group.calendar.google.com``)."""
    return models.calendar_resource(models.create_calendar(call.store, call.user, call.body or {}, call.now))


@implements("calendar.calendarList.list")
def calendar_list_list(call: Call) -> dict[str, Any]:
    entries = [models.list_entry(call.store, record, role)
               for record, role in models.visible_calendars(call.store, call.user, call.now)]
    return {"kind": "calendar#calendarList", "etag": models.etag(call.store, call.now),
            "nextSyncToken": secrets.token_urlsafe(16), "items": entries}


@implements("calendar.calendarList.get")
def calendar_list_get(call: Call) -> dict[str, Any]:
    record, role = _open(call, need="freeBusyReader")
    return models.list_entry(call.store, record, role)


@implements("calendar.acl.insert")
def acl_insert(call: Call) -> dict[str, Any]:
    record, _role = _open(call, need="owner")
    return models.acl_rule(models.insert_acl(call.store, record, call.body or {}, call.now))


@implements("calendar.acl.list")
def acl_list(call: Call) -> dict[str, Any]:
    record, _role = _open(call, need="owner")
    rules = [models.acl_rule(r) for r in models.acl_rules(call.store, record)]
    return {"kind": "calendar#acl", "etag": record["etag"], "nextSyncToken": secrets.token_urlsafe(16),
            "items": rules}


# --- events --------------------------------------------------------------------------------------


def _event(call: Call, calendar: dict[str, Any]) -> dict[str, Any]:
    """The event named by ``eventId`` on the calendar (an invitation on the caller's primary one too)."""
    event_id = call.param("eventId")
    found = models.find_event(call.store, calendar, event_id)
    if found is None and calendar["id"] == call.user:
        found = next((e for _c, e in models.invited_events(call.store, call.user) if e["id"] == event_id), None)
    if found is None:
        raise models.not_found()
    return found


@implements("calendar.events.get")
def events_get(call: Call) -> dict[str, Any]:
    """A deleted event is still answered, with ``status: cancelled``."""
    calendar, _role = _open(call)
    return models.render(_event(call, calendar), call.user, calendar["id"])


@implements("calendar.events.insert")
def events_insert(call: Call) -> dict[str, Any]:
    """``attachments`` are kept only with ``supportsAttachments=true``; ``sendUpdates`` is accepted
    (the sandbox sends no mail)."""
    calendar, _role = _open(call, need="writer")
    event = models.insert_event(call.store, calendar, call.user, call.body or {}, call.now,
                                bool(call.query.get("supportsAttachments")))
    return models.render(event, call.user, calendar["id"])


def _change(call: Call, *, replace: bool) -> dict[str, Any]:
    calendar, _role = _open(call, need="writer")
    previous = _event(call, calendar)
    if previous["organizer"]["email"] != calendar["id"]:
        raise models.forbidden("writer")
    event = models.change_event(call.store, calendar, previous, call.body or {}, call.now,
                                supports_attachments=bool(call.query.get("supportsAttachments")), replace=replace)
    return models.render(event, call.user, calendar["id"])


@implements("calendar.events.patch")
def events_patch(call: Call) -> dict[str, Any]:
    """Patch an event, a series, or one instance of a series (which becomes an exception)."""
    return _change(call, replace=False)


@implements("calendar.events.update")
def events_update(call: Call) -> dict[str, Any]:
    return _change(call, replace=True)


@implements("calendar.events.delete")
def events_delete(call: Call) -> Result:
    """The event becomes ``cancelled`` (an instance: a cancelled exception); 410 when already deleted."""
    calendar, _role = _open(call, need="writer")
    event = _event(call, calendar)
    if event["organizer"]["email"] != calendar["id"]:
        raise models.forbidden("writer")
    models.cancel_event(call.store, calendar, event, call.now)
    return Result(status=204)


def _events_page(call: Call, calendar: dict[str, Any], role: str, pairs: list[tuple[dict[str, Any], dict[str, Any]]]
                 ) -> dict[str, Any]:
    items, next_token = page(pairs, call)
    body: dict[str, Any] = {"kind": "calendar#events", "etag": models.etag(call.store, call.now),
                            "summary": calendar["summary"]}
    if calendar.get("description"):
        body["description"] = calendar["description"]
    stamps = [e["updated"] for _c, e in pairs]
    body.update({"updated": max(stamps) if stamps else models.rfc3339(call.now), "timeZone": calendar["timeZone"],
                 "accessRole": role, "defaultReminders": []})
    if next_token:
        body["nextPageToken"] = next_token
    else:
        body["nextSyncToken"] = secrets.token_urlsafe(16)
    body["items"] = [models.render(e, call.user, calendar["id"]) for _c, e in items]
    return body


@implements("calendar.events.list")
def events_list(call: Call) -> dict[str, Any]:
    calendar, role = _open(call)
    query = ListQuery.of(call)
    pairs = [(c, e) for c, e in candidates(call.store, calendar, call.user, query) if query.keeps(e, c["timeZone"])]
    return _events_page(call, calendar, role, ordered(pairs, query))


@implements("calendar.events.instances")
def events_instances(call: Call) -> dict[str, Any]:
    """The instances of a series in start order (changed ones as their exception; cancelled ones only
    with ``showDeleted``). A series that was deleted as a whole is 410 ``deleted``."""
    calendar, role = _open(call)
    master = models.stored_event(call.store, calendar["id"], call.param("eventId"))
    if master is None:
        raise models.not_found()
    if not master.get("recurrence"):
        raise ApiError(400, "The requested event is not a recurring event.", reason="badRequest")
    if master.get("status") == "cancelled":
        raise models.deleted()
    query = ListQuery.of(call)
    query.single, query.end_inclusive = True, True
    pairs = [(calendar, e) for e in models.series_instances(call.store, calendar, master, query.time_max)
             if query.keeps(e, calendar["timeZone"])]
    if query.original_start is not None:
        pairs = [(c, e) for c, e in pairs
                 if models.times.instant(e["originalStartTime"], c["timeZone"]) == query.original_start]
    return _events_page(call, calendar, role, pairs)
