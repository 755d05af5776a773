"""The fault soak: the demo school played on a faulty sandbox, then an independent audit.

The bot ticks twice each school day through the real gateway (exactly as ``ilt-bot demo``) while the
sandbox injects the configured faults (429, 500, 503, dropped connections, commit-then-fail) and
latency. The simulated people see faults too and act as a person would: a Docs edit that errs is
looked for in the Doc and typed again only if it is not there; a Form submission whose page errs is
sent again (so a submission that did land is then in the Forms store twice, as with Google). After the
simulated days, the bot keeps ticking (faults still on) until one pass is clean, then
:func:`tests.reliability.audit.audit` recounts everything.

With ``crashes``, that many ticks run as a separate process (``python -m tests.reliability.soak
tick ...``) that is SIGKILLed after a seeded random delay, then rerun.

Long form (prints the figures as JSON)::

    python -m tests.reliability.soak --faults 0.2 --seed 7 --days 80 --crashes 20
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ilt_bot.demo.people import People

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CONFIG = ROOT / "config.example.toml"
SMALL_CONFIG = ROOT / "tests" / "jobs" / "school.toml"


def fast_policy() -> Any:
    """The gateway's retry policy with the waits shrunk (simulated weeks pass in seconds)."""
    from ilt_bot.workspace.retry import RetryPolicy

    return RetryPolicy(base=0.005, cap=0.05, jitter=0.005)


# --- people who meet faults ----------------------------------------------------------------------


class PersonFailed(RuntimeError):
    """What a person sees when a page does not answer."""


@dataclass
class Submission:
    """A Form submission a person believes went through."""

    page: str
    email: str
    answers: tuple[str, ...]


class PatientPeople(People):
    """People who retry as a person does.

    - A Docs edit that errs: they reload the Doc; if their text is there they stop, else they type it
      again (up to ``patience`` times).
    - A Form submission: the browser may fail (seeded, at ``fault_rate``) before the answer reaches the
      server (nothing stored) or after (stored, but the person sees an error): they submit again.
      ``believed`` lists the submissions they saw succeed; ``resent_after_commit`` counts the stored
      submissions they did not see succeed (each one is a second copy in the Forms store).
    """

    def __init__(self, base_url: str, fault_rate: float = 0.0, seed: int = 0, patience: int = 12) -> None:
        super().__init__(base_url)
        self.fault_rate = fault_rate
        self.random = random.Random(seed)  # reproducible simulation
        self.patience = patience
        self.believed: list[Submission] = []
        self.resent_after_commit = 0
        self.browser_faults = 0
        self.edit_retries = 0

    # -- forms --

    def answer_form(self, responder_uri: str, email: str, answers: dict[str, str]) -> None:
        for _attempt in range(self.patience):
            fault = self.random.random() < self.fault_rate
            if fault and self.random.random() < 0.5:
                self.browser_faults += 1  # the page did not load: nothing sent, try again
                continue
            super().answer_form(responder_uri, email, answers)
            if fault:
                self.browser_faults += 1
                self.resent_after_commit += 1  # sent, but the person saw an error page: sends again
                continue
            self.believed.append(Submission(self._page_url(responder_uri), email, tuple(sorted(answers.values()))))
            return
        raise PersonFailed(f"{email} gave up on the form after {self.patience} tries")

    # -- docs --

    def _patient(self, edit: Any, done: Any) -> None:
        for attempt in range(self.patience):
            try:
                edit()
                return
            except Exception:  # noqa: BLE001 - the person sees an error and looks at the Doc
                self.edit_retries += 1
                time.sleep(0.005 * attempt)
                if self._reading(done):
                    return
        raise PersonFailed(f"an edit failed {self.patience} times")

    def _reading(self, check: Any) -> bool:
        for attempt in range(self.patience):
            try:
                return bool(check())
            except Exception:  # noqa: BLE001 - reloading the page again
                time.sleep(0.005 * attempt)
        raise PersonFailed("the Doc does not load")

    def _rows(self, doc_id: str, email: str, first_header: str) -> list[list[str]]:
        from ilt_bot.demo.people import cell_text

        element = self._table(doc_id, email, first_header)
        return [[cell_text(c) for c in row["tableCells"]] for row in element["table"]["tableRows"]]

    def add_table_row(self, doc_id: str, email: str, first_header: str, cells: list[str]) -> None:
        def done() -> bool:
            want = [c.strip() for c in cells]
            return any(row[: len(want)] == want for row in self._rows(doc_id, email, first_header))

        if self._reading(done):
            return
        self._patient(lambda: People.add_table_row(self, doc_id, email, first_header, cells), done)

    def set_cell(self, doc_id: str, email: str, first_header: str, row_first_cell: str, column: int,
                 text: str) -> None:
        def done() -> bool:
            rows = self._rows(doc_id, email, first_header)
            return any(r[0] == row_first_cell and len(r) > column and r[column] == text for r in rows)

        self._patient(lambda: People.set_cell(self, doc_id, email, first_header, row_first_cell, column, text),
                      done)


# --- the soak ------------------------------------------------------------------------------------


@dataclass
class SoakResult:
    """What a soak run did and what the audit found."""

    days: int = 0
    ticks: int = 0
    settle_ticks: int = 0
    crashes: int = 0
    requests: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    tick_errors: int = 0
    people: Counter[str] = field(default_factory=Counter)
    people_errors: list[str] = field(default_factory=list)
    believed_submissions: int = 0
    resubmitted_after_commit: int = 0
    browser_faults: int = 0
    edit_retries: int = 0
    submissions_missing: list[str] = field(default_factory=list)
    """Submissions a person saw succeed that the Forms store does not have."""
    submissions_unexplained: int = 0
    """Stored responses beyond what people believe they sent plus their known re-sends."""
    audit: Any = None
    seconds: float = 0.0

    @property
    def problems(self) -> list[str]:
        out = list(self.audit.problems) if self.audit is not None else ["not audited"]
        out += [f"submission lost: {s}" for s in self.submissions_missing]
        if self.submissions_unexplained:
            out.append(f"{self.submissions_unexplained} stored responses no person sent")
        return out

    def figures(self) -> dict[str, Any]:
        return {
            "days": self.days, "ticks": self.ticks, "settle_ticks": self.settle_ticks, "crashes": self.crashes,
            "requests": self.requests, "faults_injected": sum(self.faults.values()),
            "faults_by_kind": dict(sorted(self.faults.items())), "tick_errors_retried_later": self.tick_errors,
            "people_actions": sum(self.people.values()), "people_errors": len(self.people_errors),
            "submissions_believed": self.believed_submissions,
            "resubmitted_after_commit": self.resubmitted_after_commit, "browser_faults": self.browser_faults,
            "doc_edit_retries": self.edit_retries,
            **(self.audit.figures() if self.audit is not None else {}),
            "submissions_lost": len(self.submissions_missing),
            "submissions_unexplained": self.submissions_unexplained,
            "seconds": round(self.seconds, 1),
        }


def tick_in_child(config_path: Path, url: str, now: datetime, timeout: float = 300) -> subprocess.Popen[bytes]:
    """Start one tick as a separate process (the CLI's path: load config, connect, run_tick)."""
    env = {**os.environ, "ILT_BOT_SANDBOX_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(  # our own interpreter and module
        [sys.executable, "-m", "tests.reliability.soak", "tick", str(config_path), now.isoformat()],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def kill_during(proc: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL ``proc`` after ``delay`` seconds; False if it had already finished."""
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


class Soak:
    """One soak: a sandbox with faults, the bot, the patient people, the audit."""

    def __init__(self, config_path: Path = EXAMPLE_CONFIG, *, fault_rate: float = 0.2,
                 kinds: tuple[str, ...] | None = None, seed: int = 7, latency_ms: float = 0,
                 db: str = ":memory:", crashes: int = 0, people_faults: bool = True) -> None:
        from ilt_bot.config import load_config
        from ilt_bot.sandbox.server import SandboxServer

        self.config_path = Path(config_path)
        self.config = load_config(self.config_path)
        self.fault_rate = fault_rate
        self.kinds = kinds
        self.seed = seed
        self.random = random.Random(seed)  # reproducible simulation
        self.crashes_wanted = crashes
        if crashes and db == ":memory:":
            self._tmp = tempfile.TemporaryDirectory(prefix="ilt-soak-")
            db = str(Path(self._tmp.name) / "workspace.db")
        self.server = SandboxServer(db=db, latency_ms=latency_ms).start()
        self.result = SoakResult()
        self.people_faults = people_faults

    def close(self) -> None:
        self.server.stop()
        if getattr(self, "_tmp", None) is not None:
            self._tmp.cleanup()

    def __enter__(self) -> Soak:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def faults_on(self) -> None:
        self.server.set_faults(self.fault_rate, self.kinds, self.random.randrange(1 << 30))

    def faults_off(self) -> None:
        self.server.set_faults(0.0)

    def run(self, days: int | None = None, *, whole_year: bool = False) -> SoakResult:
        """Play ``days`` school days (None: the fall semester, or the whole year), settle, audit.

        Each day as :meth:`ilt_bot.demo.Demo.play` does: a morning tick, teachers answer new thinking
        maps, members act after a meeting or submit items, an after-school tick.
        """
        from datetime import time as clock_time

        from ilt_bot.demo import AFTER_SCHOOL, MORNING, Demo, _school_days
        from ilt_bot.workspace.gateway import connect
        from ilt_bot.workspace.ratelimit import RateLimiter

        started = time.monotonic()
        previous_url = os.environ.get("ILT_BOT_SANDBOX_URL")
        os.environ["ILT_BOT_SANDBOX_URL"] = self.server.url
        gateway = connect(self.config, limiter=RateLimiter(enabled=False), policy=fast_policy())
        demo = Demo(self.config, gateway, self.server.url, Path(tempfile.gettempdir()) / "ilt-soak-docs")
        people = PatientPeople(self.server.url, self.fault_rate if self.people_faults else 0.0, self.seed)
        demo.people = people
        fall = self.config.year.semesters[0]
        begin = min(self.config.year.start, min((m.date for m in demo.year.meetings()), default=fall.start))
        all_days = _school_days(demo.year, begin - timedelta(days=7), self.config.year.end if whole_year
                                else fall.end)
        chosen = all_days[:days] if days else all_days
        slots = [(day, moment) for day in chosen for moment in (MORNING, AFTER_SCHOOL)]
        crash_slots = set(self.random.sample(range(len(slots)), min(self.crashes_wanted, len(slots))))
        first_tick = demo.year.at(chosen[0], MORNING)
        self.faults_on()
        try:
            for n, (day, moment) in enumerate(slots):
                now = demo.year.at(day, moment)
                if n in crash_slots:
                    self._crash_tick(now)
                self._tick(demo, now)
                if moment == MORNING:
                    if getattr(demo, "thinking_maps", None):
                        self._clock(demo, demo.year.at(day, clock_time(15, 30)))
                        demo.teachers_answer()
                    meeting = demo.year.meeting_on(day)
                    if meeting is not None:
                        self._clock(demo, meeting.end + timedelta(minutes=5))
                        demo.after_meeting(meeting)
                    elif day.weekday() in (3, 4) and day >= begin:
                        self._clock(demo, demo.year.at(day, clock_time(12, 0)))
                        demo.submit_items(day)
            last = chosen[-1]
            self._settle(demo, last)
        finally:
            self.faults_off()
            self._clock(demo, None)
            self._count(demo, people)
            gateway.close()
            if previous_url is None:
                os.environ.pop("ILT_BOT_SANDBOX_URL", None)
            else:
                os.environ["ILT_BOT_SANDBOX_URL"] = previous_url
        from tests.reliability.audit import audit, expected_keys

        self.result.days = len(chosen)
        self.result.audit = audit(self.server, self.config,
                                  expected_keys(self.config, first_tick, demo.year.at(last, AFTER_SCHOOL)))
        self._check_submissions(people)
        self.result.seconds = time.monotonic() - started
        return self.result

    @staticmethod
    def _clock(demo: Any, now: datetime | None) -> None:
        if hasattr(demo, "set_clock"):
            demo.set_clock(now)

    def _tick(self, demo: Any, now: datetime) -> None:
        errors = len(demo.run.errors)
        demo.tick(now)
        self.result.ticks += 1
        self.result.tick_errors += len(demo.run.errors) - errors

    def _settle(self, demo: Any, last: date) -> None:
        """Keep ticking (faults on) until a pass has no error: what cron does the next half hour."""
        from ilt_bot.demo import AFTER_SCHOOL

        moment = demo.year.at(last, AFTER_SCHOOL)
        for n in range(1, 8):
            errors = len(demo.run.errors)
            demo.tick(moment + timedelta(minutes=30 * n))
            self.result.settle_ticks += 1
            if len(demo.run.errors) == errors:
                return
            self.result.tick_errors += len(demo.run.errors) - errors

    def _crash_tick(self, now: datetime) -> None:
        """Run the tick at ``now`` in a child process and SIGKILL it midway (the in-process tick then reruns)."""
        proc = tick_in_child(self.config_path, self.server.url, now)
        if kill_during(proc, self.random.uniform(0.5, 4.0)):
            self.result.crashes += 1

    def _count(self, demo: Any, people: PatientPeople) -> None:
        r = self.result
        r.requests = len(self.server.requests)
        r.faults = Counter(e["fault"] for e in self.server.requests if e.get("fault"))
        r.people = Counter(demo.run.people_actions)
        r.people_errors = [e for e in map(str, demo.run.errors) if ":" in e and not e[:4].isdigit()]
        r.believed_submissions = len(people.believed)
        r.resubmitted_after_commit = people.resent_after_commit
        r.browser_faults = people.browser_faults
        r.edit_retries = people.edit_retries

    def _check_submissions(self, people: PatientPeople) -> None:
        """Each submission a person saw succeed is in the Forms store; nothing else is, but known re-sends."""
        stored: Counter[tuple[str, ...]] = Counter()
        total = 0
        for responses in self.result.audit.responses_by_form.values():
            for r in responses:
                texts = tuple(sorted(v["value"] for a in r.get("answers", {}).values()
                                     for v in a.get("textAnswers", {}).get("answers", [])))
                stored[texts] += 1
                total += 1
        believed = Counter(s.answers for s in people.believed)
        for answers, count in believed.items():
            if stored[answers] < count:
                self.result.submissions_missing.append(f"{answers[:2]}... ({count} sent, {stored[answers]} stored)")
        self.result.submissions_unexplained = max(0, total - len(people.believed) - people.resent_after_commit)


# --- command line ----------------------------------------------------------------------------------


def _child_tick(config_path: str, now_text: str) -> int:
    """``python -m tests.reliability.soak tick CONFIG NOW``: one tick, as ``ilt-bot tick --now`` does."""
    from ilt_bot.config import load_config
    from ilt_bot.jobs.tick import run_tick
    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.ratelimit import RateLimiter

    config = load_config(config_path)
    with connect(config, limiter=RateLimiter(enabled=False), policy=fast_policy()) as gateway:
        report = run_tick(config, gateway, datetime.fromisoformat(now_text))
    print(json.dumps(report.to_dict()))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["tick"]:
        return _child_tick(argv[1], argv[2])
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.soak", description=__doc__.split("\n")[0])
    parser.add_argument("--config", default=str(EXAMPLE_CONFIG))
    parser.add_argument("--faults", type=float, default=0.2, help="fault rate per API request (0..1)")
    parser.add_argument("--kinds", default=None, help="comma-separated fault kinds (default: all)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=0, help="school days to play (0: the fall semester)")
    parser.add_argument("--year", action="store_true", help="play the whole school year (with --days 0)")
    parser.add_argument("--crashes", type=int, default=0, help="ticks SIGKILLed midway in a child process")
    parser.add_argument("--latency-ms", type=float, default=0)
    args = parser.parse_args(argv)
    kinds = tuple(args.kinds.split(",")) if args.kinds else None
    with Soak(Path(args.config), fault_rate=args.faults, kinds=kinds, seed=args.seed, crashes=args.crashes,
              latency_ms=args.latency_ms) as soak:
        result = soak.run(args.days or None, whole_year=args.year)
    print(json.dumps({"figures": result.figures(), "problems": result.problems}, indent=2))
    return 1 if result.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
