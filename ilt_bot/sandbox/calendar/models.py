"""Calendar v3 rules over the store: calendars, access (ACL), events, recurring series and instances.

Stored kinds: ``cal_calendar`` (by calendar id), ``cal_acl`` (``<calendarId> <ruleId>``, parent the
calendar) and ``cal_event`` (``<calendarId> <eventId>``, parent the calendar). An event is stored as
its resource without the viewer-dependent parts (``self`` flags), which :func:`render` adds.
A changed or cancelled instance of a series is stored as its own event (an exception: id
``<seriesId>_<originalStart>``, ``recurringEventId``, ``originalStartTime``).

Every user has a primary calendar (id: their e-mail), made on first use. Deleting an event marks it
``cancelled`` (listed with ``showDeleted=true``; deleting it again is 410 ``deleted``).
"""

from __future__ import annotations

import base64
import copy
import re
import secrets
from datetime import datetime
from typing import Any

from ilt_bot.sandbox.calendar import times
from ilt_bot.sandbox.core import ADMIN, ApiError, rfc3339
from ilt_bot.sandbox.store import Store

DEFAULT_TZ = "UTC"
ROLE_RANK = {"none": 0, "freeBusyReader": 1, "reader": 2, "writer": 3, "owner": 4}
_EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")
_BASE32HEX = "0123456789abcdefghijklmnopqrstuv"
_DRIVE_URL_ID = re.compile(r"(?:/d/|[?&]id=)([A-Za-z0-9_-]{10,})")
READ_ONLY_FIELDS = ("kind", "etag", "htmlLink", "created", "updated", "creator", "organizer", "iCalUID",
                    "recurringEventId", "originalStartTime", "id")
SIGNIFICANT_FIELDS = ("start", "end", "recurrence", "status", "location", "summary")
"""Changes that raise an event's ``sequence`` (RFC 5545 SEQUENCE: what invitees must notice)."""


def not_found() -> ApiError:
    return ApiError(404, "Not Found", reason="notFound")


def deleted() -> ApiError:
    return ApiError(410, "Resource has been deleted", reason="deleted")


def forbidden(role: str) -> ApiError:
    return ApiError(403, f"You need to have {role} access to this calendar.", reason="requiredAccessLevel")


def new_event_id() -> str:
    """A 26-character base32hex id, as Google generates."""
    return "".join(secrets.choice(_BASE32HEX) for _ in range(26))


def etag(store: Store, now: datetime) -> str:
    return f'"{int(now.timestamp() * 1000)}{store.next_value("calendar_etag") % 1000:03d}"'


def _key(calendar_id: str, item_id: str) -> str:
    return f"{calendar_id} {item_id}"


# --- calendars and access --------------------------------------------------------------------


def _looks_like_email(text: str) -> bool:
    local, _, domain = text.partition("@")
    return bool(local and "." in domain and " " not in text)


def calendar_record(store: Store, calendar_id: str, now: datetime) -> dict[str, Any] | None:
    """The calendar ``calendar_id`` (a user's primary one is made on first use), or None."""
    record = store.get("cal_calendar", calendar_id)
    if record is None and _looks_like_email(calendar_id) and not calendar_id.endswith("calendar.google.com"):
        record = {"id": calendar_id, "summary": calendar_id, "timeZone": DEFAULT_TZ, "owner": calendar_id,
                  "primary": True, "etag": etag(store, now)}
        store.put("cal_calendar", calendar_id, record)
    return record


def resolve_id(user: str, calendar_id: str) -> str:
    """``primary`` is the caller's own calendar (their e-mail)."""
    return user if calendar_id == "primary" else calendar_id


def role_of(store: Store, user: str, record: dict[str, Any]) -> str:
    """The caller's access role on a calendar: owner, a granted ACL role, or ``none``."""
    if user == ADMIN or record["owner"] == user:
        return "owner"
    best = "none"
    domain = user.partition("@")[2]
    for rule in store.list("cal_acl", parent=record["id"]):
        scope = rule["scope"]
        applies = (scope["type"] == "user" and scope.get("value") == user) or scope["type"] == "default" or (
            scope["type"] == "domain" and scope.get("value") == domain)
        if applies and ROLE_RANK[rule["role"]] > ROLE_RANK[best]:
            best = rule["role"]
    return best


def open_calendar(store: Store, user: str, calendar_id: str, now: datetime, need: str = "reader"
                  ) -> tuple[dict[str, Any], str]:
    """The calendar and the caller's role, or 404 (not visible) / 403 (visible but ``need`` not met)."""
    record = calendar_record(store, resolve_id(user, calendar_id), now)
    if record is None:
        raise not_found()
    role = role_of(store, user, record)
    if ROLE_RANK[role] < ROLE_RANK["freeBusyReader"]:
        raise not_found()
    if ROLE_RANK[role] < ROLE_RANK[need]:
        raise forbidden(need)
    return record, role


def calendar_resource(record: dict[str, Any]) -> dict[str, Any]:
    out = {"kind": "calendar#calendar", "etag": record["etag"], "id": record["id"], "summary": record["summary"]}
    if record.get("description"):
        out["description"] = record["description"]
    out["timeZone"] = record["timeZone"]
    out["conferenceProperties"] = {"allowedConferenceSolutionTypes": ["hangoutsMeet"]}
    return out


def create_calendar(store: Store, owner: str, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """calendars.insert: a secondary calendar owned by the caller; ``summary`` is required."""
    if not body.get("summary"):
        raise ApiError(400, "Missing title.", reason="required")
    calendar_id = f"{secrets.token_hex(26)}@group.calendar.google.com"
    times.zone(body.get("timeZone"))
    record = {"id": calendar_id, "summary": body["summary"], "description": body.get("description", ""),
              "timeZone": body.get("timeZone") or DEFAULT_TZ, "owner": owner, "primary": False,
              "etag": etag(store, now)}
    store.put("cal_calendar", calendar_id, record)
    return record


def list_entry(store: Store, record: dict[str, Any], role: str) -> dict[str, Any]:
    out = {"kind": "calendar#calendarListEntry", "etag": record["etag"], "id": record["id"],
           "summary": record["summary"], "timeZone": record["timeZone"], "colorId": "14",
           "backgroundColor": "#9fe1e7", "foregroundColor": "#000000", "selected": True, "accessRole": role,
           "defaultReminders": [], "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]}}
    if record.get("description"):
        out["description"] = record["description"]
    if record.get("primary"):
        out["primary"] = True
    return out


def visible_calendars(store: Store, user: str, now: datetime) -> list[tuple[dict[str, Any], str]]:
    """The caller's calendar list: their primary calendar first, then the calendars they own or that
    were shared with them by name (an ACL rule for their address; public calendars are not added)."""
    own = calendar_record(store, user, now) if user != ADMIN else None
    found = [(own, "owner")] if own else []
    for record in store.list("cal_calendar"):
        if own is not None and record["id"] == own["id"]:
            continue
        if user == ADMIN or record["owner"] == user or _granted_to(store, record, user):
            found.append((record, role_of(store, user, record)))
    return found


def _granted_to(store: Store, record: dict[str, Any], user: str) -> bool:
    return any(r["scope"].get("value") == user and r["role"] != "none"
               for r in store.list("cal_acl", parent=record["id"]))


def acl_rule(rule: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "calendar#aclRule", "etag": rule["etag"], "id": rule["id"], "scope": rule["scope"],
            "role": rule["role"]}


def insert_acl(store: Store, record: dict[str, Any], body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """acl.insert: grant ``role`` to ``scope`` (user, group, domain, default); a rule for the same
    scope is replaced (its id is ``<type>:<value>``)."""
    role, scope = body.get("role"), body.get("scope") or {}
    if not role:
        raise ApiError(400, "Missing role.", reason="required")
    if role not in ROLE_RANK:
        raise ApiError(400, "Invalid role value.", reason="invalid")
    kind = scope.get("type")
    if kind not in ("user", "group", "domain", "default"):
        raise ApiError(400, "Invalid scope type value.", reason="invalid")
    value = str(scope.get("value", "")).lower()
    if kind != "default" and not value:
        raise ApiError(400, "Missing scope value.", reason="required")
    rule_id = "default" if kind == "default" else f"{kind}:{value}"
    clean_scope = {"type": kind} if kind == "default" else {"type": kind, "value": value}
    rule = {"id": rule_id, "scope": clean_scope, "role": role, "etag": etag(store, now)}
    store.put("cal_acl", _key(record["id"], rule_id), rule, parent=record["id"])
    return rule


def acl_rules(store: Store, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The calendar's rules, its owner's first (as Google lists them)."""
    owner = {"id": f"user:{record['owner']}", "scope": {"type": "user", "value": record["owner"]},
             "role": "owner", "etag": record["etag"]}
    return [owner, *store.list("cal_acl", parent=record["id"])]


# --- events: storage ---------------------------------------------------------------------------


def stored_event(store: Store, calendar_id: str, event_id: str) -> dict[str, Any] | None:
    return store.get("cal_event", _key(calendar_id, event_id))


def save_event(store: Store, calendar_id: str, event: dict[str, Any]) -> None:
    store.put("cal_event", _key(calendar_id, event["id"]), event, parent=calendar_id)


def _html_link(calendar_id: str, event_id: str) -> str:
    eid = base64.urlsafe_b64encode(f"{event_id} {calendar_id}".encode()).decode().rstrip("=")
    return f"https://www.google.com/calendar/event?eid={eid}"


def _attendees(raw: Any, organizer: str) -> list[dict[str, Any]]:
    out = []
    for item in raw or []:
        email = str((item or {}).get("email") or "").strip().lower()
        if not email:
            raise ApiError(400, "Missing attendee email.", reason="required")
        attendee = {k: v for k, v in item.items() if k in ("displayName", "optional", "comment",
                                                             "additionalGuests", "resource")}
        attendee["email"] = email
        if email == organizer:
            attendee["organizer"] = True
        attendee["responseStatus"] = item.get("responseStatus") or "needsAction"
        out.append(attendee)
    return out


def _attachments(store: Store, raw: Any) -> list[dict[str, Any]]:
    """Attachments as Google keeps them: ``fileUrl`` required; a Drive file's ``fileId``, ``title``,
    ``mimeType`` and ``iconLink`` are filled from Drive (``fileId`` is read-only)."""
    if len(raw or []) > 25:
        raise ApiError(400, "Too many attachments. An event can have at most 25 attachments.", reason="invalid")
    out = []
    for item in raw or []:
        url = (item or {}).get("fileUrl")
        if not url:
            raise ApiError(400, "Missing attachment file URL.", reason="required")
        attachment: dict[str, Any] = {"fileUrl": url}
        match = _DRIVE_URL_ID.search(url)
        drive_file = store.get("file", match.group(1)) if match else None
        if drive_file is not None:
            attachment["title"] = item.get("title") or drive_file["name"]
            attachment["mimeType"] = item.get("mimeType") or drive_file["mimeType"]
            attachment["iconLink"] = f"https://drive-thirdparty.googleusercontent.com/16/type/{attachment['mimeType']}"
            attachment["fileId"] = drive_file["id"]
        else:
            attachment.update({k: item[k] for k in ("title", "mimeType", "iconLink") if item.get(k)})
        out.append(attachment)
    return out


def _check_times(event: dict[str, Any], calendar_tz: str) -> None:
    recurring = bool(event.get("recurrence"))
    event["start"] = times.normalize_when(event.get("start"), "start", calendar_tz, recurring=recurring)
    event["end"] = times.normalize_when(event.get("end"), "end", calendar_tz, recurring=recurring)
    if ("date" in event["start"]) != ("date" in event["end"]):
        raise ApiError(400, "The specified time range is empty.", reason="timeRangeEmpty")
    if times.instant(event["end"], calendar_tz) <= times.instant(event["start"], calendar_tz) and not (
            "date" in event["end"] and event["end"] == event["start"]):
        raise ApiError(400, "The specified time range is empty.", reason="timeRangeEmpty")
    if recurring:
        event["recurrence"] = times.check_recurrence(event["recurrence"])
        times.occurrences(event["recurrence"], event["start"], calendar_tz)  # 400 for a rule that does not parse


def _writable(body: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in body.items() if k not in READ_ONLY_FIELDS and v is not None}


def _settle(store: Store, calendar: dict[str, Any], event: dict[str, Any], body: dict[str, Any],
            supports_attachments: bool, previous: dict[str, Any] | None) -> None:
    """Checks and derived fields shared by insert, update and patch."""
    if event.get("status", "confirmed") not in ("confirmed", "tentative", "cancelled"):
        raise ApiError(400, "Invalid value for: status", reason="invalid")
    event.setdefault("status", "confirmed")
    _check_times(event, calendar["timeZone"])
    event["attendees"] = _attendees(event.get("attendees"), event["organizer"]["email"])
    if not event["attendees"]:
        del event["attendees"]
    kept = (previous or {}).get("attachments")
    if supports_attachments and "attachments" in body:
        kept = _attachments(store, body.get("attachments"))
    event.pop("attachments", None)
    if kept:
        event["attachments"] = kept
    props = event.get("extendedProperties") or {}
    for part in ("private", "shared"):
        if part in props and not isinstance(props[part], dict):
            raise ApiError(400, f"Invalid value for: extendedProperties.{part}", reason="invalid")


def _organizer(calendar: dict[str, Any]) -> dict[str, Any]:
    if calendar.get("primary"):
        return {"email": calendar["id"]}
    return {"email": calendar["id"], "displayName": calendar["summary"]}


def insert_event(store: Store, calendar: dict[str, Any], user: str, body: dict[str, Any], now: datetime,
                 supports_attachments: bool) -> dict[str, Any]:
    """events.insert: the new event (409 ``duplicate`` for an id already used on this calendar)."""
    event_id = body.get("id") or new_event_id()
    if not _EVENT_ID.match(str(event_id)):
        raise ApiError(400, "Invalid resource id value.", reason="invalid")
    if stored_event(store, calendar["id"], event_id) is not None:
        raise ApiError(409, "The requested identifier already exists.", reason="duplicate")
    stamp = rfc3339(now)
    event = _writable(body)
    event.update({"kind": "calendar#event", "id": event_id, "htmlLink": _html_link(calendar["id"], event_id),
                  "created": stamp, "updated": stamp, "creator": {"email": user},
                  "organizer": _organizer(calendar), "iCalUID": f"{event_id}@google.com"})
    event.setdefault("sequence", 0)
    event.setdefault("reminders", {"useDefault": True})
    event.setdefault("eventType", "default")
    _settle(store, calendar, event, body, supports_attachments, None)
    event["etag"] = etag(store, now)
    save_event(store, calendar["id"], event)
    return event


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    """Patch semantics: objects merge field by field, arrays and scalars replace, null clears."""
    for name, value in patch.items():
        if value is None:
            target.pop(name, None)
        elif isinstance(value, dict) and isinstance(target.get(name), dict) and name not in ("start", "end"):
            _merge(target[name], value)
        else:
            target[name] = copy.deepcopy(value)


def change_event(store: Store, calendar: dict[str, Any], previous: dict[str, Any], body: dict[str, Any],
                 now: datetime, *, supports_attachments: bool, replace: bool) -> dict[str, Any]:
    """events.update (``replace``) or events.patch of a stored event or a materialised instance."""
    kept = {k: previous[k] for k in READ_ONLY_FIELDS if k in previous}
    if replace:
        event = {**_writable(body), **kept}
        if "attachments" in previous:
            event["attachments"] = previous["attachments"]
        event.setdefault("reminders", {"useDefault": True})
        event.setdefault("eventType", previous.get("eventType", "default"))
        if "sequence" not in body:
            event["sequence"] = previous.get("sequence", 0)
    else:
        event = copy.deepcopy(previous)
        _merge(event, _writable(body))
        event.update(kept)
    _settle(store, calendar, event, body, supports_attachments, previous)
    if "sequence" not in body and any(event.get(f) != previous.get(f) for f in SIGNIFICANT_FIELDS):
        event["sequence"] = previous.get("sequence", 0) + 1
    event["updated"] = rfc3339(now)
    event["etag"] = etag(store, now)
    save_event(store, calendar["id"], event)
    return event


def cancel_event(store: Store, calendar: dict[str, Any], event: dict[str, Any], now: datetime) -> None:
    """events.delete: the event (or instance) becomes ``cancelled``; 410 if it already is."""
    if event.get("status") == "cancelled":
        raise deleted()
    event = {**event, "status": "cancelled", "updated": rfc3339(now), "etag": etag(store, now),
             "sequence": event.get("sequence", 0) + 1}
    save_event(store, calendar["id"], event)


# --- events: series and instances ----------------------------------------------------------------


def split_instance_id(event_id: str) -> tuple[str, str] | None:
    """``(seriesId, suffix)`` for an instance id ``<seriesId>_<YYYYMMDD[THHMMSSZ]>``, else None."""
    series, sep, suffix = event_id.rpartition("_")
    if sep and series and re.fullmatch(r"\d{8}(T\d{6}Z)?", suffix):
        return series, suffix
    return None


def instance_of(master: dict[str, Any], original: dict[str, Any], calendar_tz: str) -> dict[str, Any]:
    """The generated instance of ``master`` starting at ``original`` (its ``originalStartTime``)."""
    if "date" in original:
        delta = times.instant(original, calendar_tz).date() - times.instant(master["start"], calendar_tz).date()
    else:
        wall = times.zone(original.get("timeZone"), calendar_tz)
        delta = (times.instant(original, calendar_tz).astimezone(wall).replace(tzinfo=None)
                 - times.instant(master["start"], calendar_tz).astimezone(wall).replace(tzinfo=None))
    out = {k: copy.deepcopy(v) for k, v in master.items() if k != "recurrence"}
    out["id"] = f"{master['id']}_{times.instance_suffix(original, calendar_tz)}"
    out["start"] = original
    out["end"] = times.shifted(master["end"], delta, calendar_tz)
    out["recurringEventId"] = master["id"]
    out["originalStartTime"] = original
    return out


def series_instances(store: Store, calendar: dict[str, Any], master: dict[str, Any],
                     until: datetime | None = None) -> list[dict[str, Any]]:
    """Every instance of a series (exceptions in place of the generated ones), in start order."""
    tz = calendar["timeZone"]
    out = []
    for original in times.occurrences(master["recurrence"], master["start"], tz, until):
        generated = instance_of(master, original, tz)
        exception = stored_event(store, calendar["id"], generated["id"])
        out.append(exception if exception is not None else generated)
    return out


def find_event(store: Store, calendar: dict[str, Any], event_id: str) -> dict[str, Any] | None:
    """A stored event or exception, or a generated instance of a stored series (None if neither)."""
    found = stored_event(store, calendar["id"], event_id)
    if found is not None:
        return found
    parts = split_instance_id(event_id)
    master = stored_event(store, calendar["id"], parts[0]) if parts else None
    if master is None or not master.get("recurrence"):
        return None
    for original in times.occurrences(master["recurrence"], master["start"], calendar["timeZone"]):
        if times.instance_suffix(original, calendar["timeZone"]) == parts[1]:
            return instance_of(master, original, calendar["timeZone"])
    return None


def invited_events(store: Store, user: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """``(calendar, event)`` for events on other people's calendars that invite ``user`` (they show on
    the invitee's primary calendar, as Google copies an invitation there). Private extended properties
    belong to the organizer's copy and are not shown on the invitee's."""
    out = []
    for event in store.list("cal_event"):
        if event["organizer"]["email"] == user or not any(a["email"] == user for a in event.get("attendees", [])):
            continue
        calendar = store.get("cal_calendar", event["organizer"]["email"])
        if calendar is not None:
            props = event.get("extendedProperties") or {}
            props.pop("private", None)
            if not props:
                event.pop("extendedProperties", None)
            out.append((calendar, event))
    return out


def render(event: dict[str, Any], viewer: str, calendar_id: str) -> dict[str, Any]:
    """The event as ``viewer`` sees it through ``calendar_id`` (``self`` flags added)."""
    out = copy.deepcopy(event)
    if out.get("creator", {}).get("email") == viewer:
        out["creator"]["self"] = True
    if out.get("organizer", {}).get("email") in (viewer, calendar_id):
        out["organizer"]["self"] = True
    for attendee in out.get("attendees", []):
        if attendee["email"] == viewer:
            attendee["self"] = True
    order = ("kind", "etag", "id", "status", "htmlLink", "created", "updated", "summary", "description",
             "location", "creator", "organizer", "start", "end", "recurrence", "recurringEventId",
             "originalStartTime", "iCalUID", "sequence", "attendees", "extendedProperties", "reminders",
             "attachments", "eventType")
    return {**{k: out[k] for k in order if k in out}, **{k: v for k, v in out.items() if k not in order}}
