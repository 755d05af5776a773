"""The demo's school year (``ilt-bot demo``) with a new gateway per tick, requests counted per kind of tick.

Plays ``config.example.toml``'s year on an in-process sandbox exactly as ``ilt-bot demo`` does (a morning
and an after-school tick each school day, simulated people answering and taking notes between them), but
each tick connects a new gateway, as a new ``ilt-bot tick`` process would. A tick's kind is what it did:
``creates <kinds>`` (the artifact kinds it made), ``syncs`` (it wrote, nothing made) or ``quiet``. After
the year, one tick replays an old date (``REPLAY``) on the full Drive.

    python benchmarks/bench_demo_year.py [--until 2026-10-31] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REPLAY = datetime(2026, 9, 2, 17, 30)
"""After the year: one tick replaying this old date on the full Drive."""


def tick_kind(report: Any) -> str:
    """``creates agenda+feedback``, ``syncs`` or ``quiet`` (see the module docstring)."""
    from ilt_bot.demo import _kind

    if report.created:
        return "creates " + "+".join(sorted({_kind(k) for k in report.created}))
    writes = [a for a in report.actions if a["result"] not in ("ok", "planned")]
    return "syncs" if report.synced_responses or writes else "quiet"


def replay_tick(config: Any, server: Any, moment: datetime) -> dict[str, Any]:
    """One tick at an old date on the year's full Drive (``ilt-bot tick --now``): its requests."""
    from ilt_bot.jobs.tick import run_tick
    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.ratelimit import RateLimiter

    mark = len(server.requests)
    with connect(config, limiter=RateLimiter(enabled=False)) as fresh:
        report = run_tick(config, fresh, moment.replace(tzinfo=config.tz))
        http = Counter(fresh.calls)
    logged = [e for e in server.requests[mark:] if e["user"] == config.workspace.bot_user]
    return {"at": moment.isoformat(sep=" "), "requests": sum(http.values()), "api_calls": len(logged),
            "responses_list": sum(1 for e in logged if e["method"] == "forms.forms.responses.list"),
            "errors": [str(e) for e in report.errors]}


def demo_year(until: date | None = None) -> dict[str, Any]:
    """Play the year; return requests per tick kind, totals and the demo's own counts."""
    from ilt_bot.config import load_config
    from ilt_bot.demo import Demo
    from ilt_bot.jobs import tick as tick_module
    from ilt_bot.sandbox.server import SandboxServer
    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.ratelimit import RateLimiter

    config = load_config(ROOT / "config.example.toml")
    bot = config.workspace.bot_user
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    with SandboxServer(db=":memory:") as server, tempfile.TemporaryDirectory() as out:
        os.environ["ILT_BOT_SANDBOX_URL"] = server.url
        people_view = connect(config, limiter=RateLimiter(enabled=False))

        class FreshGatewayDemo(Demo):
            def tick(self, now: datetime) -> None:
                original = tick_module.run_tick
                seen: dict[str, Any] = {}

                def counted(*args: Any, **kwargs: Any) -> Any:
                    seen["report"] = original(*args, **kwargs)
                    return seen["report"]

                mark = len(server.requests)
                with connect(config, limiter=RateLimiter(enabled=False)) as fresh:
                    self.gateway = fresh
                    tick_module.run_tick = counted
                    try:
                        super().tick(now)
                    finally:
                        tick_module.run_tick = original
                        self.gateway = people_view
                    http = sum(fresh.calls.values())
                kind = tick_kind(seen["report"])
                logged = [e for e in server.requests[mark:] if e["user"] == bot]
                kinds[kind].update(ticks=1, requests=http, api_calls=len(logged))

        demo = FreshGatewayDemo(config, people_view, server.url, Path(out))
        demo.play(until=until)
        run = demo.run
        replay = replay_tick(config, server, REPLAY)
        people_view.close()
    total = Counter[str]()
    for counts in kinds.values():
        total.update(counts)
    return {"by_kind": {k: dict(v) for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]["requests"])},
            "replay": replay,
            "total": dict(total), "created": dict(sorted(run.created.items())),
            "synced_responses": run.synced_responses, "errors": run.errors}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--until", type=date.fromisoformat, default=None, help="stop after this day")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    result = demo_year(args.until)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for kind, counts in result["by_kind"].items():
            print(f"{kind:50} {counts['ticks']:4} ticks {counts['requests']:6} requests {counts['api_calls']:6} "
                  f"API calls ({counts['requests'] / counts['ticks']:.1f} a tick)")
        replay = result["replay"]
        print(f"replay of {replay['at']} on the year's Drive: {replay['requests']} HTTP requests, "
              f"{replay['api_calls']} API calls ({replay['responses_list']} Form response reads)")
        total = result["total"]
        print(f"total: {total['ticks']} ticks, {total['requests']} HTTP requests, {total['api_calls']} API calls; "
              f"created {sum(result['created'].values())}, {result['synced_responses']} responses synced, "
              f"{len(result['errors'])} errors")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
