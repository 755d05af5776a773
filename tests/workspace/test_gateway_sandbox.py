"""The gateway against the sandbox through the real Google clients: idempotent ensures (the second run
makes no writes, checked in the sandbox's request log), trash respected, sharing rules, shared drives,
folders the bot cannot write, and API calls that do not grow with the number of people/rows/questions."""

from __future__ import annotations

import pytest

from ilt_bot.sandbox.core import ADMIN
from ilt_bot.sandbox.drive.models import sent_emails
from ilt_bot.sandbox.identity import sandbox_credentials
from ilt_bot.workspace.api import FormQuestion, FormSpec
from ilt_bot.workspace.clients import build_services
from ilt_bot.workspace.embedded import seed_root_folder
from ilt_bot.workspace.errors import NotFound, PermissionDenied, SharingRefused
from ilt_bot.workspace.gateway import Gateway
from ilt_bot.workspace.retry import RetryPolicy
from ilt_bot.workspace.transport import sandbox_http

BOT = "ilt-bot@cedar.example.org"
DOMAIN = "cedar.example.org"
ROOT = "0RootFolderForTheIltBotCedar01"
PRINCIPAL = "principal@cedar.example.org"

READ_SUFFIXES = (".get", ".list", ".export", ".batchGet")


def make_gateway(sandbox, user: str = BOT, **kw) -> Gateway:
    services = build_services(sandbox_credentials(user), lambda: sandbox_http(sandbox.url))
    kw.setdefault("domain", DOMAIN)
    return Gateway(services, user=user, policy=RetryPolicy(sleep=lambda s: None), **kw)


def writes(entries: list[dict]) -> list[str]:
    return [e["method"] for e in entries if not e["method"].endswith(READ_SUFFIXES)]


def log_since(sandbox, mark: int) -> list[dict]:
    return sandbox.requests[mark:]


@pytest.fixture
def gw(sandbox):
    seed_root_folder(sandbox.store, ROOT, BOT)
    return make_gateway(sandbox, allow_external=["coach@district.example.org"])


FEEDBACK = FormSpec(
    title="Feedback - ILT meeting 2026-09-15",
    description="Two minutes, please.",
    questions=(
        FormQuestion("plus", "What worked (+)?", required=True),
        FormQuestion("delta", "What should change (delta)?"),
        FormQuestion("rating", "How useful was the meeting?", kind="scale"),
        FormQuestion("role", "Your role", kind="radio", options=("Teacher", "Coach", "Admin")),
    ),
    collect_emails=True,
)


def test_every_ensure_twice_second_run_makes_no_writes(sandbox, gw):
    def run():
        folder = gw.ensure_folder("cedar/folder/agendas", "Agendas", ROOT)
        doc = gw.ensure_doc_from_html("cedar/agenda/2026-09-15", "Agenda 2026-09-15",
                                      "<h1>Agenda</h1><table><tr><td>Item</td><td>Owner</td></tr></table>",
                                      folder.file.id, {"meeting": "2026-09-15"})
        form = gw.ensure_form("cedar/feedback/2026-09-15", FEEDBACK, folder.file.id)
        sheet = gw.ensure_spreadsheet("cedar/tracker/2026-27", "ILT tracker 2026-27", ROOT,
                                      {"Meetings": ["date", "agenda"], "Runs": ["time", "action", "key"]})
        return folder, doc, form, sheet

    first = run()
    assert all(e.created for e in first)
    mark = len(sandbox.requests)
    second = run()
    assert not any(e.created for e in second)
    assert [e.file.id for e in first] == [e.file.id for e in second]
    assert writes(log_since(sandbox, mark)) == []
    # and only one artifact per key exists
    admin = make_gateway(sandbox, ADMIN)
    for ensured in first:
        assert len(admin.drive.find_items(ensured.file.key)) == 1


def test_doc_is_an_html_import_in_its_folder_with_properties(sandbox, gw):
    folder = gw.ensure_folder("cedar/folder/agendas", "Agendas", ROOT)
    doc = gw.ensure_doc_from_html("cedar/agenda/1", "Agenda", "<h1>Agenda</h1><table><tr><td>Who</td><td>What"
                                  "</td></tr><tr><td>Ana</td><td>Data</td></tr></table>", folder.file.id,
                                  {"meeting": "2026-09-15"})
    assert doc.file.mime_type == "application/vnd.google-apps.document"
    assert doc.file.app_properties == {"iltbot_key": "cedar/agenda/1", "meeting": "2026-09-15"}
    assert gw.drive.get(doc.file.id, "parents")["parents"] == [folder.file.id]
    assert gw.read_doc_tables(doc.file.id)[0].rows == [["Who", "What"], ["Ana", "Data"]]
    assert "Agenda" in gw.export_html(doc.file.id)
    assert [e["method"] for e in sandbox.requests].count("drive.files.create") == 2  # folder + doc, one call each


def test_trashed_artifact_is_reported_and_not_recreated(sandbox, gw, build_service):
    doc = gw.ensure_doc_from_html("cedar/agenda/2", "Agenda", "<p>x</p>", ROOT)
    build_service(sandbox, "drive", "v3", BOT).files().update(fileId=doc.file.id, body={"trashed": True}).execute()
    again = gw.ensure_doc_from_html("cedar/agenda/2", "Agenda", "<p>x</p>", ROOT)
    assert again.trashed and not again.created and again.file.id == doc.file.id
    form = gw.ensure_form("cedar/feedback/2", FEEDBACK, ROOT)
    build_service(sandbox, "drive", "v3", BOT).files().update(fileId=form.file.id, body={"trashed": True}).execute()
    assert gw.ensure_form("cedar/feedback/2", FEEDBACK, ROOT).trashed


def test_people_edits_are_not_overwritten(sandbox, gw, build_service):
    sheet = gw.ensure_spreadsheet("cedar/tracker/x", "Tracker", ROOT, {"Runs": ["time", "action"]})
    values = build_service(sandbox, "sheets", "v4", BOT).spreadsheets().values()
    values.update(spreadsheetId=sheet.file.id, range="Runs!A1", valueInputOption="RAW",
                  body={"values": [["When", "What happened"]]}).execute()
    gw.ensure_spreadsheet("cedar/tracker/x", "Tracker", ROOT, {"Runs": ["time", "action"], "Extra": ["a"]})
    got = values.get(spreadsheetId=sheet.file.id, range="Runs!A1:B1").execute()["values"]
    assert got == [["When", "What happened"]]
    assert values.get(spreadsheetId=sheet.file.id, range="Extra!A1").execute()["values"] == [["a"]]


def test_form_is_published_with_all_questions_and_answers_map_to_refs(sandbox, gw, build_service):
    form = gw.ensure_form("cedar/feedback/3", FEEDBACK, ROOT)
    forms = build_service(sandbox, "forms", "v1", BOT).forms()
    got = forms.get(formId=form.file.id).execute()
    assert [i["title"] for i in got["items"]] == [q.title for q in FEEDBACK.questions]
    assert got["info"]["description"] == FEEDBACK.description
    assert got["settings"]["emailCollectionType"] == "VERIFIED"
    assert got["publishSettings"]["publishState"] == {"isPublished": True, "isAcceptingResponses": True}
    assert gw.drive.get(form.file.id, "parents")["parents"] == [ROOT]
    assert gw.form_responder_uri(form.file.id) == got["responderUri"]
    # a teacher may answer once shared with view=published; answers come back keyed by ref
    assert gw.share(form.file.id, ["t1@cedar.example.org"], "reader", published_view=True) == 1
    assert gw.list_responses(form.file.id) == []


def test_half_made_form_is_completed_not_duplicated(sandbox, gw, build_service):
    forms = build_service(sandbox, "forms", "v1", BOT).forms()
    drive = build_service(sandbox, "drive", "v3", BOT).files()
    # a crash right after forms.create + tagging: no questions, unpublished
    made = forms.create(body={"info": {"title": FEEDBACK.title}}).execute()
    drive.update(fileId=made["formId"], body={"appProperties": {"iltbot_key": "cedar/feedback/4",
                                                                 "iltbot_state": "building"}}).execute()
    again = gw.ensure_form("cedar/feedback/4", FEEDBACK, ROOT)
    assert again.file.id == made["formId"]
    got = forms.get(formId=made["formId"]).execute()
    assert len(got["items"]) == len(FEEDBACK.questions)
    assert got["publishSettings"]["publishState"]["isPublished"] is True
    assert again.file.app_properties["iltbot_state"] == "ready"


def test_keyless_form_left_by_a_lost_create_is_adopted(sandbox, gw, build_service):
    forms = build_service(sandbox, "forms", "v1", BOT).forms()
    made = forms.create(body={"info": {"title": FEEDBACK.title}}).execute()  # answer "lost" before tagging
    ensured = gw.ensure_form("cedar/feedback/5", FEEDBACK, ROOT)
    assert ensured.file.id == made["formId"]
    assert len(gw.drive.list_files(f"name = '{FEEDBACK.title}'", what="t")) == 1


def test_share_batches_permissions_notifies_once_each_and_skips_existing(sandbox, gw):
    doc = gw.ensure_doc_from_html("cedar/agenda/6", "Agenda", "<p>x</p>", ROOT)
    people = [f"t{i}@cedar.example.org" for i in range(10)]
    mark = len(sandbox.requests)
    before = gw.total_calls
    assert gw.share(doc.file.id, people, "writer", notify=True, message="Agenda for Tuesday") == 10
    assert gw.total_calls - before == 2  # permissions.list + one batch
    assert gw.calls["drive.batch"] == 1
    assert gw.operations["share"] == 2
    assert sorted(e["to"] for e in sent_emails(sandbox.store)) == sorted(people)
    assert {e["message"] for e in sent_emails(sandbox.store)} == {"Agenda for Tuesday"}
    mark = len(sandbox.requests)
    assert gw.share(doc.file.id, people + ["T3@Cedar.example.org"], "reader") == 0  # writers already
    assert writes(log_since(sandbox, mark)) == []
    assert gw.share(doc.file.id, ["coach@district.example.org"], "commenter") == 1  # allowed external
    assert gw.unshare(doc.file.id, people[:3]) == 3
    assert gw.share(doc.file.id, people[:4], "writer") == 3


def test_outside_domain_share_is_refused_naming_the_address_and_config_field(sandbox, gw):
    doc = gw.ensure_doc_from_html("cedar/agenda/7", "Agenda", "<p>x</p>", ROOT)
    mark = len(sandbox.requests)
    with pytest.raises(SharingRefused) as info:
        gw.share(doc.file.id, ["ana@cedar.example.org", "parent@gmail.com"], "reader")
    assert "parent@gmail.com" in str(info.value) and "sharing.allow_external" in str(info.value)
    with pytest.raises(SharingRefused, match="sharing.link_sharing"):
        gw.share(doc.file.id, ["anyone"], "reader")
    assert sandbox.requests[mark:] == []  # refused before any call: nobody got access
    linky = make_gateway(sandbox, link_sharing=True)
    assert linky.share(doc.file.id, ["anyone"], "reader") == 1


def test_a_folder_the_bot_cannot_write_gives_a_clear_error(sandbox, gw, build_service):
    drive = build_service(sandbox, "drive", "v3", PRINCIPAL)
    folder = drive.files().create(body={"name": "ILT", "mimeType": "application/vnd.google-apps.folder"}).execute()
    with pytest.raises(NotFound) as info:
        gw.ensure_folder("cedar/folder/x", "Agendas", folder["id"])
    assert folder["id"] in str(info.value) and BOT in str(info.value) and "share it with" in str(info.value)
    drive.permissions().create(fileId=folder["id"], body={"type": "user", "role": "reader", "emailAddress": BOT},
                               sendNotificationEmail=False).execute()
    with pytest.raises(PermissionDenied) as info:
        gw.ensure_folder("cedar/folder/x", "Agendas", folder["id"])
    assert folder["id"] in str(info.value) and "Editor" in str(info.value)


def test_shared_drive_placement(sandbox, build_service):
    drive = build_service(sandbox, "drive", "v3", PRINCIPAL)
    shared = drive.drives().create(requestId="r1", body={"name": "ILT"}).execute()
    drive.permissions().create(fileId=shared["id"], supportsAllDrives=True, sendNotificationEmail=False,
                               body={"type": "user", "role": "fileOrganizer", "emailAddress": BOT}).execute()
    root = drive.files().create(body={"name": "ILT 2026-27", "mimeType": "application/vnd.google-apps.folder",
                                      "parents": [shared["id"]]}, supportsAllDrives=True).execute()
    gw = make_gateway(sandbox, shared_drive_id=shared["id"])
    folder = gw.ensure_folder("cedar/folder/agendas", "Agendas", root["id"])
    doc = gw.ensure_doc_from_html("cedar/agenda/1", "Agenda", "<p>hi</p>", folder.file.id)
    form = gw.ensure_form("cedar/feedback/1", FEEDBACK, folder.file.id)
    sheet = gw.ensure_spreadsheet("cedar/tracker/2026-27", "Tracker", root["id"], {"Runs": ["time"]})
    for ensured in (folder, doc, form, sheet):
        meta = gw.drive.get(ensured.file.id, "id,driveId,parents")
        assert meta["driveId"] == shared["id"]
    assert gw.drive.get(form.file.id, "parents")["parents"] == [folder.file.id]
    # found again by key inside the shared drive (needs includeItemsFromAllDrives + corpora=drive)
    again = make_gateway(sandbox, shared_drive_id=shared["id"])
    assert again.ensure_doc_from_html("cedar/agenda/1", "Agenda", "<p>hi</p>", folder.file.id).created is False
    assert again.find("cedar/feedback/1").id == form.file.id
    assert again.share(doc.file.id, ["t1@cedar.example.org"], "writer") == 1  # permissions with supportsAllDrives
    assert again.share(form.file.id, ["t1@cedar.example.org"], "reader", published_view=True) == 1


def test_rows_are_raw_appended_once_and_upserted(sandbox, gw):
    sheet = gw.ensure_spreadsheet("cedar/tracker/r", "Tracker", ROOT, {"Feedback": ["id", "plus", "delta"]})
    sid = sheet.file.id
    assert gw.append_rows_once(sid, "Feedback", [["r1", "=IMPORTXML(\"x\")", ""], ["r2", "b", "c"]]) == 2
    assert gw.append_rows_once(sid, "Feedback", [["r2", "b", "c"], ["r3", "d", "e"], ["r3", "d", "e"]]) == 1
    assert gw.read_rows(sid, "Feedback") == [["r1", "=IMPORTXML(\"x\")", ""], ["r2", "b", "c"], ["r3", "d", "e"]]
    assert gw.upsert_rows(sid, "Feedback", [["r2", "B", "C"], ["r4", "f", "g"], ["r1", "=IMPORTXML(\"x\")", ""]]) == 2
    assert gw.read_rows(sid, "Feedback")[1:] == [["r2", "B", "C"], ["r3", "d", "e"], ["r4", "f", "g"]]


def test_calls_do_not_grow_with_people_rows_or_questions(sandbox, gw):
    def cost(fn) -> int:
        before = gw.total_calls
        fn()
        return gw.total_calls - before

    doc1 = gw.ensure_doc_from_html("k/d1", "d1", "<p>x</p>", ROOT)
    doc2 = gw.ensure_doc_from_html("k/d2", "d2", "<p>x</p>", ROOT)
    assert cost(lambda: gw.share(doc1.file.id, ["a@cedar.example.org"], "reader")) == cost(
        lambda: gw.share(doc2.file.id, [f"p{i}@cedar.example.org" for i in range(10)], "reader"))

    sheet = gw.ensure_spreadsheet("k/s", "s", ROOT, {"A": ["id", "v"], "B": ["id", "v"]})
    assert cost(lambda: gw.append_rows_once(sheet.file.id, "A", [["1", "x"]])) == cost(
        lambda: gw.append_rows_once(sheet.file.id, "B", [[str(i), "x"] for i in range(500)]))
    assert len(gw.read_rows(sheet.file.id, "B")) == 500

    one = FormSpec("one", questions=(FormQuestion("q0", "Q0"),))
    twelve = FormSpec("twelve", questions=tuple(FormQuestion(f"q{i}", f"Q{i}") for i in range(12)))
    assert cost(lambda: gw.ensure_form("k/f1", one, ROOT)) == cost(lambda: gw.ensure_form("k/f12", twelve, ROOT))


def test_new_spreadsheet_tabs_and_literal_headers_in_one_atomic_batch(sandbox, gw, build_service):
    tabs = {"Meetings": ["date", "=1+1"], "Runs": ["time", "action"], "Dashboard": []}
    mark = len(sandbox.requests)
    sheet = gw.ensure_spreadsheet("cedar/tracker/h", "Tracker", ROOT, tabs)
    # made "building", every tab in one batch, then recorded ready (a crash before that adds the tabs next run)
    assert writes(log_since(sandbox, mark)) == ["drive.files.create", "sheets.spreadsheets.batchUpdate",
                                                "drive.files.update"]
    api = build_service(sandbox, "sheets", "v4", BOT).spreadsheets()
    titles = [s["properties"]["title"] for s in api.get(spreadsheetId=sheet.file.id).execute()["sheets"]]
    assert titles == ["Meetings", "Runs", "Dashboard"]  # the default Sheet1 became the first tab
    got = api.values().get(spreadsheetId=sheet.file.id, range="Meetings!A1:B1").execute()["values"]
    assert got == [["date", "=1+1"]]  # a header is text, never a formula (which would show 2)


def answer_form(sandbox, responder_uri: str, user: str, fields: dict[str, str]) -> None:
    import requests

    path = responder_uri.split("/forms/", 1)[1]
    reply = requests.post(f"{sandbox.url}/forms/{path}", data=fields, timeout=10,
                          headers={"Authorization": f"Bearer sandbox:{user}"})
    assert reply.status_code == 200, reply.text[:300]


def test_responses_come_back_keyed_by_ref_and_filtered_by_time(sandbox, gw, build_service):
    import time
    from datetime import UTC, datetime

    form = gw.ensure_form("cedar/feedback/r", FEEDBACK, ROOT)
    teachers = [f"t{i}@cedar.example.org" for i in range(3)]
    gw.share(form.file.id, teachers, "reader", published_view=True)
    uri = gw.form_responder_uri(form.file.id)
    items = build_service(sandbox, "forms", "v1", BOT).forms().get(formId=form.file.id).execute()["items"]
    qid = {i["title"]: i["questionItem"]["question"]["questionId"] for i in items}

    def fields(n: int) -> dict[str, str]:
        return {f"entry.{qid['What worked (+)?']}": f"plus {n}", f"entry.{qid['What should change (delta)?']}":
                f"delta {n}", f"entry.{qid['How useful was the meeting?']}": "4",
                f"entry.{qid['Your role']}": "Coach"}

    answer_form(sandbox, uri, teachers[0], fields(0))
    time.sleep(1.1)
    since = datetime.now(UTC)
    time.sleep(0.1)
    answer_form(sandbox, uri, teachers[1], fields(1))
    answer_form(sandbox, uri, teachers[2], fields(2))

    fresh = make_gateway(sandbox)  # no cache: the question map is read back from the Form's appProperties
    everything = fresh.list_responses(form.file.id)
    assert len(everything) == 3
    first = next(a for a in everything if a.respondent_email == teachers[0])
    assert first.answers == {"plus": ["plus 0"], "delta": ["delta 0"], "rating": ["4"], "role": ["Coach"]}
    later = fresh.list_responses(form.file.id, since=since)
    assert sorted(a.respondent_email for a in later) == teachers[1:]


def test_form_made_by_a_person_is_read_by_question_title(sandbox, gw, build_service):
    forms = build_service(sandbox, "forms", "v1", BOT).forms()
    made = forms.create(body={"info": {"title": "Survey"}}).execute()
    forms.batchUpdate(formId=made["formId"], body={"requests": [{"createItem": {"item": {
        "title": "Anything else?", "questionItem": {"question": {"textQuestion": {}}}}, "location": {"index": 0}}}]}
    ).execute()
    forms.setPublishSettings(formId=made["formId"], body={"publishSettings": {"publishState": {
        "isPublished": True, "isAcceptingResponses": True}}, "updateMask": "publishState"}).execute()
    qid = forms.get(formId=made["formId"]).execute()["items"][0]["questionItem"]["question"]["questionId"]
    answer_form(sandbox, gw.form_responder_uri(made["formId"]), BOT, {f"entry.{qid}": "More time"})
    [answer] = gw.list_responses(made["formId"])
    assert answer.answers == {"Anything else?": ["More time"]}


def test_doc_edits_go_in_one_batch_update_applied_once_when_the_answer_is_lost(sandbox, gw):
    doc = gw.ensure_doc_from_html("cedar/agenda/e", "Agenda", "<p>Notes: TBD</p><p>Owner: TBD</p>", ROOT)
    real = gw.caller.execute
    lost = []

    def lossy(request, **kw):  # commit, then lose the answer, once
        result = real(request, **kw)
        if request.methodId == "docs.documents.batchUpdate" and not lost:
            lost.append(result)
            raise ConnectionResetError("answer lost")
        return result

    gw.caller.execute = lossy
    mark = len(sandbox.requests)
    gw.edit_doc(doc.file.id, [{"replaceAllText": {"containsText": {"text": "TBD", "matchCase": True},
                                                  "replaceText": "Ana"}},
                              {"insertText": {"location": {"index": 1}, "text": "Minutes\n"}}])
    assert lost and lost[0]["replies"][0]["replaceAllText"]["occurrencesChanged"] == 2
    assert writes(log_since(sandbox, mark)) == ["docs.documents.batchUpdate"]  # not re-sent
    html = gw.export_html(doc.file.id)
    assert "Notes: Ana" in html and "Owner: Ana" in html and html.count("Minutes") == 1


def test_doc_edit_is_refused_when_people_edited_meanwhile(sandbox, gw, build_service):
    from ilt_bot.workspace.errors import InvalidRequest

    doc = gw.ensure_doc_from_html("cedar/agenda/f", "Agenda", "<p>Notes: TBD</p>", ROOT)
    person = build_service(sandbox, "docs", "v1", BOT).documents()
    real_get = gw.docs.get

    def get_then_person_edits(doc_id):
        answer = real_get(doc_id)
        person.batchUpdate(documentId=doc_id, body={"requests": [
            {"insertText": {"location": {"index": 1}, "text": "Edited by a person. "}}]}).execute()
        return answer

    gw.docs.get = get_then_person_edits
    with pytest.raises(InvalidRequest):
        gw.edit_doc(doc.file.id, [{"replaceAllText": {"containsText": {"text": "TBD", "matchCase": True},
                                                      "replaceText": "Ana"}}])
    gw.docs.get = real_get
    assert "TBD" in gw.export_html(doc.file.id)


@pytest.mark.parametrize("kind", ["folder", "doc", "form", "sheet"])
def test_two_runs_creating_at_once_converge_on_one_artifact(sandbox, gw, kind):
    """A second runner that looked the key up before the first one created it, then creates too."""
    def ensure(g):
        if kind == "folder":
            return g.ensure_folder("cedar/folder/race", "Race", ROOT)
        if kind == "doc":
            return g.ensure_doc_from_html("cedar/agenda/race", "Race", "<p>x</p>", ROOT)
        if kind == "form":
            return g.ensure_form("cedar/feedback/race", FEEDBACK, ROOT)
        return g.ensure_spreadsheet("cedar/tracker/race", "Race", ROOT, {"Runs": ["id"]})

    first = ensure(gw)
    late = make_gateway(sandbox)
    real_find = late.drive.find
    late.drive.find = lambda key: None  # it listed before the first run's create landed
    second = ensure(late)
    late.drive.find = real_find
    assert second.file.id == first.file.id and not second.created
    live = [f for f in make_gateway(sandbox, ADMIN).drive.find_items(first.file.key) if not f.get("trashed")]
    assert [f["id"] for f in live] == [first.file.id]
    assert ensure(late).file.id == first.file.id


def test_a_persons_form_with_the_same_title_is_never_adopted(sandbox, gw, build_service):
    person = build_service(sandbox, "forms", "v1", PRINCIPAL).forms()
    theirs = person.create(body={"info": {"title": FEEDBACK.title}}).execute()
    build_service(sandbox, "drive", "v3", PRINCIPAL).permissions().create(
        fileId=theirs["formId"], sendNotificationEmail=False,
        body={"type": "user", "role": "writer", "emailAddress": BOT}).execute()
    ours = gw.ensure_form("cedar/feedback/same-title", FEEDBACK, ROOT)
    assert ours.created and ours.file.id != theirs["formId"]
    assert person.get(formId=theirs["formId"]).execute().get("items") is None  # untouched


def test_move_to_folder_leaves_one_parent_and_a_second_move_writes_nothing(sandbox, gw):
    folder = gw.ensure_folder("cedar/folder/reflections", "Reflections", ROOT)
    doc = gw.ensure_doc_from_html("cedar/reflection/fall", "Reflection", "<p>x</p>", ROOT)
    gw.move_to_folder(doc.file.id, folder.file.id)
    assert gw.drive.get(doc.file.id, "parents")["parents"] == [folder.file.id]
    mark = len(sandbox.requests)
    gw.move_to_folder(doc.file.id, folder.file.id)
    assert writes(log_since(sandbox, mark)) == []


def test_closing_a_form_sticks_across_reruns(sandbox, gw, build_service):
    form = gw.ensure_form("cedar/feedback/close", FEEDBACK, ROOT)
    gw.set_form_accepting(form.file.id, False)
    gw.ensure_form("cedar/feedback/close", FEEDBACK, ROOT)
    state = build_service(sandbox, "forms", "v1", BOT).forms().get(formId=form.file.id).execute()
    assert state["publishSettings"]["publishState"] == {"isPublished": True, "isAcceptingResponses": False}
    gw.set_form_accepting(form.file.id, True)
    state = build_service(sandbox, "forms", "v1", BOT).forms().get(formId=form.file.id).execute()
    assert state["publishSettings"]["publishState"]["isAcceptingResponses"] is True
