"""What the demo's simulated ILT members say: feedback, agenda items, action items (deterministic).

Choices are seeded by the meeting date and the member, so a rerun of the demo answers the same way.
One answer carries markup and a Jinja expression on purpose: the agenda must show it as text.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date

PLUS = (
    "We stayed on our norms and ended on time",
    "Looking at student work together kept us grounded",
    "Clear roles: the facilitator kept us moving",
    "The data protocol helped us agree on next steps",
    "Great energy when we practiced the feedback conversation",
    "Starting with the vision reminded us why we do this",
    "Everyone had a voice in the decision",
)
DELTA = (
    "Send the data before the meeting so we can prepare",
    "Less time on announcements, more on instruction",
    "We ran over on the first item: use the timekeeper",
    "Close each item with a clear owner and date",
    "Bring teacher voice: invite a team lead to present",
    "We need more time for the professional learning activity",
)
STOP = ("Reading announcements aloud", "Revisiting decisions we already made", "Starting late")
START = ("Bringing student work to every meeting", "Ending with a one-minute summary", "Rotating who presents")
CONTINUE = ("Using the data protocol", "Revisiting our norms", "Celebrating wins first")
TRICKY = "<b>bold</b> {{ 7*7 }} {% for x in range(3) %}x{% endfor %} =IMPORTRANGE(\"a\",\"b\")"
"""A response that must show verbatim: HTML, Jinja and a spreadsheet formula, all as text."""

ITEMS = (
    ("Calibrate on the walkthrough tool", "Our ratings differ by a full level on the same lesson", "15 minutes"),
    ("Plan the interim data day", "Teams need a common protocol before the window opens", "20 minutes or more"),
    ("Coverage for peer observations", "Three leads cannot observe without coverage", "10 minutes"),
    ("Family conference talking points", "We should speak with one voice about reading growth", "10 minutes"),
    ("Norm on exit-ticket analysis", "Teams score exit tickets differently", "15 minutes"),
)
ACTIONS = (
    "Share the reading data dashboard with all teams",
    "Draft the walkthrough look-fors for October",
    "Schedule peer observations for K-2 leads",
    "Send the family conference talking points",
    "Collect exit tickets from grade 4 for norming",
    "Book the library for the data day",
    "Update the scope and sequence after the reflection",
)


def rng(*parts: object) -> random.Random:
    """A generator seeded by ``parts`` (stable across runs and machines)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def feedback_answers(style: str, day: date, member: str, tricky: bool = False) -> dict[str, str]:
    """One member's answers to the feedback Form of the meeting on ``day`` (ref -> text)."""
    r = rng("feedback", day, member)
    if style == "stop_start_continue":
        return {"stop": r.choice(STOP), "start": r.choice(START), "continue": r.choice(CONTINUE)}
    answers = {"plus": r.choice(PLUS), "delta": r.choice(DELTA)}
    if tricky:
        answers["delta"] = TRICKY
    return answers


def responds(day: date, member: str) -> bool:
    """Whether this member answers this meeting's Form (most do)."""
    return rng("responds", day, member).random() < 0.8


def intake_item(day: date, member: str) -> tuple[str, str, str] | None:
    """An agenda item the member submits before the meeting on ``day``, if any."""
    r = rng("intake", day, member)
    return r.choice(ITEMS) if r.random() < 0.25 else None


def action_items(day: date, count: int = 2) -> list[str]:
    """The action items the note taker types into the agenda of ``day``."""
    r = rng("actions", day)
    return r.sample(ACTIONS, k=min(count, len(ACTIONS)))


def closes(day: date, what: str) -> bool:
    """Whether a carried-over item is marked Done at the meeting on ``day``."""
    return rng("close", day, what).random() < 0.6
