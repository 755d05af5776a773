"""A pass's due items in independent chains, run side by side (docs/architecture.md, "A tick").

Each item is an idempotent ensure whose requests wait on Google one after another; a tick that makes an
agenda, its Form and five teams' thinking-map Forms is ~100 round trips in a row. The chains share only
what the pass made before them, so they run at once, each thread through its own gateway
(:meth:`Gateway.fork <ilt_bot.workspace.gateway.Gateway.fork>`: httplib2 is not thread-safe) and all
through the one rate limiter, which keeps the user's per-minute pace:

- the meeting chain: agenda, feedback Form and Calendar event items, in order (the Form's link goes in the
  agenda, the agenda is attached to the event);
- one chain per team kind (thinking-map Forms, digests): what the team items share is made first (the
  thinking maps' answers spreadsheet, its rows and the daily check; for a kind without such a step, its first item
  alone), then the team items at once, one per team;
- every other item runs first, in order, on the pass's own gateway.

Each chain records into its own report, merged in chain order afterwards, so the Runs tab reads the same
whichever thread finished first. A workspace without ``fork`` (the tests' fake), a dry run or a pass with a
single chain runs the items in order, as before.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ilt_bot.jobs import JobContext, TickReport
from ilt_bot.jobs.thinking_map import daily_checks
from ilt_bot.jobs.tm_responses import responses_sheet
from ilt_bot.routine import WorkItem

MEETING_KINDS = frozenset({"agenda", "feedback_form", "calendar_event"})
"""The meeting chain, in order: the agenda, its Form, then its Calendar event (which attaches the agenda)."""
TEAM_KINDS = ("thinking_map", "tm_digest")
MAX_THREADS = 6
"""Chains running at once (each its own HTTP connections)."""

RunItem = Callable[[JobContext, WorkItem], None]


def _thinking_maps_share(ctx: JobContext) -> None:
    """The daily check, the answers spreadsheet and its rows (read once for every team's item)."""
    daily_checks(ctx)
    sheet = responses_sheet(ctx)
    if sheet is not None and sheet.exists:
        sheet.rows()


SHARED_FIRST: dict[str, Callable[[JobContext], None]] = {"thinking_map": _thinking_maps_share}
"""Team kind -> the step making what its items share (run once before the items, in their chain)."""


class ThreadGateways:
    """The pass's workspace while chains run: each thread talks through the gateway bound to it."""

    def __init__(self, main: Any) -> None:
        self.main = main
        self._local = threading.local()

    def bind(self, gateway: Any) -> None:
        self._local.gateway = gateway

    def __getattr__(self, name: str) -> Any:
        return getattr(getattr(self._local, "gateway", None) or self.main, name)


def lanes(items: list[WorkItem]) -> tuple[list[WorkItem], list[list[WorkItem]]]:
    """(items run first in order, the chains): the meeting chain and one chain per team kind."""
    first = [i for i in items if i.kind not in MEETING_KINDS and i.kind not in TEAM_KINDS]
    chains = [[i for i in items if i.kind in MEETING_KINDS]]
    chains += [[i for i in items if i.kind == kind] for kind in TEAM_KINDS]
    return first, [c for c in chains if c]


def run_items(ctx: JobContext, items: list[WorkItem], run: RunItem) -> None:
    """Run the due ``items`` (sorted by due time and key) as chains side by side where possible."""
    first, chains = lanes(items)
    fork = getattr(ctx.workspace, "fork", None)
    if ctx.dry_run or fork is None or (len(chains) < 2 and not any(c[0].kind in TEAM_KINDS for c in chains)):
        for item in items:
            run(ctx, item)
        return
    for item in first:
        run(ctx, item)
    routed = ThreadGateways(ctx.workspace)
    ctx.workspace = routed
    try:
        reports = _side_by_side(ctx, routed, [lambda lane, c=chain: _run_chain(lane, c, run, routed)
                                              for chain in chains])
    finally:
        ctx.workspace = routed.main
    for report in reports:
        merge(ctx.report, report)


def _side_by_side(ctx: JobContext, routed: ThreadGateways,
                  work: list[Callable[[JobContext], None]]) -> list[TickReport]:
    """Run each of ``work`` on a copy of ``ctx`` with its own report and gateway; returns the reports in order."""
    lanes_ctx = [dataclasses.replace(ctx, report=TickReport(dry_run=ctx.dry_run)) for _ in work]

    def one(index: int) -> None:
        routed.bind(routed.main.fork())
        work[index](lanes_ctx[index])

    with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(work))) as pool:
        for future in [pool.submit(one, n) for n in range(len(work))]:
            future.result()
    return [lane.report for lane in lanes_ctx]


def _run_chain(ctx: JobContext, chain: list[WorkItem], run: RunItem, routed: ThreadGateways) -> None:
    """A chain's items: in order, or for a team kind the first alone, then the others side by side."""
    kind = chain[0].kind
    if kind not in TEAM_KINDS or len(chain) < 2:
        for item in chain:
            run(ctx, item)
        return
    prepare = SHARED_FIRST.get(kind)
    if prepare is not None:
        try:
            prepare(ctx)
        except Exception as exc:  # noqa: BLE001 - reported; each item meets the same problem and reports it too
            ctx.error(kind, exc)
            return
        rest = chain
    else:
        run(ctx, chain[0])
        rest = chain[1:]
    reports = _side_by_side(ctx, routed, [lambda lane, i=item: run(lane, i) for item in rest])
    for report in reports:
        merge(ctx.report, report)


def merge(into: TickReport, part: TickReport) -> None:
    """Add what a chain did to the pass's report."""
    into.created += [k for k in part.created if k not in into.created]
    into.existing += part.existing
    into.synced_responses += part.synced_responses
    into.skipped += [s for s in part.skipped if s not in into.skipped]
    into.errors += part.errors
    into.actions += part.actions
