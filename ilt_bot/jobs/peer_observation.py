"""Rotating observation pairs of ILT members, one private note Doc per pair and cycle (routine
``peer-observation``).

Key ``<school>/peer-observation/<cycle>/<member>``, ``<member>`` being the pair's member ids joined by ``+``
(``ana-ruiz+ben-okafor``; three ids when the ILT has an odd number of members). Each learning cycle,
the ILT is paired by a round-robin rotation (everyone with a different colleague each cycle until every
pairing has been used, everyone in a pair every cycle). The note Doc, made the morning the cycle starts
(ensured until the cycle's first ILT meeting) with the month's focus and the look-fors of its strand
(``practice.look_fors``), is shared with the pair only, and only its owner (the bot) can share it further
(docs/privacy.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import JobContext, date_label
from ilt_bot.jobs.common import active, make_doc
from ilt_bot.jobs.semester_data import STRAND_LABELS
from ilt_bot.keys import school_key
from ilt_bot.routine import Routine, WorkItem, morning

if TYPE_CHECKING:
    from ilt_bot.calendar import Cycle, SchoolYear
    from ilt_bot.config import Config, Member

TEMPLATE = "peer_observation.html.j2"


def peer_observation_key(config: Config, cycle: str, member: str) -> str:
    """``<school>/peer-observation/<cycle>/<member>`` (``<member>``: the pair's ids joined by ``+``)."""
    return school_key(config, "peer-observation", cycle, member)


def rotation(ids: list[str], round_index: int) -> list[tuple[str, ...]]:
    """Round ``round_index`` of the circle method: with n members (n even) rounds 0..n-2 pair everyone with
    each colleague exactly once. With n odd, the member left over joins the last pair (a trio)."""
    if len(ids) < 2:
        return []
    seats = list(ids) + ([""] if len(ids) % 2 else [])
    n = len(seats)
    r = round_index % (n - 1)
    turned = [seats[0], *(seats[1:][-r:] + seats[1:][:-r] if r else seats[1:])]
    pairs = [(turned[i], turned[n - 1 - i]) for i in range(n // 2)]
    whole: list[tuple[str, ...]] = [p for p in pairs if "" not in p]
    alone = [a for p in pairs if "" in p for a in p if a]
    if alone and whole:
        whole[-1] = (*whole[-1], *alone)
    return whole


def cycle_pairs(config: Config, cycle_index: int) -> list[tuple[Member, ...]]:
    """The observation pairs of the cycle ``cycle_index`` (0-based), as members."""
    if not config.practice.peer_observation:
        return []
    by_id = {m.id: m for m in config.members}
    return [tuple(by_id[i] for i in pair) for pair in rotation(list(by_id), cycle_index)]


def pair_id(pair: tuple[Member, ...]) -> str:
    return "+".join(m.id for m in pair)


def pair_names(pair: tuple[Member, ...]) -> str:
    return " & ".join(m.name for m in pair)


def focus_view(config: Config, year: SchoolYear, cycle: Cycle) -> dict[str, Any]:
    """The focus in force when the cycle starts, and the look-fors of its strand."""
    focus = year.focus_on(cycle.start)
    strand = focus.strand if focus else ""
    return {"month": f"{cycle.start:%B}", "area": focus.focus_area if focus else "",
            "strand": STRAND_LABELS.get(strand, strand), "activity": focus.activity if focus else "",
            "look_fors": [text for s, texts in config.practice.look_fors.items() if s == strand for text in texts]}


def note_context(config: Config, year: SchoolYear, cycle: Cycle, pair: tuple[Member, ...]) -> dict[str, Any]:
    return {"school": config.school.name, "pair": [m.name for m in pair], "names": pair_names(pair),
            "cycle": {"id": cycle.id, "number": cycle.index + 1, "start": date_label(cycle.start),
                      "end": date_label(cycle.end)},
            "focus": focus_view(config, year, cycle)}


def peer_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    """The notes of each cycle's pairs, due the morning the cycle starts and ensured until the cycle's first
    ILT meeting ends (whose agenda lists the pairs), or the cycle's end when it has no meeting."""
    items = []
    meetings = year.meetings()
    for cycle in year.cycles():
        due = morning(config, year, cycle.start, later=True)
        first = next((m for m in meetings if cycle.contains(m.date)), None)
        until = max(due, first.end) if first else year.at(cycle.end, config.schedule.end)
        for pair in cycle_pairs(config, cycle.index):
            items.append(WorkItem("peer-observation", peer_observation_key(config, cycle.id, pair_id(pair)), due,
                                  f"observation pair {pair_names(pair)}", cycle=cycle.id, member=pair_id(pair),
                                  learning_cycle=cycle, until=until))
    return items


def peer_run(ctx: JobContext, item: WorkItem) -> None:
    """The pair's note Doc, for the pair only (editors who cannot share it further)."""
    cycle = item.learning_cycle
    if cycle is None or not active(ctx, item.until):
        return
    pair = next((p for p in cycle_pairs(ctx.config, cycle.index) if pair_id(p) == item.member), None)
    if pair is None:
        ctx.skipped(item.key, "this pair is no longer in the rotation (the ILT changed in the config)")
        return
    emails = [str(m.email).lower() for m in pair]

    make_doc(ctx, item.key, f"Peer observation — {pair_names(pair)}, cycle {cycle.index + 1}", TEMPLATE,
             lambda: note_context(ctx.config, ctx.year, cycle, pair), "reflections", [(emails, "writer", True)],
             f"Your observation pair for learning cycle {cycle.index + 1}: observe each other teach or coach, "
             "take notes here, and bring one thing you saw to calibrate on at the ILT. Only the two of you "
             "can open this note.", {"iltbot_cycle": cycle.id}, private=True)


def sample_note(config: Config) -> dict[str, Any]:
    from ilt_bot.calendar import SchoolYear

    year = SchoolYear(config)
    cycle = year.cycles()[0]
    pair = tuple(config.members[:2]) or tuple(config.members)
    context = note_context(config, year, cycle, pair)
    context["focus"]["look_fors"] = context["focus"]["look_fors"] or ["Students <b>explain</b> their thinking."]
    return context


PEER_OBSERVATION = Routine("peer-observation", key=peer_observation_key,
                           key_form="<school>/peer-observation/<cycle>/<member>", items=peer_items, run=peer_run,
                           folder="reflections", template=TEMPLATE, sample_context=sample_note)
