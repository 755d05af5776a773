"""API calls the bot makes per meeting cycle, counted from the sandbox's request log.

One cycle = every tick (twice a school day) from the morning after a meeting to the evening of the
next meeting: syncing the last meeting's feedback, harvesting its action items, building the next
agenda and feedback Form, closing the old Form. Members answer the Forms and type action items
between ticks (their requests are not the bot's and are not counted).

The claim checked: the bot's HTTP requests per cycle do not grow with the number of members or of
responses. Sharing grants one permission per person per file; those go in one HTTP batch per file and
are shown apart ("batched grants").

    /work/venv/bin/python benchmarks/bench_meeting_cycle.py [--json]
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


def school_config(members: int) -> Any:
    """The test school with ``members`` ILT members (the first four rotate through the roles)."""
    from ilt_bot.config import parse_config

    data = tomllib.loads(SCHOOL.read_text())
    for n in range(len(data["members"]), members):
        data["members"].append({"id": f"member-{n}", "name": f"Member {n}", "email": f"member.{n}@cedar.example.org",
                                "role": "team_lead"})
    return parse_config(data, source=str(SCHOOL))


def one_cycle(members: int, answers_each: int) -> dict[str, Any]:
    """Play meeting 1 (warm-up), then count the bot's requests over the cycle up to meeting 2."""
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
    with SandboxServer(db=":memory:") as server:
        os.environ["ILT_BOT_SANDBOX_URL"] = server.url
        gateway = connect(config, limiter=RateLimiter(enabled=False))
        people = People(server.url)

        def tick(day: date, hm: tuple[int, int]) -> None:
            report = run_tick(config, gateway, year.at(day, datetime.min.time().replace(hour=hm[0], minute=hm[1])),
                              year=year)
            if report.errors:
                raise RuntimeError(report.errors)

        def meeting_happens(meeting: Any) -> None:
            agenda = gateway.find(f"cedar/agenda/{meeting.date.isoformat()}")
            for n in range(3):
                people.add_table_row(agenda.id, config.members[2].email, "What",
                                     [f"Action {n} of {meeting.date}", "Chloe", "next week", ""])
            uri = gateway.form_responder_uri(gateway.find(feedback_key(config, meeting.date)).id)
            for member in config.members:
                for k in range(answers_each):
                    people.answer_form(uri, member.email, {"Plus:": f"{member.name} plus {k}",
                                                           "Delta:": f"{member.name} delta {k}"})

        day = first.date - timedelta(days=config.lead_times.agenda_days + 1)
        while day <= first.date:
            tick(day, MORNING)
            tick(day, AFTER_SCHOOL)
            day += timedelta(days=1)
        meeting_happens(first)

        start = len(server.requests)
        started = time.perf_counter()
        day = first.date + timedelta(days=1)
        ticks = 0
        while day <= second.date:
            if year.is_school_day(day):
                tick(day, MORNING)
                if day == second.date:
                    meeting_happens(second)
                tick(day, AFTER_SCHOOL)
                ticks += 2
            day += timedelta(days=1)
        seconds = time.perf_counter() - started
        entries = [e for e in server.requests[start:] if e["user"] == bot]
        gateway.close()
    requests = [e for e in entries if not e.get("batch")]
    grants = [e for e in entries if e.get("batch")]
    return {
        "members": members,
        "responses": members * answers_each,
        "ticks": ticks,
        "http_requests": len(requests),
        "batched_grants": len(grants),
        "by_method": dict(Counter(e["method"] for e in requests).most_common()),
        "seconds": round(seconds, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    rows = [one_cycle(m, a) for m, a in ((4, 1), (16, 1), (16, 3), (48, 2))]
    counts = {r["http_requests"] for r in rows}
    flat = len(counts) == 1
    if args.json:
        print(json.dumps({"cycles": rows, "constant": flat}, indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="Bot API calls per meeting cycle (sandbox request log)")
        for column in ("members", "responses", "ticks", "HTTP requests", "batched grants", "seconds"):
            table.add_column(column, justify="right")
        for r in rows:
            table.add_row(*(str(r[k]) for k in ("members", "responses", "ticks", "http_requests", "batched_grants",
                                                 "seconds")))
        console = Console()
        console.print(table)
        console.print("by method (last row): " + ", ".join(f"{k} {v}" for k, v in rows[-1]["by_method"].items()))
        console.print("[green]constant[/]: requests do not grow with members or responses" if flat else
                      f"[red]not constant[/]: {sorted(counts)}")
    return 0 if flat else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
