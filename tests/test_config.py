"""config.toml validation: the example loads, and every mistake is reported at once with path and fix."""

from __future__ import annotations

import copy
import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from ilt_bot.config import ConfigError, load_config, parse_config, teaching_months

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def example_data() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE.read_text())


def problems_of(data: dict[str, Any]) -> dict[str, Any]:
    """path -> Problem for an invalid config (fails the test if it is valid)."""
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    return {p.path: p for p in info.value.problems}


def test_example_is_a_complete_school():
    config = load_config(EXAMPLE)
    assert config.school.id == "cedar"
    assert len(config.members) == 8
    assert len(config.teams) == 5
    assert all(4 <= len(team.teachers) <= 6 for team in config.teams)
    assert config.year.label == "2026-27"
    assert {m.role for m in config.members} >= {"principal", "assistant_principal", "dean_of_instruction", "coach"}
    assert {a.kind for a in config.school.coaching_agreements} == {"non_negotiable", "adjustable"}
    assert config.workspace.backend == "sandbox"
    assert config.source == EXAMPLE
    assert config.member("ana-ruiz").email == "ana.ruiz@cedarheights.example.org"
    assert config.team("k2-literacy").lead == "erin-walsh"


def test_example_scope_and_sequence_covers_every_teaching_month():
    config = load_config(EXAMPLE)
    covered = {m for entry in config.scope_sequence for m in entry.months}
    assert set(teaching_months(config.year)) <= covered
    assert teaching_months(config.year)[0] == "2026-08"
    assert teaching_months(config.year)[-1] == "2027-06"


def test_five_different_mistakes_are_all_reported_with_path_and_fix():
    data = example_data()
    data["meetings"]["weekday"] = "tusday"                          # not a weekday
    data["teams"][1]["lead"] = "zoe-park"                           # not an ILT member
    data["members"][2]["email"] = "carmen.lee@gmail.com"            # outside the domain
    data["meetings"]["cancelled_dates"] = [date(2027, 7, 6)]        # outside the school year
    data["scope_sequence"] = [e for e in data["scope_sequence"] if e["months"] != ["2027-04"]]  # April uncovered

    found = problems_of(data)

    assert set(found) == {
        "meetings.weekday",
        "teams[1].lead",
        "members[2].email",
        "meetings.cancelled_dates[0]",
        "scope_sequence",
    }
    assert "did you mean 'tuesday'" in found["meetings.weekday"].fix
    assert "ILT member" in found["teams[1].lead"].message
    assert "cedarheights.example.org" in found["members[2].email"].message
    assert "outside the school year" in found["meetings.cancelled_dates[0]"].message
    assert "2027-04" in found["scope_sequence"].message
    assert all(p.fix for p in found.values())


def test_a_mistake_in_one_section_does_not_hide_cross_checks_elsewhere():
    data = example_data()
    data["meetings"]["duration_minutes"] = "long"
    data["teams"][0]["lead"] = "erin-wash"
    found = problems_of(data)
    assert "meetings.duration_minutes" in found
    assert "did you mean 'erin-walsh'" in found["teams[0].lead"].fix


def test_toml_syntax_error_gives_line_and_column(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[school]\nid = "cedar"\nname = Cedar Heights\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    (problem,) = info.value.problems
    assert problem.path == "line 3, column 8"
    assert "TOML syntax error" in problem.message


def test_missing_file_says_how_to_start(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.toml")
    assert "does not exist" in info.value.problems[0].message
    assert "config.example.toml" in info.value.problems[0].fix


def test_misspelt_field_is_one_problem_with_a_suggestion():
    data = example_data()
    data["meetings"]["duration_minute"] = data["meetings"].pop("duration_minutes")
    found = problems_of(data)
    assert list(found) == ["meetings.duration_minute"]
    assert found["meetings.duration_minute"].fix == "did you mean 'duration_minutes'?"


def test_missing_section_and_unknown_section():
    data = example_data()
    del data["meetings"]
    data["meeting"] = {}
    found = problems_of(data)
    assert "meetings" in found
    assert "meeting" in found and "did you mean 'meetings'" in found["meeting"].fix


def test_duplicate_ids_are_reported():
    data = example_data()
    data["members"][3]["id"] = "ana-ruiz"
    data["teams"][4]["id"] = "k2-literacy"
    data["year"]["semesters"][1]["id"] = "fall-2026"
    found = problems_of(data)
    assert "duplicate id 'ana-ruiz'" in found["members[3].id"].message
    assert "duplicate id 'k2-literacy'" in found["teams[4].id"].message
    assert "year.semesters[1].id" in found


def test_dates_must_be_inside_the_school_year_and_semester():
    data = example_data()
    data["meetings"]["extra_dates"] = [date(2026, 8, 3)]
    data["year"]["semesters"][0]["reflection_date"] = date(2027, 1, 12)
    data["year"]["no_school"].append({"name": "Juneteenth", "date": date(2027, 6, 18)})
    found = problems_of(data)
    assert "meetings.extra_dates[0]" in found
    assert "outside the semester" in found["year.semesters[0].reflection_date"].message
    assert "year.no_school[9].date" in found


def test_first_date_must_fall_on_the_meeting_weekday():
    data = example_data()
    data["meetings"]["first_date"] = date(2026, 8, 26)
    found = problems_of(data)
    assert found["meetings.first_date"].message == "2026-08-26 is a wednesday, not a tuesday"


def test_reflection_on_a_holiday_or_cancelled_is_refused():
    data = example_data()
    data["year"]["semesters"][1]["reflection_date"] = date(2027, 5, 31)  # Memorial Day
    data["meetings"]["cancelled_dates"].append(date(2026, 12, 15))
    found = problems_of(data)
    assert "Memorial Day" in found["year.semesters[1].reflection_date"].message
    assert "cancelled" in found["year.semesters[0].reflection_date"].message


def test_external_addresses_need_allow_external():
    data = example_data()
    load = parse_config(copy.deepcopy(data))
    assert "m.torres@district.example.org" in load.stakeholders.emails
    data["sharing"]["allow_external"] = []
    found = problems_of(data)
    assert list(found) == ["stakeholders.emails[1]"]
    data["sharing"]["allow_external"] = ["@district.example.org"]
    assert parse_config(data).sharing.allows("m.torres@district.example.org")


def test_google_backend_needs_auth_and_its_fields():
    data = example_data()
    data["workspace"]["backend"] = "google"
    assert "workspace.auth" in problems_of(copy.deepcopy(data))
    data["workspace"]["auth"] = {"method": "service_account"}
    found = problems_of(copy.deepcopy(data))
    assert list(found) == ["workspace.auth.key_file"]
    data["workspace"]["auth"]["key_file"] = "/etc/ilt-bot/key.json"
    assert parse_config(data).workspace.auth.key_file == "/etc/ilt-bot/key.json"


def test_sandbox_url_backend_needs_url():
    data = example_data()
    data["workspace"]["backend"] = "sandbox_url"
    assert "workspace.sandbox_url" in problems_of(data)


def test_bad_timezone_suggests_a_name():
    data = example_data()
    data["school"]["timezone"] = "America/Denvr"
    found = problems_of(data)
    assert "not a known time zone" in found["school.timezone"].message
    assert "America/Denver" in found["school.timezone"].fix


def test_learning_cycles_either_generated_or_explicit():
    data = example_data()
    data["learning_cycles"]["cycles"] = [{"id": "c1", "start": date(2026, 8, 24), "end": date(2026, 10, 2)}]
    assert "both cycles" in problems_of(copy.deepcopy(data))["learning_cycles"].message
    del data["learning_cycles"]["length_weeks"], data["learning_cycles"]["first_start"]
    data["learning_cycles"]["cycles"].append({"id": "c3", "start": date(2026, 9, 28), "end": date(2026, 11, 6)})
    found = problems_of(data)
    assert "learning_cycles.cycles[1].id" in found
    assert "overlaps" in found["learning_cycles.cycles[1].start"].message


def test_scope_month_twice_and_strands_balanced():
    data = example_data()
    data["scope_sequence"][1]["months"] = ["2026-09"]
    found = problems_of(copy.deepcopy(data))
    assert "already covered" in found["scope_sequence[1].months[0]"].message
    assert "2026-10" in found["scope_sequence"].message
    data = example_data()
    for entry in data["scope_sequence"]:
        entry["strand"] = "data"
    assert "observation_feedback" in problems_of(data)["scope_sequence"].message


def test_rotation_must_name_members_and_cover_the_roles():
    data = example_data()
    data["meetings"]["rotation"] = ["ben-okafor", "carmen-lee", "nobody"]
    found = problems_of(data)
    assert "meetings.rotation[2]" in found
    assert "3 people for 4 rotating roles" in found["meetings.rotation"].message


def test_problem_is_json_ready():
    data = example_data()
    data["school"]["id"] = "Cedar Heights"
    (problem,) = problems_of(data).values()
    assert problem.to_json() == {
        "path": "school.id",
        "message": "'Cedar Heights' has the wrong form",
        "fix": 'use lowercase letters, digits and dashes, like "k2-literacy" or "ana-ruiz"',
    }


@pytest.mark.parametrize("minutes", [7, 45, 90])
def test_schedule_rejects_intervals_that_do_not_fit_the_clock(minutes):
    """The daemon's cron trigger can only tick at divisors of the hour or whole hours."""
    data = example_data()
    data["schedule"] = {"every_minutes": minutes}
    problem = problems_of(data)["schedule.every_minutes"]
    assert f"{minutes} does not divide the hour" in problem.message and "divisor of 60" in problem.fix


def test_schedule_must_end_after_it_starts():
    data = example_data()
    data["schedule"] = {"start": "18:00", "end": "07:00"}
    assert "is not later than schedule.start" in problems_of(data)["schedule.end"].message


def test_regular_meetings_fall_on_meetings_weekday():
    """``meetings.weekday`` is what the calendar uses: the regular grid starts on the first such day on or
    after ``first_date`` (the load-time check keeps the two in agreement)."""
    from ilt_bot.calendar import SchoolYear

    config = load_config(EXAMPLE)
    assert {m.date.weekday() for m in SchoolYear(config).meetings() if m.kind == "regular"} == {
        ["monday", "tuesday", "wednesday", "thursday", "friday"].index(config.meetings.weekday)}
    thursdays = config.model_copy(update={"meetings": config.meetings.model_copy(update={"weekday": "thursday"})})
    regular = [m for m in SchoolYear(thursdays).meetings() if m.kind == "regular"]
    assert regular and all(m.date.strftime("%A") == "Thursday" for m in regular)
    assert regular[0].date - config.meetings.first_date < timedelta(days=7)


def test_first_date_on_another_day_than_weekday_is_reported():
    data = example_data()
    data["meetings"]["weekday"] = "wednesday"
    problem = problems_of(data)["meetings.first_date"]
    assert "not a wednesday" in problem.message and 'meetings.weekday = "tuesday"' in problem.fix
