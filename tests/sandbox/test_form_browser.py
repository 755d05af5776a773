"""A person answers a Form in a real (headless) Chromium; the bot then reads the answer with forms.responses.list.

Needs the ``playwright`` Python package and a system Chromium at /usr/bin/chromium (Debian: ``apt-get
install chromium``); Playwright's own browser download is not used. Skipped when either is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OWNER = "ana@cedar.edu"
TEACHER = "tom@cedar.edu"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def page() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            tab = context.new_page()
            tab.set_default_timeout(15_000)
            yield tab
        finally:
            browser.close()


def make_survey(sandbox: Any, build_service: Any) -> dict[str, Any]:
    """A published form with a paragraph, a radio (with Other), checkboxes, a dropdown and a scale."""
    forms = build_service(sandbox, "forms", "v1", OWNER).forms()
    form = forms.create(body={"info": {"title": "Meeting feedback <b>2026-09-15</b>"}}).execute()

    def question(title: str, spec: dict[str, Any], required: bool = False) -> dict[str, Any]:
        return {"title": title, "questionItem": {"question": {"required": required, **spec}}}

    items = [
        question("What went well?", {"textQuestion": {"paragraph": True}}, required=True),
        question("Your role", {"choiceQuestion": {"type": "RADIO", "options": [
            {"value": "Teacher"}, {"value": "Coach"}, {"isOther": True}]}}, required=True),
        question("Which days work?", {"choiceQuestion": {"type": "CHECKBOX", "options": [
            {"value": "Monday"}, {"value": "Tuesday"}, {"value": "Wednesday"}]}}),
        question("Team", {"choiceQuestion": {"type": "DROP_DOWN", "options": [{"value": "K-2"}, {"value": "3-5"}]}}),
        question("How useful was it?",
                 {"scaleQuestion": {"low": 1, "high": 5, "lowLabel": "Not", "highLabel": "Very"}}),
    ]
    forms.batchUpdate(formId=form["formId"], body={"requests": [
        {"updateSettings": {"settings": {"emailCollectionType": "VERIFIED"}, "updateMask": "emailCollectionType"}},
        *({"createItem": {"item": item, "location": {"index": i}}} for i, item in enumerate(items)),
    ]}).execute()
    forms.setPublishSettings(formId=form["formId"], body={
        "publishSettings": {"publishState": {"isPublished": True, "isAcceptingResponses": True}},
        "updateMask": "publishState"}).execute()
    build_service(sandbox, "drive", "v3", OWNER).permissions().create(
        fileId=form["formId"], body={"type": "domain", "domain": "cedar.edu", "role": "reader", "view": "published"}
    ).execute()
    return forms.get(formId=form["formId"]).execute()


def test_a_teacher_answers_in_a_browser_and_the_bot_reads_it(sandbox, build_service, page):
    survey = make_survey(sandbox, build_service)
    qids = [item["questionItem"]["question"]["questionId"] for item in survey["items"]]

    page.goto(f"{sandbox.url}/_sandbox/login?email={TEACHER}")
    page.goto(survey["responderUri"])
    assert page.get_by_role("heading", level=1).inner_text() == "Meeting feedback <b>2026-09-15</b>"

    # the browser refuses to send the form while a required question is empty
    page.get_by_role("button", name="Submit").click()
    assert page.url == survey["responderUri"]
    assert page.get_by_label("What went well?").evaluate("el => el.validity.valueMissing") is True

    page.get_by_label("What went well?").fill("Clear norms and <i>timekeeping</i>")
    page.get_by_role("radio", name="Other:").check()
    page.get_by_label("Your role: other answer").fill("Principal")
    page.get_by_role("checkbox", name="Monday").check()
    page.get_by_role("checkbox", name="Wednesday").check()
    page.get_by_label("Team").select_option("3-5")
    page.get_by_role("group", name="How useful was it?").get_by_role("radio", name="4").check()
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Your response has been recorded.").wait_for()

    forms = build_service(sandbox, "forms", "v1", OWNER).forms()
    responses = forms.responses().list(formId=survey["formId"]).execute()["responses"]
    assert len(responses) == 1
    answer = responses[0]
    assert answer["respondentEmail"] == TEACHER
    values = {qid: [a["value"] for a in ans["textAnswers"]["answers"]] for qid, ans in answer["answers"].items()}
    assert values == {
        qids[0]: ["Clear norms and <i>timekeeping</i>"],
        qids[1]: ["Principal"],
        qids[2]: ["Monday", "Wednesday"],
        qids[3]: ["3-5"],
        qids[4]: ["4"],
    }


def test_a_signed_out_visitor_is_asked_to_sign_in_and_can_then_answer(sandbox, build_service, page):
    survey = make_survey(sandbox, build_service)
    page.goto(survey["responderUri"])
    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("textbox").first.fill(TEACHER)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(survey["responderUri"])  # back on the form after signing in
    page.get_by_label("What went well?").fill("Short meeting")
    page.get_by_role("radio", name="Teacher").check()
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Your response has been recorded.").wait_for()
    forms = build_service(sandbox, "forms", "v1", OWNER).forms()
    assert forms.responses().list(formId=survey["formId"]).execute()["responses"][0]["respondentEmail"] == TEACHER
