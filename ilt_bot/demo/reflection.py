"""The year-long demo's teachers, stakeholders and ILT members around thinking maps and reflections.

Deterministic (seeded by the artifact, the person and the day, see :func:`ilt_bot.demo.people.rng`), and
through the surfaces people use:

- teachers answer their team's thinking-map Form on its responder page (signed in as themselves), a
  few school days after it is sent, most of them (``answers_thinking_map``);
- stakeholders answer the semester's survey on its responder page;
- on the day of a semester's reflection meeting (after it), ILT members type the Adjustments table of
  the group reflection Doc with the Docs API (one adjustment is a pilot for a teacher team);
- the pilot group answers the pilot-feedback Form.

People act only on artifacts this run created (:meth:`ReflectionPeople.observe`), so a replay on the
same database answers nothing twice. The demo loop calls :meth:`ReflectionPeople.observe` after each
tick and :meth:`ReflectionPeople.on_day` once per simulated school day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from ilt_bot.calendar import SchoolYear
from ilt_bot.config import Config
from ilt_bot.demo.people import People, rng

if TYPE_CHECKING:
    from ilt_bot.workspace.gateway import Gateway

WENT_WELL = (
    "Our data meetings were focused on student work",
    "Planning guided reading groups together saved time",
    "Co-teaching the number talks routine",
    "The new exit tickets showed us who needs reteaching",
    "Clear agendas for our team meetings",
    "Observing each other's small groups",
)
IMPROVE = (
    "More modeling of the guided reading routine",
    "Feedback after observations sooner",
    "Protect our planning time from other meetings",
    "Share the data before the team meeting",
    "More time to look at student work together",
)
OTHER = (
    "Thank you for the coverage during observations",
    "We need more manipulatives for small groups",
    "Can we visit another school's data meeting?",
    "",
)
STAKE_WELL = ("Teams use data every week", "Strong focus on guided reading", "Clear ILT agendas shared with staff",
              "Leads are visible in classrooms")
STAKE_CHANGE = ("Involve families in the reading goals", "Fewer initiatives, deeper work",
                "More time for teams to plan together", "Share the ILT's decisions with all staff")
ROLES = ("Team Specialist", "Instructional Superintendent", "Network partner", "School staff")
ADJUSTMENTS = (
    ("Guided reading walkthroughs every two weeks, with same-day feedback", True, "pilot feedback Form"),
    ("Send the data one week before each data meeting", False, "plus/delta after each meeting"),
    ("Protect team planning time on Wednesdays", False, "thinking maps next cycle"),
)
PILOT_WORKING = ("Same-day feedback is easy to act on", "The look-fors are clear", "Short visits, less stress")
PILOT_CHANGE = ("Fewer look-fors per visit", "Schedule visits at the start of the week", "")


@dataclass
class _Seen:
    key: str
    day: date


class ReflectionPeople:
    """Teachers, stakeholders and ILT members of the demo (thinking maps, survey, adjustments, pilots)."""

    def __init__(self, config: Config, gateway: Gateway, people: People, year: SchoolYear,
                 set_clock: Callable[[datetime | None], None] | None = None, *, thinking_maps: bool = True) -> None:
        self.config = config
        self.thinking_maps = thinking_maps
        """False when the demo's own teachers answer the thinking maps."""
        self.gateway = gateway
        self.people = people
        self.year = year
        self.set_clock = set_clock or (lambda _now: None)
        self.fresh: dict[str, _Seen] = {}
        self.done: set[tuple[str, str]] = set()
        self.actions: Counter[str] = Counter()
        self.errors: list[str] = []

    # -- what the bot made in this run ---------------------------------------------------------------

    def observe(self, created: Iterable[str], day: date) -> None:
        """Note the artifacts a tick created on ``day`` (people act on these only)."""
        for key in created:
            kind = key.split("/")[1] if "/" in key else ""
            if kind in ("thinking-map", "stakeholder", "reflection", "pilot") and key not in self.fresh:
                self.fresh[key] = _Seen(key, day)

    # -- one simulated day ---------------------------------------------------------------------------

    def on_day(self, day: date) -> None:
        """Everything people do on ``day`` (call once per school day, between the morning and evening ticks)."""
        for seen in list(self.fresh.values()):
            kind = seen.key.split("/")[1]
            if kind == "thinking-map" and self.thinking_maps:
                self._thinking_map(seen, day)
            elif kind == "stakeholder":
                self._survey(seen, day)
            elif kind == "reflection":
                self._adjustments(seen, day)
            elif kind == "pilot":
                self._pilot(seen, day)

    def _act(self, what: str, who: str, key: str, fn: Callable[..., Any], *args: Any) -> None:
        if (key, who) in self.done:
            return
        self.done.add((key, who))
        try:
            fn(*args)
            self.actions[what] += 1
        except Exception as exc:  # noqa: BLE001 - a person's failed action is reported; the demo goes on
            self.errors.append(f"{what} ({who}, {key}): {type(exc).__name__}: {exc}")

    def _uri(self, key: str) -> str | None:
        found = self.gateway.find(key)
        if found is None or found.trashed:
            return None
        return self.gateway.form_responder_uri(found.id)

    def _when(self, day: date, hour: int, minute: int = 0) -> None:
        self.set_clock(self.year.at(day, time(hour, minute)))

    def _thinking_map(self, seen: _Seen, day: date) -> None:
        _, _, team_id, cycle = seen.key.split("/")
        team = self.config.team(team_id)
        questions = list(self.config.thinking_map.questions)
        uri = None
        for n, teacher in enumerate(team.teachers):
            r = rng("thinking-map", seen.key, teacher.email)
            if r.random() >= 0.75 or (seen.key, teacher.email) in self.done:
                continue  # about one teacher in four does not answer
            if (day - seen.day).days < r.randint(0, 3):
                continue  # answers a few days after the Form arrived
            answers = {questions[0]: r.choice(WENT_WELL)}
            if len(questions) > 1:
                answers[questions[1]] = r.choice(IMPROVE)
            if len(questions) > 2 and (extra := r.choice(OTHER)):
                answers[questions[2]] = extra
            uri = uri or self._uri(seen.key)
            if uri is None:
                return
            self._when(day, 15, n)
            self._act("thinking map answered", teacher.email, seen.key, self.people.answer_form, uri,
                      teacher.email, answers)

    def _survey(self, seen: _Seen, day: date) -> None:
        from ilt_bot.jobs.reflection import SURVEY

        titles = {ref: title for ref, title, _ in SURVEY}
        uri = None
        for n, email in enumerate(self.config.stakeholders.emails):
            r = rng("stakeholder", seen.key, email)
            if r.random() >= 0.8 or (day - seen.day).days < 2 or (seen.key, email) in self.done:
                continue
            uri = uri or self._uri(seen.key)
            if uri is None:
                return
            answers = {titles["rating"]: str(r.choice((3, 4, 4, 5))), titles["role"]: r.choice(ROLES),
                       titles["well"]: r.choice(STAKE_WELL), titles["change"]: r.choice(STAKE_CHANGE)}
            self._when(day, 12, n)
            self._act("stakeholder survey answered", email, seen.key, self.people.answer_form, uri, email, answers)

    def _adjustments(self, seen: _Seen, day: date) -> None:
        semester = self.config.semester(seen.key.split("/")[2])
        if day != semester.reflection_date:
            return  # typed at the reflection meeting
        found = self.gateway.find(seen.key)
        if found is None or found.trashed:
            return
        meeting = self.year.reflection_meeting(semester)
        self.set_clock(meeting.end - timedelta(minutes=10))
        members = self.config.members
        pilot_team = self.config.teams[0] if self.config.teams else None
        for n, (what, pilot, how) in enumerate(ADJUSTMENTS):
            owner = members[n % len(members)]
            group = pilot_team.name if pilot and pilot_team is not None else ""
            cells = [what, "yes" if pilot else "no", group, owner.name, how]
            self._act("adjustment typed", f"{owner.email}#{n}", seen.key, self.people.add_table_row, found.id,
                      owner.email, "Adjustment", cells)

    def _pilot(self, seen: _Seen, day: date) -> None:
        from ilt_bot.jobs.pilots import CHANGE, RATING, WORKING

        found = self.gateway.find(seen.key)
        if found is None or found.trashed or (day - seen.day).days < 3:
            return
        emails = [p["emailAddress"] for p in self.gateway.drive.list_permissions(found.id)
                  if p.get("view") == "published" and p.get("emailAddress")]
        uri = None
        for n, email in enumerate(emails):
            r = rng("pilot", seen.key, email)
            if r.random() >= 0.7 or (seen.key, email) in self.done:
                continue
            uri = uri or self.gateway.form_responder_uri(found.id)
            answers = {RATING: str(r.choice((3, 4, 5, 5))), WORKING: r.choice(PILOT_WORKING)}
            if change := r.choice(PILOT_CHANGE):
                answers[CHANGE] = change
            self._when(day, 16, n)
            self._act("pilot feedback answered", email, seen.key, self.people.answer_form, uri, email, answers)


__all__ = ["ReflectionPeople"]
