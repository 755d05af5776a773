"""The browser page ``/_sandbox/calendar``: the signed-in user's calendars and their events, as a list."""

from __future__ import annotations

from html import escape
from typing import Any

from ilt_bot.sandbox.calendar import models
from ilt_bot.sandbox.calendar.listing import ListQuery, candidates, ordered
from ilt_bot.sandbox.core import PageRequest, Result, html_page, page


def _when(event: dict[str, Any]) -> str:
    start = event["start"]
    return start.get("dateTime") or f"{start['date']} (all day)"


def _section(req: PageRequest, calendar: dict[str, Any], role: str, user: str) -> str:
    query = ListQuery(single=True, order_by="startTime")
    pairs = ordered([(c, e) for c, e in candidates(req.store, calendar, user, query)
                     if query.keeps(e, c["timeZone"])], query)
    rows = "".join(
        f'<tr><th scope="row">{escape(e.get("summary") or "(No title)")}</th><td>'
        f'<time datetime="{escape(_when(e))}">{escape(_when(e))}</time></td><td>{escape(e.get("location", ""))}</td>'
        f"<td>{len(e.get('attendees', []))}</td><td>{escape(str(len(e.get('attachments', []))))}</td></tr>"
        for _c, e in pairs
    )
    table = ("<p>No events.</p>" if not rows else
             f"<table><caption>Events of {escape(calendar['summary'])}</caption><thead><tr>"
             '<th scope="col">Title</th><th scope="col">Starts</th><th scope="col">Where</th>'
             '<th scope="col">Guests</th><th scope="col">Attachments</th></tr></thead>'
             f"<tbody>{rows}</tbody></table>")
    return f"<section><h2>{escape(calendar['summary'])} ({escape(role)})</h2>{table}</section>"


@page("/_sandbox/calendar")
def calendar_home(req: PageRequest) -> Result:
    """Every calendar the signed-in user can read, each with its events (series expanded) in start order."""
    if not req.user:
        return html_page('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in - Sandbox '
                         'Calendar</title></head><body><main><h1>Sign in</h1><p>Open '
                         '<a href="/_sandbox/login">/_sandbox/login?email=you@example.org</a>.</p></main></body>'
                         "</html>", status=401)
    sections = "".join(_section(req, record, role, req.user)
                       for record, role in models.visible_calendars(req.store, req.user, req.now)
                       if models.ROLE_RANK[role] >= models.ROLE_RANK["reader"])
    return html_page(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Calendar - Sandbox Calendar</title>'
        "<style>body{font-family:sans-serif;margin:1rem 2rem}table{border-collapse:collapse}"
        "th,td{text-align:left;padding:.3rem .8rem;border-bottom:1px solid #ccc}</style></head><body>"
        f"<header><p>Signed in as <strong>{escape(req.user)}</strong></p></header>"
        f"<main><h1>Calendar</h1>{sections}</main></body></html>"
    )
