"""Privacy and least privilege: who can open and edit each artifact, scopes, and logs.

Each artifact kind x each role is checked through the sandbox *as that user*: Drive ``files.get``
(open; ``capabilities.canEdit`` for edit) and, for Forms, the responder page (respond). Kinds not
made by the reflection routines exist too: the world ticks through a thinking-map cycle and up to the
fall reflection.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime

import pytest
from googleapiclient.errors import HttpError

from tests.conftest import make_service
from tests.reliability.soak import SMALL_CONFIG, fast_policy

ROLES = {
    "principal": "ana.ruiz@cedar.example.org",
    "ilt_member": "dev.patel@cedar.example.org",  # a coach on the ILT
    "team_lead": "chloe.park@cedar.example.org",  # lead of K-2 Literacy, on the ILT
    "teacher": "eva.lund@cedar.example.org",      # on the K-2 team, not on the ILT
    "stakeholder": "pta.chair@cedar.example.org",  # asked for the semester survey only
    "outsider": "mallory@evil.example.com",
    "next_year": "nia.brooks@cedar.example.org",  # joins next year's ILT: invited to the kick-off only
}
ILT = {"principal", "ilt_member", "team_lead"}

# kind -> (key, who may open (Docs, Sheets) or respond (Forms), who may edit)
POLICY = {
    "agenda": ("cedar/agenda/2026-08-25", ILT, ILT),
    "feedback form": ("cedar/feedback/2026-08-25", ILT, set()),
    "intake form": ("cedar/intake/2026-27", ILT, set()),
    "tracker": ("cedar/tracker/2026-27", ILT, ILT),
    "thinking-map form": ("cedar/thinking-map/k2-literacy/c2", {"teacher"}, set()),
    "thinking-map answers sheet": ("cedar/tm-responses/2026-27", {"principal"}, set()),
    "digest": ("cedar/tm-digest/k2-literacy/c2", {"team_lead", "principal"}, {"team_lead"}),
    "prework": ("cedar/prework/fall-2026/dev-patel", {"ilt_member", "principal"}, {"ilt_member"}),
    "team reflection": ("cedar/team-reflection/fall-2026/k2-literacy", {"team_lead", "principal"}, {"team_lead"}),
    "group reflection": ("cedar/reflection/fall-2026", ILT, ILT),
    "summary": ("cedar/summary/fall-2026", ILT, ILT),
    "stakeholder survey": ("cedar/stakeholder/fall-2026", {"stakeholder"}, set()),
    "qualities form": ("cedar/qualities/2026-27", ILT, set()),
    "vision-input form": ("cedar/vision-input/2026-10-20", ILT, set()),
    # cycle 1 pairs Ana (principal) with Dev, Ben with Chloe: the team lead is on the ILT but not in this pair
    "peer-observation note": ("cedar/peer-observation/c1/ana-ruiz+dev-patel", {"principal", "ilt_member"},
                              {"principal", "ilt_member"}),
    "coaching agreement": ("cedar/coaching-agreement/2026-27/chloe-park", {"team_lead", "principal"},
                           {"team_lead", "principal"}),
    "kickoff": ("cedar/kickoff/2027-28", ILT | {"next_year"}, ILT | {"next_year"}),
}
PRIVATE = ("peer-observation note", "coaching agreement")
"""Docs whose editors cannot share them further (Drive ``writersCanShare=false``)."""
SECRETS = ["Secret plus: Mr. Gray yelled at a student", "Private delta: my evaluation is unfair",
           "Intake: confidential staffing issue"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The small school with a stakeholder, ticked at set-up, at each thinking-map step and before the
    fall reflection: every artifact kind exists. Two members answer with private text."""
    from ilt_bot import plan
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import load_config
    from ilt_bot.demo.people import People
    from ilt_bot.jobs.feedback import STYLES
    from ilt_bot.jobs.intake import intake_spec
    from ilt_bot.jobs.tick import run_tick
    from ilt_bot.sandbox.server import SandboxServer
    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.ratelimit import RateLimiter

    path = tmp_path_factory.mktemp("privacy") / "config.toml"
    extra = (f'\n[stakeholders]\nemails = ["{ROLES["stakeholder"]}"]\n'
             f'\n[practice]\nnext_year_ilt = ["{ROLES["next_year"]}"]\n')
    path.write_text(SMALL_CONFIG.read_text(encoding="utf-8") + extra, encoding="utf-8")
    config = load_config(path)
    year = SchoolYear(config)
    server = SandboxServer().start()
    old = os.environ.get("ILT_BOT_SANDBOX_URL")
    os.environ["ILT_BOT_SANDBOX_URL"] = server.url
    gateway = connect(config, limiter=RateLimiter(enabled=False), policy=fast_policy())
    run_tick(config, gateway, datetime(2026, 8, 21, 6, 30, tzinfo=config.tz))
    people = People(server.url)
    titles = {ref: f"{label}:" for ref, label, _ in STYLES[config.feedback.style]}
    form = gateway.find("cedar/feedback/2026-08-25")
    people.answer_form(gateway.form_responder_uri(form.id), ROLES["principal"],
                       {titles["plus"]: SECRETS[0], titles["delta"]: SECRETS[1]})
    intake = gateway.find("cedar/intake/2026-27")
    item = {q.ref: q.title for q in intake_spec(config).questions}
    people.answer_form(gateway.form_responder_uri(intake.id), ROLES["team_lead"],
                       {item["title"]: SECRETS[2], item["why"]: SECRETS[2], item["time"]: "5 minutes",
                        item["submitter"]: "Chloe"})
    late = datetime(2026, 12, 14, 6, 30, tzinfo=config.tz)
    kinds = ("thinking_map", "tm_digest", "peer-observation", "vision-input")
    steps = sorted({i.due for i in plan.plan(config, year) if i.kind in kinds and i.due < late})
    for moment in [*steps, late]:
        run_tick(config, gateway, moment)
    kickoff = next(i for i in plan.plan(config, year) if i.kind == "kickoff")
    run_tick(config, gateway, kickoff.due)  # the spring kick-off of next year's ILT
    yield {"config": config, "server": server, "gateway": gateway}
    gateway.close()
    server.stop()
    if old is None:
        os.environ.pop("ILT_BOT_SANDBOX_URL", None)
    else:
        os.environ["ILT_BOT_SANDBOX_URL"] = old


def _open_and_edit(server, file_id: str, email: str) -> tuple[bool, bool]:
    drive = make_service(server, "drive", "v3", email)
    try:
        item = drive.files().get(fileId=file_id, fields="id, capabilities(canEdit)").execute()
    except HttpError as error:
        assert error.resp.status == 404, error
        return False, False
    return True, bool(item["capabilities"]["canEdit"])


def _can_respond(server, gateway, form_id: str, email: str) -> bool:
    from ilt_bot.demo.people import People

    session = People(server.url).browser(email)
    page = session.get(People(server.url)._page_url(gateway.form_responder_uri(form_id)), timeout=30)
    # A closed Form tells a responder it is closed; someone without access is told they need permission.
    return page.status_code == 200 or "no longer accepting responses" in page.text


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("kind", list(POLICY))
def test_who_can_open_and_edit(world, kind, role):
    key, readers, editors = POLICY[kind]
    ref = world["gateway"].find(key)
    assert ref is not None, key
    email = ROLES[role]
    if kind.endswith(("form", "survey")):
        assert _can_respond(world["server"], world["gateway"], ref.id, email) == (role in readers), (kind, role)
        _opened, edits = _open_and_edit(world["server"], ref.id, email)
        assert edits is False, f"{role} may edit the {kind}"
        return
    opened, edits = _open_and_edit(world["server"], ref.id, email)
    assert (opened, edits) == (role in readers, role in editors), (kind, role)


@pytest.mark.parametrize("kind", PRIVATE)
def test_editors_of_a_private_doc_cannot_share_it_further(world, kind):
    """Drive ``writersCanShare=false`` ("Whether users with only writer permission can modify the file's
    permissions"): an editor's ``permissions.create`` is refused with 403, the owner (the bot) still shares."""
    key, _readers, editors = POLICY[kind]
    ref = world["gateway"].find(key)
    for role in sorted(editors):
        drive = make_service(world["server"], "drive", "v3", ROLES[role])
        with pytest.raises(HttpError) as refused:
            drive.permissions().create(fileId=ref.id, sendNotificationEmail=False, body={
                "type": "user", "role": "reader", "emailAddress": ROLES["teacher"]}).execute()
        assert refused.value.resp.status == 403, (kind, role)
    assert _open_and_edit(world["server"], ref.id, ROLES["teacher"]) == (False, False)


def test_the_audit_finds_every_permission_as_configured(world):
    from tests.reliability.audit import audit

    report = audit(world["server"], world["config"])
    assert report.problems == [], report.problems
    assert report.artifacts >= len(POLICY) and report.permissions >= 40


def test_scopes_are_the_least_the_config_needs(world):
    from ilt_bot.workspace import auth

    scopes = auth.required_scopes(world["config"])
    assert "https://www.googleapis.com/auth/drive.file" in scopes  # the bot owns its root: no full Drive
    assert "https://www.googleapis.com/auth/drive" not in scopes
    assert "https://www.googleapis.com/auth/forms.responses.readonly" in scopes
    forbidden = ("gmail", "admin", "calendar", "cloud-platform", "userinfo", "/auth/forms\u0000")
    assert not [s for s in scopes if any(f in s for f in forbidden)], scopes
    cfg = world["config"]
    shared = cfg.model_copy(update={"drive": cfg.drive.model_copy(update={"root_folder_id": "someFolderId"})})
    assert "https://www.googleapis.com/auth/drive" in auth.required_scopes(shared)
    in_drive = cfg.model_copy(update={"drive": cfg.drive.model_copy(update={"shared_drive_id": "0ADrive"})})
    assert "https://www.googleapis.com/auth/drive" in auth.required_scopes(in_drive)
    for variant in (cfg, shared, in_drive):  # never more than one Drive scope, never full Forms
        granted = auth.required_scopes(variant)
        assert len([g for g in granted if "/auth/drive" in g]) == 1, granted
        assert "https://www.googleapis.com/auth/forms" not in granted, granted


def test_a_whole_tick_logs_no_answer_text_and_no_token(world, caplog):
    """Private answers (feedback, stakeholder survey) synced by a whole tick: none of their text, and no
    token, in the logs at INFO (the default is quieter)."""
    from ilt_bot.demo.people import People
    from ilt_bot.jobs.feedback import STYLES
    from ilt_bot.jobs.tick import run_tick

    config, gateway, server = world["config"], world["gateway"], world["server"]
    people = People(server.url)
    titles = {ref: f"{label}:" for ref, label, _ in STYLES[config.feedback.style]}
    form = gateway.find("cedar/feedback/2026-12-15")
    people.answer_form(gateway.form_responder_uri(form.id), ROLES["ilt_member"],
                       {titles["plus"]: SECRETS[0], titles["delta"]: SECRETS[1]})
    survey = gateway.find("cedar/stakeholder/fall-2026")
    page = people.browser(ROLES["stakeholder"]).get(people._page_url(gateway.form_responder_uri(survey.id)))
    from ilt_bot.demo.people import form_fields

    fields = form_fields(page.text)
    data = {name: SECRETS[2] for _title, name in fields}
    people.browser(ROLES["stakeholder"]).post(people._page_url(gateway.form_responder_uri(survey.id)), data=data)
    with caplog.at_level(logging.DEBUG, logger="ilt_bot"):
        report = run_tick(config, gateway, datetime(2026, 12, 15, 18, 0, tzinfo=config.tz))
    assert report.errors == [], report.errors
    assert report.synced_responses >= 1, report
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records if r.levelno >= logging.INFO)
    assert caplog.records, "nothing logged at all: the check would prove nothing"
    for secret in SECRETS:
        assert secret not in text
    for token in ("sandbox:", "Bearer", "access_token", "private_key"):
        assert token not in text
