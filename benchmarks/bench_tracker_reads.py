"""Sheets reads of the tracker per tick and per two-week meeting cycle, from the sandbox's request log.

The cycle is the one of ``bench_meeting_cycle.py``: every tick (twice a school day) from the morning after
a meeting to the evening of the next one, members answering the Form and typing action items between
ticks. Sheets reads are the quota that bounds district mode ("Read requests per minute per user");
the target is one read of the tracker per tick (docs/tracker-identity.md). The school has no thinking-map
sheet in this window, so every Sheets read counted is the tracker's.

    python benchmarks/bench_tracker_reads.py [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MORNING, AFTER_SCHOOL = (6, 30), (17, 30)
SHEETS_READS = ("sheets.spreadsheets.get", "sheets.spreadsheets.getByDataFilter", "sheets.spreadsheets.values.get",
                "sheets.spreadsheets.values.batchGet", "sheets.spreadsheets.values.batchGetByDataFilter",
                "sheets.spreadsheets.developerMetadata.search", "sheets.spreadsheets.developerMetadata.get")


def cycle(members: int = 8) -> dict[str, Any]:
    from benchmarks.bench_meeting_cycle import school_config
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
    per_tick: list[int] = []
    methods: Counter[str] = Counter()
    with SandboxServer(db=":memory:") as server:
        os.environ["ILT_BOT_SANDBOX_URL"] = server.url
        gateway = connect(config, limiter=RateLimiter(enabled=False))
        people = People(server.url)

        def tick(day: date, hm: tuple[int, int], count: bool) -> None:
            mark = len(server.requests)
            report = run_tick(config, gateway, year.at(day, datetime.min.time().replace(hour=hm[0], minute=hm[1])),
                              year=year)
            if report.errors:
                raise RuntimeError(report.errors)
            reads = [e["method"] for e in server.requests[mark:] if e["user"] == bot and e["method"] in SHEETS_READS]
            if count:
                per_tick.append(len(reads))
                methods.update(reads)

        def meeting_happens(meeting: Any) -> None:
            agenda = gateway.find(f"cedar/agenda/{meeting.date.isoformat()}")
            people.add_table_row(agenda.id, config.members[2].email, "What",
                                 [f"Action of {meeting.date}", "Chloe", "next week", ""])
            uri = gateway.form_responder_uri(gateway.find(feedback_key(config, meeting.date)).id)
            for member in config.members:
                answers = {"Plus:": f"{member.name} plus", "Delta:": f"{member.name} delta"}
                people.answer_form(uri, member.email, answers)

        day = first.date - timedelta(days=config.lead_times.agenda_days + 1)
        while day <= first.date:
            tick(day, MORNING, False)
            tick(day, AFTER_SCHOOL, False)
            day += timedelta(days=1)
        meeting_happens(first)
        tick(first.date + timedelta(days=1), (6, 0), False)  # the first responses: the Dashboard chart is drawn
        day = first.date + timedelta(days=1)
        while day <= second.date:
            if year.is_school_day(day):
                tick(day, MORNING, True)
                if day == second.date:
                    meeting_happens(second)
                tick(day, AFTER_SCHOOL, True)
            day += timedelta(days=1)
        gateway.close()
    return {"ticks": len(per_tick), "tracker_reads": sum(per_tick), "max_per_tick": max(per_tick),
            "min_per_tick": min(per_tick), "by_method": dict(methods)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    result = cycle()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['ticks']} ticks in the cycle: {result['tracker_reads']} Sheets reads of the tracker "
              f"({result['min_per_tick']}-{result['max_per_tick']} per tick); by method: {result['by_method']}")
    return 0 if result["max_per_tick"] <= 1 else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
