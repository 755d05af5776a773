"""``ilt-bot init``: a school's own commented config.toml that passes ``check`` and plays its year."""

from __future__ import annotations

import json
import tomllib
from datetime import date

from typer.testing import CliRunner

from ilt_bot import cli

runner = CliRunner()

MAPLE = [
    "--name", "Maple Grove Elementary", "--domain", "maplegrove.example.org", "--timezone", "America/Chicago",
    "--first-day", "2026-08-12", "--last-day", "2027-05-27", "--meeting-day", "wednesday",
    "--meeting-time", "15:30",
    "--member", "Pat Lee <pat.lee@maplegrove.example.org>: principal",
    "--member", "Sam Roe <sam.roe@maplegrove.example.org>: team_lead",
    "--member", "Kim Cho <kim.cho@maplegrove.example.org>: coach",
    "--member", "jo.park@maplegrove.example.org: assistant_principal",
    "--team", "K-2 Literacy: Ann Bell <ann.bell@maplegrove.example.org>; bo.diaz@maplegrove.example.org",
    "--team", "3-5 Math: cy.fox@maplegrove.example.org; dee.gil@maplegrove.example.org",
]


def run(*args: str):
    return runner.invoke(cli.app, list(args), catch_exceptions=False)


def test_init_help_documents_what_it_asks_and_the_csv():
    result = run("init", "--help")
    assert result.exit_code == 0
    for option in ("--name", "--domain", "--timezone", "--first-day", "--last-day", "--meeting-day",
                   "--meeting-time", "--member", "--team", "--people", "--no-input", "--out"):
        assert option in result.output
    assert "name,email,role,team" in result.output and "ilt-bot demo" in result.output


def test_init_from_options_passes_check_and_plays_its_own_year(tmp_path):
    """Non-interactive init: the file is the school's (its name, people, meeting day), every remaining
    choice is a commented default, `check` says OK, and the demo plays the first weeks of *its* year
    (Wednesday meetings from 2026-08-12) with no error."""
    from ilt_bot.demo import run_demo

    config = tmp_path / "config.toml"
    result = run("init", "--no-input", "--out", str(config), *MAPLE)
    assert result.exit_code == 0, result.output
    text = config.read_text()
    data = tomllib.loads(text)
    assert data["school"]["name"] == "Maple Grove Elementary" and data["meetings"]["weekday"] == "wednesday"
    assert [m["role"] for m in data["members"]] == ["principal", "team_lead", "coach", "assistant_principal"]
    assert {t["name"] for t in data["teams"]} == {"K-2 Literacy", "3-5 Math"}
    for commented in ("# [feedback]", '# style = "plus_delta"', "# [lead_times]", "# agenda_days = 3",
                      "# [schedule]", "# [sharing]"):
        assert commented in text

    checked = run("check", "-c", str(config), "--json")
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.output)["ok"] is True

    played = run_demo(config, tmp_path / "out", json_output=True, until=date(2026, 8, 27))
    assert played["errors"] == []
    assert played["created"]["agenda"] == 3  # Wed Aug 12, 19 and 26
    assert played["people"]["feedback answered"] >= 3
    assert (tmp_path / "out" / "ILT-Agenda-Wed-Aug-26-2026.html").exists()


def test_init_from_a_csv_of_the_schools_people(tmp_path):
    """A school's existing staff list: members by role, teachers by team, a member naming a team leads it."""
    people = tmp_path / "people.csv"
    people.write_text("Name,Email,Role,Team\n"
                      "Pat Lee,pat.lee@oak.example.org,principal,\n"
                      "Sam Roe,sam.roe@oak.example.org,team_lead,Upper Math\n"
                      "Kim Cho,kim.cho@oak.example.org,coach,\n"
                      "Ann Bell,ann.bell@oak.example.org,teacher,Upper Math\n"
                      "Bo Diaz,bo.diaz@oak.example.org,,Early Reading\n", encoding="utf-8")
    config = tmp_path / "oak.toml"
    result = run("init", "--no-input", "--out", str(config), "--people", str(people), "--name", "Oak School",
                 "--domain", "oak.example.org", "--timezone", "America/New_York", "--first-day", "2026-09-08",
                 "--last-day", "2027-06-18", "--meeting-day", "thursday", "--meeting-time", "14:00")
    assert result.exit_code == 0, result.output
    data = tomllib.loads(config.read_text())
    teams = {t["name"]: t for t in data["teams"]}
    assert teams["Upper Math"]["lead"] == "sam-roe"
    assert [p["email"] for p in teams["Early Reading"]["teachers"]] == ["bo.diaz@oak.example.org"]
    assert run("check", "-c", str(config)).exit_code == 0


def test_a_missing_or_wrong_answer_names_the_option_and_writes_nothing(tmp_path):
    config = tmp_path / "config.toml"
    args = [a for a in MAPLE]
    args[args.index("--meeting-day") + 1] = "sunday"
    result = run("init", "--no-input", "--out", str(config), *args)
    assert result.exit_code == 2 and "--meeting-day" in result.output and "monday" in result.output
    result = run("init", "--no-input", "--out", str(config), *MAPLE[2:])
    assert result.exit_code == 2 and "--name is missing" in result.output
    assert not config.exists()


def test_init_asks_interactively_for_what_is_missing(tmp_path):
    """The prompts: the school's facts, then members and teams until a blank line."""
    from ilt_bot import init as setup

    answers = iter(["Birch School", "birch.example.org", "", "2026-08-17", "2027-05-28", "Monday", "",
                    "Pat Lee <pat.lee@birch.example.org>: principal", "",
                    "Grade 1: una.ortiz@birch.example.org", ""])
    asked: list[str] = []

    def ask(question: str, default: str | None) -> str:
        asked.append(question)
        answer = next(answers)
        return answer or (default or "")

    school = setup.collect({k: None for k, _, _ in setup.QUESTIONS}, [], ask)
    config = tmp_path / "birch.toml"
    config.write_text(setup.render_config(school), encoding="utf-8")
    assert school.timezone == "America/Denver" and school.meeting_day == "monday"
    assert len(asked) == 11
    assert run("check", "-c", str(config)).exit_code == 0
