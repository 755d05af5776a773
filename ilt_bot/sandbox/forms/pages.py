"""The responder page: ``/forms/d/e/<responder_id>/viewform``, a plain HTML form a person fills in.

Field names follow Google's: ``entry.<questionId>`` (repeated for checkboxes; a grid row is its own
question), ``entry.<questionId>.other_option_response`` with the value ``__other_option__`` for the
"Other" choice, ``entry.<questionId>_time`` for a date question's time, ``emailAddress`` when the form
asks respondents to type their e-mail. Dates are posted as ``YYYY-MM-DD`` (the year is dropped when the
question does not ask for it), times as ``HH:MM``, durations as ``H:MM:SS``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from ilt_bot.sandbox.core import PageRequest, Result, html_page, page
from ilt_bot.sandbox.forms import models

VIEWS = Path(__file__).resolve().parent.parent / "views"
REQUIRED = "This is a required question"


@cache
def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(VIEWS)), autoescape=select_autoescape(default=True, default_for_string=True)
    )


def _render(status: int, **context: Any) -> Result:
    html = _environment().get_template("form.html").render(**context)
    return html_page(html, status)


def _message(status: int, page_title: str, title: str, *lines: str, link: dict[str, str] | None = None) -> Result:
    return _render(status, view="message", page_title=page_title, title=title, lines=list(lines), link=link)


def _title(form: dict[str, Any]) -> str:
    return form["info"].get("title") or form["info"].get("documentTitle") or models.UNTITLED


def _sign_in(req: PageRequest) -> Result:
    path = f"/forms/d/e/{req.path_params['responder_id']}/viewform"
    return _message(
        401,
        "Sign in - Google Forms",
        "Sign in to continue",
        "You must sign in to fill out this form.",
        link={"href": f"/_sandbox/login?next={path}", "text": "Sign in"},
    )


@page("/forms/d/e/<responder_id>/viewform", methods=("GET", "POST"))
def viewform(req: PageRequest) -> Result:
    """Show the form, or record a submission and confirm it."""
    form = models.form_by_responder_id(req.store, req.path_params["responder_id"])
    if form is None:
        return _message(
            404, "Google Forms", "Sorry, the file you have requested does not exist.",
            "Make sure that you have the correct URL and that the file exists.",
        )
    title = _title(form)
    if not models.can_respond(req.store, req.user, form["formId"]):
        if req.user is None:
            return _sign_in(req)
        return _message(
            403, "You need permission", "You need permission",
            "This form can only be viewed by people it was shared with.",
            "Try contacting the owner of the form if you think this is a mistake.",
            f"You are signed in as {req.user}.",
        )
    state = form["publishState"]
    if not state.get("isPublished"):
        return _message(
            403, title, title, "This form is not published.",
            "Try contacting the owner of the form if you think this is a mistake.",
        )
    if not state.get("isAcceptingResponses"):
        return _message(
            403, title, title, f"The form {title} is no longer accepting responses.",
            "Try contacting the owner of the form if you think this is a mistake.",
        )
    collection = form["settings"].get("emailCollectionType")
    if collection == "VERIFIED" and req.user is None:
        return _sign_in(req)
    if req.method != "POST":
        return _form_page(req, form, {}, {}, status=200)
    answers = _answers(form, req.form)
    email = req.user if collection == "VERIFIED" else _first(req.form, "emailAddress").strip() or None
    errors = {**models.check_answers(form, answers, email), **_unknown_choices(form, req.form)}
    if errors:
        return _form_page(req, form, req.form, errors, status=400)
    with req.store.transaction():
        models.submit_response(req.store, form, answers, email=email, now=req.now)
    return _message(
        200, title, title, "Your response has been recorded.",
        link={"href": f"/forms/d/e/{form['responderId']}/viewform", "text": "Submit another response"},
    )


def _first(fields: dict[str, list[str]], name: str) -> str:
    values = fields.get(name) or [""]
    return values[0]


def _answers(form: dict[str, Any], fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """The submitted text values by question id, as the API will report them."""
    answers: dict[str, list[str]] = {}
    for _item, question in models.questions_of(form):
        qid = question["questionId"]
        name = f"entry.{qid}"
        values = [v.strip() for v in fields.get(name, []) if v.strip()]
        if models.OTHER_OPTION in values:
            values.remove(models.OTHER_OPTION)
            other = _first(fields, f"{name}.other_option_response").strip()
            values.append(other or models.OTHER_OPTION)
        if "dateQuestion" in question and values:
            spec = question["dateQuestion"]
            day = values[0]
            if not spec.get("includeYear") and len(day) == 10 and day[4] == "-":
                day = day[5:]
            if spec.get("includeTime"):
                day = f"{day} {_first(fields, name + '_time').strip()}".strip()
            values = [day]
        answers[qid] = values
    return answers


def _unknown_choices(form: dict[str, Any], fields: dict[str, list[str]]) -> dict[str, str]:
    """Choice values the page never offered (only listed options and the "Other" box can be posted)."""
    errors: dict[str, str] = {}
    for item, question in models.questions_of(form):
        spec = question.get("choiceQuestion")
        if spec is None and "rowQuestion" in question:
            spec = item["questionGroupItem"]["grid"]["columns"]
        if spec is None:
            continue
        offered = {o.get("value") for o in spec["options"] if not o.get("isOther")}
        if any(o.get("isOther") for o in spec["options"]):
            offered.add(models.OTHER_OPTION)
        posted = [v.strip() for v in fields.get(f"entry.{question['questionId']}", []) if v.strip()]
        if any(v not in offered for v in posted):
            errors[question["questionId"]] = "Choose one of the options"
    return errors


def _form_page(
    req: PageRequest, form: dict[str, Any], fields: dict[str, list[str]], errors: dict[str, str], *, status: int
) -> Result:
    blocks = [_block(item, fields, errors) for item in form["items"]]
    collection = form["settings"].get("emailCollectionType")
    return _render(
        status,
        view="form",
        page_title=_title(form),
        title=_title(form),
        description=form["info"].get("description", ""),
        user=req.user,
        action=f"/forms/d/e/{form['responderId']}/viewform",
        blocks=blocks,
        errors=errors,
        any_required=any(q.get("required") for _i, q in models.questions_of(form)) or collection == "RESPONDER_INPUT",
        email_field=collection == "RESPONDER_INPUT",
        records_email=collection == "VERIFIED",
        email_value=_first(fields, "emailAddress") if fields else (req.user or ""),
        email_error=errors.get("emailAddress"),
    )


def _block(item: dict[str, Any], fields: dict[str, list[str]], errors: dict[str, str]) -> dict[str, Any]:
    title, description = item.get("title", ""), item.get("description", "")
    if "questionItem" in item:
        question = item["questionItem"]["question"]
        return {"kind": "question", "question": _question(question, title, description, fields, errors)}
    if "questionGroupItem" in item:
        group = item["questionGroupItem"]
        columns = group["grid"]["columns"]
        questions = [
            {
                "id": f"q-{q['questionId']}",
                "name": f"entry.{q['questionId']}",
                "label": q["rowQuestion"]["title"],
                "required": q.get("required", False),
                "chosen": fields.get(f"entry.{q['questionId']}", []),
                "error": errors.get(q["questionId"]),
            }
            for q in group["questions"]
        ]
        return {
            "kind": "grid",
            "title": title,
            "description": description,
            "columns": [o["value"] for o in columns["options"]],
            "multiple": columns["type"] == "CHECKBOX",
            "required": any(q["required"] for q in questions),
            "has_error": any(q["error"] for q in questions),
            "questions": questions,
        }
    if "imageItem" in item:
        image = item["imageItem"].get("image", {})
        return {"kind": "image", "title": title, "uri": image.get("contentUri", ""), "alt": image.get("altText", "")}
    if "videoItem" in item:
        video = item["videoItem"]
        return {"kind": "video", "title": title, "uri": video["video"].get("youtubeUri", ""),
                "caption": video.get("caption", "")}
    return {"kind": "page" if "pageBreakItem" in item else "text", "title": title, "description": description}


def _question(
    question: dict[str, Any], title: str, description: str, fields: dict[str, list[str]], errors: dict[str, str]
) -> dict[str, Any]:
    qid = question["questionId"]
    name = f"entry.{qid}"
    view: dict[str, Any] = {
        "id": f"q-{qid}",
        "name": name,
        "label": title or "Question",
        "description": description,
        "required": question.get("required", False),
        "chosen": fields.get(name, []),
        "error": errors.get(qid),
        "options": [],
    }
    if "choiceQuestion" in question:
        spec = question["choiceQuestion"]
        view["widget"] = {"RADIO": "radio", "CHECKBOX": "checkbox", "DROP_DOWN": "select"}[spec["type"]]
        view["options"] = [
            {"value": models.OTHER_OPTION, "other": True} if o.get("isOther") else {"value": o["value"], "other": False}
            for o in spec["options"]
        ]
        view["other_text"] = _first(fields, f"{name}.other_option_response")
    elif "textQuestion" in question:
        view["widget"] = "paragraph" if question["textQuestion"].get("paragraph") else "text"
    elif "scaleQuestion" in question:
        spec = question["scaleQuestion"]
        low, high = spec.get("low", 0), spec.get("high", 0)
        view.update(widget="scale", low=low, high=high, low_label=spec.get("lowLabel", ""),
                    high_label=spec.get("highLabel", ""))
        view["options"] = [{"value": str(n), "other": False} for n in range(low, high + 1)]
    elif "ratingQuestion" in question:
        level = question["ratingQuestion"].get("ratingScaleLevel", 5)
        view.update(widget="rating", low=1, high=level, low_label="", high_label="")
        view["options"] = [{"value": str(n), "other": False} for n in range(1, level + 1)]
    elif "dateQuestion" in question:
        view.update(widget="date", with_time=bool(question["dateQuestion"].get("includeTime")),
                    time_value=_first(fields, f"{name}_time"))
    elif "timeQuestion" in question:
        view["widget"] = "duration" if question["timeQuestion"].get("duration") else "time"
    else:
        view["widget"] = "text"
    return view
