"""The daemon on a simulated clock: APScheduler's own job processing, driven tick by tick."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.base import BaseScheduler

from ilt_bot import scheduler as daemon
from ilt_bot.config import Schedule

DENVER = ZoneInfo("America/Denver")


class SimulatedClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        clock = self

        class FakeDatetime(datetime):
            @classmethod
            def now(cls, tz=None):  # type: ignore[override]
                return clock.now.astimezone(tz) if tz else clock.now.replace(tzinfo=None)

        import apscheduler.executors.base as executors_base
        import apscheduler.schedulers.base as schedulers_base

        monkeypatch.setattr(schedulers_base, "datetime", FakeDatetime)
        monkeypatch.setattr(executors_base, "datetime", FakeDatetime)


class ManualScheduler(BaseScheduler):
    """A scheduler with no thread of its own: the test calls ``run_until``."""

    def wakeup(self) -> None:
        pass

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait)

    def run_until(self, clock: SimulatedClock, end: datetime) -> None:
        while True:
            due = [job.next_run_time for job in self.get_jobs() if job.next_run_time]
            if not due or min(due) > end:
                clock.now = end
                return
            clock.now = max(clock.now, min(due))
            self._process_jobs()


def start_daemon(monkeypatch, start: datetime, tick, schedule=None):
    clock = SimulatedClock(start)
    clock.install(monkeypatch)
    runner = daemon.TickRunner(tick)
    sched = ManualScheduler(timezone=DENVER, executors={"default": DebugExecutor()})
    daemon.add_tick_jobs(sched, schedule or Schedule(), DENVER, runner, start)
    sched.start()
    return clock, sched, runner


def test_ticks_every_half_hour_on_school_days_plus_a_catch_up_at_start(monkeypatch):
    fired: list[datetime] = []
    start = datetime(2026, 9, 14, 5, 0, tzinfo=DENVER)  # a Monday, before the school-day window
    clock, sched, _ = start_daemon(monkeypatch, start, lambda stop: fired.append(clock.now))
    sched.run_until(clock, datetime(2026, 9, 20, 23, 0, tzinfo=DENVER))  # through Sunday
    assert fired[0] == start  # the catch-up tick
    regular = fired[1:]
    assert len(regular) == 5 * 28  # 06:00 .. 19:30, Monday to Friday
    assert {t.weekday() for t in regular} == {0, 1, 2, 3, 4}
    assert min(t.time() for t in regular).isoformat() == "06:00:00"
    assert max(t.time() for t in regular).isoformat() == "19:30:00"


def test_a_tick_that_raises_does_not_stop_the_daemon(monkeypatch):
    calls: list[datetime] = []

    def flaky(stop: threading.Event) -> None:
        calls.append(clock.now)
        if len(calls) == 2:
            raise RuntimeError("Drive is down")

    clock, sched, runner = start_daemon(monkeypatch, datetime(2026, 9, 15, 6, 50, tzinfo=DENVER), flaky)
    sched.run_until(clock, datetime(2026, 9, 15, 8, 59, tzinfo=DENVER))
    assert runner.failures == 1
    assert len(calls) == 1 + 4  # catch-up, 07:00 (raises), 07:30, 08:00, 08:30
    assert runner.runs == len(calls)


def test_a_late_run_is_coalesced_not_dropped(monkeypatch):
    fired: list[datetime] = []
    clock, sched, _ = start_daemon(monkeypatch, datetime(2026, 9, 15, 7, 59, tzinfo=DENVER),
                                   lambda stop: fired.append(clock.now))
    sched.run_until(clock, datetime(2026, 9, 15, 7, 59, tzinfo=DENVER))  # only the catch-up
    assert len(fired) == 1
    clock.now = datetime(2026, 9, 15, 11, 10, tzinfo=DENVER)  # the machine slept through 8:00 .. 11:00
    sched._process_jobs()
    assert fired[1:] == [clock.now]  # one run for the whole backlog, hours late, not skipped


def test_after_a_week_off_the_first_tick_runs_at_start(monkeypatch):
    fired: list[datetime] = []
    back = datetime(2026, 9, 23, 14, 7, tzinfo=DENVER)  # started again on a Wednesday afternoon
    clock, sched, _ = start_daemon(monkeypatch, back, lambda stop: fired.append(clock.now))
    sched.run_until(clock, back + timedelta(minutes=1))
    assert fired == [back]


def test_ticks_follow_the_wall_clock_across_the_dst_change(monkeypatch):
    fired: list[datetime] = []
    start = datetime(2026, 10, 30, 21, 0, tzinfo=DENVER)  # Friday before DST ends (Sun Nov 1)
    schedule = Schedule(every_minutes=60, start=time(7, 0), end=time(8, 0))
    clock, sched, _ = start_daemon(monkeypatch, start, lambda stop: fired.append(clock.now), schedule)
    sched.run_until(clock, datetime(2026, 11, 3, 9, 0, tzinfo=DENVER))
    local_times = [t.astimezone(DENVER).strftime("%a %H:%M %Z") for t in fired[1:]]
    assert local_times == ["Mon 07:00 MST", "Tue 07:00 MST"]


def test_overlapping_ticks_are_refused_by_the_runner():
    entered = threading.Event()
    release = threading.Event()
    runs: list[int] = []

    def slow(stop: threading.Event) -> None:
        runs.append(1)
        entered.set()
        release.wait(5)

    runner = daemon.TickRunner(slow)
    first = threading.Thread(target=runner)
    first.start()
    entered.wait(5)
    runner()  # a second tick while the first is still running
    release.set()
    first.join(5)
    assert runs == [1]


def test_the_daemon_runs_on_the_configs_schedule_model():
    """One Schedule model: the daemon takes the config's validated ``[schedule]`` section as it is."""
    assert daemon.Schedule is Schedule
