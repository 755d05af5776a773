"""Calendar v3 times: RFC 3339 parameters, event ``start``/``end`` objects, and recurrence expansion.

Recurrence: the ``RRULE`` lines are expanded by ``python-dateutil`` on wall-clock time in the
event's ``start.timeZone`` (so a 3 pm meeting stays at 3 pm across a DST change, as in Google
Calendar); ``EXDATE`` lines (``EXDATE;TZID=...:``, ``EXDATE:...Z``, ``EXDATE;VALUE=DATE:``) remove
occurrences. ``RDATE`` is not supported (400). A rule without ``COUNT`` or ``UNTIL`` is expanded at
most :data:`MAX_OCCURRENCES` times.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr

from ilt_bot.sandbox.core import ApiError

MAX_OCCURRENCES = 730
"""How many instances of an endless series are expanded (two years of daily meetings)."""


def bad_request(message: str = "Bad Request", reason: str = "badRequest") -> ApiError:
    return ApiError(400, message, reason=reason)


def zone(name: str | None, default: str = "UTC") -> ZoneInfo:
    """The IANA zone ``name``; 400 ``invalid`` for an unknown one."""
    try:
        return ZoneInfo(name or default)
    except (ZoneInfoNotFoundError, ValueError):
        raise bad_request(f"Invalid time zone definition: {name}", "invalid") from None


def parse_rfc3339(text: str, *, need_offset: bool = True) -> datetime:
    """An RFC 3339 timestamp (``timeMin``, ``updatedMin``, ``dateTime``); 400 ``badRequest`` otherwise."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise bad_request() from None
    if need_offset and moment.tzinfo is None:
        raise bad_request()
    return moment


def format_in(moment: datetime, tz: ZoneInfo) -> str:
    """``2026-09-15T15:00:00-04:00``: how Google writes an event's ``dateTime``."""
    local = moment.astimezone(tz)
    text = local.isoformat(timespec="seconds")
    return text.replace("+00:00", "Z") if tz.key == "UTC" else text


def normalize_when(when: Any, label: str, calendar_tz: str, *, recurring: bool) -> dict[str, Any]:
    """A ``start``/``end`` object as Google stores it (``dateTime`` in its zone, or all-day ``date``).

    ``label`` is ``start`` or ``end`` for the messages (``Missing end time.``).
    """
    if not isinstance(when, dict) or not (when.get("dateTime") or when.get("date")):
        raise ApiError(400, f"Missing {label} time.", reason="required")
    tz_name = when.get("timeZone")
    if tz_name:
        zone(tz_name)
    if when.get("date"):
        try:
            day = date.fromisoformat(when["date"])
        except ValueError:
            raise bad_request() from None
        return {"date": day.isoformat(), **({"timeZone": tz_name} if tz_name else {})}
    moment = parse_rfc3339(when["dateTime"], need_offset=False)
    if moment.tzinfo is None and not tz_name:
        raise ApiError(400, f"Missing time zone definition for {label} time.", reason="required")
    if recurring and not tz_name:
        raise ApiError(400, f"Missing time zone definition for {label} time.", reason="required")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(tz_name))
    out: dict[str, Any] = {"dateTime": format_in(moment, zone(tz_name, calendar_tz))}
    if tz_name:
        out["timeZone"] = tz_name
    return out


def instant(when: dict[str, Any], calendar_tz: str) -> datetime:
    """The moment a stored ``start``/``end`` stands for (an all-day date: midnight in its zone)."""
    if "date" in when:
        tz = zone(when.get("timeZone"), calendar_tz)
        return datetime.combine(date.fromisoformat(when["date"]), time(), tzinfo=tz)
    return parse_rfc3339(when["dateTime"])


def shifted(when: dict[str, Any], delta: timedelta, calendar_tz: str) -> dict[str, Any]:
    """``when`` moved by ``delta`` in wall-clock time of its zone (an instance of a series)."""
    if "date" in when:
        day = date.fromisoformat(when["date"]) + delta
        return {**when, "date": day.isoformat()}
    tz = zone(when.get("timeZone"), calendar_tz)
    local = instant(when, calendar_tz).astimezone(tz).replace(tzinfo=None) + delta
    return {**when, "dateTime": format_in(local.replace(tzinfo=tz), tz)}


def instance_suffix(original: dict[str, Any], calendar_tz: str) -> str:
    """The ``_20260915T190000Z`` (timed) or ``_20260915`` (all-day) part of an instance id."""
    if "date" in original:
        return original["date"].replace("-", "")
    return instant(original, calendar_tz).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _exdates(lines: list[str], tz: ZoneInfo) -> set[datetime]:
    """The wall-clock moments (naive, in ``tz``) the ``EXDATE`` lines remove."""
    out: set[datetime] = set()
    for line in lines:
        head, _, values = line.partition(":")
        params = dict(p.split("=", 1) for p in head.split(";")[1:] if "=" in p)
        value_zone = zone(params["TZID"]) if "TZID" in params else tz
        for value in values.split(","):
            value = value.strip()
            try:
                if len(value) == 8:
                    out.add(datetime.strptime(value, "%Y%m%d"))
                    continue
                moment = datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S")
            except ValueError:
                raise bad_request("Invalid recurrence rule.", "invalid") from None
            aware = moment.replace(tzinfo=UTC if value.endswith("Z") else value_zone)
            out.add(aware.astimezone(tz).replace(tzinfo=None))
    return out


def _wall_until(rule: str, tz: ZoneInfo) -> str:
    """The rule with a UTC ``UNTIL`` turned into wall-clock time of ``tz`` (expansion is naive)."""
    parts = []
    for part in rule.split(";"):
        name, _, value = part.partition("=")
        if name.upper() == "UNTIL" and value.endswith("Z"):
            try:
                moment = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            except ValueError:
                raise bad_request("Invalid recurrence rule.", "invalid") from None
            value = moment.astimezone(tz).strftime("%Y%m%dT%H%M%S")
        parts.append(f"{name}={value}" if value else name)
    return ";".join(parts)


def check_recurrence(lines: Any) -> list[str]:
    """The ``recurrence`` lines, checked: RRULE and EXDATE only; 400 ``invalid`` otherwise."""
    if not isinstance(lines, list) or not lines:
        raise bad_request("Invalid recurrence rule.", "invalid")
    for line in lines:
        name = str(line).split(":", 1)[0].split(";", 1)[0].upper()
        if name not in ("RRULE", "EXDATE"):
            raise bad_request("Invalid recurrence rule.", "invalid")
    if not any(str(line).upper().startswith("RRULE") for line in lines):
        raise bad_request("Invalid recurrence rule.", "invalid")
    return [str(line) for line in lines]


def occurrences(recurrence: list[str], start: dict[str, Any], calendar_tz: str,
                until: datetime | None = None) -> list[dict[str, Any]]:
    """The ``start`` object of each occurrence of a series (``originalStartTime``), in order, up to
    ``until`` (exclusive) and at most :data:`MAX_OCCURRENCES`."""
    tz = zone(start.get("timeZone"), calendar_tz)
    all_day = "date" in start
    first = instant(start, calendar_tz).astimezone(tz).replace(tzinfo=None)
    rules = [_wall_until(line.split(":", 1)[1], tz) for line in recurrence if line.upper().startswith("RRULE")]
    excluded = _exdates([line for line in recurrence if line.upper().startswith("EXDATE")], tz)
    found: list[dict[str, Any]] = []
    try:
        moments = sorted({m for rule in rules for m in _expand(rule, first, until, tz)})
    except (ValueError, TypeError):
        raise bad_request("Invalid recurrence rule.", "invalid") from None
    for moment in moments[:MAX_OCCURRENCES]:
        if moment in excluded or (all_day and datetime.combine(moment.date(), time()) in excluded):
            continue
        found.append(shifted(start, moment - first, calendar_tz))
    return found


def _expand(rule: str, first: datetime, until: datetime | None, tz: ZoneInfo) -> list[datetime]:
    out: list[datetime] = []
    limit = until.astimezone(tz).replace(tzinfo=None) if until else None
    for moment in rrulestr(rule, dtstart=first):
        if (limit is not None and moment >= limit) or len(out) >= MAX_OCCURRENCES:
            break
        out.append(moment)
    return out
