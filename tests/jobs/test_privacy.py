"""Who can open what: digests and pre-work are private (Drive permissions in the sandbox, real clients).

A teacher cannot open another team's digest nor any member's pre-work; a member cannot open another
member's pre-work or another lead's team reflection. Drive answers 404 for a file the caller cannot
see, as Google does. Thinking maps are anonymous: no e-mail is recorded with the answers. The answers
themselves live in their own spreadsheet (``cedar/tm-responses/2026-27``) for the principal only: a
lead on the ILT finds no other team's answer (nor who gave it) in anything they can open, the tracker
included; a tracker tab left by an earlier version is copied, reported and left for an admin to delete.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from googleapiclient.errors import HttpError

from ilt_bot.jobs.common import THINKING_MAP, TM_COLUMNS
from ilt_bot.jobs.tick import run_tick
from ilt_bot.jobs.tracker import TABS
from tests.jobs.test_thinking_map import (
    ANA,
    BEN,
    CHLOE,
    DEV,
    K2,
    MATH,
    RESPONSES,
    TRACKER,
    People,
    make_config,
    tm_titles,
)

SHEET = "application/vnd.google-apps.spreadsheet"
DOC = "application/vnd.google-apps.document"


@pytest.fixture
def config():
    return make_config()


def _tick(world, config, *when: int) -> None:
    now = datetime(*when, tzinfo=config.tz)
    world.server.set_now(now)
    report = run_tick(config, world.ws, now)
    assert report.errors == []


def can_open(sandbox, build_service, email: str, file_id: str) -> bool:
    drive = build_service(sandbox, "drive", "v3", email)
    try:
        drive.files().get(fileId=file_id, fields="id").execute()
    except HttpError as exc:
        assert exc.resp.status == 404, exc  # Drive hides what you cannot see
        return False
    return True


def test_digests_prework_and_team_reflections_are_private(sandbox_world, sandbox, build_service, config):
    world = sandbox_world
    _tick(world, config, 2026, 8, 22, 12)
    _tick(world, config, 2026, 9, 25, 7)
    uri = world.ws.form_responder_uri(world.file_id("cedar/thinking-map/k2-literacy/c1"))
    world.people.answer_form(uri, K2[0][1], {tm_titles(config)["q1"]: "Guided reading"})
    with pytest.raises(RuntimeError):  # a teacher of another team cannot answer this team's Form
        world.people.answer_form(uri, MATH[0][1], {tm_titles(config)["q1"]: "Not my team"})
    _tick(world, config, 2026, 10, 5, 7)
    _tick(world, config, 2026, 12, 8, 7)

    k2_digest = world.file_id("cedar/tm-digest/k2-literacy/c1")
    math_digest = world.file_id("cedar/tm-digest/math-35/c1")
    prework = {email: world.file_id(f"cedar/prework/fall-2026/{member}") for email, member in
               ((ANA, "ana-ruiz"), (BEN, "ben-okafor"), (CHLOE, "chloe-park"), (DEV, "dev-patel"))}
    k2_team = world.file_id("cedar/team-reflection/fall-2026/k2-literacy")

    def opens(email: str, file_id: str) -> bool:
        return can_open(sandbox, build_service, email, file_id)

    # the lead and the principal open the digest; the other team's teachers and lead do not
    assert opens(CHLOE, k2_digest) and opens(ANA, k2_digest)
    assert not opens(MATH[0][1], k2_digest) and not opens(DEV, k2_digest) and not opens(BEN, k2_digest)
    assert not opens(K2[0][1], math_digest)
    # teachers see the digest of no team, not even their own (it is for the lead)
    assert not opens(K2[0][1], k2_digest)
    # pre-work: the member and the principal only
    for email, file_id in prework.items():
        assert opens(email, file_id) and opens(ANA, file_id)
        for other in (BEN, CHLOE, DEV):
            if other != email:
                assert not opens(other, file_id), (other, email)
        for teacher in (K2[0][1], MATH[1][1]):
            assert not opens(teacher, file_id)
    # team reflection: the lead and the principal
    assert opens(CHLOE, k2_team) and opens(ANA, k2_team)
    assert not opens(DEV, k2_team) and not opens(K2[1][1], k2_team)
    # the answers' own spreadsheet holds no e-mail of a teacher (anonymous by default)
    rows = world.tracker_rows(RESPONSES, THINKING_MAP)
    assert rows and not any("@" in cell for row in rows for cell in row)


def _visible_texts(sandbox, build_service, email: str) -> dict[str, str]:
    """Everything ``email`` can read, as that user through the real clients: each Doc's HTML export and
    each spreadsheet's every tab (Sheets API), by ``<file name>`` (``<name>/<tab>`` for a tab)."""
    drive = build_service(sandbox, "drive", "v3", email)
    sheets = build_service(sandbox, "sheets", "v4", email)
    files, token = [], None
    while True:
        page = drive.files().list(pageSize=100, pageToken=token,
                                  fields="nextPageToken,files(id,name,mimeType)").execute()
        files += page.get("files", [])
        token = page.get("nextPageToken")
        if not token:
            break
    out = {}
    for f in files:
        if f["mimeType"] == DOC:
            data = drive.files().export(fileId=f["id"], mimeType="text/html").execute()
            out[f["name"]] = data.decode("utf-8") if isinstance(data, bytes) else str(data)
        elif f["mimeType"] == SHEET:
            meta = sheets.spreadsheets().get(spreadsheetId=f["id"], fields="sheets.properties.title").execute()
            titles = [s["properties"]["title"] for s in meta["sheets"]]
            ranges = [f"'{t}'" for t in titles]
            values = sheets.spreadsheets().values().batchGet(spreadsheetId=f["id"], ranges=ranges).execute()
            for title, block in zip(titles, values["valueRanges"], strict=True):
                out[f"{f['name']}/{title}"] = "\n".join("\t".join(map(str, r)) for r in block.get("values", []))
    return out


MATH_SECRETS = ["Quarterly pacing calendar confuses everyone", "Observations feel like inspections lately"]
K2_SECRET = "Planning meetings run late every Thursday"


def test_thinking_map_answers_are_for_the_principal_only(sandbox_world, sandbox, build_service):
    config = make_config(anonymous=False)  # names kept: they must still reach the lead and the principal only
    world = sandbox_world
    world.config = config
    titles = tm_titles(config)
    _tick(world, config, 2026, 8, 22, 12)
    _tick(world, config, 2026, 9, 25, 7)
    for (_, email), secret in zip(MATH, MATH_SECRETS, strict=True):
        uri = world.ws.form_responder_uri(world.file_id("cedar/thinking-map/math-35/c1"))
        world.people.answer_form(uri, email, {titles["q2"]: secret})
    uri = world.ws.form_responder_uri(world.file_id("cedar/thinking-map/k2-literacy/c1"))
    world.people.answer_form(uri, K2[0][1], {titles["q1"]: K2_SECRET})
    world.people.answer_form(uri, K2[1][1], {titles["q1"]: "Shared rubrics"})
    for when in ((2026, 10, 5, 7), (2026, 12, 8, 7), (2026, 12, 11, 7)):
        _tick(world, config, *when)

    responses = world.file_id(RESPONSES)
    # the principal opens the answers (names included, as configured); no one else does, Drive says 404
    assert can_open(sandbox, build_service, ANA, responses)
    principal_view = _visible_texts(sandbox, build_service, ANA)
    answers = next(text for name, text in principal_view.items() if name.endswith(f"/{THINKING_MAP}"))
    assert all(secret in answers for secret in MATH_SECRETS) and MATH[0][1] in answers
    for email in (CHLOE, DEV, BEN, K2[0][1], MATH[0][1]):  # leads, an assistant principal, teachers
        assert not can_open(sandbox, build_service, email, responses), email
    sheets = build_service(sandbox, "sheets", "v4", CHLOE)
    with pytest.raises(HttpError) as denied:
        sheets.spreadsheets().values().get(spreadsheetId=responses, range=f"'{THINKING_MAP}'").execute()
    assert denied.value.resp.status == 403

    # a lead on the ILT (K-2's Chloe) reads nothing of another team's answers, nor who gave them
    view = _visible_texts(sandbox, build_service, CHLOE)
    tracker_tabs = [name.split("/", 1)[1] for name in view if name.startswith("ILT Tracker")]
    assert tracker_tabs and THINKING_MAP not in tracker_tabs  # she does read the tracker, all its tabs
    assert any(name.startswith("ILT reflection") for name in view)  # and the group reflection
    for name, text in view.items():
        for secret in MATH_SECRETS:
            assert secret not in text, (secret, name)
        for teacher, email in MATH:
            assert email not in text and teacher not in text, (teacher, name)
    # her own team's answers reach her (the digest), with names since the config keeps them
    digest = next(text for name, text in view.items() if name.startswith("Thinking map digest — K-2"))
    assert K2_SECRET in digest and "Eva Lund" in digest
    # the group reflection keeps its per-team figures (aggregates only)
    group = world.doc_text("cedar/reflection/fall-2026")
    assert "K-2 Literacy: 2 of 6 possible answers" in group and "3-5 Math: 2 of 4 possible answers" in group
    assert K2_SECRET not in group and not any(secret in group for secret in MATH_SECRETS)
    # every ILT member reads the tracker; none of them finds an answer there
    for email in (ANA, BEN, DEV):
        seen = _visible_texts(sandbox, build_service, email)
        tracker = {n: t for n, t in seen.items() if n.startswith("ILT Tracker")}
        assert tracker and not any(s in t for t in tracker.values() for s in [*MATH_SECRETS, K2_SECRET])


@pytest.fixture(params=["fake", "sandbox"])
def world(request):
    return request.getfixturevalue(f"{request.param}_world")


def test_an_earlier_versions_tracker_tab_is_copied_reported_and_left(world, config):
    """A tracker made before the answers moved out still has a Thinking map tab with answers in it."""
    people = People(world, config)
    people.tick(2026, 8, 22, 12)
    tracker = world.file_id(TRACKER)
    world.ws.ensure_spreadsheet(TRACKER, "", "", {**TABS, THINKING_MAP: TM_COLUMNS})  # as the old bot made it
    old = [["old-1#q1", "old-1", "k2-literacy", "c1", "2026-09-24T10:00:00Z", "", tm_titles(config)["q1"],
            "Centers ran smoothly"],
           ["old-1#q2", "old-1", "k2-literacy", "c1", "2026-09-24T10:00:00Z", "", tm_titles(config)["q2"],
            "More feedback on my small groups"]]
    world.ws.append_rows_once(tracker, THINKING_MAP, old)

    report = people.tick(2026, 9, 25, 7)  # the thinking maps go out; the answers' sheet is made
    assert RESPONSES in report.created
    notes = [s for s in report.skipped if s.startswith(f"{TRACKER}: its \"{THINKING_MAP}\" tab")]
    assert len(notes) == 1 and "holds 2 rows" in notes[0] and "delete that tab" in notes[0], report.skipped
    assert [r[:2] for r in people.rows(THINKING_MAP)] == [["old-1#q1", "old-1"], ["old-1#q2", "old-1"]]

    people.answer("cedar/thinking-map/k2-literacy/c1", K2[1][1], {"q1": "Guided reading"}, tm_titles(config),
                  2026, 9, 28, 15)
    report = people.tick(2026, 9, 29, 12)  # not the day's first pass: synced, not reported again
    assert report.synced_responses == 1 and not any(s.startswith(TRACKER) for s in report.skipped)
    report = people.tick(2026, 9, 30, 6)  # the day's first pass: the admin is reminded; nothing copied twice
    assert any(s.startswith(f"{TRACKER}: its \"{THINKING_MAP}\" tab") for s in report.skipped)
    assert len(people.rows(THINKING_MAP)) == 3
    # the bot wrote nothing more to the old tab and deleted nothing from it
    assert world.tracker_rows(TRACKER, THINKING_MAP) == old
    people.tick(2026, 10, 5, 7)
    assert "2 of 3 teachers answered" in people.text("cedar/tm-digest/k2-literacy/c1")  # the old answer counts


def test_a_trashed_answers_sheet_is_not_recreated_and_no_empty_digest_is_made(world, config):
    people = People(world, config)
    people.tick(2026, 8, 22, 12)
    people.tick(2026, 9, 25, 7)
    people.answer("cedar/thinking-map/k2-literacy/c1", K2[0][1], {"q1": "Guided reading"}, tm_titles(config),
                  2026, 9, 28, 15)
    world.trash(RESPONSES, config.workspace.bot_user)  # the principal wants them gone
    report = people.tick(2026, 10, 5, 7)
    assert RESPONSES not in report.created and any(s.startswith(RESPONSES) for s in report.skipped)
    assert "cedar/tm-digest/k2-literacy/c1" not in report.created  # not a digest saying no one answered
    assert any(s.startswith("cedar/tm-digest/k2-literacy/c1") and "in the trash" in s for s in report.skipped)
    assert not people.exists("cedar/tm-digest/k2-literacy/c1")
