"""The files in deploy/ and the commands in the docs, checked by what can run here.

- Kubernetes and Cloud Run YAML parse and have the keys their platforms need;
- the cron, Kubernetes, systemd and config schedules fire at the same moments;
- every `ilt-bot ...` command line in deploy/, docs/ and the README is accepted by the CLI parser;
- the Dockerfile's ENTRYPOINT + CMD runs here against the embedded sandbox and exits 0;
- the systemd units pass `systemd-analyze verify` (or at least parse, with a valid ExecStart).
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import typer.main
import yaml
from apscheduler.triggers.cron import CronTrigger

from ilt_bot import cli
from ilt_bot.config import load_config
from ilt_bot.scheduler import tick_trigger

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
EXAMPLE = ROOT / "config.example.toml"
ILT_BOT = Path(sys.executable).parent / "ilt-bot"
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DEPLOY_FILES = sorted(p for p in DEPLOY.rglob("*") if p.is_file())

COMMAND = re.compile(
    r"(?:^[ \t]*[$#]?[ \t]*(?:[A-Z_]+=\S+[ \t]+)*|`(?:[A-Z_]+=\S+[ \t]+)*|&&[ \t]*|/bin/)ilt-bot[ \t]+([^`\n|>;&]+)",
    re.M,
)
"""``ilt-bot ARGS`` where ilt-bot is the program: at a line start (after a prompt), in `code`, after ``&&``
or as ``.../bin/ilt-bot``; ARGS end at a backtick, pipe, redirection or end of line."""


# --- helpers ------------------------------------------------------------------------------------


def parse_cli(args: list[str]) -> None:
    """Parse ``args`` as the ilt-bot CLI would, down to the sub-command, without running anything."""
    group = typer.main.get_command(cli.app)
    try:
        ctx = group.make_context("ilt-bot", list(args))
        cmd, rest = group, ctx._protected_args + ctx.args
        while hasattr(cmd, "resolve_command") and rest:  # a group: descend to the sub-command
            name, cmd, rest = cmd.resolve_command(ctx, rest)
            ctx = cmd.make_context(name, rest, parent=ctx)
            rest = ctx._protected_args + ctx.args if hasattr(cmd, "resolve_command") else []
    except typer.Exit:  # --version / --help
        return


def commands_in(text: str) -> list[list[str]]:
    found = []
    for match in COMMAND.finditer(text):
        line = match.group(1).strip()
        if "..." in line or "<" in line:
            continue  # a placeholder in prose
        found.append(shlex.split(line.replace("\\\n", " "), comments=True))
    return found


def yaml_doc(name: str) -> dict:
    return yaml.safe_load((DEPLOY / name).read_text())


def dockerfile() -> tuple[list[str], list[str], dict[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text()
    entry = json.loads(re.search(r"^ENTRYPOINT\s+(\[.*\])\s*$", text, re.M).group(1))
    cmd = json.loads(re.search(r"^CMD\s+(\[.*\])\s*$", text, re.M).group(1))
    env: dict[str, str] = {}
    for line in re.findall(r"^ENV\s+(.*)$", text, re.M):
        env.update(dict(pair.split("=", 1) for pair in shlex.split(line)))
    return entry, cmd, env


def cron_line() -> list[str]:
    lines = [ln for ln in (DEPLOY / "cron" / "ilt-bot.cron").read_text().splitlines()
             if ln.strip() and not ln.startswith("#") and not re.match(r"^[A-Z_]+=", ln)]
    assert len(lines) == 1
    return lines[0].split()


CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def crontab_trigger(expression: str, tz: ZoneInfo) -> CronTrigger:
    """The trigger real cron would follow. APScheduler 3's ``from_crontab`` reads weekday numbers with 0 as
    Monday (its documented "historical mistake"), cron with 0 as Sunday: the numbers become names first."""
    fields = expression.split()
    CronTrigger.from_crontab(expression, timezone=tz)  # valid as written
    fields[4] = re.sub(r"\d+", lambda m: CRON_DAYS[int(m.group()) % 7], fields[4])
    return CronTrigger.from_crontab(" ".join(fields), timezone=tz)


def fire_times(trigger, start: datetime, end: datetime) -> list[datetime]:
    out, previous, moment = [], None, start
    while True:
        moment = trigger.get_next_fire_time(previous, moment)
        if moment is None or moment > end:
            return out
        out.append(moment.astimezone(UTC))
        previous, moment = moment, moment + timedelta(seconds=1)


# --- YAML ---------------------------------------------------------------------------------------


def test_kubernetes_cronjob_has_what_an_indexed_sharded_run_needs():
    job = yaml_doc("kubernetes/cronjob.yaml")
    assert job["apiVersion"] == "batch/v1" and job["kind"] == "CronJob"
    spec = job["spec"]
    assert spec["concurrencyPolicy"] == "Forbid" and ZoneInfo(spec["timeZone"])
    job_spec = spec["jobTemplate"]["spec"]
    assert job_spec["completionMode"] == "Indexed" and job_spec["completions"] == job_spec["parallelism"]
    assert job_spec["activeDeadlineSeconds"] < 30 * 60  # a retried 75 never runs into the next schedule
    ignore = job_spec["podFailurePolicy"]["rules"][0]
    assert ignore["action"] == "Ignore" and 75 in ignore["onExitCodes"]["values"]
    pod = job_spec["template"]["spec"]
    assert pod["restartPolicy"] == "Never"  # required by podFailurePolicy
    container = pod["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert int(env["SHARD_COUNT"]) == job_spec["completions"]
    assert container["args"][:1] == ["tick"] and "--all" in container["args"]
    assert container["args"][container["args"].index("--shard") + 1] == "auto"
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert env["ILT_BOT_CONFIG"].startswith(mounts["config"] + "/")
    assert {v["name"] for v in pod["volumes"]} == set(mounts)


def test_cloud_run_job_has_what_a_sharded_task_run_needs():
    job = yaml_doc("cloudrun/job.yaml")
    assert job["apiVersion"] == "run.googleapis.com/v1" and job["kind"] == "Job"
    execution = job["spec"]["template"]["spec"]
    assert execution["taskCount"] >= 1 and execution["parallelism"] <= execution["taskCount"]
    task = execution["template"]["spec"]
    container = task["containers"][0]
    assert container["args"][:1] == ["tick"] and "--all" in container["args"] and "auto" in container["args"]
    env = {e["name"]: e["value"] for e in container["env"]}
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert env["ILT_BOT_CONFIG"].startswith(mounts["config"] + "/")
    secret = next(v for v in task["volumes"] if v["name"] == "config")["secret"]
    assert env["ILT_BOT_CONFIG"].endswith("/" + secret["items"][0]["path"])


# --- schedules ----------------------------------------------------------------------------------


def test_cron_and_kubernetes_and_the_config_schedule_agree():
    config = load_config(EXAMPLE)
    fields = cron_line()
    expression = " ".join(fields[:5])
    job = yaml_doc("kubernetes/cronjob.yaml")
    assert job["spec"]["schedule"] == expression
    tz = ZoneInfo(job["spec"]["timeZone"])
    assert tz.key == config.school.timezone
    cron = crontab_trigger(expression, tz)
    ours = tick_trigger(config.schedule, tz)
    start, end = datetime(2026, 9, 4, tzinfo=tz), datetime(2026, 9, 12, tzinfo=tz)  # a Friday to a Saturday
    expected = fire_times(cron, start, end)
    assert len(expected) == 6 * 28  # Fri, then Mon-Fri: 06:00-19:30 every 30 minutes
    assert fire_times(ours, start, end) == expected


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_the_systemd_timer_fires_with_cron():
    timer = configparser.ConfigParser(strict=False, interpolation=None)
    timer.read(DEPLOY / "systemd" / "ilt-bot-tick.timer")
    calendar = timer["Timer"]["OnCalendar"]
    assert timer["Timer"].getboolean("Persistent")
    tz = ZoneInfo(load_config(EXAMPLE).school.timezone)
    base = datetime(2026, 9, 4, tzinfo=tz)
    run = subprocess.run(["systemd-analyze", "calendar", "--iterations=140",
                          f"--base-time={base.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC", f"{calendar} {tz.key}"],
                         capture_output=True, text=True, env={**os.environ, "TZ": "UTC"}, check=True)
    stamps = re.findall(r"(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", run.stdout)
    systemd = [datetime.fromisoformat(s).replace(tzinfo=UTC) for s in stamps]
    cron = crontab_trigger(" ".join(cron_line()[:5]), tz)
    assert systemd == fire_times(cron, base, systemd[-1].astimezone(tz))


# --- commands -----------------------------------------------------------------------------------


def all_commands() -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for path in DOC_FILES + DEPLOY_FILES:
        found += [(str(path.relative_to(ROOT)), args) for args in commands_in(path.read_text())]
    for name in ("kubernetes/cronjob.yaml", "cloudrun/job.yaml"):
        text = (DEPLOY / name).read_text()
        for doc in yaml.safe_load_all(text):
            for container in _containers(doc):
                found.append((f"deploy/{name}", list(container["args"])))
    entry, cmd, _ = dockerfile()
    assert entry == ["ilt-bot"]
    found.append(("deploy/Dockerfile", cmd))
    return found


def _containers(node):
    if isinstance(node, dict):
        if "containers" in node:
            yield from node["containers"]
        for value in node.values():
            yield from _containers(value)
    elif isinstance(node, list):
        for value in node:
            yield from _containers(value)


def test_the_command_finder_sees_every_kind_of_mention():
    text = ("$ ilt-bot check -c config.toml\n`ilt-bot check --scopes`\n# /opt/x/bin/ilt-bot tick --json >> log\n"
            "pip install . && ilt-bot plan | jq\n$ ILT_BOT_SANDBOX_URL=http://h:1 ilt-bot ...\n"
            "gcloud scheduler jobs create http ilt-bot --schedule=x\n*/30 * * * * ilt-bot /usr/bin/flock\n")
    assert commands_in(text) == [["check", "-c", "config.toml"], ["check", "--scopes"], ["tick", "--json"], ["plan"]]


def test_the_parser_refuses_what_the_cli_refuses():
    from typer._click.exceptions import UsageError  # typer's own copy of click

    for bad in (["tikc"], ["tick", "--bogus"], ["tick", "--wait-lock", "soon"], ["sandbox", "serve", "--port", "x"]):
        with pytest.raises(UsageError):
            parse_cli(bad)


def test_every_documented_command_line_is_accepted_by_the_cli():
    commands = all_commands()
    by_name = {args[0] for _, args in commands if args}
    assert {"tick", "run", "check", "status", "demo", "plan", "sandbox"} <= by_name, by_name
    for where, args in commands:
        try:
            parse_cli(args)
        except Exception as exc:  # noqa: BLE001 - report which line failed
            pytest.fail(f"{where}: `ilt-bot {shlex.join(args)}` is refused: {exc}")


# --- the container's entry point ----------------------------------------------------------------


def test_the_dockerfile_copies_files_that_exist_and_runs_as_a_user():
    text = (DEPLOY / "Dockerfile").read_text()
    for line in re.findall(r"^COPY\s+(.*)$", text, re.M):
        for source in line.split()[:-1]:
            assert (ROOT / source).exists(), source
    assert re.search(r"^USER\s+(?!root)\S+", text, re.M)


def test_the_dockerfile_entry_point_runs_a_tick_on_the_embedded_sandbox(tmp_path):
    entry, cmd, env = dockerfile()
    config = tmp_path / "etc" / "config.toml"
    config.parent.mkdir()
    config.write_text(EXAMPLE.read_text())  # backend "sandbox": the embedded sandbox, db next to the config
    assert env["ILT_BOT_CONFIG"].endswith("/config.toml")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ILT_BOT_")}
    environ.update(env)
    environ.update({"ILT_BOT_CONFIG": str(config), "ILT_BOT_LOCK_DIR": str(tmp_path / "locks")})
    program = [str(ILT_BOT) if entry[0] == "ilt-bot" else entry[0], *entry[1:], *cmd]
    run = subprocess.run(program, cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [json.loads(line) for line in run.stderr.splitlines() if line.strip()]  # --log-format json
    summary = [line for line in lines if line.get("event") == "tick"]
    assert summary and summary[0]["school"] == "cedar" and summary[0]["status"] == "done"
    assert "done" in run.stdout and (tmp_path / "etc" / ".ilt-bot" / "sandbox.db").exists()


# --- systemd ------------------------------------------------------------------------------------

UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted((DEPLOY / "systemd").glob("*.timer"))


def test_systemd_units_parse_and_start_the_cli():
    for unit in UNITS:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str  # systemd keys are case-sensitive
        parser.read(unit)
        assert parser.has_section("Unit")
        if unit.suffix == ".service":
            start = shlex.split(parser["Service"]["ExecStart"])
            assert start[0].endswith("/bin/ilt-bot") and start[1] in ("tick", "run")
            parse_cli(start[1:])
            if start[1] == "tick":
                assert "75" in parser["Service"]["SuccessExitStatus"].split()
        else:
            assert (unit.parent / f"{unit.stem}.service").exists()  # the timer's service


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verify(tmp_path):
    for unit in UNITS:  # installed as the docs say, with this machine's ilt-bot in place of /opt/ilt-bot/venv
        text = unit.read_text().replace("/opt/ilt-bot/venv/bin/ilt-bot", str(ILT_BOT))
        (tmp_path / unit.name).write_text(text)
    run = subprocess.run(["systemd-analyze", "verify", *(str(tmp_path / u.name) for u in UNITS)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ilt-bot" not in run.stderr, run.stderr
