"""The ``ilt-bot`` command line (thin: parse, call, print).

Contract (design.md): every command takes ``-c/--config`` (default ``./config.toml``, else
``$ILT_BOT_CONFIG``); ``--json`` prints exactly one JSON object on stdout; progress and logs go to stderr.
Exit codes: 0 ok, 2 config error (each problem with its field path and fix), 1 any other failure.
A user's mistake prints a clean message, never a traceback (set ``ILT_BOT_DEBUG=1`` to see one).

Each command is a small function: load what it needs with :func:`load`, call the library, print with
:func:`emit_json` or a rich table. Add a command by writing one more such function. Help texts are
plain (``rich_markup_mode=None``) so that ``[schedule]`` or ``[default: ...]`` reach the reader as written.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ilt_bot import __version__, logs
from ilt_bot.calendar import SchoolYear
from ilt_bot.config import Config, config_path, load_config
from ilt_bot.config.summary import config_summary
from ilt_bot.errors import ConfigError, Problem, UserError

if TYPE_CHECKING:
    from ilt_bot.district import District
    from ilt_bot.runner import SchoolResult

log = logging.getLogger("ilt_bot")
_ROOT: dict[str, Any] = {"verbose": False}

app = typer.Typer(
    name="ilt-bot",
    help="Runs a school's Instructional Leadership Team routines (agendas, feedback, reflections) on its "
    "Google Workspace.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
sandbox_app = typer.Typer(help="The local Workspace: an offline stand-in for the Google APIs the bot uses.",
                          no_args_is_help=True, rich_markup_mode=None)
app.add_typer(sandbox_app, name="sandbox")

ConfigOption = Annotated[
    Path | None,
    typer.Option("-c", "--config", help="Config file [default: ./config.toml, else $ILT_BOT_CONFIG].",
                 show_default=False, dir_okay=False, metavar="PATH"),
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


def load(config: Path | None) -> Config:
    """The validated config named by ``-c``, ``./config.toml`` or ``$ILT_BOT_CONFIG`` (ConfigError if bad)."""
    path = config_path(config)
    log.info("config: %s", path)
    return load_config(path)


def load_many(config: Path | None) -> tuple[list[Config], District | None]:
    """The schools of ``-c``: one for a school config, every school of a district config."""
    from ilt_bot.district import load_schools  # lazy: start-up time (the district loads the Google clients)

    path = config_path(config)
    log.info("config: %s", path)
    return load_schools(path)


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
    _ROOT["verbose"] = verbose
    if verbose:
        logging.getLogger("ilt_bot").setLevel(logging.INFO)


@app.command()
def check(
    config: ConfigOption = None,
    as_json: JsonOption = False,
    online: Annotated[bool, typer.Option("--online", help="Also sign in and check access to the folders, shared "
                                         "drive and template.")] = False,
    scopes: Annotated[bool, typer.Option("--scopes", help="Print the OAuth scopes to grant (domain-wide "
                                         "delegation), one per line.")] = False,
) -> None:
    """Validate the config (and its templates). Exit 0 ok, 2 config problems, 1 other failure.

    A district config checks every school. --online signs in and checks Drive access;
    --scopes prints the scopes an admin grants to the bot's client ID.
    """
    with user_errors(as_json):
        schools, district = load_many(config)
        source = str(district.source if district else schools[0].source)
        problems = [Problem(f"{_where(c, district)}{p.path}", p.message, p.fix)
                    for c in schools for p in template_problems(c) + key_file_problems(c)]
        if problems:
            raise ConfigError(problems, source)
        if scopes:
            _print_scopes(schools, as_json)
            return
        if online:
            problems = _online_problems(schools, district)
            if problems:
                raise ConfigError(problems, source)
        summaries = [config_summary(c) for c in schools]
    if as_json:
        if district is None:
            emit_json({"ok": True, **summaries[0], "online": online, "problems": []})
        else:
            emit_json({"ok": True, "district": district.name, "config": str(district.source), "online": online,
                       "schools": summaries, "problems": []})
        return
    console = out()
    if district is not None:
        console.print(f"[bold green]OK[/] {district.source}: {district.name}, {len(schools)} schools"
                      + (" (online checks passed)" if online else ""), soft_wrap=True)
    for summary in summaries:
        _print_summary(console, summary, online and district is None)


def _where(config: Config, district: District | None) -> str:
    return district.where(config) if district is not None else ""


def _print_scopes(schools: list[Config], as_json: bool) -> None:
    from ilt_bot.workspace.auth import required_scopes, scope_reasons  # lazy: start-up time (google-auth)

    needed = list(dict.fromkeys(s for c in schools for s in required_scopes(c)))
    if as_json:
        sys.stdout.write(json.dumps(needed) + "\n")
    else:
        for scope in needed:
            typer.echo(scope)
        why = {scope: reason for c in schools for scope, reason in scope_reasons(c).items()}
        for scope in needed:  # on stderr: stdout stays one scope a line for scripts
            typer.echo(f"# {scope.rsplit('/', 1)[-1]}: {why[scope]}", err=True)


def _online_problems(schools: list[Config], district: District | None) -> list[Problem]:
    from ilt_bot.district import SharedSandbox  # lazy: start-up time (the Google clients)
    from ilt_bot.workspace.preflight import check_online  # lazy: start-up time (the Google clients)

    with SharedSandbox(schools) as shared:
        return [Problem(f"{_where(c, district)}{p.path}", p.message, p.fix)
                for c in schools for p in check_online(shared.config_for(c))]


def _print_summary(console: Console, summary: dict[str, Any], online: bool) -> None:
    console.print(f"[bold green]OK[/] {summary['config']}: {summary['school_name']} ({summary['school']}), "
                  f"{summary['year']}" + (" (online checks passed)" if online else ""), soft_wrap=True)
    console.print(f"  {summary['members']} ILT members, {summary['teams']} teams ({summary['teachers']} teachers)")
    console.print(f"  {summary['meetings']} meetings from {summary['first_meeting']} to {summary['last_meeting']} "
                  f"({summary['pattern']}), {summary['cycles']} learning cycles, "
                  f"semesters {', '.join(summary['semesters'])}", soft_wrap=True)
    console.print(f"  workspace: {summary['backend']} as {summary['bot_user']}")
    for warning in summary.get("warnings", []):
        console.print(f"  [yellow]warning:[/] {warning}", soft_wrap=True)


def key_file_problems(cfg: Any) -> list[Problem]:
    """A service-account key file that does not exist or cannot be read (checked without signing in)."""
    if cfg.workspace.auth is None or cfg.workspace.auth.method != "service_account":
        return []
    from ilt_bot.workspace.preflight import key_file_problem  # lazy: start-up time (the Google clients)

    problem = key_file_problem(cfg)
    return [problem] if problem else []


def template_problems(cfg: Any) -> list[Problem]:
    """Templates that do not render with this config, as config problems."""
    from ilt_bot.registry import sample_contexts
    from ilt_bot.render import validate_templates

    found = validate_templates(cfg, base_dir=cfg.base_dir, samples=sample_contexts())
    problems = []
    for p in found:
        where = f"templates: {p.template}" + (f", line {p.line}" if p.line else "")
        fix = f"fix the template; it may use {', '.join(p.available)}" if p.available else "fix the template"
        problems.append(Problem(where, p.message, fix))
    return problems


@app.command()
def plan(
    config: ConfigOption = None,
    from_: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD), school time.",
                                              show_default=False, metavar="DATE")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD), inclusive.",
                                           show_default=False, metavar="DATE")] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Only these kinds (repeatable): agenda, "
                                                   "feedback_form, thinking_map, prework, ...", metavar="KIND")]
    = None,
    as_json: JsonOption = False,
) -> None:
    """The dated work of the school year: every agenda, form, sync, digest and reflection item."""
    from ilt_bot.plan import KINDS  # lazy: start-up time (the plan loads every routine)
    from ilt_bot.plan import plan as make_plan  # lazy: start-up time (the plan loads every routine)

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
            "meetings": [m.to_json() for m in meetings],
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



@sandbox_app.command("serve")
def sandbox_serve(
    host: Annotated[str, typer.Option(help="Address to listen on.", metavar="HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", metavar="PORT")] = 8765,
    db: Annotated[str, typer.Option(help="SQLite file (':memory:' forgets everything on exit).",
                                    metavar="PATH")] = "sandbox.db",
    latency_ms: Annotated[float, typer.Option("--latency-ms", help="Added latency per request.", metavar="MS")] = 0,
    fault_rate: Annotated[float, typer.Option("--fault-rate", help="Share of requests that fail (0-1).",
                                              min=0.0, max=1.0, metavar="P")] = 0.0,
    fault_seed: Annotated[int | None, typer.Option("--fault-seed", help="Seed for repeatable faults.",
                                                   metavar="N")] = None,
    request_log: Annotated[str | None, typer.Option("--request-log", help="Append JSON lines per request here.",
                                                    metavar="PATH")] = None,
    quotas: Annotated[bool, typer.Option("--quotas/--no-quotas", help="Google's per-minute request quotas "
                                         "(429 beyond them), on the sandbox clock.")] = True,
    allow_remote: Annotated[bool, typer.Option("--allow-remote", help="Listen on a non-loopback --host although "
                                               "the sandbox has no authentication.")] = False,
    account: Annotated[list[str] | None, typer.Option("--account", help="An address with a Google account "
                                                      "(repeat it); once given, silent shares to anyone else are "
                                                      "refused, as on Google.", metavar="EMAIL")] = None,
) -> None:
    """Run the local Workspace (Drive, Docs, Forms, Sheets, Calendar) until Ctrl-C; it has no authentication."""
    from ilt_bot.sandbox.server import is_loopback, serve_forever

    if not allow_remote and not is_loopback(host):
        err().print(f"[red]error:[/red] --host {host} would let anyone who can reach this machine read and change "
                    "the sandbox: it has no authentication (any bearer token is accepted).\n"
                    "fix: keep the default --host 127.0.0.1, or add --allow-remote on a trusted network only.")
        raise typer.Exit(2)
    err().print(f"sandbox Workspace on http://{host}:{port} (db {db}, quotas {'on' if quotas else 'off'}); "
                "Ctrl-C stops it")
    serve_forever(host=host, port=port, db=db, latency_ms=latency_ms, fault_rate=fault_rate,
                  fault_seed=fault_seed, request_log=request_log, enforce_quotas=quotas, accounts=account or [])


@app.command()
def init(
    out_file: Annotated[Path, typer.Option("--out", "-o", help="Where to write the config.", dir_okay=False,
                                           metavar="PATH")] = Path("config.toml"),
    name: Annotated[str | None, typer.Option(help="School name.", show_default=False, metavar="TEXT")] = None,
    domain: Annotated[str | None, typer.Option(help="Google Workspace domain (school.org).",
                                               show_default=False, metavar="DOMAIN")] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA time zone (America/Denver).", show_default=False,
                                                 metavar="ZONE")]
    = None,
    first_day: Annotated[str | None, typer.Option(help="First day with students (YYYY-MM-DD).",
                                                  show_default=False, metavar="DATE")] = None,
    last_day: Annotated[str | None, typer.Option(help="Last day with students (YYYY-MM-DD).",
                                                 show_default=False, metavar="DATE")] = None,
    meeting_day: Annotated[str | None, typer.Option(help="ILT meeting weekday (monday ... friday).",
                                                    show_default=False, metavar="DAY")] = None,
    meeting_time: Annotated[str | None, typer.Option(help="ILT meeting time (HH:MM, local).", show_default=False,
                                                     metavar="HH:MM")]
    = None,
    member: Annotated[list[str] | None, typer.Option(help="An ILT member: 'Ana Ruiz <ana@school.org>: principal' "
                                                     "(repeatable; role principal, team_lead, coach, ...).",
                                                     show_default=False, metavar="MEMBER")] = None,
    team: Annotated[list[str] | None, typer.Option(help="A teacher team: 'Team name: teacher@x.org; other@x.org' "
                                                   "(repeatable).", show_default=False, metavar="TEAM")] = None,
    people: Annotated[Path | None, typer.Option(help="A CSV of the school's people with the columns "
                                                "name,email,role,team (role: a member role, or teacher).",
                                                exists=True, dir_okay=False, show_default=False,
                                                metavar="CSV")] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never ask: a missing answer is an error.")]
    = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented config.toml for your school: asks for what is missing, or takes options and a CSV.

    Asked: school name, domain, time zone, first and last day, meeting day and time, ILT members and
    teacher teams (or --people CSV). Everything else is derived (semesters, reflection meetings,
    learning cycles, a scope and sequence) or written as a commented default. The file passes
    `ilt-bot check`; then `ilt-bot demo -c config.toml` plays your year on the sandbox.
    Exit 0 written, 2 a missing or invalid answer.
    """
    from ilt_bot import init as setup  # lazy: only this command needs it

    with user_errors():
        if out_file.exists() and not force:
            raise UserError(f"{out_file} exists: choose another --out, or add --force to overwrite it")
    try:
        found = setup.read_people_csv(people) if people else []
        found += [setup.parse_member(m) for m in member or []]
        found += [p for t in team or [] for p in setup.parse_team(t)]
        given = {"name": name, "domain": domain, "timezone": timezone, "first_day": first_day,
                 "last_day": last_day, "meeting_day": meeting_day, "meeting_time": meeting_time}
        ask = None if no_input or not sys.stdin.isatty() else (
            lambda q, d: typer.prompt(q, default=d) if d is not None else typer.prompt(q))
        text = setup.render_config(setup.collect(given, found, ask))
    except ValueError as exc:
        err().print(f"[bold red]init:[/] {exc}", soft_wrap=True)
        raise typer.Exit(2) from None
    out_file.write_text(text, encoding="utf-8")
    with user_errors():
        cfg = load_config(out_file)
    err().print(f"wrote {out_file}: {cfg.school.name}, {len(cfg.members)} members, {len(cfg.teams)} teams; "
                f"next: ilt-bot check -c {out_file}, then ilt-bot demo -c {out_file}", soft_wrap=True, markup=False)


# --- running it: tick, run, status, demo, auth -------------------------------------------------------

LogFormatOption = Annotated[str, typer.Option("--log-format", help="Logs on stderr as text or json (one object "
                                              "per line).", metavar="text|json")]
VerboseOption = Annotated[bool, typer.Option("--verbose", help="Debug logs and a trace of every HTTP call "
                                             "(tokens and keys redacted).")]
WaitLockOption = Annotated[float, typer.Option("--wait-lock", help="Seconds to wait for another run of the same "
                                               "school to finish (else exit 75).", min=0, metavar="SECONDS")]
NowOption = Annotated[str | None, typer.Option("--now", help="Act as if it were this moment (ISO date-time; "
                                               "school time if no offset).", show_default=False,
                                               metavar="DATETIME")]


def setup_logging(log_format: str, verbose: bool) -> None:
    """Logs to stderr: actions at INFO in json (for log collectors), warnings only in text unless -v."""
    if log_format not in logs.FORMATS:
        raise typer.BadParameter(f"{log_format!r}: use text or json", param_hint="--log-format")
    logs.setup(log_format, verbose=verbose, level=logs.level_for(log_format, _ROOT["verbose"]))


def parse_now(value: str | None) -> datetime | None:
    """``--now`` as a datetime (naive: the school's time); None for the real time."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date-time; write it like 2026-09-11T06:30 or "
                                 "2026-09-11T06:30:00-06:00", param_hint="--now") from None


def _shard(spec: str | None) -> tuple[int, int] | None:
    from ilt_bot.district import parse_shard  # lazy: start-up time (the Google clients)

    if spec is None:
        return None
    try:
        return parse_shard(spec)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--shard") from None


def _print_result(console: Console, result: SchoolResult, name: str) -> None:
    report = result.report or {}
    colour = {"done": "green", "failed": "red"}.get(result.status, "yellow")
    console.print(f"[bold]{name}[/] ({result.school}): [{colour}]{result.status}[/] - {result.counts()} "
                  f"({result.api_calls} API calls, {result.seconds:.1f} s)"
                  + (" [dim](dry run: nothing written)[/]" if result.dry_run else ""), soft_wrap=True)
    for key in report.get("created", []):
        console.print(f"  + {key}", markup=False, soft_wrap=True)
    for text in report.get("skipped", []):
        console.print(f"  ~ {text}", markup=False, soft_wrap=True)
    for error in result.errors:
        console.print(f"  ! {error}", markup=False, soft_wrap=True)


def _chosen_schools(schools: list[Config], wanted: list[str] | None) -> list[Config]:
    if not wanted:
        return schools
    known = {c.school.id for c in schools}
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise typer.BadParameter(f"no school {unknown[0]!r} in the config; schools: {', '.join(sorted(known))}",
                                 param_hint="--school")
    return [c for c in schools if c.school.id in wanted]


@app.command()
def tick(
    config: ConfigOption = None,
    now: NowOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read everything, change nothing; report what "
                                          "would be done.")] = False,
    as_json: JsonOption = False,
    all_: Annotated[bool, typer.Option("--all", help="Every school of a district config (concurrently).")] = False,
    shard: Annotated[str | None, typer.Option("--shard", help="With --all: only the schools of worker i of n "
                                              "(i/n), or auto (Kubernetes / Cloud Run task index).",
                                              show_default=False, metavar="I/N|auto")] = None,
    school: Annotated[list[str] | None, typer.Option("--school", help="Of a district config: only this school "
                                                    "(repeatable).", show_default=False, metavar="ID")] = None,
    log_format: LogFormatOption = "text",
    verbose: VerboseOption = False,
    wait_lock: WaitLockOption = 0.0,
) -> None:
    """One reconcile pass: sync responses, create what is due and missing, log it in the Runs tab.

    Exit 0 done, 1 failed (errors in the report), 2 config error, 75 try again later (Google quota or
    outage, or another run of the school holds its lock).
    """
    from ilt_bot.district import run_schools, select_shard  # lazy: start-up time (the Google clients)
    from ilt_bot.runner import exit_code, run_school  # lazy: start-up time (the routines)

    setup_logging(log_format, verbose)
    moment = parse_now(now)
    shard_spec = _shard(shard)
    if shard_spec and not all_:
        raise typer.BadParameter("--shard splits the schools of --all; add --all", param_hint="--shard")
    with user_errors(as_json):
        schools, district = load_many(config)
        if district is not None and not all_ and not school:
            raise ConfigError([Problem("(file)", f"{district.source} is a district config ({len(schools)} schools)",
                                       "add --all to tick every school (with --shard i/n to split them), or "
                                       "--school ID for one")], str(district.source))
    schools = _chosen_schools(schools, school)
    if all_ or district is not None:
        chosen = select_shard(schools, *shard_spec) if shard_spec else schools
        results = run_schools(chosen, moment, dry_run=dry_run, wait_lock=wait_lock,
                              max_workers=district.max_workers if district else 1,
                              quotas=district.quotas if district else None)
    else:
        results = [run_school(schools[0], moment, dry_run=dry_run, wait_lock=wait_lock)]
    code = exit_code(results)
    many = all_ or len(results) > 1
    shard_text = f"{shard_spec[0]}/{shard_spec[1]}" if shard_spec else None
    if as_json:
        if many:
            emit_json({"schools": {r.school: r.to_json() for r in results}, "count": len(results),
                       "shard": shard_text, "exit_code": code})
        else:
            emit_json(results[0].to_json())
    else:
        names = {c.school.id: c.school.name for c in schools}
        console = out()
        for result in results:
            _print_result(console, result, names.get(result.school, result.school))
        if many:
            console.print(f"{len(results)} schools" + (f" (shard {shard_text})" if shard_text else "")
                          + f", exit {code}")
    if code:
        raise typer.Exit(code)


@app.command()
def run(
    config: ConfigOption = None,
    log_format: LogFormatOption = "text",
    verbose: VerboseOption = False,
    wait_lock: WaitLockOption = 0.0,
) -> None:
    """The daemon: a catch-up tick now, then ticks on the config's [schedule] until SIGTERM/Ctrl-C.

    A district config ticks every school (concurrently) each time, on the first school's schedule.
    """
    from ilt_bot.district import run_schools  # lazy: start-up time (the Google clients)
    from ilt_bot.runner import run_school  # lazy: start-up time (the routines)
    from ilt_bot.scheduler import run_daemon  # lazy: start-up time (APScheduler)

    setup_logging(log_format, verbose)
    with user_errors():
        schools, district = load_many(config)
    first = schools[0]
    schedule = first.schedule

    def one_tick(stop: threading.Event) -> None:
        if district is not None:
            results = run_schools(schools, wait_lock=wait_lock, max_workers=district.max_workers,
                                  quotas=district.quotas, stop=stop)
        else:
            results = [run_school(first, wait_lock=wait_lock, stop=stop)]
        for result in results:
            if result.status != "done":
                log.warning("%s: tick %s: %s", result.school, result.status,
                            "; ".join(str(e) for e in result.errors[:3]))

    name = district.name if district else first.school.id
    err().print(f"ilt-bot run: {len(schools)} school(s), every {schedule.every_minutes} min {schedule.days} "
                f"{schedule.start:%H:%M}-{schedule.end:%H:%M} ({first.school.timezone}); Ctrl-C stops",
                markup=False)
    runner = run_daemon(schedule, first.tz, one_tick, name=f"ilt-bot {name}")
    err().print(f"stopped after {runner.runs} ticks ({runner.failures} crashed)")


@app.command()
def status(
    config: ConfigOption = None,
    now: NowOption = None,
    as_json: JsonOption = False,
    log_format: LogFormatOption = "text",
    verbose: VerboseOption = False,
) -> None:
    """Per school: the last run and what it made, what is due next, and what needs a person."""
    from ilt_bot.district import SharedSandbox  # lazy: start-up time (the Google clients)
    from ilt_bot.status import school_status  # lazy: start-up time (the routines)
    from ilt_bot.workspace.clock import workspace_now  # lazy: start-up time (requests)
    from ilt_bot.workspace.gateway import connect  # lazy: start-up time (the Google clients)

    setup_logging(log_format, verbose)
    moment = parse_now(now)
    with user_errors(as_json):
        schools, _district = load_many(config)
    found = []
    with SharedSandbox(schools) as shared:
        for cfg in schools:
            with connect(shared.config_for(cfg)) as gateway:
                found.append(school_status(cfg, gateway, moment or workspace_now(cfg, gateway)))
    if as_json:
        emit_json({"schools": {s.school: s.to_json() for s in found}})
        return
    console = out()
    for s in found:
        console.print(f"[bold]{s.name}[/] ({s.school})" + (f"  tracker: {s.tracker}" if s.tracker else ""),
                      soft_wrap=True)
        if s.last_run:
            run_ = s.last_run
            console.print(f"  last run {run_['time']}: {run_['result']} ({run_['actions']} actions, "
                          f"{run_['created']} created, {run_['skipped']} skipped, {len(run_['errors'])} errors)")
        else:
            console.print("  last run: none recorded")
        console.print(f"  created in the last 7 days: {len(s.recent)}")
        for row in s.recent[:10]:
            console.print(f"    {row['time']}  {row['key']}", markup=False)
        console.print(f"  due in the next 7 days: {len(s.due_next)}")
        for item in s.due_next[:10]:
            console.print(f"    {item['due']}  {item['kind']:<18} {item['key']}", markup=False)
        if s.attention:
            console.print(f"  [bold yellow]needs a person ({len(s.attention)}):[/]")
            for a in s.attention:
                console.print(f"    - {a.text()}", markup=False, soft_wrap=True)
        else:
            console.print("  needs a person: nothing")


@app.command()
def demo(
    config: ConfigOption = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write every Doc as HTML.", metavar="DIR")]
    = Path("demo-out"),
    sandbox_url: Annotated[str | None, typer.Option("--sandbox-url", help="A running sandbox (`ilt-bot sandbox "
                                                    "serve`) instead of the embedded one.", show_default=False,
                                                    metavar="URL")]
    = None,
    serve: Annotated[bool, typer.Option("--serve", help="Keep the sandbox running afterwards to browse it, "
                                        "with the demo's clock.")]
    = False,
    tick_every: Annotated[float, typer.Option("--tick-every", help="With --serve: tick every N seconds at the "
                                              "sandbox's clock, so what you answer in the browser reaches the "
                                              "tracker (0: never).", min=0, metavar="SECONDS")] = 0,
    port: Annotated[int | None, typer.Option("--port", help="The port of the demo's sandbox on its first run "
                                             "(later runs keep it: the Docs' links point at it) [default: 8780, "
                                             "else a free one].", show_default=False, metavar="PORT")] = None,
    as_json: JsonOption = False,
) -> None:
    """Play the school year on the sandbox: ticks, people answering Forms and taking notes; Docs as HTML.

    demo-out/index.html shows the year at a glance. The sandbox keeps its port and clock between runs,
    so the links in the written Docs answer while `--serve` runs.
    """
    from ilt_bot.demo import run_demo  # lazy: start-up time (the sandbox and the routines)

    with user_errors(as_json):
        path = config_path(config)
        result = run_demo(path, out_dir, sandbox_url=sandbox_url, serve=serve, json_output=as_json,
                          port=port, tick_every=tick_every)
    if as_json:
        emit_json(result)
    if result.get("errors"):
        raise typer.Exit(1)


auth_app = typer.Typer(help="Credentials for Google.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(auth_app, name="auth")


@auth_app.command("login")
def auth_login(
    config: ConfigOption = None,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Print the URL instead of opening a browser.")]
    = False,
) -> None:
    """OAuth for one person (workspace.auth.method = "oauth"): sign in and save the token file (mode 0600)."""
    from ilt_bot.workspace.auth import oauth_login  # lazy: start-up time (google-auth)
    from ilt_bot.workspace.errors import AuthFailed  # lazy: start-up time (googleapiclient)

    with user_errors():
        cfg = load(config)
        try:
            path = oauth_login(cfg, open_browser=not no_browser)
        except AuthFailed as exc:
            raise UserError(str(exc)) from None
    err().print(f"token saved to {path} (readable only by you)", markup=False)


@app.command()
def selftest(
    config: ConfigOption = None,
    online: Annotated[bool, typer.Option("--online", help="Run on the config's workspace (Google, or a sandbox "
                                         "URL) instead of a throwaway sandbox.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Make, check and trash one of everything the bot makes, in a scratch folder. Exit 0 all passed, 1 a step failed.

    Without --online the steps run on a throwaway embedded sandbox (never the school's); --online runs
    the same steps on the config's workspace. See docs/google-setup.md.
    """
    from ilt_bot.selftest import report_summary, report_table, run_selftest  # lazy: loads the Google clients

    with user_errors(as_json):
        cfg = load(config)
    report = run_selftest(cfg, online=online)
    if as_json:
        emit_json(report.to_json())
    else:
        console = out()
        console.print(report_table(report))
        console.print(report_summary(report))
    if not report.ok:
        raise typer.Exit(1)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: ``ilt-bot``."""
    logs.setup("text", level=os.environ.get("ILT_BOT_LOG_LEVEL", "WARNING").upper())
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
