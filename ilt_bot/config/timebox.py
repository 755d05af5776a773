"""Time-boxed agendas: the minutes of each agenda section, adding up to the meeting's duration (pure).

A section whose minutes the config sets (``[agenda] minutes``, and on protocol days and reflection meetings
``protocol_minutes`` and ``reflection_minutes`` over them) gets them; the sections left unset share the
rest of the meeting by the weights below (each at least one minute), so the minutes always add up to the
meeting's duration. When the set minutes leave too little (or, all set, do not add up), ``check`` names the
fields to change (:func:`timebox_problems`). See docs/agenda.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ilt_bot.config.models import AGENDA_SECTIONS, Agenda, MeetingPattern, ScopeEntry, Year
from ilt_bot.errors import Problem

WEIGHTS: dict[str, int] = {"purpose": 3, "norms": 2, "feedback": 10, "focus": 30, "data_protocol": 30,
                           "uip_goals": 5, "member_items": 10, "open_actions": 5, "next_steps": 5,
                           "next_meeting": 2, "thinking_map": 20, "reflection": 120, "close": 3}
"""Default shares of the meeting: a regular 75-minute meeting gets exactly these minutes."""
PROTOCOL_WEIGHTS: dict[str, int] = {"focus": 10}
"""On data-protocol days the protocol is the focus work: the focus section only frames it."""
REFLECTION_WEIGHTS: dict[str, int] = {"focus": 10}
"""At the semester reflection the reflection is the work."""

DATA_PROTOCOL_STEPS = (
    ("Describe", 3, "What do you see in the data? Only what is there: no judgements or explanations yet."),
    ("Interpret", 3, "What does the data suggest? What might explain it? What questions does it raise?"),
    ("Implications", 3, "What does this mean for our teaching, our teams and our UIP goals? What will we try?"),
    ("Reflect", 1, "How did the protocol work for us? What will we do differently next time?"),
)
"""ATLAS Looking at Data (the School Reform Initiative's protocol): step, weight, prompt."""
THINKING_MAP_STEPS = (("Individually", 1), ("In pairs", 1), ("As a team", 2))


@dataclass(frozen=True)
class Timebox:
    """The minutes of each section of one meeting's agenda (in the agenda's order)."""

    minutes: dict[str, int]
    duration: int

    @property
    def total(self) -> int:
        return sum(self.minutes.values())


def sections(*, reflection: bool, data_protocol: bool, thinking_map: bool) -> list[str]:
    """The sections an agenda carries: all of them but the protocols and the reflection it has no use for."""
    skip = {"data_protocol"} if reflection or not data_protocol else set()
    skip |= set() if thinking_map else {"thinking_map"}
    skip |= set() if reflection else {"reflection"}
    return [s for s in AGENDA_SECTIONS if s not in skip]


def set_minutes(agenda: Agenda, *, reflection: bool, protocol: bool) -> dict[str, tuple[int, str]]:
    """Section -> (minutes, the config field setting them) for the sections the config sets."""
    out = {s: (m, f"agenda.minutes.{s}") for s, m in agenda.minutes.items()}
    if protocol:
        out |= {s: (m, f"agenda.protocol_minutes.{s}") for s, m in agenda.protocol_minutes.items()}
    if reflection:
        out |= {s: (m, f"agenda.reflection_minutes.{s}") for s, m in agenda.reflection_minutes.items()}
    return out


def share(total: int, weights: dict[str, int]) -> dict[str, int]:
    """``total`` minutes split by ``weights`` (largest remainder), each at least 1; needs total >= len(weights)."""
    whole = sum(weights.values())
    if not whole:
        return {}
    exact = {k: total * w / whole for k, w in weights.items()}
    out = {k: int(v) for k, v in exact.items()}
    order = list(weights)
    for k in sorted(exact, key=lambda k: (int(exact[k]) - exact[k], order.index(k)))[:total - sum(out.values())]:
        out[k] += 1
    for k in [k for k in order if out[k] == 0]:
        out[k] = 1
        out[max(order, key=lambda j: out[j])] -= 1
    return out


def timebox(agenda: Agenda, duration: int, *, reflection: bool, data_protocol: bool,
            thinking_map: bool) -> Timebox:
    """The minutes of each section of a ``duration``-minute meeting (unset sections share what is left)."""
    present = sections(reflection=reflection, data_protocol=data_protocol, thinking_map=thinking_map)
    protocol = (data_protocol and not reflection) or thinking_map
    fixed = {s: m for s, (m, _) in set_minutes(agenda, reflection=reflection, protocol=protocol).items()
             if s in present}
    weights = WEIGHTS | (PROTOCOL_WEIGHTS if data_protocol and not reflection else {})
    weights |= REFLECTION_WEIGHTS if reflection else {}
    free = {s: weights[s] for s in present if s not in fixed}
    left = max(duration - sum(fixed.values()), len(free))
    shared = share(left, free)
    return Timebox({s: fixed.get(s, shared.get(s, 0)) for s in present}, duration)


def steps(minutes: int, plan: tuple[tuple[Any, ...], ...]) -> list[int]:
    """A protocol section's ``minutes`` split over its steps by their weights (each at least 1)."""
    split = share(max(minutes, len(plan)), {str(i): step[1] for i, step in enumerate(plan)})
    return [split[str(i)] for i in range(len(plan))]


# --- check ----------------------------------------------------------------------------------------


def _cases(meetings: MeetingPattern, year: Year | None, scope: list[ScopeEntry] | None):
    """(what, duration, its config field, reflection, data protocol, thinking map) of each kind of meeting."""
    data = any(e.strand == "data" for e in scope or [])
    thinking = meetings.thinking_map_protocol_every > 0
    combos = [(d, t) for d in (False, True) for t in (False, True) if (data or not d) and (thinking or not t)]
    for d, t in combos:
        what = " and ".join(["the data protocol"] * d + ["the thinking-map reflection"] * t)
        yield (f"a meeting with {what}" if what else "a regular meeting", meetings.duration_minutes,
               "meetings.duration_minutes", False, d, t)
    for i, sem in enumerate(year.semesters if year else []):
        field = (f"year.semesters[{i}].reflection_duration_minutes" if sem.reflection_duration_minutes
                 else "meetings.duration_minutes")
        for t in (False, True) if thinking else (False,):
            with_tm = " with the thinking-map reflection" if t else ""
            yield (f"the {sem.name} reflection meeting{with_tm}", sem.reflection_duration_minutes
                   or meetings.duration_minutes, field, True, False, t)


def timebox_problems(agenda: Agenda, meetings: MeetingPattern, year: Year | None,
                     scope: list[ScopeEntry] | None) -> list[Problem]:
    """The agenda minutes that do not fit a meeting: the sections to shorten, by their config fields.

    One problem per duration field and set of sections, about the kind of meeting they fit worst.
    """
    worst: dict[tuple[str, str], tuple[int, Problem]] = {}
    for what, duration, field, reflection, data, thinking in _cases(meetings, year, scope):
        present = sections(reflection=reflection, data_protocol=data, thinking_map=thinking)
        fixed = {s: v for s, v in set_minutes(agenda, reflection=reflection, protocol=data or thinking).items()
                 if s in present}
        unset = len(present) - len(fixed)
        used = sum(m for m, _ in fixed.values())
        longest = sorted(fixed.values(), key=lambda v: -v[0])
        fields = ", ".join(f"{path} ({m} min)" for m, path in longest[:4])
        over = used + unset - duration
        if over > 0:
            room = f" and the {unset} sections left unset need a minute each" if unset else ""
            problem = Problem(longest[0][1], f"the agenda of {what} takes {used} set minutes{room}: {over} more "
                              f"than its {duration} minutes ({field})",
                              f"shorten these sections by {over} minutes in all: {fields}; or lengthen {field}")
        elif not unset and used < duration:
            problem = Problem(longest[0][1], f"the agenda of {what} is set to {used} minutes, {duration - used} "
                              f"short of its {duration} minutes ({field})",
                              f"leave one section's minutes unset (it takes the rest), or lengthen one of: {fields}")
        else:
            continue
        key = (field, fields)
        if key not in worst or abs(over) > worst[key][0]:
            worst[key] = (abs(over), problem)
    return [problem for _, problem in worst.values()]
