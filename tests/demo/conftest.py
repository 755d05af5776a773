"""A demo of the example school's first weeks, served as ``ilt-bot demo --serve --tick-every`` serves it."""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"
UNTIL = date(2026, 9, 9)
"""The slice played: the launch retreat (Aug 20) and the meetings of Aug 25, Sep 1 and Sep 8."""


@dataclass
class Served:
    config: Path
    out: Path
    url: str
    result: dict[str, Any]


def example_copy(tmp: Path) -> Path:
    """The example config in ``tmp`` (its sandbox database lands beside it)."""
    config = tmp / "config.toml"
    shutil.copy(EXAMPLE, config)
    return config


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Any:
    """The demo played up to :data:`UNTIL`, then served (ticking every second) until the module ends."""
    from ilt_bot.demo import run_demo

    tmp = tmp_path_factory.mktemp("served-demo")
    config, out = example_copy(tmp), tmp / "demo-out"
    stop = threading.Event()
    box: dict[str, Any] = {}

    def play() -> None:
        box["result"] = run_demo(config, out, serve=True, json_output=True, until=UNTIL, tick_every=1.0,
                                 stop=stop, port=0)

    thread = threading.Thread(target=play, daemon=True)
    thread.start()
    deadline = time.monotonic() + 600
    while not (out / "index.html").exists() and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert (out / "index.html").exists(), "the demo did not write its index"
    time.sleep(1)  # the index is written just before serving starts
    url = _url(out)
    yield Served(config, out, url, box)
    stop.set()
    thread.join(timeout=60)


def _url(out: Path) -> str:
    import re

    found = re.search(r'href="(http://127\.0\.0\.1:\d+)/', (out / "index.html").read_text())
    assert found, "no sandbox link in the index"
    return found.group(1)
