"""The one clock of a Workspace: a sandbox's own clock (which a demo sets to its story's time), else the
real time. ``tick``, ``status`` and the served demo read it, so a demo sandbox never mixes two clocks."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from ilt_bot.config import Config

if TYPE_CHECKING:
    from ilt_bot.workspace.gateway import Gateway

log = logging.getLogger(__name__)


def workspace_now(config: Config, gateway: Gateway) -> datetime:
    """Now, on the Workspace ``gateway`` reaches: the sandbox's clock (``GET /_sandbox/clock``) in the
    school's time zone, or the real time on Google."""
    if gateway.base_url is None:
        return datetime.now(config.tz)
    import requests

    try:
        answer = requests.get(f"{gateway.base_url}/_sandbox/clock", timeout=10)
        answer.raise_for_status()
        return datetime.fromisoformat(answer.json()["now"].replace("Z", "+00:00")).astimezone(config.tz)
    except (requests.RequestException, KeyError, ValueError) as exc:
        log.warning("the sandbox clock at %s is unreadable (%s): using the real time", gateway.base_url, exc)
        return datetime.now(config.tz)
