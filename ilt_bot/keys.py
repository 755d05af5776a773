"""The one shape of every artifact key: ``<school id>/<form>/<parts...>``.

Pure and below both ``ilt_bot.routine`` and ``ilt_bot.jobs``: each routine builds its own key form with
:func:`school_key` (docs/architecture.md, "The idempotency contract").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ilt_bot.config import Config


def school_key(config: Config, form: str, *parts: str) -> str:
    """``<school id>/<form>/<parts...>``: the one shape of every key (each routine names its own form)."""
    return "/".join([config.school.id, form, *parts])
