"""Who can open what: digests and pre-work are private (Drive permissions in the sandbox, real clients).

A teacher cannot open another team's digest nor any member's pre-work; a member cannot open another
member's pre-work or another lead's team reflection. Drive answers 404 for a file the caller cannot
see, as Google does. Thinking maps are anonymous: no e-mail is recorded with the answers.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from googleapiclient.errors import HttpError

from ilt_bot.jobs.tick import run_tick
from tests.jobs.test_thinking_map import ANA, BEN, CHLOE, DEV, K2, MATH, make_config, tm_titles


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
    # the Thinking map tab of the tracker holds no e-mail of a teacher (anonymous by default)
    rows = world.tracker_rows("cedar/tracker/2026-27", "Thinking map")
    assert rows and not any("@" in cell for row in rows for cell in row)
