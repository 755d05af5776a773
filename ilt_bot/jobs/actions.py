"""Action items: harvested from the agenda Docs as people left them, tracked, carried forward.

After a meeting the bot reads its agenda's "Action items" table (rows added, blank rows, extra or
reordered columns, any status word) and upserts each item into the tracker. Open items appear in the
next agenda's "Open action items" table with their Ref; marking one Done there, or in the tracker,
closes it. A closed item never reopens; the tracker's Status, By when and Closed cells a person edited
are kept (the bot only fills blanks and closes items).

**Identity** (:func:`identify`). The bot cannot write into a person's agenda Doc (no hidden id in the
row), so an item is known by its meeting, its owner and its words, matched in this order against the
items already harvested from the same agenda:

1. same words and same owner (Who): the same item;
2. same owner, words changed (a typo fixed, a rewording): the same item if it is the owner's only
   unmatched one of that agenda, else the most alike of them (at least 60 % alike); its What is updated;
3. same words, owner changed (reassigned): the same item; its Who is updated;
4. anything else is a new item, id ``<meeting date>#<hash of owner and words>`` (``-2``, ``-3``... when one
   owner has the same words twice).

So an edit in the Doc updates the item (the tracker's What and Who follow the Doc while the agenda is
harvested), never adds one, and two people's items with the same words stay two items.
Rows of an agenda's "Items for next meeting" table become agenda items (tracker tab Agenda items).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from ilt_bot.jobs import JobContext, date_label
from ilt_bot.jobs.intake import OPEN
from ilt_bot.jobs.tracker import ACTION_ITEMS, cell, col
from ilt_bot.workspace.api import DocTable

ACTION_COLUMNS = ["What", "Who", "By when", "Status"]
DONE_WORDS = {"done", "complete", "completed", "closed", "close", "finished", "resolved", "✓", "✔", "✅", "☑",
              "x", "yes", "y"}


def normalize(text: str) -> str:
    return " ".join(text.casefold().split())


def is_done(status: str) -> bool:
    """True for Done / Complete / ✓ / closed (any case, with punctuation or extra words)."""
    text = status.strip().casefold()
    if not text:
        return False
    if any(mark in text for mark in ("✓", "✔", "✅", "☑")):
        return True
    words = re.findall(r"[\w]+", text)
    if not words:
        return False
    return words[0] in DONE_WORDS


SIMILAR = 0.6
"""How alike (difflib ratio of the normalized words) an edited item must be to one of several by its owner."""


def action_id(day: date, what: str, who: str = "") -> str:
    """The id of a new action item: meeting date + a hash of its owner and its normalized words."""
    text = f"{normalize(who)}\x1f{normalize(what)}" if who.strip() else normalize(what)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{day.isoformat()}#{digest}"


def suggestion_id(day: date, title: str) -> str:
    digest = hashlib.sha256(normalize(title).encode("utf-8")).hexdigest()[:8]
    return f"doc:{day.isoformat()}#{digest}"


@dataclass
class DocAction:
    """One row of an agenda Doc's action table, as a person left it."""

    what: str
    who: str
    due: str
    status: str
    ref: str = ""
    """The item's id when the row is in a carried-over table."""


def _find_column(header: list[str], *names: str) -> int | None:
    for index, text in enumerate(header):
        value = normalize(text).rstrip(":")
        if any(value == n or value.startswith(n) for n in names):
            return index
    return None


def _table_kind(table: DocTable) -> str | None:
    header = [normalize(h) for h in table.header]
    if not header:
        return None
    if "ref" in header and _find_column(table.header, "what") is not None:
        return "carried"
    if _find_column(table.header, "what") is not None and _find_column(table.header, "status") is not None:
        return "actions"
    if header[0].startswith("suggested item"):
        return "suggestions"
    return None


def parse_tables(tables: list[DocTable]) -> tuple[list[DocAction], list[DocAction], list[dict[str, str]]]:
    """(new action rows, carried-over rows, item suggestions) from an agenda Doc's tables."""
    actions: list[DocAction] = []
    carried: list[DocAction] = []
    suggestions: list[dict[str, str]] = []
    for table in tables:
        kind = _table_kind(table)
        if kind is None:
            continue
        header = table.header
        if kind == "suggestions":
            why, who = _find_column(header, "why"), _find_column(header, "who", "from")
            for row in table.rows[1:]:
                title = row[0].strip() if row else ""
                if title:
                    suggestions.append({"title": title, "why": cell(row, why).strip() if why is not None else "",
                                        "who": cell(row, who).strip() if who is not None else ""})
            continue
        what = _find_column(header, "what")
        who = _find_column(header, "who", "owner")
        due = _find_column(header, "by when", "due", "when")
        status = _find_column(header, "status", "done")
        ref = _find_column(header, "ref")
        for row in table.rows[1:]:
            text = cell(row, what).strip() if what is not None else ""
            if not text:
                continue  # a blank row, or one with only a name or a date
            item = DocAction(
                what=text,
                who=cell(row, who).strip() if who is not None else "",
                due=cell(row, due).strip() if due is not None else "",
                status=cell(row, status).strip() if status is not None else "",
                ref=cell(row, ref).strip() if ref is not None else "",
            )
            (carried if kind == "carried" else actions).append(item)
    return actions, carried, suggestions


def _closed(row: list[str]) -> bool:
    return bool(cell(row, col(ACTION_ITEMS, "Closed")).strip()) or is_done(cell(row, col(ACTION_ITEMS, "Status")))


def identify(actions: list[DocAction], known: list[list[str]]) -> list[tuple[DocAction, list[str] | None]]:
    """Each Doc row with the tracker row of the same item (None: a new item); the rules in the module doc.

    ``known``: the Action items rows harvested from the same agenda earlier, each matched at most once.
    """
    c_what, c_who = col(ACTION_ITEMS, "What"), col(ACTION_ITEMS, "Who")
    pool = list(known)
    pairs: dict[int, list[str]] = {}

    def take(index: int, row: list[str]) -> None:
        pairs[index] = row
        pool.remove(row)

    def rest() -> list[int]:
        return [i for i in range(len(actions)) if i not in pairs]

    for i in rest():  # 1. same words, same owner
        row = next((r for r in pool if normalize(cell(r, c_what)) == normalize(actions[i].what)
                    and normalize(cell(r, c_who)) == normalize(actions[i].who)), None)
        if row is not None:
            take(i, row)
    for i in rest():  # 2. same owner, words edited
        mine = [r for r in pool if normalize(cell(r, c_who)) == normalize(actions[i].who)]
        others = [j for j in rest() if normalize(actions[j].who) == normalize(actions[i].who)]
        row = mine[0] if len(mine) == 1 and len(others) == 1 else _most_alike(actions[i].what, mine, c_what)
        if row is not None:
            take(i, row)
    for i in rest():  # 3. same words, owner changed
        row = next((r for r in pool if normalize(cell(r, c_what)) == normalize(actions[i].what)), None)
        if row is not None:
            take(i, row)
    return [(action, pairs.get(i)) for i, action in enumerate(actions)]


def _most_alike(what: str, rows: list[list[str]], c_what: int) -> list[str] | None:
    """The row whose What is most like ``what`` (None when none is at least :data:`SIMILAR` alike)."""
    scored = [(SequenceMatcher(None, normalize(what), normalize(cell(r, c_what))).ratio(), n)
              for n, r in enumerate(rows)]
    best = max(scored, default=None)
    return rows[best[1]] if best is not None and best[0] >= SIMILAR else None


def _new_id(day: date, action: DocAction, taken: set[str]) -> str:
    base = action_id(day, action.what, action.who)
    item_id, n = base, 1
    while item_id in taken:
        n += 1
        item_id = f"{base}-{n}"
    taken.add(item_id)
    return item_id


def _updated(row: list[str], action: DocAction, today: str) -> list[str]:
    """``row`` after the Doc row ``action`` of the same item was read (unchanged if nothing changed)."""
    c_what, c_status, c_closed, c_who, c_due = (col(ACTION_ITEMS, n) for n in ("What", "Status", "Closed", "Who",
                                                                               "By when"))
    new = list(row)
    if _closed(row):
        return new
    if action.what != row[c_what]:
        new[c_what] = action.what  # edited in the Doc: the item keeps its id
    if action.who and normalize(action.who) != normalize(row[c_who]):
        new[c_who] = action.who
    if is_done(action.status):
        new[c_status], new[c_closed] = action.status, today
    elif action.status and normalize(action.status) != normalize(row[c_status]) and row[c_status] in ("", OPEN):
        new[c_status] = action.status
    if not new[c_due].strip() and action.due:
        new[c_due] = action.due
    return new


def merge(ctx: JobContext, day: date, actions: list[DocAction], carried: list[DocAction]) -> list[list[str]]:
    """The Action items rows to write after reading the agenda of ``day`` (new and changed only)."""
    tracker = ctx.tracker
    existing = tracker.by_id(ACTION_ITEMS)
    today = ctx.now.date().isoformat()
    out: dict[str, list[str]] = {}
    c_status, c_closed, c_source = col(ACTION_ITEMS, "Status"), col(ACTION_ITEMS, "Closed"), col(ACTION_ITEMS,
                                                                                                  "Source")
    source = f"agenda {day.isoformat()}"
    known = [r for r in existing.values() if cell(r, c_source) == source]
    taken = set(existing)
    for action, row in identify(actions, known):
        if row is None:
            item_id = _new_id(day, action, taken)
            out[item_id] = [item_id, day.isoformat(), action.what, action.who, action.due, action.status or OPEN,
                            day.isoformat(), today if is_done(action.status) else "", source]
            continue
        new = _updated(row, action, today)
        if new != row:
            out[row[0]] = new
    for action in carried:
        row = out.get(action.ref) or existing.get(action.ref)
        if row is None or _closed(row) or not is_done(action.status):
            continue
        new = list(row)
        new[c_status], new[c_closed] = action.status, today
        out[action.ref] = new
    return list(out.values())


def open_actions(ctx: JobContext, day: date) -> list[dict[str, object]]:
    """The items still open when the agenda of ``day`` is built (from meetings before ``day``)."""
    tracker = ctx.tracker
    if tracker is None:
        return []
    out = []
    for row in tracker.rows(ACTION_ITEMS):
        item_id = cell(row, 0)
        opened_text = cell(row, col(ACTION_ITEMS, "Meeting"))
        if not item_id or _closed(row):
            continue
        try:
            opened = date.fromisoformat(opened_text[:10])
        except ValueError:
            continue
        if opened >= day:
            continue
        status = cell(row, col(ACTION_ITEMS, "Status"))
        out.append({
            "ref": item_id,
            "what": cell(row, col(ACTION_ITEMS, "What")),
            "who": cell(row, col(ACTION_ITEMS, "Who")),
            "due": cell(row, col(ACTION_ITEMS, "By when")),
            "status": "" if status == OPEN else status,
            "meeting_label": date_label(opened),
            "age_days": (day - opened).days,
        })
    out.sort(key=lambda a: (-int(a["age_days"]), str(a["ref"])))  # type: ignore[call-overload]
    return out
