"""`ilt-bot run`: an APScheduler 3.11 daemon that calls ``tick`` on the school's schedule.

Why it is safe to leave running (and to stop):
- ``tick`` reconciles from the calendar ("what is due at T and missing?"), so a late or missed run
  loses nothing: the next run does the work. The daemon therefore never drops a late run
  (``misfire_grace_time=None``), coalesces a backlog into one run, and runs one catch-up tick at
  start-up, which is how a machine that was off for a week catches up.
- One worker thread and ``max_instances=1``: ticks never overlap.
- A tick that raises is logged and the daemon carries on; the next tick tries again.
- SIGTERM/SIGINT ask the running tick to stop between two steps (``stop`` event), wait for it, then exit.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from types import FrameType
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from ilt_bot.config import Schedule

log = logging.getLogger(__name__)

TICK_JOB_ID = "ilt-bot-tick"
CATCH_UP_JOB_ID = "ilt-bot-catch-up"

TickFunction = Callable[[threading.Event], object]
"""A tick: does one reconcile pass, checking the event between steps and stopping early when set."""


def tick_trigger(schedule: Schedule, timezone: ZoneInfo) -> CronTrigger:
    """The cron trigger for the regular ticks, in the school's time zone (wall clock across DST).

    ``schedule`` is the config's ``[schedule]``, already checked (``every_minutes`` fits the hour,
    ``end`` after ``start``) when the config was loaded.
    """
    last_hour = schedule.end.hour if schedule.end.minute else schedule.end.hour - 1
    hours = f"{schedule.start.hour}-{last_hour}" if last_hour > schedule.start.hour else str(schedule.start.hour)
    if schedule.every_minutes < 60:
        minutes = f"*/{schedule.every_minutes}"
    else:
        step = schedule.every_minutes // 60
        hours += f"/{step}" if step > 1 and last_hour > schedule.start.hour else ""
        minutes = str(schedule.start.minute)
    return CronTrigger(day_of_week=schedule.days, hour=hours, minute=minutes, timezone=timezone)


class TickRunner:
    """Runs ticks one at a time, never lets one crash the daemon, and relays a stop request."""

    def __init__(self, tick: TickFunction, name: str = "tick") -> None:
        self._tick = tick
        self._name = name
        self._running = threading.Lock()
        self.stop = threading.Event()
        self.runs = 0
        self.failures = 0

    def __call__(self) -> None:
        if self.stop.is_set():
            return
        if not self._running.acquire(blocking=False):
            log.info("%s: previous tick still running; this one is skipped (the next catches up)", self._name)
            return
        try:
            self.runs += 1
            self._tick(self.stop)
        except Exception:
            self.failures += 1
            log.exception("%s failed; the daemon keeps running and the next tick will retry", self._name)
        finally:
            self._running.release()


def add_tick_jobs(
    scheduler: BaseScheduler, schedule: Schedule, timezone: ZoneInfo, runner: TickRunner, now: datetime
) -> None:
    """Register the regular tick and the start-up catch-up tick (fixed ids, replace_existing)."""
    options = {"replace_existing": True, "coalesce": True, "max_instances": 1, "misfire_grace_time": None}
    scheduler.add_job(runner, tick_trigger(schedule, timezone), id=TICK_JOB_ID, name="ILT Bot tick", **options)
    scheduler.add_job(runner, DateTrigger(run_date=now), id=CATCH_UP_JOB_ID, name="ILT Bot catch-up", **options)


def build_scheduler(
    schedule: Schedule, timezone: ZoneInfo, runner: TickRunner, now: datetime | None = None
) -> BlockingScheduler:
    """A BlockingScheduler with one worker thread, the tick jobs added."""
    scheduler = BlockingScheduler(timezone=timezone, executors={"default": ThreadPoolExecutor(max_workers=1)})
    add_tick_jobs(scheduler, schedule, timezone, runner, now or datetime.now(timezone))
    return scheduler


def run_daemon(schedule: Schedule, timezone: ZoneInfo, tick: TickFunction, name: str = "ilt-bot") -> TickRunner:
    """Run until SIGTERM/SIGINT: a catch-up tick now, then ticks on the schedule."""
    runner = TickRunner(tick, name)
    scheduler = build_scheduler(schedule, timezone, runner)

    def shut_down(signum: int, _frame: FrameType | None) -> None:
        log.info("%s: received %s, finishing the current step and stopping", name, signal.Signals(signum).name)
        runner.stop.set()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, shut_down)
    signal.signal(signal.SIGINT, shut_down)
    trigger = tick_trigger(schedule, timezone)
    first = trigger.get_next_fire_time(None, datetime.now(timezone))
    log.info("%s: catch-up tick now; then every %d min (%s), next at %s",
             name, schedule.every_minutes, schedule.days, first.isoformat() if first else "never")
    scheduler.start()
    # shutdown(wait=False) lets the loop exit; wait for a tick in flight to reach a safe point.
    with runner._running:
        pass
    return runner
