"""The heaviest tick of the example school's fall, timed at Google's latency, one gateway per tick.

``config.example.toml`` (8 ILT members, 5 teacher teams) ticks every school day at 06:00 and 17:30 from its
set-up day, a new gateway each time (a new ``ilt-bot tick`` process), with no latency; then the tick of
Fri 2026-09-25 06:00 (the agenda of 09-29 with its feedback Form, the five teams' thinking-map Forms and
their answers spreadsheet: the most work one tick of the fall does) runs with ``--latency-ms`` per request
(100 ms is about what Google takes). Prints its HTTP requests (a batch counts once), API calls (batch
parts apart, as quotas count), writes and wall time. Exits 1 above ``--max-seconds``.

    python benchmarks/bench_heavy_tick.py [--latency-ms 100] [--max-seconds 4] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HEAVY = datetime(2026, 9, 25, 6, 0)
TIMES = (clock(6, 0), clock(17, 30))


def heavy_tick(latency_ms: float, at: datetime = HEAVY,
               inspect: Callable[[Any, Any], Any] | None = None) -> dict[str, Any]:
    """Warm the example school up to ``at`` without latency, then time the tick at ``at``; ``inspect(server,
    config)``, if given, looks at the sandbox afterwards (its answer is ``inspected``)."""
    from benchmarks.bench_meeting_cycle import is_write
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import load_config
    from ilt_bot.jobs.tick import run_tick
    from ilt_bot.sandbox.server import SandboxServer
    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.ratelimit import RateLimiter

    config = load_config(ROOT / "config.example.toml")
    year = SchoolYear(config)
    bot = config.workspace.bot_user
    with SandboxServer(db=":memory:") as server:
        os.environ["ILT_BOT_SANDBOX_URL"] = server.url

        def tick(moment: datetime) -> tuple[list[dict[str, Any]], Counter[str], float]:
            mark = len(server.requests)
            started = time.perf_counter()
            with connect(config, limiter=RateLimiter(enabled=False)) as gateway:
                report = run_tick(config, gateway, moment.replace(tzinfo=config.tz), year=year)
                http = Counter(gateway.calls)
            if report.errors:
                raise RuntimeError(report.errors)
            entries = [e for e in server.requests[mark:] if e["user"] == bot]
            return entries, http, time.perf_counter() - started

        day: date = config.year.start
        while day < at.date():
            if year.is_school_day(day):
                for t in TIMES:
                    tick(datetime.combine(day, t))
            day += timedelta(days=1)
        server.latency_ms = latency_ms
        entries, http, seconds = tick(at)
        server.latency_ms = 0
        inspected = inspect(server, config) if inspect is not None else None
    return {"at": at.isoformat(sep=" "), "latency_ms": latency_ms, "requests": sum(http.values()),
            "api_calls": len(entries), "writes": sum(map(is_write, entries)),
            "seconds": round(seconds, 2), "by_method": dict(http.most_common()), "inspected": inspected}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency-ms", type=float, default=100, help="sandbox latency per request in the tick")
    parser.add_argument("--max-seconds", type=float, default=4.0, help="most wall seconds the tick may take")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    result = heavy_tick(args.latency_ms)
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "inspected"}, indent=2))
    else:
        print(f"{result['at']} at {args.latency_ms:g} ms: {result['requests']} HTTP requests "
              f"({result['api_calls']} API calls with batch parts, {result['writes']} writes), {result['seconds']} s")
        print("by method: " + ", ".join(f"{k} {v}" for k, v in result["by_method"].items()))
    return 0 if result["seconds"] <= args.max_seconds else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
