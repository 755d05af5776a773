"""``--help`` says every word: no help text, default or section name is swallowed as markup.

Rich markup once ate ``[schedule]`` ("ticks on the config's  until SIGTERM") and the default config
location ("Config file ."), and options showed ``<bool>`` metavars; help is now plain text.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from ilt_bot import cli

Command = Any  # typer.main.get_command builds click commands (typer vendors click)

runner = CliRunner()


def commands() -> list[tuple[list[str], Command]]:
    """Every command as (argv path, click command), groups and subcommands included."""
    found: list[tuple[list[str], Command]] = []

    def walk(path: list[str], command: Command) -> None:
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk([*path, name], sub)

    walk([], typer.main.get_command(cli.app))
    return found


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def help_of(path: list[str]) -> str:
    result = runner.invoke(cli.app, [*path, "--help"], env={"COLUMNS": "80"}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return flat(result.output)


@pytest.mark.parametrize(("path", "command"), commands(), ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_help_shows_every_word_of_the_command_and_its_options(path, command):
    shown = help_of(path)
    for paragraph in (command.help or "").split("\n\n"):
        assert flat(paragraph) in shown, f"`ilt-bot {' '.join(path)} --help` lost: {flat(paragraph)!r}"
    for param in command.params:
        if getattr(param, "help", None):
            assert flat(param.help) in shown, f"`ilt-bot {' '.join(path)} --help` lost: {param.help!r}"
    metavars = re.findall(r"<[a-z][a-z\[\] ]*>", shown)
    assert not metavars, f"`ilt-bot {' '.join(path)} --help` shows Python types as metavars: {metavars}"


def test_the_default_config_location_and_schedule_section_are_named():
    """The examples of the original bug: both bracketed texts reach the reader."""
    run_help = help_of(["run"])
    assert "ticks on the config's [schedule] until SIGTERM" in run_help
    for path, command in commands():
        if any("--config" in getattr(p, "opts", []) for p in command.params):
            assert "Config file [default: ./config.toml, else $ILT_BOT_CONFIG]." in help_of(path), path


def test_every_command_and_subcommand_is_covered():
    names = {" ".join(path) for path, _ in commands()}
    assert {"", "check", "plan", "tick", "run", "status", "demo", "sandbox", "sandbox serve", "auth",
            "auth login"} <= names
