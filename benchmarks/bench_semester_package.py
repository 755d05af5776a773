"""API calls of thinking maps and the semester-close reflection package, and the time Google's limits allow.

Plays ``config.example.toml`` (8 ILT members, 5 teacher teams) on an in-process sandbox through the real
gateway: one learning cycle's thinking maps and digests, then the fall package (stakeholder survey,
8 pre-work Docs, 5 team reflections, the group reflection and the summary), with simulated teachers and
stakeholders answering between steps. Each step runs the jobs of its WorkItems as ``tick`` does (after
the tick's standing step, which is not counted), then once more to show a rerun writes nothing.

    python benchmarks/bench_semester_package.py [--json]

Columns: ``calls`` = sandbox request-log entries (batch parts count one by one, as Google's quotas do);
``writes`` = entries that are not reads; ``min s`` = the least time the step can take for one bot user
under Google's per-user per-minute limits (:data:`ilt_bot.workspace.ratelimit.DEFAULT_LIMITS`): a bucket
of ``L`` calls per minute serves ``n`` calls in no less than ``60 * floor((n - 1) / L)`` seconds; the
step takes the slowest bucket. ``busiest`` names that bucket and its count.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
READS = (".get", ".list", ".export", ".batchGet")
STEPS = (
    ("thinking maps, one cycle (5 team Forms)", ("thinking_map",), "tm_form"),
    ("thinking-map digests, one cycle (5 Docs)", ("tm_digest",), "tm_digest"),
    ("stakeholder survey (1 Form)", ("stakeholder_survey",), "survey"),
    ("pre-work (8 Docs) and team reflections (5 Docs)", ("prework", "team_reflection"), "prework"),
    ("group reflection and summary (2 Docs)", ("group_reflection", "summary"), "group"),
)


def min_seconds(entries: list[dict[str, Any]], user: str) -> tuple[float, str]:
    """The least time Google's per-user limits allow for these calls, and the busiest bucket."""
    from ilt_bot.workspace.ratelimit import DEFAULT_LIMITS, call_class

    buckets: Counter[str] = Counter()
    for e in entries:
        if e.get("user") not in (None, user):
            continue
        api, klass = call_class(e["method"])
        buckets[f"{api}.{klass}.user"] += 1
    worst, name = 0.0, ""
    for bucket, n in buckets.items():
        limit = DEFAULT_LIMITS.get(bucket)
        if not limit:
            continue
        seconds = 60.0 * ((n - 1) // limit)
        if seconds > worst or not name or (seconds == worst and n / limit > buckets[name] / DEFAULT_LIMITS[name]):
            worst, name = seconds, bucket
    return worst, f"{name} {buckets[name]}/{DEFAULT_LIMITS.get(name, '?')}" if name else ""


def run() -> list[dict[str, Any]]:
    from ilt_bot import plan
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import load_config
    from ilt_bot.demo.people import People
    from ilt_bot.jobs.reflection import SURVEY
    from ilt_bot.jobs.setup import ensure_standing
    from ilt_bot.jobs.tick import new_context, run_tick
    from ilt_bot.registry import by_kind
    from ilt_bot.sandbox.server import SandboxServer
    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.ratelimit import RateLimiter

    config = load_config(ROOT / "config.example.toml")
    year = SchoolYear(config)
    bot = str(config.workspace.bot_user)
    items = plan.plan(config, year)
    results: list[dict[str, Any]] = []
    with SandboxServer() as server:
        os.environ["ILT_BOT_SANDBOX_URL"] = server.url
        gateway = connect(config, limiter=RateLimiter(enabled=False))
        people = People(server.url)
        fall = config.year.semesters[0]
        first_cycle = year.cycles()[0].id

        def chosen(kinds: tuple[str, ...]) -> list[Any]:
            return [i for i in items if i.kind in kinds and (
                i.cycle == first_cycle if i.kind in ("thinking_map", "tm_digest") else i.semester == fall.id)]

        def step(name: str, kinds: tuple[str, ...], rerun: bool) -> None:
            todo = chosen(kinds)
            now = max(i.due for i in todo)
            server.set_now(now)
            ctx = new_context(config, year, gateway, now)
            ensure_standing(ctx)
            mark = len(server.requests)
            start = time.perf_counter()
            for item in todo:
                by_kind(item.kind).run(ctx, item)
            ms = (time.perf_counter() - start) * 1000
            entries = server.requests[mark:]
            seconds, busiest = min_seconds(entries, bot)
            results.append({"step": name + (" (rerun)" if rerun else ""), "calls": len(entries),
                            "writes": sum(1 for e in entries if not e["method"].endswith(READS)),
                            "created": len(ctx.report.created), "min_s": seconds, "busiest": busiest,
                            "ms": round(ms, 1), "errors": [str(e) for e in ctx.report.errors]})

        setup = min(i.due for i in items)
        server.set_now(setup)
        run_tick(config, gateway, setup, year=year)
        tm_titles = list(config.thinking_map.questions)
        survey_titles = {ref: title for ref, title, _ in SURVEY}
        for name, kinds, tag in STEPS:
            step(name, kinds, rerun=False)
            step(name, kinds, rerun=True)
            if tag == "tm_form":
                for team in config.teams:
                    form = gateway.find(f"{config.school.id}/thinking-map/{team.id}/{first_cycle}")
                    uri = gateway.form_responder_uri(form.id)
                    for teacher in team.teachers[:3]:
                        people.answer_form(uri, teacher.email, {tm_titles[0]: "Planning together",
                                                                tm_titles[1]: "More modeling"})
            if tag == "survey":
                form = gateway.find(f"{config.school.id}/stakeholder/{fall.id}")
                uri = gateway.form_responder_uri(form.id)
                for email in config.stakeholders.emails:
                    people.answer_form(uri, email, {survey_titles["rating"]: "4", survey_titles["well"]: "Focus"})
        gateway.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = run()
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print("| step | calls | writes | created | min s (per-user limits) | busiest bucket | ms |")
        print("|---|---:|---:|---:|---:|---|---:|")
        for r in results:
            print(f"| {r['step']} | {r['calls']} | {r['writes']} | {r['created']} | {r['min_s']:.0f} | "
                  f"{r['busiest']} | {r['ms']} |")
        total = [r for r in results if "(rerun)" not in r["step"]]
        print(f"\nTotal (first runs): {sum(r['calls'] for r in total)} calls, {sum(r['writes'] for r in total)} "
              f"writes, at least {sum(r['min_s'] for r in total):.0f} s under per-user limits")
    bad = [r for r in results if r["errors"] or ("(rerun)" in r["step"] and (r["writes"] or r["created"]))]
    for r in bad:
        print(f"FAIL {r['step']}: errors={r['errors']} writes={r['writes']} created={r['created']}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
