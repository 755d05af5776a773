"""A district's fall week on the sandbox: N schools ticked on the production schedule, timed and counted.

Each school is the example school (``config.example.toml``) under its own id and bot user. The week is
Mon 2026-09-14 .. Fri 2026-09-18 and is the bot's first week for every school (the first tick makes
the folders, the tracker and the intake Form: the heaviest case). Every ``--every`` minutes from 06:00
to 20:00 (the config's ``[schedule]``), all schools tick concurrently (``--workers`` at once) through
one shared client-side rate limiter at Google's published per-minute quotas, exactly as
``ilt-bot tick --all`` does. Simulated time: beats follow each other without waiting for the clock, so
the wall time is the time the work itself takes (API latency, quota pacing, CPU).

    python benchmarks/bench_district.py [--schools 50] [--latency-ms 100] [--every 30]
        [--workers 8] [--days 5] [--json]

Reports wall time, API calls (the sandbox request log: batch parts count one each, as Google counts
them), and the lower bound Google's quotas put on those calls. Per beat and quota bucket (API, call
class, project or user): Google counts calls per minute, so C calls against a limit of L a minute need
at least ceil(C/L)-1 whole minutes (the floor; 0 when a minute's quota holds them all) and C/L minutes
when sent at an even pace (the sustained rate, what the bot's token buckets approach). The most loaded
bucket sets both; they must stay well under the --every minutes between beats. The week's figures are
sums over beats. Each beat starts with full client-side buckets (in real time, --every minutes pass
between beats and refill them), so compressing the week does not invent quota waits.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
import tomllib
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ilt_bot.config import Config, parse_config
from ilt_bot.district import run_schools
from ilt_bot.sandbox.server import SandboxServer
from ilt_bot.workspace.ratelimit import DEFAULT_LIMITS, RateLimiter, call_class

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config.example.toml"
WEEK = datetime(2026, 9, 14)  # a Monday in the fall semester
READS = (".get", ".list", ".export", ".batchGet")


def schools(n: int, url: str) -> list[Config]:
    """``n`` copies of the example school, each with its own id and bot user, on the sandbox at ``url``."""
    base = tomllib.loads(EXAMPLE.read_text())
    out = []
    for i in range(n):
        data = json.loads(json.dumps(base, default=str))  # deep copy (dates as text: pydantic reads them)
        data["school"]["id"] = f"s{i:03d}"
        data["school"]["name"] = f"School {i:03d}"
        data["workspace"] = {"backend": "sandbox_url", "sandbox_url": url,
                             "bot_user": f"ilt-bot-s{i:03d}@cedarheights.example.org"}
        out.append(parse_config(data))
    return out


def beats(tz: ZoneInfo, days: int, every: int) -> list[datetime]:
    """The tick times of ``days`` school days from WEEK, every ``every`` minutes 06:00-19:59."""
    out = []
    for d in range(days):
        day = WEEK + timedelta(days=d)
        moment = day.replace(hour=6, tzinfo=tz)
        while moment.hour < 20:
            out.append(moment)
            moment += timedelta(minutes=every)
    return out


def quota_floor(entries: list[dict[str, Any]]) -> tuple[float, float, str, dict[str, int]]:
    """Google's quotas over ``entries`` sent in one go: (floor, rate, bucket, calls per bucket).

    ``floor``: the least minutes they need at Google, who counts calls per minute: ``ceil(C / L) - 1``
    full minutes for the most loaded bucket (0 when every bucket fits in one minute's quota).
    ``rate``: minutes at the sustained rate ``C / L`` (what a client pacing itself evenly, like the bot's
    token buckets, approaches). ``bucket``: the bucket that sets ``rate``.
    """
    calls: Counter[str] = Counter()
    for entry in entries:
        api, klass = call_class(str(entry.get("method") or ""))
        if api not in ("drive", "docs", "forms", "sheets"):
            continue
        calls[f"{api}.{klass}.project"] += 1
        calls[f"{api}.{klass}.user:{entry.get('user')}"] += 1
    floor, rate, worst = 0.0, 0.0, ""
    for bucket, n in calls.items():
        limit = DEFAULT_LIMITS[bucket.split(":")[0]]
        floor = max(floor, float(math.ceil(n / limit) - 1))
        if n / limit > rate:
            rate, worst = n / limit, bucket
    return floor, rate, worst, dict(calls)


def run(n: int, latency_ms: float, every: int, workers: int, days: int) -> dict[str, Any]:
    started_all = time.perf_counter()
    with SandboxServer(latency_ms=latency_ms) as server, tempfile.TemporaryDirectory() as locks:
        configs = schools(n, server.url)
        tz = configs[0].tz
        beat_rows = []
        totals: Counter[str] = Counter()
        errors: list[str] = []
        heaviest: tuple[float, str, int, str] = (0.0, "", 0, "")
        week_floor = week_rate = 0.0
        for moment in beats(tz, days, every):
            server.set_now(moment)
            mark = len(server.requests)
            # One limiter for every school at Google's published per-minute limits; a fresh one per beat:
            # in real time --every minutes pass between beats and refill every bucket.
            limiter = RateLimiter()
            start = time.perf_counter()
            results = run_schools(configs, moment, max_workers=workers, limiter=limiter,
                                  lock_dir=Path(locks))
            seconds = time.perf_counter() - start
            entries = server.requests[mark:]
            floor, rate, bucket, _ = quota_floor(entries)
            week_floor += floor
            week_rate += rate
            created = sum(len((r.report or {}).get("created", [])) for r in results)
            for r in results:
                errors += [f"{moment:%a %H:%M} {r.school}: {e}" for e in r.errors]
                totals[r.status] += 1
            beat_rows.append({"time": moment.isoformat(), "seconds": round(seconds, 2), "calls": len(entries),
                              "created": created, "quota_floor_s": round(floor * 60, 1),
                              "quota_rate_s": round(rate * 60, 1)})
            if rate > heaviest[0]:
                heaviest = (rate, bucket, len(entries), moment.isoformat())
            print(f"{moment:%a %H:%M}: {len(entries):5d} calls, {created:3d} created, {seconds:6.1f} s "
                  f"(quota: floor {floor * 60:4.0f} s, sustained rate {rate * 60:5.1f} s, {bucket})",
                  file=sys.stderr, flush=True)
        entries = server.requests
        _, _, _, per_bucket = quota_floor(entries)
    by_api = Counter(str(e.get("method", "")).split(".")[0] for e in entries)
    writes = sum(1 for e in entries if not str(e.get("method", "")).endswith(READS))
    wall = sum(b["seconds"] for b in beat_rows)
    steady = [b for b in beat_rows[1:] if b["created"] == 0]
    return {
        "schools": n, "latency_ms": latency_ms, "every_minutes": every, "workers": workers, "days": days,
        "beats": len(beat_rows), "school_ticks": n * len(beat_rows), "statuses": dict(totals),
        "wall_seconds": round(wall, 1), "total_seconds": round(time.perf_counter() - started_all, 1),
        "api_calls": len(entries), "writes": writes, "calls_by_api": dict(by_api),
        "created": sum(b["created"] for b in beat_rows),
        "quota_floor_minutes": round(week_floor, 2), "quota_rate_minutes": round(week_rate, 2),
        "project_calls": {k: v for k, v in sorted(per_bucket.items()) if k.endswith(".project")},
        "first_beat": beat_rows[0],
        "heaviest_beat_quota_rate": {"minutes": round(heaviest[0], 2), "bucket": heaviest[1],
                                      "calls": heaviest[2], "time": heaviest[3]},
        "slowest_beat_seconds": max(b["seconds"] for b in beat_rows),
        "steady_beat_seconds_median": sorted(b["seconds"] for b in steady)[len(steady) // 2] if steady else None,
        "steady_beat_calls_median": sorted(b["calls"] for b in steady)[len(steady) // 2] if steady else None,
        "errors": errors[:20], "error_count": len(errors),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--every", type=int, default=30, help="minutes between ticks (the [schedule])")
    parser.add_argument("--workers", type=int, default=8, help="schools ticked at once (district.max_workers)")
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.schools, args.latency_ms, args.every, args.workers, args.days)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for name, value in result.items():
            print(f"{name:28} {value}")
    return 1 if result["error_count"] else 0


if __name__ == "__main__":
    sys.exit(main())
