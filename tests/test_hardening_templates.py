"""Hardening: templates render with limits and are read only from inside their folder.

A school's own template (a local folder or the agenda Doc template) may loop for ever or link outside its
folder. Each case runs ``ilt-bot check`` and a tick on the sandbox through the real gateway: the hostile
template fails quickly with an error naming it and its line, and only its own unit of work fails (the
tracker and the feedback Form are still made). Jinja's sandbox only caps one ``range()`` at 100,000
numbers (``jinja2.sandbox.MAX_RANGE``); two nested ones were 10^10 iterations with no limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ilt_bot import cli, render
from ilt_bot.config import Templates, load_config
from ilt_bot.jobs.tick import run_tick
from ilt_bot.registry import sample_contexts

SCHOOL = Path(__file__).parent / "jobs" / "school.toml"
NESTED = ("<h1>{{ meeting.label }}</h1>\n"
          "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}")
"""Nested loops of 10^10 iterations: the hostile line is line 2."""
DEADLINE = 30.0
"""Seconds a check or a tick may take here before the test calls it hung (each takes a few seconds)."""
AGENDA = "cedar/agenda/2026-08-25"
SECRET = "SECRET-OUTSIDE-THE-TEMPLATE-FOLDER"


def finishes(fn: Callable[[], Any], deadline: float = DEADLINE) -> tuple[Any, float]:
    """``fn()``'s result and its duration; fails (instead of hanging the suite) after ``deadline`` seconds."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            out["error"] = exc

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(deadline)
    assert not thread.is_alive(), f"still running after {deadline:g} s: the template has no limit"
    if "error" in out:
        raise out["error"]
    return out.get("value"), time.monotonic() - started


@pytest.fixture
def gateway(sandbox, monkeypatch):
    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.ratelimit import RateLimiter

    monkeypatch.setenv("ILT_BOT_SANDBOX_URL", sandbox.url)
    with connect(load_config(SCHOOL), limiter=RateLimiter(enabled=False)) as gw:
        yield gw


def with_templates(**settings: Any) -> Any:
    config = load_config(SCHOOL)
    return config.model_copy(update={"templates": Templates(**settings)})


def tick(config: Any, gateway: Any, sandbox: Any) -> Any:
    now = datetime(2026, 8, 22, 12, tzinfo=config.tz)
    sandbox.set_now(now)
    report, seconds = finishes(lambda: run_tick(config, gateway, now))
    return report, seconds


def agenda_error(report: Any) -> Any:
    (error,) = [e for e in report.errors if e.key == AGENDA]
    assert len(report.errors) == 1, report.errors  # only the agenda's unit of work failed
    return error


def test_nested_loops_in_a_local_template_fail_check_and_the_agenda_quickly(tmp_path, gateway, sandbox):
    """A local ``agenda.html.j2`` with nested loops: ``check`` names the template and line 2 (exit 2), the
    tick fails only the agenda (no Doc made) and still makes the tracker and the feedback Form."""
    (tmp_path / "agenda.html.j2").write_text(NESTED)
    config = with_templates(dir=str(tmp_path))
    problems, seconds = finishes(lambda: render.validate_templates(config, samples=sample_contexts()))
    (problem,) = problems
    assert problem.line == 2 and "loop iterations" in problem.message and seconds < DEADLINE

    report, seconds = tick(config, gateway, sandbox)
    error = agenda_error(report)
    assert error.kind == "TemplateBudgetExceeded"
    assert "template agenda.html.j2, line 2" in error.message and "more than 200,000 loop iterations" in error.message
    assert gateway.find(AGENDA) is None
    assert gateway.find("cedar/tracker/2026-27") is not None and gateway.find("cedar/feedback/2026-08-25") is not None


def test_check_command_exits_2_on_a_hostile_template(tmp_path):
    """``ilt-bot check`` on a config whose template folder holds the hostile template: exit 2, quickly,
    the template and its line named, no traceback."""
    (tmp_path / "agenda.html.j2").write_text(NESTED)
    source = SCHOOL.read_text()
    config_file = tmp_path / "config.toml"
    config_file.write_text(source + f'\n[templates]\ndir = "{tmp_path}"\n')
    result, _ = finishes(lambda: CliRunner().invoke(cli.app, ["check", "-c", str(config_file)],
                                                    catch_exceptions=False))
    assert result.exit_code == 2, result.output
    assert "agenda.html.j2" in result.output and "line 2" in result.output and "Traceback" not in result.output


def test_nested_loops_in_the_agenda_doc_template_fail_that_agenda_only(gateway, sandbox):
    """The agenda template kept as a Google Doc (``templates.agenda_doc_id``) with nested loops: the error
    names the Doc (``gdoc:<id>``) and the line; the rest of the tick is done."""
    doc = gateway.ensure_doc_from_html(
        "cedar/template/agenda", "Agenda template",
        "<p>{{ meeting.label }}</p><p>{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}"
        "{% endfor %}</p>", "root").file
    config = with_templates(agenda_doc_id=doc.id)
    problems, _ = finishes(lambda: render.validate_templates(config, gateway, samples=sample_contexts()))
    (problem,) = problems
    assert problem.template == f"gdoc:{doc.id}" and problem.line is not None

    report, _ = tick(config, gateway, sandbox)
    error = agenda_error(report)
    assert f"template gdoc:{doc.id}, line {problem.line}" in error.message
    assert gateway.find(AGENDA) is None and gateway.find("cedar/tracker/2026-27") is not None


@pytest.mark.parametrize("hostile", [
    "{% for a in range(10**6) %}{% for b in range(10**6) %}x{% endfor %}{% endfor %}",
    "{% macro f(n) %}{% for i in range(50) %}{{ f(n) }}{% endfor %}{% endmacro %}{{ f(1) }}",
    "{{ 'x' * 10**9 }}",
    "{{ 9 ** 999999999 }}",
    "{% for a in range(90000) %}{{ 'y' * 90000 }}{% endfor %}",
])
def test_hostile_expressions_stop_within_the_budget(hostile):
    """Each way to hang or fill memory stops with a :class:`render.TemplateBudgetExceeded` (or Python's
    recursion limit) naming the template, within seconds."""
    env = render.make_environment()

    def attempt() -> BaseException | None:
        try:
            env.from_string(hostile).render()
        except (render.TemplateBudgetExceeded, RecursionError) as exc:
            return exc
        return None

    error, seconds = finishes(attempt)
    assert error is not None and seconds < render.LIMITS.seconds + 2
    if isinstance(error, render.TemplateBudgetExceeded):
        assert "template <template>" in str(error)


def test_a_symlink_leading_out_of_the_template_folder_is_refused(tmp_path, gateway, sandbox):
    """``agenda.html.j2`` in the school's template folder is a symlink to a file outside it: ``check`` and
    the tick refuse it with a message naming the link, and nothing of the outside file reaches a Doc."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "notes.txt").write_text(f"<p>{SECRET}</p>")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "agenda.html.j2").symlink_to(outside / "notes.txt")
    config = with_templates(dir=str(folder))

    problems = render.validate_templates(config, samples=sample_contexts())
    assert [p.template for p in problems] == ["agenda.html.j2"]
    assert "outside the template folder" in problems[0].message and "link" in problems[0].message

    report, _ = tick(config, gateway, sandbox)
    error = agenda_error(report)
    assert error.kind == "TemplateLookupError" and "outside the template folder" in error.message
    assert gateway.find(AGENDA) is None
    assert SECRET not in str(report.to_dict())


def test_a_symlink_inside_the_folder_still_works(tmp_path):
    """A link to another file of the same folder is inside it: allowed."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "mine.html.j2").write_text("<p>{{ meeting.label }} ours</p>")
    (folder / "agenda.html.j2").symlink_to(folder / "mine.html.j2")
    config = with_templates(dir=str(folder))
    from ilt_bot.jobs.agenda import sample_context

    assert "ours" in render.render("agenda.html.j2", sample_context(config), config=config)
