"""The demo's ILT members answering the guides' Forms: the qualities Form and each vision-input round.

Deterministic (:func:`ilt_bot.demo.people.rng`) and through the responder page, signed in as each member,
the school day after the Form arrives. Like :mod:`ilt_bot.demo.reflection`, people act only on Forms this
run created (:meth:`GuidePeople.observe`), so a replay answers nothing twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from ilt_bot.demo.people import People, rng

if TYPE_CHECKING:
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import Config
    from ilt_bot.workspace.gateway import Gateway

QUALITIES = {
    "lead": ("Gives timely feedback after every observation", "Models the lesson before asking for it",
             "Knows every teacher's data and students", "Timely feedback with one clear action step"),
    "coach": ("Asks questions before giving answers", "Gives timely feedback with one clear action step",
              "Celebrates small wins with the team"),
    "member": ("Speaks with one voice outside the room", "Brings student work and data to every meeting",
               "Follows through on action items"),
    "commitments": ("Observe each other once a cycle", "Speak with one voice outside the room",
                    "Bring student work and data to every meeting"),
}
VISION = {
    "stronger": ("Protect common planning time for every team", "More teacher voice in choosing team goals",
                 "Protect common planning time from other meetings"),
    "evidence": ("Team data meetings on student work", "Peer observation pairs gave real feedback", ""),
    "revision": ("Name peer observation in the vision", "Say teachers lead their teams' learning", ""),
}


class GuidePeople:
    """ILT members answering the qualities Form and the vision-input rounds of the demo year."""

    def __init__(self, config: Config, gateway: Gateway, people: People, year: SchoolYear,
                 set_clock: Callable[[datetime | None], None] | None = None) -> None:
        self.config = config
        self.gateway = gateway
        self.people = people
        self.year = year
        self.set_clock = set_clock or (lambda _now: None)
        self.fresh: dict[str, date] = {}
        self.actions: Counter[str] = Counter()
        self.errors: list[str] = []

    def observe(self, created: Iterable[str], day: date) -> None:
        """Note the guide Forms a tick created on ``day``."""
        for key in created:
            if key.split("/")[1:2] in (["qualities"], ["vision-input"]):
                self.fresh.setdefault(key, day)

    def on_day(self, day: date) -> None:
        """Members answer each Form the school day after it arrived (most of them)."""
        for key, arrived in list(self.fresh.items()):
            if day <= arrived:
                continue
            del self.fresh[key]
            questions = QUALITIES if key.split("/")[1] == "qualities" else VISION
            self.set_clock(self.year.at(day, time(12, 30)))
            self._answer(key, questions)

    def _answer(self, key: str, questions: dict[str, tuple[str, ...]]) -> None:
        from ilt_bot.jobs.qualities import QUESTIONS as QUALITY_TITLES
        from ilt_bot.jobs.vision_input import QUESTIONS as VISION_TITLES

        found = self.gateway.find(key)
        if found is None or found.trashed:
            return
        uri = self.gateway.form_responder_uri(found.id)
        titles = dict(QUALITY_TITLES) | dict(VISION_TITLES)
        for member in self.config.members:
            pick = rng(key, member.id)
            if pick.random() < 0.2:
                continue  # not everyone answers
            answers = {titles[ref]: text for ref, options in questions.items()
                       if (text := pick.choice(options))}
            self._act("guide form answered", key, member.email, uri, answers)

    def _act(self, what: str, key: str, email: str, uri: str, answers: dict[str, str]) -> None:
        try:
            self.people.answer_form(uri, email, answers)
            self.actions[what] += 1
        except Exception as exc:  # noqa: BLE001 - a person's failed action is reported; the demo goes on
            self.errors.append(f"{what} ({email}, {key}): {type(exc).__name__}: {exc}")
