"""API calls per gateway operation, counted from the sandbox's request log and the gateway's counter.

Shows that sharing with 10 people, appending 500 rows or building a Form with 12 questions costs the
same number of HTTP requests as for 1, and that a rerun makes no writes.

    python benchmarks/bench_gateway.py [--latency-ms 0] [--fault-rate 0.2] [--json]

Columns: ``http`` = HTTP requests the gateway sent (an HTTP batch counts once); ``log`` = entries in
the sandbox request log (batch parts are logged one by one: what Google's quotas count);
``writes`` = log entries that are not reads; ``ms`` = wall time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from ilt_bot.sandbox.identity import sandbox_credentials
from ilt_bot.sandbox.server import SandboxServer
from ilt_bot.workspace.api import FormQuestion, FormSpec, Share
from ilt_bot.workspace.clients import build_services
from ilt_bot.workspace.embedded import seed_root_folder
from ilt_bot.workspace.gateway import Gateway
from ilt_bot.workspace.retry import RetryPolicy
from ilt_bot.workspace.transport import sandbox_http

BOT = "ilt-bot@cedar.example.org"
ROOT = "0BenchRootFolderForTheIltBot"
READS = (".get", ".list", ".export", ".batchGet")
TABS = {name: ["id", "time", "what"] for name in
        ("Meetings", "Feedback", "Agenda items", "Action items", "Thinking map", "Stakeholder feedback", "Runs",
         "Dashboard")}


def people(n: int, tag: str) -> list[str]:
    return [f"{tag}{i}@cedar.example.org" for i in range(n)]


def form(n: int) -> FormSpec:
    return FormSpec(f"Form with {n} questions", "Bench", tuple(FormQuestion(f"q{i}", f"Question {i}?")
                                                               for i in range(n)))


def measure(server: SandboxServer, gw: Gateway, name: str, fn: Callable[[], Any]) -> dict[str, Any]:
    mark, before = len(server.requests), gw.total_calls
    start = time.perf_counter()
    fn()
    ms = (time.perf_counter() - start) * 1000
    entries = server.requests[mark:]
    return {"operation": name, "http": gw.total_calls - before, "log": len(entries),
            "writes": sum(1 for e in entries if not e["method"].endswith(READS)),
            "faults": sum(1 for e in entries if e.get("fault")), "ms": round(ms, 1)}


def run(latency_ms: float, fault_rate: float, seed: int) -> list[dict[str, Any]]:
    with SandboxServer(latency_ms=latency_ms) as server:
        seed_root_folder(server.store, ROOT, BOT)
        services = build_services(sandbox_credentials(BOT), lambda: sandbox_http(server.url))
        gw = Gateway(services, user=BOT, domain="cedar.example.org", policy=RetryPolicy(sleep=lambda s: None,
                                                                                       max_attempts=12))
        server.set_faults(fault_rate, seed=seed)
        folder = gw.ensure_folder("cedar/folder/agendas", "Agendas", ROOT).file.id
        docs = [gw.ensure_doc_from_html(f"cedar/agenda/{i}", f"Agenda {i}", "<h1>Agenda</h1>", folder).file.id
                for i in range(3)]
        sheet = gw.ensure_spreadsheet("cedar/tracker/2026-27", "Tracker", ROOT, TABS).file.id
        rows = []
        ops: list[tuple[str, Callable[[], Any]]] = [
            ("ensure_folder (new)", lambda: gw.ensure_folder("cedar/folder/feedback", "Feedback", ROOT)),
            ("ensure_folder (rerun)", lambda: gw.ensure_folder("cedar/folder/feedback", "Feedback", ROOT)),
            ("ensure_doc_from_html (new)", lambda: gw.ensure_doc_from_html("cedar/agenda/x", "A", "<p>x</p>", folder)),
            ("ensure_doc_from_html (rerun)", lambda: gw.ensure_doc_from_html("cedar/agenda/x", "A", "<p>x</p>",
                                                                             folder)),
            ("ensure_doc_from_html shared with 10 (new)", lambda: gw.ensure_doc_from_html(
                "cedar/agenda/s", "S", "<p>s</p>", folder, share=[Share(people(10, "d"), "writer", notify=True,
                                                                       message="Hi")])),
            ("ensure_doc_from_html shared with 10 (rerun)", lambda: gw.ensure_doc_from_html(
                "cedar/agenda/s", "S", "<p>s</p>", folder, share=[Share(people(10, "d"), "writer")])),
            ("ensure_spreadsheet 8 tabs (new)", lambda: gw.ensure_spreadsheet("cedar/tracker/b", "T", ROOT, TABS)),
            ("ensure_spreadsheet 8 tabs (rerun)", lambda: gw.ensure_spreadsheet("cedar/tracker/b", "T", ROOT, TABS)),
            ("ensure_form 1 question (new)", lambda: gw.ensure_form("cedar/feedback/1", form(1), folder)),
            ("ensure_form 12 questions (new)", lambda: gw.ensure_form("cedar/feedback/12", form(12), folder)),
            ("ensure_form 12 questions (rerun)", lambda: gw.ensure_form("cedar/feedback/12", form(12), folder)),
            ("share with 1 person", lambda: gw.share(docs[0], people(1, "a"), "writer", notify=True, message="Hi")),
            ("share with 10 people", lambda: gw.share(docs[1], people(10, "b"), "writer", notify=True,
                                                      message="Hi")),
            ("share with 10 people (rerun)", lambda: gw.share(docs[1], people(10, "b"), "writer")),
            ("share with 50 people", lambda: gw.share(docs[2], people(50, "c"), "reader")),
            ("append 1 row", lambda: gw.append_rows_once(sheet, "Feedback", [["r-one", "t", "x"]])),
            ("append 500 rows", lambda: gw.append_rows_once(sheet, "Runs", [[f"r{i}", "t", "x"] for i in range(500)])),
            ("append 500 rows (rerun)", lambda: gw.append_rows_once(sheet, "Runs", [[f"r{i}", "t", "x"]
                                                                                    for i in range(500)])),
            ("upsert 100 rows (50 changed, 50 new)", lambda: gw.upsert_rows(
                sheet, "Runs", [[f"r{i}", "t2", "x"] for i in range(450, 550)])),
            ("read_rows 550", lambda: gw.read_rows(sheet, "Runs")),
            ("read_doc_tables", lambda: gw.read_doc_tables(docs[0])),
            ("list_responses (none)", lambda: gw.list_responses(gw.find("cedar/feedback/12").id)),
        ]
        for name, fn in ops:
            rows.append(measure(server, gw, name, fn))
        return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| operation | http | log | writes | faults | ms |", "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['operation']} | {r['http']} | {r['log']} | {r['writes']} | {r['faults']} | {r['ms']} |"
              for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = run(args.latency_ms, args.fault_rate, args.seed)
    print(json.dumps(rows, indent=2) if args.json else table(rows))
    by = {r["operation"]: r["http"] for r in rows}
    flat = (by["share with 1 person"] == by["share with 10 people"] == by["share with 50 people"]
            and by["append 1 row"] == by["append 500 rows"]
            and by["ensure_form 1 question (new)"] == by["ensure_form 12 questions (new)"])
    reruns_clean = all(r["writes"] == 0 for r in rows if "(rerun)" in r["operation"])
    if args.fault_rate == 0 and not (flat and reruns_clean):
        print("UNEXPECTED: costs grow with size, or a rerun wrote", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
