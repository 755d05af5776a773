"""Forms v1 on the sandbox, through the real google-api-python-client, and the responder page over HTTP."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from googleapiclient.errors import HttpError

from ilt_bot.sandbox.forms import models

OWNER = "ana@cedar.edu"
TEACHER = "tom@cedar.edu"
OUTSIDER = "eve@elsewhere.org"
HEX8 = re.compile(r"[0-9a-f]{8}")


def error_of(excinfo: pytest.ExceptionInfo[HttpError]) -> dict[str, Any]:
    return json.loads(excinfo.value.content)["error"]


def text_item(title: str, *, required: bool = False, paragraph: bool = False) -> dict[str, Any]:
    question = {"required": required, "textQuestion": {"paragraph": paragraph}}
    return {"title": title, "questionItem": {"question": question}}


def choice_item(title: str, kind: str, options: list[str], *, other: bool = False, required: bool = False) -> dict:
    opts: list[dict[str, Any]] = [{"value": o} for o in options] + ([{"isOther": True}] if other else [])
    return {"title": title, "questionItem": {"question": {"required": required,
                                                          "choiceQuestion": {"type": kind, "options": opts}}}}


def create(index: int, item: dict[str, Any]) -> dict[str, Any]:
    return {"createItem": {"item": item, "location": {"index": index}}}


@pytest.fixture
def forms(sandbox, build_service):
    return build_service(sandbox, "forms", "v1", OWNER).forms()


@pytest.fixture
def drive(sandbox, build_service):
    return build_service(sandbox, "drive", "v3", OWNER)


def new_form(forms, title: str = "Meeting feedback", items: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    form = forms.create(body={"info": {"title": title}}).execute()
    if items:
        forms.batchUpdate(formId=form["formId"],
                          body={"requests": [create(i, item) for i, item in enumerate(items)]}).execute()
    return forms.get(formId=form["formId"]).execute()


def publish(forms, form_id: str, *, published: bool = True, accepting: bool = True) -> dict[str, Any]:
    body = {"publishSettings": {"publishState": {"isPublished": published, "isAcceptingResponses": accepting}},
            "updateMask": "publishState"}
    return forms.setPublishSettings(formId=form_id, body=body).execute()


# ------------------------------------------------------------------------------------------ create / get


@pytest.mark.parametrize("extra", [
    {"info": {"title": "Plus / delta", "description": "Tell us"}},
    {"info": {"title": "Plus / delta"}, "items": [text_item("Plus")]},
    {"info": {"title": "Plus / delta"}, "settings": {"emailCollectionType": "VERIFIED"}},
])
def test_create_refuses_anything_but_the_titles(forms, drive, extra):
    """Google's forms.create takes only ``info.title`` and ``info.documentTitle``: anything else is a 400
    "Only info.title can be set when creating a form. To add items and change settings, use
    batchUpdate." (the answer Forms API users report), and no form is made."""
    with pytest.raises(HttpError) as caught:
        forms.create(body=extra).execute()
    assert caught.value.resp.status == 400
    assert json.loads(caught.value.content)["error"] == {
        "code": 400, "status": "INVALID_ARGUMENT",
        "message": "Only info.title can be set when creating a form. To add items and change settings, use "
                   "batchUpdate."}
    assert drive.files().list(q="mimeType = 'application/vnd.google-apps.form'").execute()["files"] == []


def test_create_keeps_title_and_document_title_and_starts_unpublished(sandbox, forms, drive):
    form = forms.create(body={"info": {"title": "Plus / delta", "documentTitle": "2026-09-15 feedback"}}).execute()

    assert form["info"] == {"title": "Plus / delta", "documentTitle": "2026-09-15 feedback"}
    assert form["settings"] == {}
    assert "items" not in form
    assert re.fullmatch(r"[0-9A-Za-z_-]{44}", form["formId"])
    assert form["responderUri"].startswith(f"{sandbox.url}/forms/d/e/1FAIpQL")
    assert form["responderUri"].endswith("/viewform")
    assert form["publishSettings"] == {"publishState": {"isPublished": False, "isAcceptingResponses": False}}
    assert form["revisionId"]
    file = drive.files().get(fileId=form["formId"], fields="id,name,mimeType,owners(emailAddress)").execute()
    assert file["mimeType"] == "application/vnd.google-apps.form"
    assert file["name"] == "2026-09-15 feedback"
    assert file["owners"] == [{"emailAddress": OWNER}]
    assert forms.get(formId=form["formId"]).execute() == form


def test_document_title_defaults_to_title_and_unpublished_false_publishes(forms):
    form = forms.create(body={"info": {"title": "Agenda items"}}, unpublished=False).execute()
    assert form["info"]["documentTitle"] == "Agenda items"
    assert form["publishSettings"]["publishState"] == {"isPublished": True, "isAcceptingResponses": True}


# ------------------------------------------------------------------------------------------ batchUpdate


def test_batch_update_creates_every_item_kind_with_google_ids(forms):
    form = forms.create(body={"info": {"title": "Everything"}}).execute()
    grid = {"title": "Norms", "questionGroupItem": {
        "questions": [{"rowQuestion": {"title": "We start on time"}}, {"rowQuestion": {"title": "We listen"}}],
        "grid": {"columns": {"type": "RADIO", "options": [{"value": "Yes"}, {"value": "No"}]}}}}
    items = [
        text_item("Plus", required=True, paragraph=True),
        choice_item("Role", "RADIO", ["Teacher", "Coach"], other=True),
        choice_item("Days", "CHECKBOX", ["Mon", "Tue"]),
        choice_item("Team", "DROP_DOWN", ["K-2", "3-5"]),
        {"title": "Useful?", "questionItem": {"question": {"scaleQuestion": {
            "low": 1, "high": 5, "lowLabel": "Not at all", "highLabel": "Very"}}}},
        {"title": "Date", "questionItem": {"question": {"dateQuestion": {"includeYear": True}}}},
        {"title": "Time", "questionItem": {"question": {"timeQuestion": {}}}},
        {"title": "Stars", "questionItem": {"question": {"ratingQuestion": {"iconType": "STAR",
                                                                           "ratingScaleLevel": 5}}}},
        grid,
        {"title": "Read this", "description": "Context", "textItem": {}},
        {"title": "Part 2", "pageBreakItem": {}},
    ]
    answer = forms.batchUpdate(formId=form["formId"], body={
        "includeFormInResponse": True, "requests": [create(i, item) for i, item in enumerate(items)]}).execute()

    replies = answer["replies"]
    assert len(replies) == len(items)
    for reply in replies:
        assert HEX8.fullmatch(reply["createItem"]["itemId"])
    assert [len(r["createItem"].get("questionId", [])) for r in replies] == [1, 1, 1, 1, 1, 1, 1, 1, 2, 0, 0]
    assert all(HEX8.fullmatch(q) for r in replies for q in r["createItem"].get("questionId", []))
    assert answer["writeControl"]["requiredRevisionId"] != form["revisionId"]

    got = forms.get(formId=form["formId"]).execute()
    assert answer["form"] == got
    assert got["revisionId"] == answer["writeControl"]["requiredRevisionId"]
    assert [i["title"] for i in got["items"]] == [i["title"] for i in items]
    assert [i["itemId"] for i in got["items"]] == [r["createItem"]["itemId"] for r in replies]
    plus = got["items"][0]["questionItem"]["question"]
    assert plus == {"questionId": replies[0]["createItem"]["questionId"][0], "required": True,
                    "textQuestion": {"paragraph": True}}
    role = got["items"][1]["questionItem"]["question"]
    assert "required" not in role  # false is left out, as proto3 JSON does
    assert role["choiceQuestion"] == {"type": "RADIO", "options": [{"value": "Teacher"}, {"value": "Coach"},
                                                                   {"isOther": True}]}
    assert got["items"][6]["questionItem"]["question"]["timeQuestion"] == {}
    rows = got["items"][8]["questionGroupItem"]["questions"]
    assert [r["questionId"] for r in rows] == replies[8]["createItem"]["questionId"]
    assert got["items"][9] == {"itemId": replies[9]["createItem"]["itemId"], "title": "Read this",
                               "description": "Context", "textItem": {}}


def test_update_move_delete_items_info_and_settings(forms):
    form = new_form(forms, items=[text_item("A"), text_item("B"), text_item("C")])
    ids = [i["itemId"] for i in form["items"]]
    qid_b = form["items"][1]["questionItem"]["question"]["questionId"]
    forms.batchUpdate(formId=form["formId"], body={"requests": [
        {"updateItem": {"item": {"title": "B2", "questionItem": {"question": {"required": True}}},
                        "location": {"index": 1}, "updateMask": "title,questionItem.question.required"}},
        {"moveItem": {"originalLocation": {"index": 0}, "newLocation": {"index": 2}}},
        {"deleteItem": {"location": {"index": 1}}},
        create(1, text_item("Middle")),
        {"updateFormInfo": {"info": {"title": "New title", "description": "Why we ask"},
                            "updateMask": "title,description"}},
        {"updateSettings": {"settings": {"emailCollectionType": "VERIFIED"}, "updateMask": "emailCollectionType"}},
    ]}).execute()

    got = forms.get(formId=form["formId"]).execute()
    assert [i["title"] for i in got["items"]] == ["B2", "Middle", "A"]
    b2 = got["items"][0]
    assert b2["itemId"] == ids[1]
    assert b2["questionItem"]["question"] == {"questionId": qid_b, "required": True, "textQuestion": {}}
    assert got["info"] == {"title": "New title", "documentTitle": "Meeting feedback", "description": "Why we ask"}
    assert got["settings"] == {"emailCollectionType": "VERIFIED"}


def test_a_failing_request_rolls_back_the_whole_batch(forms):
    form = new_form(forms, items=[text_item("Keep me")])
    with pytest.raises(HttpError) as excinfo:
        forms.batchUpdate(formId=form["formId"], body={"requests": [
            create(1, text_item("Would be second")),
            {"updateFormInfo": {"info": {"title": "Changed"}, "updateMask": "title"}},
            create(7, text_item("Bad index")),
        ]}).execute()
    error = error_of(excinfo)
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    assert error["message"].startswith("Invalid requests[2].createItem:")
    assert "index" in error["message"]
    assert forms.get(formId=form["formId"]).execute() == form


@pytest.mark.parametrize(
    ("request_body", "fragment"),
    [
        ({"updateFormInfo": {"info": {"title": "x"}}}, "update_mask"),
        ({"updateSettings": {"settings": {"emailCollectionType": "VERIFIED"}}}, "update_mask"),
        ({"updateItem": {"item": {"title": "x"}, "location": {"index": 0}}}, "update_mask"),
        ({"updateFormInfo": {"info": {"documentTitle": "x"}, "updateMask": "documentTitle"}}, "document_title"),
        ({"deleteItem": {"location": {"index": 1}}}, "index"),
        ({"moveItem": {"originalLocation": {"index": 0}, "newLocation": {"index": 3}}}, "index"),
        (create(0, choice_item("No options", "RADIO", [])), "options"),
        (create(0, choice_item("Dup", "RADIO", ["a", "a"])), "duplicate"),
        (create(0, choice_item("Other in dropdown", "DROP_DOWN", ["a"], other=True)), "other"),
        (create(0, {"title": "Two kinds", "textItem": {}, "pageBreakItem": {}}), "exactly one"),
        (create(0, {"title": "Scale", "questionItem": {"question": {"scaleQuestion": {"low": 1, "high": 11}}}}),
         "scale"),
        ({"createItem": {"item": {"title": "No location", "textItem": {}}}}, "location"),
        ({}, "no request set"),
        (create(0, {"title": "Two\nlines", "textItem": {}}), "newline"),
    ],
)
def test_invalid_requests_are_refused_with_google_style_errors(forms, request_body, fragment):
    form = new_form(forms, items=[text_item("Only")])
    with pytest.raises(HttpError) as excinfo:
        forms.batchUpdate(formId=form["formId"], body={"requests": [request_body]}).execute()
    error = error_of(excinfo)
    assert (error["code"], error["status"]) == (400, "INVALID_ARGUMENT")
    assert fragment in error["message"].lower()
    assert forms.get(formId=form["formId"]).execute()["revisionId"] == form["revisionId"]


def test_update_item_with_star_mask_replaces_the_item_keeping_given_ids(forms):
    form = new_form(forms, items=[choice_item("Pick", "RADIO", ["a", "b"]), text_item("Other")])
    item = form["items"][0]
    item["title"] = "Pick one"
    item["questionItem"]["question"]["choiceQuestion"]["options"].append({"value": "c"})
    forms.batchUpdate(formId=form["formId"], body={"requests": [
        {"updateItem": {"item": item, "location": {}, "updateMask": "*"}}]}).execute()  # unset index is 0
    got = forms.get(formId=form["formId"]).execute()
    assert got["items"][0] == item
    assert got["items"][1] == form["items"][1]


def test_item_ids_given_by_the_caller_must_be_free(forms):
    form = new_form(forms, items=[text_item("First")])
    taken = form["items"][0]["itemId"]
    item = {"itemId": taken, "title": "Second", "textItem": {}}
    with pytest.raises(HttpError) as excinfo:
        forms.batchUpdate(formId=form["formId"], body={"requests": [create(1, item)]}).execute()
    assert "already used" in error_of(excinfo)["message"]
    item["itemId"] = "0badcafe"
    reply = forms.batchUpdate(formId=form["formId"], body={"requests": [create(1, item)]}).execute()
    assert reply["replies"][0] == {"createItem": {"itemId": "0badcafe"}}


def test_write_control_required_revision(forms):
    form = new_form(forms)
    first = forms.batchUpdate(formId=form["formId"], body={
        "requests": [create(0, text_item("Q"))], "writeControl": {"requiredRevisionId": form["revisionId"]},
    }).execute()
    with pytest.raises(HttpError) as excinfo:
        forms.batchUpdate(formId=form["formId"], body={
            "requests": [create(0, text_item("Stale"))], "writeControl": {"requiredRevisionId": form["revisionId"]},
        }).execute()
    assert error_of(excinfo)["code"] == 400
    again = forms.batchUpdate(formId=form["formId"], body={
        "requests": [create(0, text_item("Fresh"))], "writeControl": first["writeControl"]}).execute()
    assert again["writeControl"]["requiredRevisionId"] not in (form["revisionId"], first["writeControl"]
                                                                ["requiredRevisionId"])
    assert [i["title"] for i in forms.get(formId=form["formId"]).execute()["items"]] == ["Fresh", "Q"]


def test_turning_a_quiz_off_removes_grading(forms):
    form = new_form(forms)
    graded = choice_item("2+2", "RADIO", ["3", "4"])
    graded["questionItem"]["question"]["grading"] = {"pointValue": 2, "correctAnswers": {"answers": [{"value": "4"}]}}
    with pytest.raises(HttpError):  # grading needs a quiz
        forms.batchUpdate(formId=form["formId"], body={"requests": [create(0, graded)]}).execute()
    forms.batchUpdate(formId=form["formId"], body={"requests": [
        {"updateSettings": {"settings": {"quizSettings": {"isQuiz": True}}, "updateMask": "quizSettings.isQuiz"}},
        create(0, graded),
    ]}).execute()
    got = forms.get(formId=form["formId"]).execute()
    assert got["settings"] == {"quizSettings": {"isQuiz": True}}
    assert got["items"][0]["questionItem"]["question"]["grading"]["pointValue"] == 2
    forms.batchUpdate(formId=form["formId"], body={"requests": [
        {"updateSettings": {"settings": {"quizSettings": {"isQuiz": False}}, "updateMask": "quizSettings"}}]}).execute()
    got = forms.get(formId=form["formId"]).execute()
    assert "grading" not in got["items"][0]["questionItem"]["question"]


# ------------------------------------------------------------------------------------------ publishing


def test_publish_rules(forms):
    form = new_form(forms)
    with pytest.raises(HttpError) as excinfo:
        publish(forms, form["formId"], published=False, accepting=True)
    assert error_of(excinfo)["status"] == "INVALID_ARGUMENT"
    answer = publish(forms, form["formId"])
    assert answer == {"formId": form["formId"],
                      "publishSettings": {"publishState": {"isPublished": True, "isAcceptingResponses": True}}}
    publish(forms, form["formId"], published=True, accepting=False)
    got = forms.get(formId=form["formId"]).execute()
    assert got["publishSettings"]["publishState"] == {"isPublished": True, "isAcceptingResponses": False}
    assert got["revisionId"] == form["revisionId"]  # publishing is not a content change


# ------------------------------------------------------------------------------------------ access


def test_access_rules(sandbox, build_service, forms, drive):
    form = new_form(forms, items=[text_item("Q")])
    other = build_service(sandbox, "forms", "v1", TEACHER).forms()
    with pytest.raises(HttpError) as excinfo:
        other.get(formId=form["formId"]).execute()
    assert error_of(excinfo) == {"code": 403, "message": "The caller does not have permission",
                                 "status": "PERMISSION_DENIED"}
    with pytest.raises(HttpError) as excinfo:
        other.responses().list(formId=form["formId"]).execute()
    assert error_of(excinfo)["status"] == "PERMISSION_DENIED"
    with pytest.raises(HttpError) as excinfo:
        forms.get(formId="1" + "x" * 43).execute()
    assert error_of(excinfo) == {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}

    # a published-view (responder) permission lets one answer, not read answers
    drive.permissions().create(fileId=form["formId"], sendNotificationEmail=False,
                               body={"type": "user", "role": "reader", "emailAddress": TEACHER,
                                     "view": "published"}).execute()
    with pytest.raises(HttpError):
        other.responses().list(formId=form["formId"]).execute()
    drive.permissions().create(fileId=form["formId"], sendNotificationEmail=False,
                               body={"type": "user", "role": "writer", "emailAddress": TEACHER}).execute()
    assert other.responses().list(formId=form["formId"]).execute() == {}
    assert other.get(formId=form["formId"]).execute()["formId"] == form["formId"]


def test_drive_copy_rename_and_delete_follow_the_form(forms, drive):
    form = new_form(forms, items=[text_item("Q1"), choice_item("Q2", "RADIO", ["a", "b"])])
    publish(forms, form["formId"])
    copy = drive.files().copy(fileId=form["formId"], body={"name": "Copy for cycle 2"}).execute()
    copied = forms.get(formId=copy["id"]).execute()
    assert copied["info"] == {"title": "Meeting feedback", "documentTitle": "Copy for cycle 2"}
    assert copied["items"] == form["items"]
    assert copied["responderUri"] != form["responderUri"]
    assert copied["publishSettings"]["publishState"]["isPublished"] is False

    drive.files().update(fileId=form["formId"], body={"name": "Renamed"}).execute()
    assert forms.get(formId=form["formId"]).execute()["info"]["documentTitle"] == "Renamed"

    drive.files().delete(fileId=form["formId"]).execute()
    with pytest.raises(HttpError) as excinfo:
        forms.get(formId=form["formId"]).execute()
    assert error_of(excinfo)["status"] == "NOT_FOUND"


def test_drive_files_create_makes_an_empty_form(forms, drive):
    body = {"name": "Made in Drive", "mimeType": "application/vnd.google-apps.form"}
    file = drive.files().create(body=body).execute()
    got = forms.get(formId=file["id"]).execute()
    assert got["info"]["documentTitle"] == "Made in Drive"
    assert "items" not in got


# ------------------------------------------------------------------------------------------ responses


def record(sandbox, form_id: str, answers: dict[str, list[str]], when: datetime, email: str | None = None) -> dict:
    """A submission at a chosen time (the responder page records with the clock; filters need exact times)."""
    with sandbox.store.transaction():
        form = models.get_form(sandbox.store, form_id)
        assert not models.check_answers(form, answers, email)
        return models.submit_response(sandbox.store, form, answers, email=email, now=when)


def test_responses_list_filters_and_pages(sandbox, forms):
    form = new_form(forms, items=[text_item("Plus")])
    qid = form["items"][0]["questionItem"]["question"]["questionId"]
    start = datetime(2026, 9, 1, tzinfo=UTC)
    made = [record(sandbox, form["formId"], {qid: [f"answer {n}"]}, start + timedelta(hours=n)) for n in range(5)]

    everything = forms.responses().list(formId=form["formId"]).execute()
    assert [r["responseId"] for r in everything["responses"]] == [r["responseId"] for r in made]
    assert "nextPageToken" not in everything
    first = everything["responses"][0]
    assert set(first) == {"responseId", "createTime", "lastSubmittedTime", "answers"}  # no formId in lists
    assert first["createTime"] == "2026-09-01T00:00:00.000Z"
    assert first["answers"] == {qid: {"questionId": qid, "textAnswers": {"answers": [{"value": "answer 0"}]}}}

    after = forms.responses().list(formId=form["formId"], filter="timestamp > 2026-09-01T02:00:00Z").execute()
    assert [r["answers"][qid]["textAnswers"]["answers"][0]["value"] for r in after["responses"]] == [
        "answer 3", "answer 4"]
    from_ = forms.responses().list(formId=form["formId"], filter="timestamp >= 2026-09-01T02:00:00Z").execute()
    assert len(from_["responses"]) == 3
    none = forms.responses().list(formId=form["formId"], filter="timestamp > 2026-10-01T00:00:00.123456789Z").execute()
    assert none == {}

    seen, token, pages = [], None, 0
    while True:
        page = forms.responses().list(formId=form["formId"], pageSize=2, pageToken=token,
                                      filter="timestamp >= 2026-09-01T00:00:00Z").execute()
        pages += 1
        seen += [r["responseId"] for r in page["responses"]]
        token = page.get("nextPageToken")
        if not token:
            break
    assert pages == 3 and seen == [r["responseId"] for r in made]

    one = forms.responses().get(formId=form["formId"], responseId=made[1]["responseId"]).execute()
    assert one["formId"] == form["formId"] and one["responseId"] == made[1]["responseId"]


@pytest.mark.parametrize("bad", ["timestamp < 2026-09-01T00:00:00Z", "timestamp > yesterday",
                                 "createTime > 2026-09-01T00:00:00Z", "timestamp > 2026-09-01 00:00:00"])
def test_bad_filters_are_400(forms, bad):
    form = new_form(forms)
    with pytest.raises(HttpError) as excinfo:
        forms.responses().list(formId=form["formId"], filter=bad).execute()
    assert error_of(excinfo)["status"] == "INVALID_ARGUMENT"


def test_unknown_response_and_foreign_page_token(sandbox, forms):
    form = new_form(forms, items=[text_item("Q")])
    with pytest.raises(HttpError) as excinfo:
        forms.responses().get(formId=form["formId"], responseId="ACYDBNnope").execute()
    assert error_of(excinfo)["status"] == "NOT_FOUND"
    qid = form["items"][0]["questionItem"]["question"]["questionId"]
    for n in range(3):
        record(sandbox, form["formId"], {qid: ["x"]}, datetime(2026, 9, 1, n, tzinfo=UTC))
    token = forms.responses().list(formId=form["formId"], pageSize=1).execute()["nextPageToken"]
    with pytest.raises(HttpError) as excinfo:
        forms.responses().list(formId=form["formId"], pageToken=token, filter="timestamp > 2026-01-01T00:00:00Z",
                               ).execute()
    assert error_of(excinfo)["code"] == 400


def test_quiz_responses_carry_scores(sandbox, forms):
    form = new_form(forms)
    graded = choice_item("2+2", "RADIO", ["3", "4"])
    graded["questionItem"]["question"]["grading"] = {"pointValue": 2, "correctAnswers": {"answers": [{"value": "4"}]}}
    forms.batchUpdate(formId=form["formId"], body={"requests": [
        {"updateSettings": {"settings": {"quizSettings": {"isQuiz": True}}, "updateMask": "*"}},
        create(0, graded), create(1, text_item("Why?"))]}).execute()
    form = forms.get(formId=form["formId"]).execute()
    q1, q2 = (i["questionItem"]["question"]["questionId"] for i in form["items"])
    right = record(sandbox, form["formId"], {q1: ["4"], q2: ["counting"]}, datetime(2026, 9, 2, tzinfo=UTC))
    wrong = record(sandbox, form["formId"], {q1: ["3"]}, datetime(2026, 9, 3, tzinfo=UTC))
    listed = {r["responseId"]: r for r in forms.responses().list(formId=form["formId"]).execute()["responses"]}
    assert listed[right["responseId"]]["totalScore"] == 2
    assert listed[right["responseId"]]["answers"][q1]["grade"] == {"score": 2, "correct": True}
    assert "grade" not in listed[right["responseId"]]["answers"][q2]
    assert listed[wrong["responseId"]]["totalScore"] == 0


# ------------------------------------------------------------------------------------------ responder page


def browser(sandbox, user: str | None) -> requests.Session:
    session = requests.Session()
    if user:
        signed = session.get(f"{sandbox.url}/_sandbox/login", params={"email": user})
        assert signed.status_code == 200
    return session


def share_for_responses(drive, form_id: str, **who: str) -> None:
    extra = {"sendNotificationEmail": False} if who["type"] in ("user", "group") else {}
    drive.permissions().create(fileId=form_id, body={"role": "reader", "view": "published", **who}, **extra).execute()


@pytest.fixture
def survey(forms, drive):
    """A published survey with one question of each common kind, open to everyone at cedar.edu."""
    form = new_form(forms, title="Feedback <script>alert(1)</script>", items=[
        text_item("What went well?", required=True, paragraph=True),
        choice_item("Your role", "RADIO", ["Teacher", "Coach"], other=True, required=True),
        choice_item("Which days", "CHECKBOX", ["Mon", "Tue", "Wed"]),
        choice_item("Team", "DROP_DOWN", ["K-2", "3-5"]),
        {"title": "How useful?", "questionItem": {"question": {"scaleQuestion": {"low": 1, "high": 5}}}},
        {"title": "Next meeting", "questionItem": {"question": {"dateQuestion": {"includeYear": True}}}},
    ])
    forms.batchUpdate(formId=form["formId"], body={"requests": [
        {"updateSettings": {"settings": {"emailCollectionType": "VERIFIED"}, "updateMask": "emailCollectionType"}}]}
    ).execute()
    publish(forms, form["formId"])
    share_for_responses(drive, form["formId"], type="domain", domain="cedar.edu")
    return forms.get(formId=form["formId"]).execute()


def qids(form: dict[str, Any]) -> list[str]:
    return [i["questionItem"]["question"]["questionId"] for i in form["items"]]


def test_responder_page_records_what_responses_list_returns(sandbox, forms, survey):
    web = browser(sandbox, TEACHER)
    page = web.get(survey["responderUri"])
    assert page.status_code == 200
    html = page.text
    assert "<script>alert(1)</script>" not in html
    assert "Feedback &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    q = qids(survey)
    assert re.search(rf'<label class="label" for="q-{q[0]}">What went well\?', html)
    assert re.search(rf'<textarea id="q-{q[0]}" name="entry.{q[0]}"[^>]*required', html)
    assert html.count("<fieldset") >= 3 and "<legend>Your role" in html
    assert f'name="entry.{q[3]}"' in html and "<select" in html
    assert 'type="date"' in html

    sent = web.post(survey["responderUri"], data={
        f"entry.{q[0]}": "Clear norms <b>bold</b>",
        f"entry.{q[1]}": "__other_option__", f"entry.{q[1]}.other_option_response": "Principal",
        f"entry.{q[2]}": ["Mon", "Wed"],
        f"entry.{q[3]}": "3-5",
        f"entry.{q[4]}": "4",
        f"entry.{q[5]}": "2026-10-06",
    })
    assert sent.status_code == 200
    assert "Your response has been recorded." in sent.text

    listed = forms.responses().list(formId=survey["formId"]).execute()["responses"]
    assert len(listed) == 1
    response = listed[0]
    assert response["respondentEmail"] == TEACHER
    values = {k: [a["value"] for a in v["textAnswers"]["answers"]] for k, v in response["answers"].items()}
    assert values == {q[0]: ["Clear norms <b>bold</b>"], q[1]: ["Principal"], q[2]: ["Mon", "Wed"],
                      q[3]: ["3-5"], q[4]: ["4"], q[5]: ["2026-10-06"]}
    assert response["createTime"] == response["lastSubmittedTime"]


def test_every_question_kind_renders_and_records_in_google_formats(sandbox, forms, drive):
    grid = {"title": "Norms", "questionGroupItem": {
        "questions": [{"rowQuestion": {"title": "Start on time"}, "required": True},
                      {"rowQuestion": {"title": "Listen"}}],
        "grid": {"columns": {"type": "CHECKBOX", "options": [{"value": "Often"}, {"value": "Rarely"}]}}}}
    form = new_form(forms, title="All kinds", items=[
        {"title": "Welcome", "description": "Read <me>", "textItem": {}},
        {"title": "Stars", "questionItem": {"question": {"ratingQuestion": {"iconType": "STAR",
                                                                           "ratingScaleLevel": 4}}}},
        {"title": "Part two", "pageBreakItem": {}},
        {"title": "Day", "questionItem": {"question": {"dateQuestion": {"includeTime": True}}}},
        {"title": "Start", "questionItem": {"question": {"timeQuestion": {}}}},
        {"title": "How long", "questionItem": {"question": {"timeQuestion": {"duration": True}}}},
        grid,
    ])
    publish(forms, form["formId"])
    share_for_responses(drive, form["formId"], type="user", emailAddress=TEACHER)
    web = browser(sandbox, TEACHER)
    html = web.get(form["responderUri"]).text
    assert "<h2>Welcome</h2>" in html and "Read &lt;me&gt;" in html and "<h2>Part two</h2>" in html
    stars = form["items"][1]["questionItem"]["question"]["questionId"]
    day, start, length = (form["items"][i]["questionItem"]["question"]["questionId"] for i in (3, 4, 5))
    row1, row2 = (q["questionId"] for q in form["items"][6]["questionGroupItem"]["questions"])
    assert html.count(f'name="entry.{stars}"') == 4
    assert f'name="entry.{day}_time"' in html and 'type="time"' in html
    assert html.count(f'name="entry.{row1}"') == 2 and 'aria-label="Listen: Rarely"' in html

    missing_row = web.post(form["responderUri"], data={f"entry.{row2}": "Often"})
    assert missing_row.status_code == 400 and "Start on time: This is a required question" in missing_row.text
    bad = web.post(form["responderUri"], data={f"entry.{row1}": "Often", f"entry.{stars}": "9",
                                               f"entry.{length}": "an hour"})
    assert bad.status_code == 400 and "Choose a number from 1 to 4" in bad.text and "Invalid time" in bad.text

    sent = web.post(form["responderUri"], data={
        f"entry.{stars}": "3", f"entry.{day}": "2026-10-06", f"entry.{day}_time": "14:30",
        f"entry.{start}": "08:15", f"entry.{length}": "1:30:00",
        f"entry.{row1}": ["Often", "Rarely"], f"entry.{row2}": "Rarely"})
    assert sent.status_code == 200, sent.text
    (response,) = forms.responses().list(formId=form["formId"]).execute()["responses"]
    values = {k: [a["value"] for a in v["textAnswers"]["answers"]] for k, v in response["answers"].items()}
    assert values == {stars: ["3"], day: ["10-06 14:30"], start: ["08:15"], length: ["1:30:00"],
                      row1: ["Often", "Rarely"], row2: ["Rarely"]}
    assert "respondentEmail" not in response


def test_missing_required_answers_show_errors_and_keep_answers(sandbox, forms, survey):
    web = browser(sandbox, TEACHER)
    q = qids(survey)
    sent = web.post(survey["responderUri"], data={f"entry.{q[2]}": "Tue", f"entry.{q[3]}": "K-2"})
    assert sent.status_code == 400
    assert sent.text.count("This is a required question") == 2
    assert re.search(r'value="Tue"\s+checked', sent.text)
    assert re.search(r'<option value="K-2" selected>', sent.text)
    bad_choice = web.post(survey["responderUri"], data={f"entry.{q[0]}": "ok", f"entry.{q[1]}": "Janitor <x>"})
    assert bad_choice.status_code == 400
    assert "Janitor <x>" not in bad_choice.text
    assert forms.responses().list(formId=survey["formId"]).execute() == {}


def test_email_only_recorded_when_collected(sandbox, forms, drive):
    form = new_form(forms, items=[text_item("Anything?")])
    publish(forms, form["formId"])
    share_for_responses(drive, form["formId"], type="anyone")
    web = browser(sandbox, TEACHER)
    q = qids(form)[0]
    assert web.post(form["responderUri"], data={f"entry.{q}": "yes"}).status_code == 200
    forms.batchUpdate(formId=form["formId"], body={"requests": [{"updateSettings": {
        "settings": {"emailCollectionType": "RESPONDER_INPUT"}, "updateMask": "emailCollectionType"}}]}).execute()
    page = web.get(form["responderUri"])
    assert 'type="email"' in page.text and f'value="{TEACHER}"' in page.text
    assert web.post(form["responderUri"], data={f"entry.{q}": "no", "emailAddress": "nope"}).status_code == 400
    assert web.post(form["responderUri"], data={f"entry.{q}": "no", "emailAddress": "me@home.net"}).status_code == 200
    first, second = forms.responses().list(formId=form["formId"]).execute()["responses"]
    assert "respondentEmail" not in first
    assert second["respondentEmail"] == "me@home.net"
    # anyone may answer without signing in
    anonymous = browser(sandbox, None).post(form["responderUri"], data={f"entry.{q}": "anon", "emailAddress": "a@b.co"})
    assert anonymous.status_code == 200


def test_unpublished_closed_and_forbidden_pages(sandbox, forms, drive, survey):
    teacher, outsider = browser(sandbox, TEACHER), browser(sandbox, OUTSIDER)
    q = qids(survey)

    denied = outsider.get(survey["responderUri"])
    assert denied.status_code == 403 and "You need permission" in denied.text
    assert outsider.post(survey["responderUri"], data={f"entry.{q[0]}": "x", f"entry.{q[1]}": "Coach"}
                         ).status_code == 403
    anonymous = browser(sandbox, None).get(survey["responderUri"])
    assert anonymous.status_code == 401 and "/_sandbox/login" in anonymous.text

    publish(forms, survey["formId"], published=True, accepting=False)
    closed = teacher.get(survey["responderUri"])
    assert closed.status_code == 403
    assert "is no longer accepting responses" in closed.text
    assert "Feedback &lt;script&gt;" in closed.text

    publish(forms, survey["formId"], published=False, accepting=False)
    hidden = teacher.post(survey["responderUri"], data={f"entry.{q[0]}": "x", f"entry.{q[1]}": "Coach"})
    assert hidden.status_code == 403 and "This form is not published" in hidden.text
    assert forms.responses().list(formId=survey["formId"]).execute() == {}

    missing = teacher.get(f"{sandbox.url}/forms/d/e/1FAIpQLSnothere/viewform")
    assert missing.status_code == 404

    drive.files().update(fileId=survey["formId"], body={"trashed": True}).execute()
    publish(forms, survey["formId"])
    assert teacher.get(survey["responderUri"]).status_code == 404


def test_bearer_header_acts_as_the_user_on_the_page(sandbox, forms, survey):
    q = qids(survey)
    sent = requests.post(survey["responderUri"], headers={"Authorization": f"Bearer sandbox:{TEACHER}"},
                         data={f"entry.{q[0]}": "via header", f"entry.{q[1]}": "Coach"})
    assert sent.status_code == 200
    assert forms.responses().list(formId=survey["formId"]).execute()["responses"][0]["respondentEmail"] == TEACHER
