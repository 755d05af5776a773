"""Errors a user can fix themselves (config mistakes), printed without a traceback."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    """One config problem: where (``meetings.weekday``), what is wrong, how to fix it."""

    path: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}"
        return f"{text}\n    fix: {self.fix}" if self.fix else text

    def to_json(self) -> dict[str, str]:
        return asdict(self)


class UserError(Exception):
    """A mistake the user can fix; the CLI prints it cleanly (exit 1) instead of a traceback."""


class ConfigError(UserError):
    """The config file is missing, unreadable or invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f" in {source}" if source else ""
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''}{where}:"]
        lines += [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class RunError:
    """One unit of work that failed in a tick, kept typed so callers branch on fields, not on text.

    ``kind`` names the cause (the exception class, e.g. ``RateLimited``, ``SharingRefused``,
    ``TemplateError``); ``retryable`` is true when a later run may succeed without anyone changing
    anything (quota, outage, another run holding the lock): the CLI's exit 75 comes from it.
    """

    kind: str
    key: str
    message: str
    fix: str = ""
    retryable: bool = False

    def __str__(self) -> str:
        return f"{self.key}: {self.kind}: {self.message}"

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_exception(cls, key: str, exc: BaseException) -> RunError:
        """The RunError of ``exc`` raised while working on ``key`` (the one place tick errors are built).

        ``retryable`` is the exception's own ``retry_later`` flag (quota, rate limit, outage, busy lock:
        ``ilt_bot.workspace.errors``, ``ilt_bot.locking``); ``fix`` its ``fix`` text where it has one.
        """
        return cls(kind=type(exc).__name__, key=key, message=str(exc), fix=str(getattr(exc, "fix", "") or ""),
                   retryable=bool(getattr(exc, "retry_later", False)))
