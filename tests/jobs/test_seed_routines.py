"""The guides' routines (docs/guides.md) read back from the sandbox as the people concerned would.

Drive answers 404 to someone a file is not shared with and 403 to an editor sharing a file whose
``writersCanShare`` is false ("Whether users with only writer permission can modify the file's
permissions", Drive v3 files resource); the Forms responder page refuses someone without responder access.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
from googleapiclient.errors import HttpError

from ilt_bot.calendar import SchoolYear
from ilt_bot.config import load_config, parse_config
from ilt_bot.jobs.peer_observation import cycle_pairs, rotation
from ilt_bot.jobs.qualities import QUESTIONS as QUALITY_QUESTIONS
from ilt_bot.jobs.vision_input import QUESTIONS as VISION_QUESTIONS
from ilt_bot.plan import plan
from tests.jobs.conftest import tick

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
ANA, BEN, CHLOE, DEV = (f"{n}@cedar.example.org" for n in ("ana.ruiz", "ben.okafor", "chloe.park", "dev.patel"))
TEACHER = "eva.lund@cedar.example.org"
NEWCOMER = "nia.brooks@cedar.example.org"
OFFICE_HOURS = "Thursdays 7:30 AM in the principal's office"
LOOK_FOR = "Students explain their reasoning to a partner."


@pytest.fixture
def config():
    data = tomllib.loads((HERE / "school.toml").read_text())
    data["practice"] = {"next_year_ilt": [NEWCOMER], "office_hours": OFFICE_HOURS,
                        "difficult_conversation_every": 2, "look_fors": {"data": [LOOK_FOR]}}
    data["school"]["lead_qualities"] = ["Gives feedback within 48 hours."]
    data["school"]["coaching_agreements"] = [
        {"text": "Weekly 1:1 with the principal, never cancelled.", "kind": "non_negotiable"},
        {"text": "How feedback reaches the lead.", "kind": "adjustable"}]
    return parse_config(data)


def opens(world, email: str, key: str) -> tuple[bool, bool]:
    """(can open, can edit) the file ``key`` as ``email``, asking Drive as that person."""
    from tests.conftest import make_service

    drive = make_service(world.server, "drive", "v3", email)
    try:
        item = drive.files().get(fileId=world.file_id(key), fields="id, capabilities(canEdit)").execute()
    except HttpError as error:
        assert error.resp.status == 404, error
        return False, False
    return True, bool(item["capabilities"]["canEdit"])


def shares_further(world, email: str, key: str, to: str) -> bool:
    """Whether ``email`` (an editor) can add ``to`` to the file's permissions."""
    from tests.conftest import make_service

    drive = make_service(world.server, "drive", "v3", email)
    try:
        drive.permissions().create(fileId=world.file_id(key), sendNotificationEmail=False,
                                   body={"type": "user", "role": "reader", "emailAddress": to}).execute()
    except HttpError as error:
        assert error.resp.status == 403, error
        return False
    return True


def answer(world, key: str, email: str, answers: dict[str, str]) -> None:
    world.people.answer_form(world.ws.form_responder_uri(world.file_id(key)), email, answers)


# --- the rotation (pure) -------------------------------------------------------------------------------


def test_the_rotation_pairs_everyone_with_different_colleagues_and_every_member_each_semester():
    """The example ILT (8 members, 6 cycles): nobody meets the same colleague twice in the year, and every
    member is in a pair in each cycle, so at least once a semester; the plan has one note per pair."""
    config = load_config(ROOT / "config.example.toml")
    year = SchoolYear(config)
    partners: dict[str, list[str]] = defaultdict(list)
    seen_by_semester: dict[str, set[str]] = defaultdict(set)
    for cycle in year.cycles():
        pairs = cycle_pairs(config, cycle.index)
        ids = [m.id for pair in pairs for m in pair]
        assert sorted(ids) == sorted(m.id for m in config.members), cycle.id  # everyone, once
        for pair in pairs:
            for m in pair:
                partners[m.id] += [o.id for o in pair if o is not m]
                seen_by_semester[cycle.semester or ""].add(m.id)
    assert len(year.cycles()) >= 2
    for member, others in partners.items():
        assert len(others) == len(set(others)), (member, others)
    for semester in config.year.semesters:
        assert seen_by_semester[semester.id] == {m.id for m in config.members}, semester.id
    notes = [i for i in plan(config) if i.kind == "peer-observation"]
    assert len(notes) == len(year.cycles()) * len(config.members) // 2


def test_an_odd_ilt_makes_a_trio_so_nobody_sits_out():
    ids = ["a", "b", "c", "d", "e"]
    for r in range(6):
        groups = rotation(ids, r)
        assert sorted(x for g in groups for x in g) == ids
        assert sorted(len(g) for g in groups) == [2, 3]


# --- on the sandbox ------------------------------------------------------------------------------------


def test_a_pair_note_opens_for_the_pair_only_and_cannot_be_shared_further(sandbox_world, config):
    """Cycle 1's pairs (ana+dev, ben+chloe): each member opens and edits their own pair's note with the
    month's focus and look-fors; the principal cannot open a pair note she is not in; an editor cannot
    share it on (writersCanShare=false)."""
    world = sandbox_world
    tick(world, config, 2026, 8, 24, 7)
    theirs, ours = "cedar/peer-observation/c1/ben-okafor+chloe-park", "cedar/peer-observation/c1/ana-ruiz+dev-patel"
    assert opens(world, BEN, theirs) == (True, True)
    assert opens(world, CHLOE, theirs) == (True, True)
    for outsider in (ANA, DEV, TEACHER):
        assert opens(world, outsider, theirs) == (False, False), outsider
    assert opens(world, ANA, ours) == (True, True)
    assert not shares_further(world, CHLOE, theirs, ANA)
    assert opens(world, ANA, theirs) == (False, False)
    text = world.doc_text(theirs)
    assert "Launching data cycles" in text and LOOK_FOR in text and "Ben Okafor & Chloe Park" in text


def test_the_coaching_agreement_is_for_that_lead_and_the_principal_only(sandbox_world, config):
    """One agreement per Senior/Team Lead (here Chloe only), with the non-negotiable and the adjustable
    expectations in their own sections; the lead and the principal edit it, nobody else opens it, the
    lead cannot share it on, and the lead's semester pre-work links it."""
    world = sandbox_world
    tick(world, config, 2026, 8, 17, 7)
    key = "cedar/coaching-agreement/2026-27/chloe-park"
    assert opens(world, CHLOE, key) == (True, True)
    assert opens(world, ANA, key) == (True, True)
    for other in (BEN, DEV, TEACHER):
        assert opens(world, other, key) == (False, False), other
    assert world.ws.find("cedar/coaching-agreement/2026-27/dev-patel") is None  # a coach, not a lead
    assert not shares_further(world, CHLOE, key, BEN)
    text = world.doc_text(key)
    fixed, adjusted = text.index("Non-negotiable expectations"), text.index("Expectations adjusted to you")
    assert fixed < text.index("Weekly 1:1 with the principal") < adjusted < text.index("How feedback reaches the lead")
    tick(world, config, 2026, 12, 8, 7)  # the fall pre-work: the lead's links the agreement to revisit it
    agreement = world.file_id(key)
    assert agreement in world.ws.export_html(world.file_id("cedar/prework/fall-2026/chloe-park"))
    assert "Your coaching agreement" not in world.doc_text("cedar/prework/fall-2026/dev-patel")


def test_the_qualities_synthesis_quotes_phrases_several_members_wrote(sandbox_world, config):
    """The ILT answers the qualities Form (a teacher cannot); the first agenda two weeks later shows the
    phrase two members wrote, not a phrase only one wrote; the answers are in the tracker's Qualities tab."""
    world = sandbox_world
    tick(world, config, 2026, 8, 17, 7)
    key = "cedar/qualities/2026-27"
    lead_q = QUALITY_QUESTIONS[0][1]
    answer(world, key, BEN, {lead_q: "Gives timely feedback after every observation"})
    answer(world, key, CHLOE, {lead_q: "Timely feedback and a calm presence"})
    answer(world, key, DEV, {lead_q: "Knows each family by name"})
    with pytest.raises(RuntimeError):
        answer(world, key, TEACHER, {lead_q: "Not on the ILT"})
    tick(world, config, 2026, 8, 21, 7)  # the 08-25 agenda: too soon for the synthesis
    tick(world, config, 2026, 9, 4, 7)  # the 09-08 agenda
    agenda = world.doc_text("cedar/agenda/2026-09-08")
    assert "Qualities of an effective ILT member" in agenda
    assert "timely feedback" in agenda.casefold()
    assert "each family" not in agenda.casefold()
    assert "Qualities of an effective ILT member" not in world.doc_text("cedar/agenda/2026-08-25")
    rows = world.tracker_rows("cedar/tracker/2026-27", "Qualities")
    assert sorted(r[5] for r in rows) == sorted(["Gives timely feedback after every observation",
                                                 "Timely feedback and a calm presence", "Knows each family by name"])


def test_vision_input_reaches_the_purpose_section_of_its_meeting(sandbox_world, config):
    """The round read at the 10-20 meeting opens a week before; the answers are in that agenda's purpose
    section (between the ILT vision and the norms), not in the agenda before, and again in the agenda of
    the fall reflection meeting (the group reflection revisits the semester's input)."""
    world = sandbox_world
    key = "cedar/vision-input/2026-10-20"
    tick(world, config, 2026, 10, 2, 7)  # the 10-06 agenda; no round for that meeting
    assert world.ws.find(key) is None
    tick(world, config, 2026, 10, 13, 7)
    answer(world, key, BEN, {VISION_QUESTIONS[0][1]: "Protect common planning time for every team"})
    tick(world, config, 2026, 10, 16, 7)
    text = world.doc_text("cedar/agenda/2026-10-20")
    start, norms = text.index("Our purpose"), text.index("Norms")
    assert start < text.index("Protect common planning time for every team") < norms
    assert "Your input on our vision" not in world.doc_text("cedar/agenda/2026-10-06")
    tick(world, config, 2026, 12, 11, 7)  # the agenda of the fall reflection meeting revisits the semester's rounds
    assert "Protect common planning time for every team" in world.doc_text("cedar/agenda/2026-12-15")


def test_agendas_carry_pairs_office_hours_and_practice_slots_where_configured(sandbox_world, config):
    """Office hours in every agenda; the difficult-conversation slot at every 2nd meeting only; the first
    meeting of cycle 2 lists its pairs and a calibration slot for cycle 1's pairs."""
    world = sandbox_world
    for day in ((8, 21), (9, 4), (10, 2)):  # the agendas of 08-25, 09-08 and 10-06
        tick(world, config, 2026, *day, 7)
    first, second = world.doc_text("cedar/agenda/2026-08-25"), world.doc_text("cedar/agenda/2026-10-06")
    assert OFFICE_HOURS in first and OFFICE_HOURS in second
    assert "Practice: a difficult conversation" not in first  # meeting 1
    assert "Practice: a difficult conversation" in world.doc_text("cedar/agenda/2026-09-08")  # meeting 2
    assert "Peer observation: cycle 2" in second and "Ana Ruiz & Chloe Park" in second
    assert "each pair of cycle 1" in second


def test_the_kickoff_is_shared_with_next_years_people_and_carries_this_years_work(sandbox_world, config):
    """Two weeks before the last meeting, next year's ILT kick-off Doc: this year's statement as the draft,
    this year's norms and qualities synthesis, messaging practice; next year's newcomer edits it, a teacher
    cannot open it. A second pass makes nothing new."""
    world = sandbox_world
    tick(world, config, 2026, 8, 17, 7)
    lead_q = QUALITY_QUESTIONS[0][1]
    for email in (BEN, CHLOE):
        answer(world, "cedar/qualities/2026-27", email, {lead_q: "Models the lesson before asking for it"})
    report = tick(world, config, 2027, 5, 7, 7)
    key = "cedar/kickoff/2027-28"
    assert key in report.created
    assert opens(world, NEWCOMER, key) == (True, True)
    assert opens(world, DEV, key) == (True, True)
    assert opens(world, TEACHER, key) == (False, False)
    text = world.doc_text(key)
    for part in (config.school.ilt_vision, config.school.norms[0], "Speaking with one voice"):
        assert part.casefold() in text.casefold(), part
    synthesis = text[text.index("Characteristics of an effective ILT member"):text.index("Speaking with one voice")]
    assert "2 answers" in synthesis and "lesson" in synthesis.casefold()  # the phrase both members wrote
    again = tick(world, config, 2027, 5, 7, 8)
    assert again.created == []


def test_the_demo_year_makes_the_guide_artifacts_and_its_people_answer_the_forms(tmp_path):
    """The demo's first weeks: the qualities Form, the coaching agreement and the cycle-1 pair notes are
    made; members answer the qualities Form on its responder page; the agenda two weeks later (written
    out as people see it) carries the synthesis, the office hours of the config and nothing failed."""
    from datetime import date

    from ilt_bot.demo import run_demo

    config = tmp_path / "config.toml"
    text = (HERE / "school.toml").read_text()
    config.write_text(text.replace('bot_user = "ilt-bot@cedar.example.org"',
                                   'bot_user = "ilt-bot@cedar.example.org"\nsandbox_db = "demo.db"')
                      + f'\n[practice]\noffice_hours = "{OFFICE_HOURS}"\n')
    result = run_demo(config, tmp_path / "out", json_output=True, until=date(2026, 9, 9))
    assert result["errors"] == []
    assert result["created"]["qualities"] == 1 and result["created"]["coaching-agreement"] == 1
    assert result["created"]["peer-observation"] == 2
    assert result["people"]["guide form answered"] >= 2
    agenda = (tmp_path / "out" / "ILT-Agenda-Tue-Sep-8-2026.html").read_text()
    assert "Qualities of an effective ILT member" in agenda and "answers)" in agenda
    assert OFFICE_HOURS.replace("'", "&#39;") in agenda or OFFICE_HOURS in agenda
