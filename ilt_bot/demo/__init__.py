"""``ilt-bot demo``: a school's whole year played on the sandbox, in accelerated time.

The bot ticks twice each school day (early morning and after school) exactly as in production
(:func:`~ilt_bot.jobs.tick.run_tick` through the real gateway). Between ticks, simulated ILT members act
through the surfaces people use: they answer each meeting's feedback Form on its responder page (signed
in at ``/_sandbox/login``), submit agenda items with the intake Form, and the meeting's note taker types
action items into the agenda Doc and marks carried items Done with the Docs API, as their editor would;
the facilitator answers the deltas in its "We heard / We will" table (some are left for next time).

Everything lands in the sandbox's SQLite database; every Doc is written as HTML into ``out_dir``.
People act only on meetings whose agenda this run created, so a second run on the same database
replays the ticks, finds everything, and creates nothing new.
"""

from __future__ import annotations

import logging
import re
import time as clock
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ilt_bot.calendar import SchoolYear
from ilt_bot.config import Config, is_school_weekday
from ilt_bot.demo import phrases as said
from ilt_bot.demo.people import People
from ilt_bot.errors import UserError

if TYPE_CHECKING:
    from ilt_bot.workspace.gateway import Gateway

log = logging.getLogger("ilt_bot.demo")

MORNING = time(6, 30)
AFTER_SCHOOL = time(17, 30)
DOC_MIME = "application/vnd.google-apps.document"


@dataclass
class DemoRun:
    """What one demo run did."""

    created: Counter[str] = field(default_factory=Counter)
    existing: int = 0
    synced_responses: int = 0
    ticks: int = 0
    people_actions: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _kind(key: str) -> str:
    parts = key.split("/")
    return parts[1] if len(parts) > 1 else key


def _email(config: Config, member_id: str) -> str:
    return str(config.member(member_id).email)


def _school_days(year: SchoolYear, start: date, end: date) -> list[date]:
    """School days from ``start`` to ``end`` (weekdays before the year starts count: the set-up week)."""
    days, day = [], start
    while day <= end:
        if year.is_school_day(day) or (day < year.year.start and is_school_weekday(day)):
            days.append(day)
        day += timedelta(days=1)
    return days


class Demo:
    """The simulated semester: ticks, people, output."""

    def __init__(self, config: Config, gateway: Gateway, base_url: str, out_dir: Path) -> None:
        self.config = config
        self.gateway = gateway
        self.base_url = base_url
        self.out_dir = out_dir
        self.year = SchoolYear(config)
        self.people = People(base_url)
        self.run = DemoRun()
        self.fresh: set[str] = set()
        """Agenda keys created by this run: people act on these meetings only."""
        self.cancel_in_calendar: tuple[Any, Any] | None = None
        """(after this meeting, the principal cancels that one in Google Calendar): see demo/calendar.py."""
        self.thinking_maps: list[str] = []
        """Thinking-map Form keys made by this run that the teachers have not answered yet."""
        from ilt_bot.demo.reflection import ReflectionPeople

        self.reflection = ReflectionPeople(config, gateway, self.people, self.year, set_clock=self.set_clock,
                                           thinking_maps=False)
        """Stakeholders answering the survey, the ILT filling the Adjustments table, pilot groups."""
        from ilt_bot.demo.guides import GuidePeople

        self.guides = GuidePeople(config, gateway, self.people, self.year, set_clock=self.set_clock)
        """ILT members answering the qualities Form and the vision-input rounds."""

    # -- the bot -------------------------------------------------------------------------------------

    def set_clock(self, now: datetime | None) -> None:
        """Move the sandbox clock to the simulated time (None: real time), so timestamps match the story."""
        import requests

        try:
            requests.post(f"{self.base_url}/_sandbox/clock", data={"now": now.isoformat() if now else ""},
                          headers={"Authorization": "Bearer sandbox-admin"}, timeout=30)
        except requests.RequestException as exc:  # an older sandbox without a clock: real timestamps
            log.debug("sandbox clock not set: %s", exc)

    def tick(self, now: datetime) -> None:
        from ilt_bot.jobs.tick import run_tick

        self.set_clock(now)
        report = run_tick(self.config, self.gateway, now, year=self.year)
        self.run.ticks += 1
        self.run.existing += report.existing
        self.run.synced_responses += report.synced_responses
        for key in report.created:
            self.run.created[_kind(key)] += 1
            if _kind(key) == "agenda":
                self.fresh.add(key)
            elif _kind(key) == "thinking-map":
                self.thinking_maps.append(key)
        self.run.errors += [f"{now:%Y-%m-%d %H:%M}: {e}" for e in report.errors]
        self.reflection.observe(report.created, now.date())
        self.guides.observe(report.created, now.date())
        self.run.skipped += [s for s in report.skipped if s not in self.run.skipped]

    # -- the people ----------------------------------------------------------------------------------

    def _file(self, key: str) -> Any:
        found = self.gateway.find(key)
        return None if found is None or found.trashed else found

    def _act(self, what: str, fn: Any, *args: Any) -> None:
        try:
            fn(*args)
            self.run.people_actions[what] += 1
        except Exception as exc:  # noqa: BLE001 - a person's failed action is reported, the demo goes on
            self.run.errors.append(f"{what}: {type(exc).__name__}: {exc}")

    def after_meeting(self, meeting: Any) -> None:
        """Right after a meeting: the note taker records action items; members give feedback."""
        from ilt_bot.jobs.feedback import STYLES, feedback_key

        school = self.config.school.id
        agenda_key = f"{school}/agenda/{meeting.date.isoformat()}"
        if agenda_key not in self.fresh:
            return
        agenda = self._file(agenda_key)
        note_taker = _email(self.config, meeting.roles.get("note_taker") or self.config.members[0].id)
        if agenda is not None:
            tables = self.gateway.read_doc_tables(agenda.id)
            carried = next((t for t in tables if t.header[:1] == ["Ref"]), None)
            for row in (carried.rows[1:] if carried else []):
                if row and row[0] and said.rng("close", meeting.date, row[0]).random() < 0.6:
                    self._act("carried item marked done", self.people.set_cell, agenda.id, note_taker, "Ref",
                              row[0], 5, "Done")
            for n, what in enumerate(said.action_items(meeting.date)):
                owner = self.config.members[(meeting.index + n) % len(self.config.members)]
                due = meeting.date + timedelta(days=7 + 7 * n)
                status = "Done" if n == 2 else ""
                self._act("action item typed", self.people.add_table_row, agenda.id, note_taker, "What",
                          [what, owner.name, f"{due:%b} {due.day}", status])
            self.answer_deltas(meeting, tables, agenda.id)
            if meeting.index % 3 == 1:
                item = said.suggested_item(meeting.date, meeting.index)
                self._act("item suggested in the agenda", self.people.add_table_row, agenda.id, note_taker,
                          "Suggested item", [item[0], item[1], self.config.member(meeting.roles.get(
                              "facilitator", self.config.members[0].id)).name])
        form = self._file(feedback_key(self.config, meeting.date))
        if form is None:
            return
        uri = self.gateway.form_responder_uri(form.id)
        titles = {ref: f"{label}:" for ref, label, _ in STYLES[self.config.feedback.style]}
        focus = meeting.focus
        for n, member in enumerate(self.config.members):
            if said.rng("responds", meeting.date, member.id).random() >= 0.8:
                continue  # most members answer
            answers = said.feedback_answers(self.config.feedback.style, meeting.date, n,
                                            focus.focus_area if focus else "", focus.strand if focus else "")
            self._act("feedback answered", self.people.answer_form, uri, member.email,
                      {titles[ref]: text for ref, text in answers.items()})

    def answer_deltas(self, meeting: Any, tables: Any, doc_id: str) -> None:
        """The facilitator fills the "We will" table: a change with its owner and date, "No change,
        because…", or nothing (that delta comes back in the next agenda)."""
        facilitator_id = meeting.roles.get("facilitator") or self.config.members[0].id
        facilitator = _email(self.config, facilitator_id)
        heard = next((t for t in tables if t.header[:1] == ["We heard"]), None)
        for row in (heard.rows[1:] if heard else []):
            ref = row[-1] if row else ""
            answer = said.delta_answer(meeting.date, ref) if ref else ""
            if not answer:
                continue
            due = meeting.date + timedelta(days=14)
            owner = "" if answer == said.NO_CHANGE else self.config.member(facilitator_id).name
            by_ref = partial(self.people.set_cell, match_column=len(row) - 1)
            for column, text in ((3, f"{due:%b} {due.day}" if owner else ""), (2, owner), (1, answer)):
                if text:
                    self._act("delta answered" if column == 1 else "delta owner and date typed", by_ref,
                              doc_id, facilitator, "We heard", ref, column, text)

    def teachers_answer(self) -> None:
        """Teachers answer the thinking-map Forms sent to their team (the day after they arrive)."""
        questions = [str(q) for q in self.config.thinking_map.questions]
        pending, self.thinking_maps = self.thinking_maps, []
        for key in pending:
            _, _, team_id, cycle = key.split("/")
            form = self._file(key)
            if form is None:
                continue
            uri = self.gateway.form_responder_uri(form.id)
            for teacher in self.config.team(team_id).teachers:
                answers = said.teacher_answers(questions, team_id, cycle, teacher.email)
                if answers:
                    self._act("thinking map answered", self.people.answer_form, uri, teacher.email, answers)

    def submit_items(self, day: date) -> None:
        """Members submit agenda items with the intake Form (before the next agenda is built)."""
        from ilt_bot.jobs.intake import intake_key, intake_spec

        upcoming = self.year.next_meeting(day + timedelta(days=1))
        if upcoming is None or f"{self.config.school.id}/agenda/{upcoming.date.isoformat()}" in self.fresh:
            return
        if not self.fresh:
            return  # a replay: people already acted on this database
        form = self._file(intake_key(self.config))
        if form is None:
            return
        titles = {q.ref: q.title for q in intake_spec(self.config).questions}
        uri = None
        for member in self.config.members:
            item = said.intake_item(day, member.id)
            if item is None:
                continue
            uri = uri or self.gateway.form_responder_uri(form.id)
            title, why, minutes = item
            self._act("agenda item submitted", self.people.answer_form, uri, member.email,
                      {titles["title"]: title, titles["why"]: why, titles["time"]: minutes,
                       titles["submitter"]: member.name})

    def type_goals(self, day: date) -> None:
        """On a checkpoint day the principal types the checkpoint into the Goals tab (``ilt_bot.demo.goals``)."""
        from ilt_bot.demo.goals import checkpoint_on, type_checkpoint
        from ilt_bot.jobs.tracker import tracker_key

        found = checkpoint_on(self.year, day)
        tracker = self._file(tracker_key(self.config)) if found is not None and self.fresh else None
        if found is None or tracker is None:
            return
        label, share = found
        typist = next((m for m in self.config.members if m.role == "principal"), self.config.members[0])
        self.set_clock(self.year.at(day, time(7, 30)))
        self._act("goal checkpoint typed", type_checkpoint, self.people, tracker.id, str(typist.email), label, share)

    # -- the semester --------------------------------------------------------------------------------

    def play(self, progress: Any = None, until: date | None = None) -> None:
        """Every school day of the year (up to ``until``): a morning tick, people, an after-school tick."""
        last = self.config.year.end
        first = self.config.year.start
        start = min(first, min((m.date for m in self.year.meetings()), default=first))
        days = _school_days(self.year, start - timedelta(days=7), min(last, until or last))
        task = progress.add_task("school year", total=len(days)) if progress is not None else None
        for day in days:
            self.tick(self.year.at(day, MORNING))
            self.type_goals(day)
            self.reflection.on_day(day)
            self.guides.on_day(day)
            if self.thinking_maps:
                self.set_clock(self.year.at(day, time(15, 30)))
                self.teachers_answer()
            meeting = self.year.meeting_on(day)
            if meeting is not None:
                self.set_clock(meeting.end + timedelta(minutes=5))
                self.after_meeting(meeting)
                if self.cancel_in_calendar and meeting == self.cancel_in_calendar[0]:
                    from ilt_bot.demo.calendar import cancel

                    self._act("meeting cancelled in Calendar", cancel, self.config, self.people,
                              self.cancel_in_calendar[1])
            elif day.weekday() in (3, 4) and day >= start:
                self.set_clock(self.year.at(day, time(12, 0)))
                self.submit_items(day)
            self.tick(self.year.at(day, AFTER_SCHOOL))
            if progress is not None:
                progress.update(task, advance=1, description=f"school year {day:%b %d}")
        self.run.people_actions.update(self.reflection.actions)
        self.run.errors += self.reflection.errors
        self.run.people_actions.update(self.guides.actions)
        self.run.errors += self.guides.errors

    def write_docs(self) -> int:
        """Every Google Doc the bot can see, exported as HTML into ``out_dir`` (links to Google files
        pointed at the sandbox), and ``index.html``: the year at a glance (:mod:`ilt_bot.demo.index`)."""
        from ilt_bot.demo.index import YearIndex, files_seen, role_people
        from ilt_bot.sandbox.pages import local_links

        self.out_dir.mkdir(parents=True, exist_ok=True)
        files = self.gateway.drive.list_files(f"mimeType = '{DOC_MIME}' and trashed = false",
                                              what="Listing the Docs to write out",
                                              fields="id,name")
        written: dict[str, str] = {}
        for item in sorted(files, key=lambda f: f.get("name", "")):
            name = re.sub(r"[^A-Za-z0-9._-]+", "-", item.get("name") or item["id"]).strip("-") or item["id"]
            path = self.out_dir / f"{name}.html"
            path.write_text(local_links(self.gateway.export_html(item["id"]), self.base_url), encoding="utf-8")
            written[item["id"]] = path.name
        seen = files_seen(self.people, [email for _, email in role_people(self.config)])
        page = YearIndex(self.config, self.gateway, self.base_url, written).page(seen)
        (self.out_dir / "index.html").write_text(page, encoding="utf-8")
        return len(written)


def run_demo(
    config_path: str | Path,
    out_dir: str | Path,
    sandbox_url: str | None = None,
    serve: bool = False,
    json_output: bool = False,
    *,
    until: date | None = None,
    port: int | None = None,
    tick_every: float = 0,
    stop: Any = None,
) -> dict[str, Any]:
    """Play the school year; returns counts per artifact kind (what ``--json`` prints).

    ``{"created": {kind: n}, "existing": n, "synced_responses": n, "people": {action: n}, "ticks": n,
    "docs_written": n, "out_dir": str, "sandbox_url": str, "seconds": s, "errors": [...], "skipped": [...]}``

    On the embedded sandbox the demo's sandbox listens on a stable port (:mod:`ilt_bot.demo.serve`);
    with ``serve`` it stays up afterwards (until Ctrl-C, or ``stop`` is set), ticking every
    ``tick_every`` seconds at the sandbox's clock.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ilt_bot.config import load_config
    from ilt_bot.demo import serve as serving

    console = Console(stderr=True)
    config = load_config(config_path)
    started = clock.monotonic()
    server = None
    if not sandbox_url and config.workspace.backend == "sandbox":
        server = serving.start_demo_sandbox(config, port)
        sandbox_url = server.url
    try:
        gateway = _connect(config, sandbox_url)
        base_url = sandbox_url or gateway.base_url
        if base_url is None:
            gateway.close()
            raise UserError("the demo runs on a sandbox: set workspace.backend = \"sandbox\" or pass --sandbox-url")
        from ilt_bot.demo.calendar import meeting_to_cancel, turn_on

        try:
            demo = Demo(turn_on(config, gateway, People(base_url)), gateway, base_url, Path(out_dir))
            if not config.calendar.enabled:  # the demo's own ILT calendar: the principal cancels one meeting
                demo.cancel_in_calendar = meeting_to_cancel(demo.year)
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=console, transient=json_output) as progress:
                demo.play(progress, until=until)
            written = demo.write_docs()
            result = _result(demo, written, Path(out_dir), base_url, started)
            if not json_output:
                _print_summary(console, result)
            if serve:
                _announce(console, config, base_url, Path(out_dir), tick_every, json_output)
                result["served_ticks"] = serving.serve(demo, tick_every, stop, announce=console.print)
            return result
        finally:
            gateway.close()
    finally:
        if server is not None:
            server.stop()
            server.store.close()


def _connect(config: Config, sandbox_url: str | None) -> Gateway:
    """A gateway on ``sandbox_url`` (else the config's backend), without client-side quota pacing."""
    import os

    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.ratelimit import RateLimiter

    previous = os.environ.get("ILT_BOT_SANDBOX_URL")
    if sandbox_url:
        os.environ["ILT_BOT_SANDBOX_URL"] = sandbox_url
    try:
        # Simulated weeks pass in seconds: the client-side quota pacing (per real minute) is off.
        return connect(config, limiter=RateLimiter(enabled=False))
    finally:
        if sandbox_url:
            if previous is None:
                os.environ.pop("ILT_BOT_SANDBOX_URL", None)
            else:
                os.environ["ILT_BOT_SANDBOX_URL"] = previous


def _result(demo: Demo, written: int, out_dir: Path, base_url: str, started: float) -> dict[str, Any]:
    run = demo.run
    return {
        "created": dict(sorted(run.created.items())),
        "existing": run.existing,
        "synced_responses": run.synced_responses,
        "people": dict(sorted(run.people_actions.items())),
        "ticks": run.ticks,
        "docs_written": written,
        "out_dir": str(out_dir.resolve()),
        "sandbox_url": base_url,
        "seconds": round(clock.monotonic() - started, 1),
        "errors": run.errors,
        "skipped": run.skipped,
    }


def _announce(console: Any, config: Config, base_url: str, out_dir: Path, tick_every: float, json_output: bool) -> None:
    first = config.members[0].email
    console.print(f"sandbox Workspace at [bold]{base_url}[/] with the demo's clock; the year at a glance: "
                  f"{(out_dir / 'index.html').resolve()}; sign in: {base_url}/_sandbox/login?email={first}"
                  + (f"; a tick every {tick_every:g} s syncs what you answer" if tick_every > 0 else
                     "; add --tick-every 30 to sync what you answer") + "; Ctrl-C stops it", soft_wrap=True)
    if not json_output:  # with --json the URL is in the result (stdout keeps one JSON object)
        print(base_url, flush=True)


def _print_summary(console: Any, result: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title="ILT Bot demo: the school year")
    table.add_column("artifact kind")
    table.add_column("created", justify="right")
    for kind, count in result["created"].items():
        table.add_row(kind, str(count))
    table.add_section()
    table.add_row("responses copied to the tracker", str(result["synced_responses"]))
    for action, count in result["people"].items():
        table.add_row(f"people: {action}", str(count))
    table.add_row("ticks", str(result["ticks"]))
    table.add_row("Docs written", f"{result['docs_written']} in {result['out_dir']}")
    console.print(table)
    if result["skipped"]:
        console.print(f"[yellow]skipped[/]: {len(result['skipped'])} (e.g. {result['skipped'][0]})")
    if result["errors"]:
        console.print(f"[red]errors[/]: {len(result['errors'])} (first: {result['errors'][0]})")
    console.print(f"done in {result['seconds']} s")
