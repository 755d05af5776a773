"""One clock: after a demo, ``status`` and ``tick`` on its sandbox read the sandbox's clock (the demo's
last simulated moment), not the machine's; on Google they read the real time."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from ilt_bot import cli
from tests.demo.conftest import EXAMPLE, UNTIL, example_copy

runner = CliRunner()


def test_status_and_tick_after_a_demo_read_the_demos_clock(tmp_path):
    """The demo stops on Sep 9 (after school); the machine's date is another. `status` shows the last run
    of the demo's last days and what is due in the 7 days after it; its tracker link opens on the sandbox, not
    docs.google.com; a `tick` right after finds nothing due (at the machine's date it would make months of
    agendas)."""
    from ilt_bot.demo import run_demo

    config = example_copy(tmp_path)
    played = run_demo(config, tmp_path / "out", json_output=True, until=UNTIL, port=0)
    assert played["errors"] == []

    shown = runner.invoke(cli.app, ["status", "-c", str(config), "--json"], catch_exceptions=False)
    assert shown.exit_code == 0, shown.output
    cedar = json.loads(shown.output)["schools"]["cedar"]
    end = datetime.combine(UNTIL, time(17, 30), ZoneInfo("America/Denver"))  # the demo's last tick
    last = datetime.fromisoformat(cedar["last_run"]["time"])
    assert end - timedelta(days=2) <= last <= end  # the last pass that did something (Sep 8 or 9)
    assert cedar["due_next"], "something is due in the week after Sep 9"
    for item in cedar["due_next"]:
        due = datetime.fromisoformat(item["due"])
        assert end < due <= end + timedelta(days=7, minutes=5), item
    assert cedar["tracker"].startswith("http://127.0.0.1:") and "/spreadsheets/d/" in cedar["tracker"]

    ticked = runner.invoke(cli.app, ["tick", "-c", str(config), "--json"], catch_exceptions=False)
    assert ticked.exit_code == 0, ticked.output
    assert json.loads(ticked.output)["created"] == []


def test_on_google_the_clock_is_the_real_time():
    """A gateway without a sandbox address (Google) gets the machine's time in the school's zone."""
    from ilt_bot.config import load_config
    from ilt_bot.workspace.clock import workspace_now

    config = load_config(EXAMPLE)

    class Google:
        base_url = None

    now = workspace_now(config, Google())  # type: ignore[arg-type]
    assert abs(now - datetime.now(config.tz)) < timedelta(seconds=5) and now.tzinfo is not None
