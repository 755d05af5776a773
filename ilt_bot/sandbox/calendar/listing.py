"""events.list and events.instances: which events a query returns, in which order, page by page.

Follows the Calendar v3 reference for ``events.list``: ``timeMin`` bounds an event's end
(exclusive) and ``timeMax`` its start (exclusive); ``privateExtendedProperty`` /
``sharedExtendedProperty`` are ``key=value`` constraints, all of which must match; ``orderBy=startTime``
is only available with ``singleEvents=true``; cancelled events show only with ``showDeleted=true`` (or
``updatedMin``, an incremental sync),
except that cancelled instances of recurring events (not the series) are still included when
``showDeleted`` and ``singleEvents`` are both false.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ilt_bot.sandbox.calendar import models, times
from ilt_bot.sandbox.core import ApiError, Call
from ilt_bot.sandbox.store import Store

MAX_PAGE = 2500
DEFAULT_PAGE = 250


def _constraints(values: list[str] | None) -> list[tuple[str, str]]:
    out = []
    for value in values or []:
        key, sep, wanted = value.partition("=")
        if not sep or not key:
            raise times.bad_request()
        out.append((key, wanted))
    return out


@dataclass
class ListQuery:
    """The filters of one events.list or events.instances call."""

    single: bool = False
    show_deleted: bool = False
    time_min: datetime | None = None
    time_max: datetime | None = None
    updated_min: datetime | None = None
    order_by: str | None = None
    private: list[tuple[str, str]] = field(default_factory=list)
    shared: list[tuple[str, str]] = field(default_factory=list)
    ical_uid: str | None = None
    text: str | None = None
    original_start: datetime | None = None
    end_inclusive: bool = False
    """events.instances: ``timeMin`` is an inclusive bound of the end ("Lower bound (inclusive)")."""

    @classmethod
    def of(cls, call: Call) -> ListQuery:
        query = cls(
            single=bool(call.query.get("singleEvents")),
            show_deleted=bool(call.query.get("showDeleted")),
            order_by=call.query.get("orderBy"),
            private=_constraints(call.query.get("privateExtendedProperty")),
            shared=_constraints(call.query.get("sharedExtendedProperty")),
            ical_uid=call.query.get("iCalUID"),
            text=(call.query.get("q") or "").casefold() or None,
        )
        for name, attr in (("timeMin", "time_min"), ("timeMax", "time_max"), ("updatedMin", "updated_min"),
                           ("originalStart", "original_start")):
            if call.query.get(name):
                setattr(query, attr, times.parse_rfc3339(call.query[name]))
        if query.order_by == "startTime" and not query.single:
            raise ApiError(400, "The requested ordering is not available for the particular query.",
                           reason="badRequest")
        if query.time_min and query.time_max and query.time_max <= query.time_min:
            raise ApiError(400, "The specified time range is empty.", reason="timeRangeEmpty")
        return query

    def keeps(self, event: dict[str, Any], calendar_tz: str) -> bool:
        """Whether ``event`` (a single event, series, exception or instance) passes every filter."""
        if event.get("status") == "cancelled" and not (self.show_deleted or self.updated_min) and (
                self.single or not event.get("recurringEventId")):
            return False
        props = event.get("extendedProperties") or {}
        if any((props.get("private") or {}).get(k) != v for k, v in self.private):
            return False
        if any((props.get("shared") or {}).get(k) != v for k, v in self.shared):
            return False
        if self.ical_uid and event.get("iCalUID") != self.ical_uid:
            return False
        if self.updated_min and times.parse_rfc3339(event["updated"]) < self.updated_min:
            return False
        if self.text and self.text not in _searchable(event):
            return False
        return self.overlaps(event, calendar_tz)

    def overlaps(self, event: dict[str, Any], calendar_tz: str) -> bool:
        """Whether the event (for a series: any of its occurrences) is inside [timeMin, timeMax)."""
        if self.time_min is None and self.time_max is None:
            return True
        start, end = times.instant(event["start"], calendar_tz), times.instant(event["end"], calendar_tz)
        if event.get("recurrence") and not self.single:
            found = times.occurrences(event["recurrence"], event["start"], calendar_tz, self.time_max)
            if not found:
                return False
            end = times.instant(found[-1], calendar_tz) + (end - start)
        after_min = self.time_min is None or end > self.time_min or (self.end_inclusive and end == self.time_min)
        return (self.time_max is None or start < self.time_max) and after_min


def _searchable(event: dict[str, Any]) -> str:
    parts = [event.get("summary", ""), event.get("description", ""), event.get("location", "")]
    parts.extend(a["email"] for a in event.get("attendees", []))
    return " ".join(parts).casefold()


def candidates(store: Store, calendar: dict[str, Any], viewer: str, query: ListQuery
               ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """``(calendar, event)`` for each event of the calendar (and, on the viewer's primary calendar,
    the invitations it received); with ``singleEvents`` a series is replaced by its instances."""
    pairs = [(calendar, e) for e in store.list("cal_event", parent=calendar["id"])]
    if calendar["id"] == viewer:
        pairs.extend(models.invited_events(store, viewer))
    for owner, event in pairs:
        if not query.single or not (event.get("recurrence") or event.get("recurringEventId")):
            yield owner, event
        elif event.get("recurrence") and event.get("status") != "cancelled":
            for instance in models.series_instances(store, owner, event, query.time_max):
                yield owner, instance


def page(items: list[dict[str, Any]], call: Call) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``items`` (``pageToken``/``maxResults``) and the next page's token."""
    size = min(int(call.query.get("maxResults") or DEFAULT_PAGE), MAX_PAGE)
    start = 0
    token = call.query.get("pageToken")
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode() + b"==").decode().removeprefix("o"))
        except (ValueError, binascii.Error):
            raise ApiError(400, "Invalid page token value.", reason="invalid") from None
    chunk = items[start : start + size]
    following = start + size
    next_token = base64.urlsafe_b64encode(f"o{following}".encode()).decode().rstrip("=") \
        if following < len(items) else None
    return chunk, next_token


def ordered(pairs: list[tuple[dict[str, Any], dict[str, Any]]], query: ListQuery
            ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    if query.order_by == "startTime":
        return sorted(pairs, key=lambda p: times.instant(p[1]["start"], p[0]["timeZone"]))
    if query.order_by == "updated":
        return sorted(pairs, key=lambda p: p[1]["updated"])
    return pairs
