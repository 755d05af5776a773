"""API calls the bot makes per meeting cycle, counted from the sandbox's request log, as production runs.

One cycle = every tick (twice a school day) from the morning after a meeting to the evening of the
next meeting: syncing the last meeting's feedback, harvesting its action items, building the next
agenda and feedback Form, closing the old Form. Members answer the Forms and type action items
between ticks (their requests are not the bot's and are not counted). Each tick gets a **new gateway**
(``ilt-bot tick`` is a new process at each scheduled time), so nothing one tick learnt in memory helps
the next: what is counted is what a school pays.

The claims checked: the bot's HTTP requests per cycle do not grow with the number of members or of
responses, a cycle costs at most ``--max-cycle`` requests (100) and a quiet tick (nothing due, nothing
new) at most ``--max-quiet`` (5). Sharing grants one permission per person per file; those go in one
HTTP batch per file and are shown apart ("batched grants").

    python benchmarks/bench_meeting_cycle.py [--json] [--ci] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tomllib
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHOOL = ROOT / "tests" / "jobs" / "school.toml"
MORNING, AFTER_SCHOOL = (6, 30), (17, 30)
MAX_CYCLE, MAX_QUIET = 100, 5
"""The targets: requests per two-week cycle, and per quiet tick."""


def school_config(members: int) -> Any:
    """The test school with ``members`` ILT members (the first four rotate through the roles)."""
    from ilt_bot.config import parse_config

    data = tomllib.loads(SCHOOL.read_text())
    for n in range(len(data["members"]), members):
        data["members"].append({"id": f"member-{n}", "name": f"Member {n}", "email": f"member.{n}@cedar.example.org",
                                "role": "team_lead"})
    return parse_config(data, source=str(SCHOOL))


def one_cycle(members: int, answers_each: int, *, latency_ms: float = 0) -> dict[str, Any]:
    """Play meeting 1 (warm-up), then count the bot's requests over the cycle up to meeting 2.

    Every tick connects a new gateway, as a new ``ilt-bot tick`` process does. ``ticks`` lists each
    counted tick: when, HTTP requests, writes and wall seconds."""
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.demo.people import People
    from ilt_bot.jobs.feedback import feedback_key
    from ilt_bot.jobs.tick import run_tick
    from ilt_bot.sandbox.server import SandboxServer
    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.ratelimit import RateLimiter

    config = school_config(members)
    year = SchoolYear(config)
    first, second = year.meetings()[0], year.meetings()[1]
    bot = config.workspace.bot_user
    per_tick: list[dict[str, Any]] = []
    with SandboxServer(db=":memory:") as server:
        os.environ["ILT_BOT_SANDBOX_URL"] = server.url
        people = People(server.url)

        def gateway() -> Any:
            return connect(config, limiter=RateLimiter(enabled=False))

        def tick(day: date, hm: tuple[int, int], count: bool) -> None:
            mark = len(server.requests)
            started = time.perf_counter()
            with gateway() as fresh:
                report = run_tick(config, fresh, year.at(day, datetime.min.time().replace(hour=hm[0], minute=hm[1])),
                                  year=year)
                http = Counter(fresh.calls)
            seconds = time.perf_counter() - started
            if report.errors:
                raise RuntimeError(report.errors)
            if count:
                entries = [e for e in server.requests[mark:] if e["user"] == bot]
                per_tick.append({"at": f"{day.isoformat()} {hm[0]:02d}:{hm[1]:02d}", "entries": entries,
                                 "http": http, "seconds": seconds})

        def meeting_happens(meeting: Any) -> None:
            with gateway() as people_view:  # the test's own look-ups: not the bot's ticks, not counted
                agenda = people_view.find(f"cedar/agenda/{meeting.date.isoformat()}")
                uri = people_view.form_responder_uri(people_view.find(feedback_key(config, meeting.date)).id)
            for n in range(3):
                people.add_table_row(agenda.id, config.members[2].email, "What",
                                     [f"Action {n} of {meeting.date}", "Chloe", "next week", ""])
            for member in config.members:
                for k in range(answers_each):
                    people.answer_form(uri, member.email, {"Plus:": f"{member.name} plus {k}",
                                                           "Delta:": f"{member.name} delta {k}"})

        day = first.date - timedelta(days=config.lead_times.agenda_days + 1)
        while day <= first.date:
            tick(day, MORNING, False)
            tick(day, AFTER_SCHOOL, False)
            day += timedelta(days=1)
        meeting_happens(first)

        server.latency_ms = latency_ms
        day = first.date + timedelta(days=1)
        while day <= second.date:
            if year.is_school_day(day):
                tick(day, MORNING, True)
                if day == second.date:
                    meeting_happens(second)
                tick(day, AFTER_SCHOOL, True)
            day += timedelta(days=1)
        server.latency_ms = 0
    return summarize(members, members * answers_each, per_tick)


def is_write(entry: dict[str, Any]) -> bool:
    """A request-log entry that changes something (not a get, list or search)."""
    verb = entry["method"].rsplit(".", 1)[-1]
    return not verb.startswith(("get", "list", "search", "export", "batchGet"))


def summarize(members: int, responses: int, per_tick: list[dict[str, Any]]) -> dict[str, Any]:
    """The cycle's totals. **requests** = HTTP requests the gateway sent (an HTTP batch counts once, as
    ``<api>.batch``); **API calls** = request-log entries (each batch part apart, as Google's quotas count);
    **batched grants** = ``permissions.create`` parts (one per person and file, by Google's rules)."""
    ticks = []
    methods: Counter[str] = Counter()
    grants = 0
    for t in per_tick:
        entries = t["entries"]
        grants += sum(1 for e in entries if e.get("batch") and e["method"].startswith("drive.permissions."))
        methods.update(t["http"])
        ticks.append({"at": t["at"], "requests": sum(t["http"].values()), "api_calls": len(entries),
                      "writes": sum(map(is_write, entries)), "seconds": round(t["seconds"], 2),
                      "by_method": dict(t["http"].most_common())})
    quiet = [t["requests"] for t in ticks if t["writes"] == 0]
    return {
        "members": members,
        "responses": responses,
        "ticks": len(ticks),
        "http_requests": sum(t["requests"] for t in ticks),
        "api_calls": sum(t["api_calls"] for t in ticks),
        "batched_grants": grants,
        "quiet_ticks": len(quiet),
        "quiet_max": max(quiet, default=0),
        "heaviest": max(ticks, key=lambda t: t["requests"]) if ticks else None,
        "seconds": round(sum(t["seconds"] for t in ticks), 2),
        "by_method": dict(methods.most_common()),
        "per_tick": ticks,
    }


def verdict(rows: list[dict[str, Any]], max_cycle: int, max_quiet: int) -> list[str]:
    """What fails the targets (empty: all met)."""
    problems = []
    if len({r["http_requests"] for r in rows}) != 1 or len({r["api_calls"] - r["batched_grants"] for r in rows}) != 1:
        problems.append(f"requests per cycle grow with members or responses: {[r['http_requests'] for r in rows]}")
    for r in rows:
        if r["http_requests"] > max_cycle:
            problems.append(f"{r['members']} members: a cycle costs {r['http_requests']} requests (> {max_cycle})")
        if r["quiet_max"] > max_quiet:
            problems.append(f"{r['members']} members: a quiet tick costs {r['quiet_max']} requests (> {max_quiet})")
    return problems


def print_table(rows: list[dict[str, Any]], latency_ms: float) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Bot API calls per meeting cycle, one gateway per tick (latency {latency_ms:g} ms)")
    for column in ("members", "responses", "ticks", "HTTP requests", "API calls", "batched grants",
                   "quiet tick max", "heaviest tick", "seconds"):
        table.add_column(column, justify="right")
    for r in rows:
        heavy = r["heaviest"]
        table.add_row(*(str(r[k]) for k in ("members", "responses", "ticks", "http_requests", "api_calls",
                                             "batched_grants", "quiet_max")),
                      f"{heavy['requests']} ({heavy['at']}, {heavy['seconds']} s)", str(r["seconds"]))
    console = Console()
    console.print(table)
    console.print("by method (last row): " + ", ".join(f"{k} {v}" for k, v in rows[-1]["by_method"].items()))
    console.print("per tick (last row): " + ", ".join(f"{t['at']} {t['requests']}" for t in rows[-1]["per_tick"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--ci", action="store_true", help="one small cycle only (4 members, 1 answer each)")
    parser.add_argument("--latency-ms", type=float, default=0, help="sandbox latency per request during the cycle")
    parser.add_argument("--max-cycle", type=int, default=MAX_CYCLE, help="most requests a cycle may cost")
    parser.add_argument("--max-quiet", type=int, default=MAX_QUIET, help="most requests a quiet tick may cost")
    args = parser.parse_args()
    shapes = ((4, 1),) if args.ci else ((4, 1), (16, 1), (16, 3), (48, 2), (50, 4))
    rows = [one_cycle(m, a, latency_ms=args.latency_ms) for m, a in shapes]
    problems = verdict(rows, args.max_cycle, args.max_quiet)
    if args.json:
        print(json.dumps({"cycles": rows, "problems": problems}, indent=2))
    else:
        print_table(rows, args.latency_ms)
        for problem in problems:
            print(f"FAIL: {problem}")
        if not problems:
            print(f"ok: flat, <= {args.max_cycle} a cycle, <= {args.max_quiet} a quiet tick")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
