"""``ilt-bot demo``: a school's whole year played on the sandbox, in accelerated time.

The bot ticks twice each school day (early morning and after school) exactly as in production
(:func:`~ilt_bot.jobs.tick.run_tick` through the real gateway). Between ticks, simulated ILT members act
through the surfaces people use: they answer each meeting's feedback Form on its responder page (signed
in at ``/_sandbox/login``), submit agenda items with the intake Form, and the meeting's note taker types
action items into the agenda Doc and marks carried items Done with the Docs API, as their editor would.

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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ilt_bot.calendar import SchoolYear
from ilt_bot.config import Config, is_school_weekday
from ilt_bot.demo import people as said
from ilt_bot.demo.people import People

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
        self.tricky_sent = False
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
                if row and row[0] and said.closes(meeting.date, row[0]):
                    self._act("carried item marked done", self.people.set_cell, agenda.id, note_taker, "Ref",
                              row[0], 5, "Done")
            for n, what in enumerate(said.action_items(meeting.date)):
                owner = self.config.members[(meeting.index + n) % len(self.config.members)]
                due = meeting.date + timedelta(days=7 + 7 * n)
                status = "Done" if n == 2 else ""
                self._act("action item typed", self.people.add_table_row, agenda.id, note_taker, "What",
                          [what, owner.name, f"{due:%b} {due.day}", status])
            if meeting.index % 3 == 1:
                item = said.ITEMS[meeting.index % len(said.ITEMS)]
                self._act("item suggested in the agenda", self.people.add_table_row, agenda.id, note_taker,
                          "Suggested item", [item[0], item[1], self.config.member(meeting.roles.get(
                              "facilitator", self.config.members[0].id)).name])
        form = self._file(feedback_key(self.config, meeting.date))
        if form is None:
            return
        uri = self.gateway.form_responder_uri(form.id)
        titles = {ref: f"{label}:" for ref, label, _ in STYLES[self.config.feedback.style]}
        for member in self.config.members:
            if not said.responds(meeting.date, member.id):
                continue
            tricky = not self.tricky_sent
            answers = said.feedback_answers(self.config.feedback.style, meeting.date, member.id, tricky=tricky)
            self.tricky_sent = True
            self._act("feedback answered", self.people.answer_form, uri, member.email,
                      {titles[ref]: text for ref, text in answers.items()})

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
            self.reflection.on_day(day)
            self.guides.on_day(day)
            if self.thinking_maps:
                self.set_clock(self.year.at(day, time(15, 30)))
                self.teachers_answer()
            meeting = self.year.meeting_on(day)
            if meeting is not None:
                self.set_clock(meeting.end + timedelta(minutes=5))
                self.after_meeting(meeting)
            elif day.weekday() in (3, 4) and day >= start:
                self.set_clock(self.year.at(day, time(12, 0)))
                self.submit_items(day)
            self.tick(self.year.at(day, AFTER_SCHOOL))
            if progress is not None:
                progress.update(task, advance=1, description=f"school year {day:%b %d}")
        self.set_clock(None)
        self.run.people_actions.update(self.reflection.actions)
        self.run.errors += self.reflection.errors
        self.run.people_actions.update(self.guides.actions)
        self.run.errors += self.guides.errors

    def write_docs(self) -> int:
        """Every Google Doc the bot can see, exported as HTML into ``out_dir`` (plus an index)."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        files = self.gateway.drive.list_files(f"mimeType = '{DOC_MIME}' and trashed = false",
                                              what="Listing the Docs to write out",
                                              fields="id,name")
        entries = []
        for item in sorted(files, key=lambda f: f.get("name", "")):
            name = re.sub(r"[^A-Za-z0-9._-]+", "-", item.get("name") or item["id"]).strip("-") or item["id"]
            path = self.out_dir / f"{name}.html"
            path.write_text(self.gateway.export_html(item["id"]), encoding="utf-8")
            entries.append((item.get("name") or name, path.name))
        index = "".join(f'<li><a href="{file}">{_escape(title)}</a></li>' for title, file in entries)
        (self.out_dir / "index.html").write_text(
            f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>ILT Bot demo</title></head><body>"
            f"<h1>{_escape(self.config.school.name)}: {_escape(self.config.year.label)}</h1>"
            f"<ul>{index}</ul></body></html>",
            encoding="utf-8")
        return len(entries)


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def run_demo(
    config_path: str | Path,
    out_dir: str | Path,
    sandbox_url: str | None = None,
    serve: bool = False,
    json_output: bool = False,
    *,
    until: date | None = None,
) -> dict[str, Any]:
    """Play the school year; returns counts per artifact kind (what ``--json`` prints).

    ``{"created": {kind: n}, "existing": n, "synced_responses": n, "people": {action: n}, "ticks": n,
    "docs_written": n, "out_dir": str, "sandbox_url": str, "seconds": s, "errors": [...], "skipped": [...]}``
    """
    import os

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ilt_bot.config import load_config
    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.ratelimit import RateLimiter

    console = Console(stderr=True)
    config = load_config(config_path)
    started = clock.monotonic()
    previous = os.environ.get("ILT_BOT_SANDBOX_URL")
    if sandbox_url:
        os.environ["ILT_BOT_SANDBOX_URL"] = sandbox_url
    try:
        # Simulated weeks pass in seconds: the client-side quota pacing (per real minute) is off.
        gateway = connect(config, limiter=RateLimiter(enabled=False))
    finally:
        if sandbox_url:
            if previous is None:
                os.environ.pop("ILT_BOT_SANDBOX_URL", None)
            else:
                os.environ["ILT_BOT_SANDBOX_URL"] = previous
    base_url = sandbox_url or gateway.base_url
    if base_url is None:
        gateway.close()
        raise RuntimeError("the demo runs on a sandbox: set workspace.backend = \"sandbox\" or pass --sandbox-url")
    demo = Demo(config, gateway, base_url, Path(out_dir))
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=json_output) as progress:
            demo.play(progress, until=until)
        written = demo.write_docs()
        run = demo.run
        result = {
            "created": dict(sorted(run.created.items())),
            "existing": run.existing,
            "synced_responses": run.synced_responses,
            "people": dict(sorted(run.people_actions.items())),
            "ticks": run.ticks,
            "docs_written": written,
            "out_dir": str(Path(out_dir).resolve()),
            "sandbox_url": base_url,
            "seconds": round(clock.monotonic() - started, 1),
            "errors": run.errors,
            "skipped": run.skipped,
        }
        if not json_output:
            _print_summary(console, result)
        if serve:
            console.print(f"sandbox Workspace at [bold]{base_url}[/] (sign in: {base_url}/_sandbox/login?email="
                          f"{config.members[0].email}); Ctrl-C stops it")
            if not json_output:  # with --json the URL is in the result (stdout keeps one JSON object)
                print(base_url, flush=True)
            try:
                while True:
                    clock.sleep(3600)
            except KeyboardInterrupt:
                pass
        return result
    finally:
        gateway.close()


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
