"""Sheets reads of the tracker per tick and per two-week meeting cycle, counted by the gateway.

The cycle is ``bench_meeting_cycle.one_cycle`` (a new gateway per tick, as production runs it): every tick
(twice a school day) from the morning after a meeting to the evening of the next one, members answering
the Form and typing action items between ticks. Sheets reads are the quota that bounds district mode
("Read requests per minute per user"); the target is one read of the tracker per tick
(docs/tracker-identity.md). The school has no thinking-map sheet in this window, so every Sheets read
counted is the tracker's. Exits 1 if a tick after the first reads more than once.

    python benchmarks/bench_tracker_reads.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHEETS_READS = ("sheets.spreadsheets.get", "sheets.spreadsheets.getByDataFilter", "sheets.spreadsheets.values.get",
                "sheets.spreadsheets.values.batchGet", "sheets.spreadsheets.values.batchGetByDataFilter",
                "sheets.spreadsheets.developerMetadata.search", "sheets.spreadsheets.developerMetadata.get")


def cycle(members: int = 8) -> dict[str, Any]:
    """The cycle of ``bench_meeting_cycle.one_cycle`` (a new gateway per tick, as production runs it), with
    the Sheets reads of each tick. The first counted tick is the year's first pass after a meeting: it draws
    the Dashboard chart once a year (its title looked up before adding it), so it is reported apart."""
    from benchmarks.bench_meeting_cycle import one_cycle

    played = one_cycle(members, answers_each=1)
    methods: Counter[str] = Counter()
    per_tick = []
    for tick in played["per_tick"]:
        reads = {m: n for m, n in tick["by_method"].items() if m in SHEETS_READS}
        methods.update(reads)
        per_tick.append(sum(reads.values()))
    later = per_tick[1:]
    return {"ticks": len(per_tick), "tracker_reads": sum(per_tick), "first_pass": per_tick[0],
            "max_per_tick": max(later), "min_per_tick": min(later), "by_method": dict(methods)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    result = cycle()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['ticks']} ticks in the cycle: {result['tracker_reads']} Sheets reads of the tracker "
              f"({result['first_pass']} in the pass drawing the Dashboard chart, then "
              f"{result['min_per_tick']}-{result['max_per_tick']} per tick); by method: {result['by_method']}")
    return 0 if result["max_per_tick"] <= 1 else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
