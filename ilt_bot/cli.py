"""The ``ilt-bot`` command line (thin: parse, call, print).

Contract (design.md): every command takes ``-c/--config`` (default ``./config.toml``, else
``$ILT_BOT_CONFIG``); ``--json`` prints exactly one JSON object on stdout; progress and logs go to stderr.
Exit codes: 0 ok, 2 config error (each problem with its field path and fix), 1 any other failure.
A user's mistake prints a clean message, never a traceback (set ``ILT_BOT_DEBUG=1`` to see one).

Each command is a small function: load what it needs with :func:`load`, call the library, print with
:func:`emit_json` or a rich table. Add a command by writing one more such function.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ilt_bot import __version__
from ilt_bot.errors import ConfigError, Problem, UserError

log = logging.getLogger("ilt_bot")

app = typer.Typer(
    name="ilt-bot",
    help="Runs a school's Instructional Leadership Team routines (agendas, feedback, reflections) on its "
    "Google Workspace.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
sandbox_app = typer.Typer(help="The local Workspace: an offline stand-in for the Google APIs the bot uses.",
                          no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")

ConfigOption = Annotated[
    Path | None,
    typer.Option("-c", "--config", help="Config file [default: ./config.toml, else $ILT_BOT_CONFIG].",
                 show_default=False, dir_okay=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


# --- output helpers ------------------------------------------------------------------------------


def out() -> Console:
    """Console for results (stdout). Wide when piped, so tables are not squeezed to 80 columns."""
    return Console(width=None if sys.stdout.isatty() else 200, highlight=False)


def err() -> Console:
    """Console for progress, logs and errors (stderr)."""
    return Console(stderr=True, highlight=False)


def emit_json(obj: dict[str, Any]) -> None:
    """Print ``obj`` as the one JSON object on stdout."""
    sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")
    sys.stdout.flush()


def print_problems(problems: list[Problem], source: str | None) -> None:
    console = err()
    where = f" in {source}" if source else ""
    n = len(problems)
    console.print(f"[bold red]{n} problem{'s' if n != 1 else ''}{where}:[/]")
    for p in problems:
        console.print(f"  [bold]{p.path}[/]: {p.message}", markup=True, soft_wrap=True)
        if p.fix:
            console.print(f"      fix: {p.fix}", soft_wrap=True, markup=False)


@contextmanager
def user_errors(as_json: bool = False) -> Iterator[None]:
    """Turn a user's mistake into a clean message and the contract's exit code."""
    try:
        yield
    except ConfigError as exc:
        print_problems(exc.problems, exc.source)
        if as_json:
            emit_json({"ok": False, "error": "config", "config": exc.source,
                       "problems": [p.to_json() for p in exc.problems]})
        raise typer.Exit(2) from None
    except UserError as exc:
        err().print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        if as_json:
            emit_json({"ok": False, "error": str(exc)})
        raise typer.Exit(1) from None


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; write it like 2026-09-15", param_hint=option) from None


# --- loading -------------------------------------------------------------------------------------


def load(config: Path | None):  # noqa: ANN201 - returns ilt_bot.config.Config (imported lazily)
    """The validated config named by ``-c``, ``./config.toml`` or ``$ILT_BOT_CONFIG`` (ConfigError if bad)."""
    from ilt_bot.config import config_path, load_config

    path = config_path(config)
    log.info("config: %s", path)
    return load_config(path)


# --- commands ------------------------------------------------------------------------------------


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"ilt-bot {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.", callback=_show_version,
                                          is_eager=True)] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="Log progress to stderr.")] = False,
) -> None:
    """Runs a school's Instructional Leadership Team routines on its Google Workspace."""
    if verbose:
        logging.getLogger("ilt_bot").setLevel(logging.INFO)


@app.command()
def check(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Validate the config (and its templates). Exit 0 ok, 2 config problems, 1 other failure."""
    with user_errors(as_json):
        cfg = load(config)
        problems = template_problems(cfg)
        if problems:
            raise ConfigError(problems, str(cfg.source) if cfg.source else None)
        summary = config_summary(cfg)
    if as_json:
        emit_json({"ok": True, **summary, "problems": []})
        return
    console = out()
    console.print(f"[bold green]OK[/] {summary['config']}: {summary['school_name']} ({summary['school']}), "
                  f"{summary['year']}", soft_wrap=True)
    console.print(f"  {summary['members']} ILT members, {summary['teams']} teams ({summary['teachers']} teachers)")
    console.print(f"  {summary['meetings']} meetings from {summary['first_meeting']} to {summary['last_meeting']} "
                  f"({summary['pattern']}), {summary['cycles']} learning cycles, "
                  f"semesters {', '.join(summary['semesters'])}", soft_wrap=True)
    console.print(f"  workspace: {summary['backend']} as {summary['bot_user']}")


def template_problems(cfg: Any) -> list[Problem]:
    """Templates that do not render with this config, as config problems."""
    from ilt_bot.render import validate_templates

    found = validate_templates(cfg, base_dir=cfg.base_dir)
    problems = []
    for p in found:
        where = f"templates: {p.template}" + (f", line {p.line}" if p.line else "")
        fix = f"fix the template; it may use {', '.join(p.available)}" if p.available else "fix the template"
        problems.append(Problem(where, p.message, fix))
    return problems


def config_summary(cfg: Any) -> dict[str, Any]:
    from ilt_bot.calendar import SchoolYear

    year = SchoolYear(cfg)
    meetings = year.meetings()
    pattern = cfg.meetings
    return {
        "config": str(cfg.source) if cfg.source else None,
        "school": cfg.school.id,
        "school_name": cfg.school.name,
        "year": cfg.year.label,
        "timezone": cfg.school.timezone,
        "members": len(cfg.members),
        "teams": len(cfg.teams),
        "teachers": sum(len(t.teachers) for t in cfg.teams),
        "meetings": len(meetings),
        "first_meeting": meetings[0].date.isoformat() if meetings else None,
        "last_meeting": meetings[-1].date.isoformat() if meetings else None,
        "pattern": f"{pattern.frequency} on {pattern.weekday} at {pattern.time.strftime('%H:%M')}",
        "cycles": len(year.cycles()),
        "semesters": [s.id for s in cfg.year.semesters],
        "backend": cfg.workspace.backend,
        "bot_user": cfg.workspace.bot_user,
    }


@app.command()
def plan(
    config: ConfigOption = None,
    from_: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD), school time.",
                                              show_default=False)] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD), inclusive.",
                                           show_default=False)] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Only these kinds (repeatable): agenda, "
                                                   "feedback_form, thinking_map, prework, ...")] = None,
    as_json: JsonOption = False,
) -> None:
    """The dated work of the school year: every agenda, form, sync, digest and reflection item."""
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.plan import KINDS
    from ilt_bot.plan import plan as make_plan

    start, end = parse_day(from_, "--from"), parse_day(to, "--to")
    unknown = [k for k in kind or [] if k not in KINDS]
    if unknown:
        raise typer.BadParameter(f"unknown kind {unknown[0]!r}; kinds: {', '.join(KINDS)}", param_hint="--kind")
    with user_errors(as_json):
        cfg = load(config)
        year = SchoolYear(cfg)
        items = [i for i in make_plan(cfg, year, start, end) if not kind or i.kind in kind]
    meetings = [m for m in year.meetings() if (not start or m.date >= start) and (not end or m.date <= end)]
    if as_json:
        emit_json({
            "school": cfg.school.id,
            "year": cfg.year.label,
            "timezone": cfg.school.timezone,
            "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None,
            "count": len(items),
            "counts": dict(Counter(i.kind for i in items)),
            "meetings": [meeting_json(m) for m in meetings],
            "items": [i.to_json() for i in items],
        })
        return
    table = Table(title=f"{cfg.school.name}: plan for {cfg.year.label} ({cfg.school.timezone})", title_justify="left")
    table.add_column("Due", no_wrap=True)
    table.add_column("Kind", no_wrap=True)
    table.add_column("Key", no_wrap=True, style="cyan")
    table.add_column("About")
    for item in items:
        table.add_row(item.due.strftime("%a %Y-%m-%d %H:%M"), item.kind, item.key, item.target)
    console = out()
    console.print(table)
    counts = Counter(i.kind for i in items)
    console.print(f"{len(items)} items, {len(meetings)} meetings: "
                  + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())), soft_wrap=True)


def meeting_json(m: Any) -> dict[str, Any]:
    return {
        "date": m.date.isoformat(),
        "number": m.number,
        "kind": m.kind,
        "start": m.start.isoformat(),
        "end": m.end.isoformat(),
        "location": m.location,
        "roles": m.roles,
        "semester": m.semester,
        "cycle": m.cycle,
        "focus_area": m.focus.focus_area if m.focus else None,
        "strand": m.focus.strand if m.focus else None,
        "moved_from": m.moved_from.isoformat() if m.moved_from else None,
    }


@sandbox_app.command("serve")
def sandbox_serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    db: Annotated[str, typer.Option(help="SQLite file (':memory:' forgets everything on exit).")] = "sandbox.db",
    latency_ms: Annotated[float, typer.Option("--latency-ms", help="Added latency per request.")] = 0,
    fault_rate: Annotated[float, typer.Option("--fault-rate", help="Share of requests that fail (0-1).",
                                              min=0.0, max=1.0)] = 0.0,
    fault_seed: Annotated[int | None, typer.Option("--fault-seed", help="Seed for repeatable faults.")] = None,
    request_log: Annotated[str | None, typer.Option("--request-log", help="Append JSON lines per request here.")]
    = None,
) -> None:
    """Run the local Workspace (Drive, Docs, Forms, Sheets) until Ctrl-C."""
    from ilt_bot.sandbox.server import serve_forever

    err().print(f"sandbox Workspace on http://{host}:{port} (db {db}); Ctrl-C stops it")
    serve_forever(host=host, port=port, db=db, latency_ms=latency_ms, fault_rate=fault_rate,
                  fault_seed=fault_seed, request_log=request_log)


# --- more commands ---------------------------------------------------------------------------------
# `tick`, `run`, `demo` and `status` go here, each a small function like `plan` above:
#     @app.command()
#     def tick(config: ConfigOption = None, now: ... = None, dry_run: ... = False, as_json: JsonOption = False):
#         with user_errors(as_json):
#             cfg = load(config)
#             ...


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: ``ilt-bot``."""
    logging.basicConfig(stream=sys.stderr, level=os.environ.get("ILT_BOT_LOG_LEVEL", "WARNING").upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        app(args=argv, prog_name="ilt-bot")
    except KeyboardInterrupt:
        err().print("interrupted")
        sys.exit(130)
    except Exception as exc:  # a bug or an environment failure: exit 1, traceback only on request
        if os.environ.get("ILT_BOT_DEBUG"):
            raise
        err().print(f"[bold red]error:[/] {type(exc).__name__}: {exc}", soft_wrap=True)
        err().print("(set ILT_BOT_DEBUG=1 to see the traceback)")
        sys.exit(1)
