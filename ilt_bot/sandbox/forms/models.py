"""Forms v1 state and rules: forms, their items, publish state and responses (pure functions over the Store).

A form is stored under kind ``form`` (id = the Drive file id) in the shape the API answers, plus a few
private fields (``responderId``, ``revision``, ``publishState``). Responses are ``response`` documents
grouped under their form and stored exactly as ``forms.responses.get`` returns them.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
import secrets
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from ilt_bot.sandbox.core import ADMIN, FORM_MIME, ApiError, new_id, rfc3339
from ilt_bot.sandbox.store import Store

FORM_KIND = "form"
RESPONDER_KIND = "form_responder"
RESPONSE_KIND = "response"

EDITOR_ROLES = frozenset({"owner", "organizer", "fileOrganizer", "writer"})
"""Drive roles that make a user an editor of a form (may read it, change it and read its responses)."""

MAX_PAGE_SIZE = 5000
UNTITLED = "Untitled form"
EMAIL_COLLECTING = frozenset({"VERIFIED", "RESPONDER_INPUT"})

ITEM_KINDS = ("questionItem", "questionGroupItem", "pageBreakItem", "textItem", "imageItem", "videoItem")
QUESTION_KINDS = (
    "choiceQuestion",
    "textQuestion",
    "scaleQuestion",
    "dateQuestion",
    "timeQuestion",
    "ratingQuestion",
    "fileUploadQuestion",
    "rowQuestion",
)
CHOICE_TYPES = ("RADIO", "CHECKBOX", "DROP_DOWN")
OTHER_OPTION = "__other_option__"


def _drive() -> ModuleType:
    """The Drive models (imported late: Drive registers content kinds and must not import us)."""
    from ilt_bot.sandbox.drive import models

    return models


# --------------------------------------------------------------------------- errors and access


def not_found() -> ApiError:
    return ApiError(404, "Requested entity was not found.", status="NOT_FOUND")


def denied() -> ApiError:
    return ApiError(403, "The caller does not have permission", status="PERMISSION_DENIED")


def bad_request(message: str) -> ApiError:
    return ApiError(400, message, status="INVALID_ARGUMENT")


def get_form(store: Store, form_id: str) -> dict[str, Any] | None:
    """The stored form, or None."""
    return store.get(FORM_KIND, form_id)


def form_for_editor(store: Store, user: str, form_id: str) -> dict[str, Any]:
    """The form ``user`` may edit and read responses of; 404 if unknown, 403 if not an editor."""
    form = get_form(store, form_id)
    if form is None or _drive().get_file(store, form_id) is None:
        raise not_found()
    if user != ADMIN and _drive().role_of(store, user, form_id) not in EDITOR_ROLES:
        raise denied()
    return form


def form_by_responder_id(store: Store, responder_id: str) -> dict[str, Any] | None:
    """The form published at ``/forms/d/e/<responder_id>/viewform``, or None (unknown or in the trash)."""
    link = store.get(RESPONDER_KIND, responder_id)
    if link is None:
        return None
    file = _drive().get_file(store, link["formId"])
    if file is None or file.get("trashed"):
        return None
    return get_form(store, link["formId"])


def can_respond(store: Store, user: str | None, form_id: str) -> bool:
    """Whether ``user`` (None: anonymous) may submit the form, according to Drive permissions."""
    return bool(_drive().can_respond(store, user or "", form_id))


# --------------------------------------------------------------------------- forms


def _save(store: Store, form: dict[str, Any]) -> None:
    store.put(FORM_KIND, form["formId"], form)


def _new_record(store: Store, form_id: str, title: str, document_title: str, *, published: bool) -> dict[str, Any]:
    responder_id = new_id(56, prefix="1FAIpQLS")
    store.put(RESPONDER_KIND, responder_id, {"formId": form_id}, parent=form_id)
    info: dict[str, Any] = {"title": title, "documentTitle": document_title}
    form: dict[str, Any] = {
        "formId": form_id,
        "info": _pruned(info),
        "settings": {},
        "items": [],
        "revision": 1,
        "responderId": responder_id,
        "publishState": {"isPublished": published, "isAcceptingResponses": published},
    }
    _save(store, form)
    return form


def create_form(
    store: Store, *, owner: str, info: dict[str, Any] | None, now: datetime, published: bool = False
) -> dict[str, Any]:
    """forms.create: a new, empty form in the owner's Drive; only ``title`` and ``documentTitle`` are kept."""
    info = info or {}
    title = str(info.get("title") or "")
    document_title = str(info.get("documentTitle") or "") or title or UNTITLED
    file = _drive().create_file(store, owner=owner, name=document_title, mime_type=FORM_MIME, now=now)
    return _new_record(store, file["id"], title, document_title, published=published)


def revision_id(form: dict[str, Any]) -> str:
    return f"{form['revision']:08d}"


def responder_uri(form: dict[str, Any], base_url: str) -> str:
    return f"{base_url.rstrip('/')}/forms/d/e/{form['responderId']}/viewform"


def render_form(form: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The Form resource as the API answers it."""
    out: dict[str, Any] = {"formId": form["formId"], "info": copy.deepcopy(form["info"])}
    out["settings"] = copy.deepcopy(form["settings"])
    if form["items"]:
        out["items"] = copy.deepcopy(form["items"])
    out["revisionId"] = revision_id(form)
    out["responderUri"] = responder_uri(form, base_url)
    out["publishSettings"] = {"publishState": dict(form["publishState"])}
    return out


def is_quiz(form: dict[str, Any]) -> bool:
    return bool(form["settings"].get("quizSettings", {}).get("isQuiz"))


def collects_email(form: dict[str, Any]) -> bool:
    return form["settings"].get("emailCollectionType") in EMAIL_COLLECTING


def set_publish_settings(store: Store, form: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """forms.setPublishSettings: publish, unpublish, open or close a form."""
    for path in _mask_paths(body.get("updateMask") or "*"):
        if path not in ("*", "publishState"):
            raise bad_request(f"Invalid field mask path: {path}. Supported paths: publish_state, *.")
    state = (body.get("publishSettings") or {}).get("publishState")
    if state is None:
        raise bad_request("publish_settings.publish_state is required.")
    if "isPublished" not in state or "isAcceptingResponses" not in state:
        raise bad_request("Both is_published and is_accepting_responses must be set when updating publish_state.")
    published, accepting = bool(state["isPublished"]), bool(state["isAcceptingResponses"])
    if accepting and not published:
        raise bad_request("A form that is not published cannot accept responses.")
    form["publishState"] = {"isPublished": published, "isAcceptingResponses": accepting}
    _save(store, form)
    return {"formId": form["formId"], "publishSettings": {"publishState": dict(form["publishState"])}}


# --------------------------------------------------------------------------- content kind hooks


def searchable_text(store: Store, form_id: str) -> str:
    """ContentKind hook: the form's title, description and every item's words (``fullText``)."""
    form = get_form(store, form_id)
    if form is None:
        return ""
    words = [str(form["info"].get("title", "")), str(form["info"].get("description", ""))]
    for item in form["items"]:
        words += [str(item.get("title", "")), str(item.get("description", ""))]
        options = (((item.get("questionItem") or {}).get("question") or {}).get("choiceQuestion") or {}).get(
            "options") or []
        words += [str(option.get("value", "")) for option in options]
    return "\n".join(w for w in words if w)


def create_empty(store: Store, file_id: str, title: str) -> None:
    """Drive files.create with the form mime type: an empty, unpublished form."""
    _new_record(store, file_id, title, title or UNTITLED, published=False)


def copy_form(store: Store, source_id: str, new_file_id: str, new_title: str) -> None:
    """Drive files.copy: same info, settings and items; new responder link, no responses, unpublished."""
    source = get_form(store, source_id)
    if source is None:
        create_empty(store, new_file_id, new_title)
        return
    form = _new_record(store, new_file_id, "", new_title, published=False)
    form["info"] = copy.deepcopy(source["info"])
    form["info"]["documentTitle"] = new_title
    form["settings"] = copy.deepcopy(source["settings"])
    form["items"] = copy.deepcopy(source["items"])
    _save(store, form)


def delete_form(store: Store, file_id: str) -> None:
    """Drive deleted the file for good: drop the form, its responder link and its responses."""
    store.delete(FORM_KIND, file_id)
    store.delete_children(RESPONDER_KIND, file_id)
    store.delete_children(RESPONSE_KIND, file_id)


def rename_form(store: Store, file_id: str, new_title: str) -> None:
    """Drive renamed the file: the form's documentTitle follows."""
    form = get_form(store, file_id)
    if form is not None:
        form["info"]["documentTitle"] = new_title
        _save(store, form)


# --------------------------------------------------------------------------- batchUpdate


def batch_update(store: Store, form: dict[str, Any], body: dict[str, Any], *, user: str, now: datetime) -> dict:
    """forms.batchUpdate: validate and apply every request, or none; returns the reply (without ``form``)."""
    control = body.get("writeControl") or {}
    current = revision_id(form)
    if "requiredRevisionId" in control and "targetRevisionId" in control:
        raise bad_request("Only one of required_revision_id and target_revision_id may be set.")
    if "requiredRevisionId" in control and control["requiredRevisionId"] != current:
        raise bad_request(
            f"The required revision ID '{control['requiredRevisionId']}' does not match the form's latest "
            f"revision ID '{current}'."
        )
    if "targetRevisionId" in control and not _known_revision(control["targetRevisionId"], form):
        raise bad_request(f"The target revision ID '{control['targetRevisionId']}' is invalid or too old.")
    requests = body.get("requests") or []
    work = copy.deepcopy(form)
    replies = [_apply(work, request, index) for index, request in enumerate(requests)]
    if requests:
        work["revision"] += 1
        _save(store, work)
        form.clear()
        form.update(work)
        _drive().touch(store, form["formId"], user, now)
    return {"replies": replies, "writeControl": {"requiredRevisionId": revision_id(form)}}


def _known_revision(value: str, form: dict[str, Any]) -> bool:
    return bool(re.fullmatch(r"\d{8}", value or "")) and 1 <= int(value) <= form["revision"]


def _apply(form: dict[str, Any], request: dict[str, Any], index: int) -> dict[str, Any]:
    kinds = [k for k in request if request.get(k) is not None]
    if len(kinds) != 1:
        raise bad_request(f"Invalid requests[{index}]: No request set." if not kinds else
                          f"Invalid requests[{index}]: only one kind of request may be set.")
    kind = kinds[0]
    prefix = f"Invalid requests[{index}].{kind}"
    handler = _REQUESTS.get(kind)
    if handler is None:
        raise bad_request(f"{prefix}: unsupported request kind.")
    return handler(form, request[kind], prefix)


def _create_item(form: dict[str, Any], req: dict[str, Any], prefix: str) -> dict[str, Any]:
    if "item" not in req:
        raise bad_request(f"{prefix}: item is required.")
    if req.get("location") is None:
        raise bad_request(f"{prefix}: location is required.")
    position = _index(req["location"], len(form["items"]), prefix, "location", inclusive=True)
    taken = _ids_in(form["items"])
    item = _normalize_item(req["item"], form, prefix, taken)
    form["items"].insert(position, item)
    reply: dict[str, Any] = {"itemId": item["itemId"]}
    question_ids = [q["questionId"] for q in _questions(item)]
    if question_ids:
        reply["questionId"] = question_ids
    return {"createItem": reply}


def _update_item(form: dict[str, Any], req: dict[str, Any], prefix: str) -> dict[str, Any]:
    if req.get("location") is None:
        raise bad_request(f"{prefix}: location is required.")
    position = _index(req["location"], len(form["items"]), prefix, "location")
    paths = _mask_paths(req.get("updateMask") or "")
    if not paths:
        raise bad_request(f"{prefix}: update_mask is required and must name at least one field.")
    new = req.get("item") or {}
    current = form["items"][position]
    if "*" in paths:
        merged = copy.deepcopy(new)
    else:
        merged = copy.deepcopy(current)
        for path in paths:
            _copy_path(new, merged, path, prefix)
    others = [it for i, it in enumerate(form["items"]) if i != position]
    form["items"][position] = _normalize_item(merged, form, prefix, _ids_in(others))
    return {}


def _delete_item(form: dict[str, Any], req: dict[str, Any], prefix: str) -> dict[str, Any]:
    if req.get("location") is None:
        raise bad_request(f"{prefix}: location is required.")
    position = _index(req["location"], len(form["items"]), prefix, "location")
    del form["items"][position]
    return {}


def _move_item(form: dict[str, Any], req: dict[str, Any], prefix: str) -> dict[str, Any]:
    for name in ("originalLocation", "newLocation"):
        if req.get(name) is None:
            raise bad_request(f"{prefix}: {_snake(name)} is required.")
    count = len(form["items"])
    source = _index(req["originalLocation"], count, prefix, "original_location")
    target = _index(req["newLocation"], count, prefix, "new_location")
    form["items"].insert(target, form["items"].pop(source))
    return {}


def _update_form_info(form: dict[str, Any], req: dict[str, Any], prefix: str) -> dict[str, Any]:
    paths = _mask_paths(req.get("updateMask") or "")
    if not paths:
        raise bad_request(f"{prefix}: update_mask is required and must name at least one field.")
    info = req.get("info") or {}
    for path in paths:
        names = ("title", "description") if path == "*" else (path,)
        for name in names:
            if name == "documentTitle":
                raise bad_request(f"{prefix}: document_title cannot be updated by batchUpdate; use the Drive API.")
            if name not in ("title", "description"):
                raise bad_request(f"{prefix}: invalid field mask path '{path}'.")
            value = info.get(name)
            if name == "title" and value and "\n" in value:
                raise bad_request(f"{prefix}: the title cannot contain newlines.")
            if value:
                form["info"][name] = value
            else:
                form["info"].pop(name, None)
    return {}


def _update_settings(form: dict[str, Any], req: dict[str, Any], prefix: str) -> dict[str, Any]:
    paths = _mask_paths(req.get("updateMask") or "")
    if not paths:
        raise bad_request(f"{prefix}: update_mask is required and must name at least one field.")
    settings = req.get("settings") or {}
    for path in paths:
        if path in ("*", "emailCollectionType"):
            value = settings.get("emailCollectionType")
            if value and value != "EMAIL_COLLECTION_TYPE_UNSPECIFIED":
                form["settings"]["emailCollectionType"] = value
            else:
                form["settings"].pop("emailCollectionType", None)
        if path in ("*", "quizSettings", "quizSettings.isQuiz"):
            if (settings.get("quizSettings") or {}).get("isQuiz"):
                form["settings"]["quizSettings"] = {"isQuiz": True}
            else:
                form["settings"].pop("quizSettings", None)
                for item in form["items"]:
                    for question in _questions(item):
                        question.pop("grading", None)
        if path not in ("*", "emailCollectionType", "quizSettings", "quizSettings.isQuiz"):
            raise bad_request(f"{prefix}: invalid field mask path '{path}'.")
    return {}


_REQUESTS = {
    "createItem": _create_item,
    "updateItem": _update_item,
    "deleteItem": _delete_item,
    "moveItem": _move_item,
    "updateFormInfo": _update_form_info,
    "updateSettings": _update_settings,
}


# --------------------------------------------------------------------------- items and questions


def _index(location: dict[str, Any], count: int, prefix: str, name: str, *, inclusive: bool = False) -> int:
    """The item position named by a Location (an unset index is 0, as in proto3), checked against the form."""
    index = location.get("index", 0)
    limit = count if inclusive else count - 1
    if not isinstance(index, int) or index < 0 or index > limit:
        if limit < 0:
            raise bad_request(f"{prefix}: {name}.index {index} is out of range: the form has no items.")
        raise bad_request(f"{prefix}: {name}.index {index} is out of range; it must be between 0 and {limit}.")
    return index


def _questions(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The questions an item asks (one for a question item, the rows of a group, none otherwise)."""
    if "questionItem" in item:
        return [item["questionItem"]["question"]]
    if "questionGroupItem" in item:
        return item["questionGroupItem"].get("questions", [])
    return []


def questions_of(form: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every (item, question) pair of the form, in order."""
    return [(item, q) for item in form["items"] for q in _questions(item)]


def _ids_in(items: list[dict[str, Any]]) -> set[str]:
    ids = {item.get("itemId", "") for item in items}
    ids.update(q.get("questionId", "") for item in items for q in _questions(item))
    ids.discard("")
    return ids


def _fresh_id(taken: set[str]) -> str:
    while True:
        candidate = secrets.token_hex(4)
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def _claim_id(value: str | None, taken: set[str], prefix: str, what: str) -> str:
    if not value:
        return _fresh_id(taken)
    if value in taken:
        raise bad_request(f"{prefix}: the {what} ID '{value}' is already used in this form.")
    if not re.fullmatch(r"[0-9a-f]{1,16}", value):
        raise bad_request(f"{prefix}: invalid {what} ID '{value}': IDs are hexadecimal strings.")
    taken.add(value)
    return value


def _one_of(obj: dict[str, Any], kinds: tuple[str, ...], prefix: str, what: str) -> str:
    present = [k for k in kinds if obj.get(k) is not None]
    if len(present) != 1:
        raise bad_request(f"{prefix}: exactly one {what} kind must be set ({', '.join(kinds)}).")
    return present[0]


def _no_newline(text: str | None, prefix: str, what: str) -> None:
    if text and "\n" in text:
        raise bad_request(f"{prefix}: the {what} cannot contain newlines.")


def _normalize_item(raw: dict[str, Any], form: dict[str, Any], prefix: str, taken: set[str]) -> dict[str, Any]:
    """Validate an item as given to createItem/updateItem; answer it as the API will show it."""
    item = copy.deepcopy(raw)
    kind = _one_of(item, ITEM_KINDS, prefix, "item")
    _no_newline(item.get("title"), prefix, "item title")
    taken = set(taken)
    item = {"itemId": _claim_id(item.pop("itemId", None), taken, prefix, "item"), **item}
    if kind == "questionItem":
        question = (item["questionItem"] or {}).get("question")
        if question is None:
            raise bad_request(f"{prefix}: question_item.question is required.")
        _check_question(question, form, prefix, in_group=False)
        qid = _claim_id(question.pop("questionId", None), taken, prefix, "question")
        item["questionItem"]["question"] = {"questionId": qid, **question}
    elif kind == "questionGroupItem":
        group = item["questionGroupItem"]
        questions = group.get("questions") or []
        if not questions:
            raise bad_request(f"{prefix}: question_group_item.questions must not be empty.")
        grid = group.get("grid")
        if grid is None:
            raise bad_request(f"{prefix}: question_group_item.grid is required.")
        columns = grid.get("columns") or {}
        if columns.get("type") not in ("RADIO", "CHECKBOX"):
            raise bad_request(f"{prefix}: grid columns must be of type RADIO or CHECKBOX.")
        _check_options(columns, prefix, allow_other=False)
        for position, question in enumerate(questions):
            if _one_of(question, QUESTION_KINDS, prefix, "question") != "rowQuestion":
                raise bad_request(f"{prefix}: every question of a grid must be a row_question.")
            if not (question["rowQuestion"] or {}).get("title"):
                raise bad_request(f"{prefix}: row_question.title is required.")
            _no_newline(question["rowQuestion"]["title"], prefix, "row title")
            _check_grading(question, form, prefix)
            qid = _claim_id(question.pop("questionId", None), taken, prefix, "question")
            questions[position] = {"questionId": qid, **question}
        group["questions"] = questions
    elif kind == "imageItem":
        image = item["imageItem"].setdefault("image", {})
        source = image.pop("sourceUri", None)  # input only; the API answers a contentUri
        if not source and not image.get("contentUri"):
            raise bad_request(f"{prefix}: image_item.image.source_uri is required.")
        if source:
            image["contentUri"] = source
    elif kind == "videoItem" and not (item["videoItem"].get("video") or {}).get("youtubeUri"):
        raise bad_request(f"{prefix}: video_item.video.youtube_uri is required.")
    return _pruned(item)


def _check_question(question: dict[str, Any], form: dict[str, Any], prefix: str, *, in_group: bool) -> None:
    kind = _one_of(question, QUESTION_KINDS, prefix, "question")
    spec = question[kind] or {}
    if kind == "rowQuestion" and not in_group:
        raise bad_request(f"{prefix}: row_question is only allowed inside a question_group_item.")
    if kind == "fileUploadQuestion":
        raise bad_request(f"{prefix}: the API does not support creating file upload questions.")
    if kind == "choiceQuestion":
        if spec.get("type") not in CHOICE_TYPES:
            raise bad_request(f"{prefix}: choice_question.type must be RADIO, CHECKBOX or DROP_DOWN.")
        _check_options(spec, prefix, allow_other=spec["type"] != "DROP_DOWN")
    elif kind == "scaleQuestion":
        low, high = spec.get("low", 0), spec.get("high", 0)
        if low not in (0, 1) or not 2 <= high <= 10:
            raise bad_request(f"{prefix}: scale_question.low must be 0 or 1 and scale_question.high between 2 and 10.")
    elif kind == "ratingQuestion":
        if spec.get("iconType") in (None, "RATING_ICON_TYPE_UNSPECIFIED"):
            raise bad_request(f"{prefix}: rating_question.icon_type is required.")
        if not 3 <= spec.get("ratingScaleLevel", 0) <= 10:
            raise bad_request(f"{prefix}: rating_question.rating_scale_level must be between 3 and 10.")
    _check_grading(question, form, prefix)


def _check_options(spec: dict[str, Any], prefix: str, *, allow_other: bool) -> None:
    options = spec.get("options") or []
    if not options:
        raise bad_request(f"{prefix}: choice options must not be empty.")
    seen: set[str] = set()
    others = 0
    for option in options:
        if option.get("isOther"):
            if not allow_other:
                raise bad_request(f"{prefix}: an 'other' option is only allowed for RADIO and CHECKBOX questions.")
            others += 1
            continue
        value = option.get("value") or ""
        if not value.strip():
            raise bad_request(f"{prefix}: option values must not be empty.")
        _no_newline(value, prefix, "option value")
        if value in seen:
            raise bad_request(f"{prefix}: duplicate option value '{value}'.")
        seen.add(value)
    if others > 1:
        raise bad_request(f"{prefix}: a question can have only one 'other' option.")


def _check_grading(question: dict[str, Any], form: dict[str, Any], prefix: str) -> None:
    grading = question.get("grading")
    if grading is None:
        return
    if not is_quiz(form):
        raise bad_request(f"{prefix}: grading can only be set on questions of a quiz.")
    if grading.get("pointValue", 0) < 0:
        raise bad_request(f"{prefix}: grading.point_value must not be negative.")


# --------------------------------------------------------------------------- field masks and pruning


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _camel(name: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)


def _mask_paths(mask: str) -> list[str]:
    return [_camel(p.strip()) for p in mask.split(",") if p.strip()]


def _copy_path(source: dict[str, Any], target: dict[str, Any], path: str, prefix: str) -> None:
    """Set ``path`` of ``target`` to its value in ``source`` (or remove it there when absent)."""
    parts = path.split(".")
    if parts[0] not in ("itemId", "title", "description", *ITEM_KINDS):
        raise bad_request(f"{prefix}: invalid field mask path '{path}'.")
    src: Any = source
    for part in parts:
        src = src.get(part) if isinstance(src, dict) else None
    dst = target
    for part in parts[:-1]:
        dst = dst.setdefault(part, {})
        if not isinstance(dst, dict):
            raise bad_request(f"{prefix}: invalid field mask path '{path}'.")
    if src is None:
        dst.pop(parts[-1], None)
    else:
        dst[parts[-1]] = copy.deepcopy(src)


def _pruned(value: Any) -> Any:
    """Drop what proto3 JSON leaves out: false, 0, empty strings and empty lists (empty messages stay)."""
    if isinstance(value, dict):
        out = {}
        for key, sub in value.items():
            sub = _pruned(sub)
            if sub is False or sub is None or sub == "" or sub == [] or (type(sub) in (int, float) and sub == 0):
                continue
            out[key] = sub
        return out
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


# --------------------------------------------------------------------------- responses


def check_answers(form: dict[str, Any], answers: dict[str, list[str]], email: str | None = None) -> dict[str, str]:
    """Problems with a submission, by question id (``"emailAddress"`` for the e-mail field); empty if valid.

    ``answers`` maps question ids to the submitted text values (a choice's option value, or, for the
    "other" option, what the respondent typed).
    """
    errors: dict[str, str] = {}
    if form["settings"].get("emailCollectionType") == "RESPONDER_INPUT" and not _is_email(email):
        errors["emailAddress"] = "Must be a valid email address"
    for item, question in questions_of(form):
        qid = question["questionId"]
        values = [v for v in answers.get(qid, []) if v.strip()]
        if not values:
            if question.get("required"):
                errors[qid] = "This is a required question"
            continue
        problem = _answer_problem(item, question, values)
        if problem:
            errors[qid] = problem
    return errors


def _is_email(value: str | None) -> bool:
    return bool(value and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value))


def _answer_problem(item: dict[str, Any], question: dict[str, Any], values: list[str]) -> str | None:
    if "choiceQuestion" in question or "rowQuestion" in question:
        spec = question.get("choiceQuestion") or item["questionGroupItem"]["grid"]["columns"]
        allowed = {o["value"] for o in spec["options"] if not o.get("isOther")}
        has_other = any(o.get("isOther") for o in spec["options"])
        if spec["type"] != "CHECKBOX" and len(values) > 1:
            return "Choose only one option"
        if len(set(values)) != len(values):
            return "Each option can be chosen once"
        if OTHER_OPTION in values:
            return "Please fill in your 'Other' answer"
        unknown = [v for v in values if v not in allowed]
        if len(unknown) > (1 if has_other else 0):
            return "Choose one of the options"
        return None
    if "scaleQuestion" in question:
        spec = question["scaleQuestion"]
        return _integer_problem(values, spec.get("low", 0), spec.get("high", 0))
    if "ratingQuestion" in question:
        return _integer_problem(values, 1, question["ratingQuestion"].get("ratingScaleLevel", 0))
    if len(values) > 1:
        return "Give one answer"
    if "dateQuestion" in question:
        return _date_problem(question["dateQuestion"], values[0])
    if "timeQuestion" in question:
        pattern = r"\d{1,3}:[0-5]\d:[0-5]\d" if question["timeQuestion"].get("duration") else r"([01]\d|2[0-3]):[0-5]\d"
        return None if re.fullmatch(pattern, values[0]) else "Invalid time"
    return None


def _integer_problem(values: list[str], low: int, high: int) -> str | None:
    if len(values) != 1 or not values[0].isdigit() or not low <= int(values[0]) <= high:
        return f"Choose a number from {low} to {high}"
    return None


def _date_problem(spec: dict[str, Any], value: str) -> str | None:
    date = r"\d{4}-\d{2}-\d{2}" if spec.get("includeYear") else r"\d{2}-\d{2}"
    pattern = date + (r" \d{2}:\d{2}" if spec.get("includeTime") else "")
    if not re.fullmatch(pattern, value):
        return "Invalid date"
    day = value.split(" ")[0]
    try:
        datetime.strptime(day if spec.get("includeYear") else "2000-" + day, "%Y-%m-%d")
    except ValueError:
        return "Invalid date"
    return None


def submit_response(
    store: Store, form: dict[str, Any], answers: dict[str, list[str]], *, email: str | None, now: datetime
) -> dict[str, Any]:
    """Record a (valid, see :func:`check_answers`) submission; returns the stored FormResponse."""
    moment = rfc3339(now.astimezone(UTC).replace(microsecond=now.microsecond // 1000 * 1000))
    response: dict[str, Any] = {
        "formId": form["formId"],
        "responseId": new_id(62, prefix="ACYDBN"),
        "createTime": moment,
        "lastSubmittedTime": moment,
    }
    if collects_email(form) and email:
        response["respondentEmail"] = email
    recorded: dict[str, Any] = {}
    total = 0.0
    for item, question in questions_of(form):
        values = [v for v in answers.get(question["questionId"], []) if v.strip()]
        if not values:
            continue
        answer: dict[str, Any] = {"questionId": question["questionId"]}
        grade = _grade(item, question, values) if is_quiz(form) else None
        if grade is not None:
            answer["grade"] = _pruned(grade)
            total += grade["score"]
        answer["textAnswers"] = {"answers": [{"value": v} for v in values]}
        recorded[question["questionId"]] = answer
    if recorded:
        response["answers"] = recorded
    if is_quiz(form):
        response["totalScore"] = total
    store.put(RESPONSE_KIND, response["responseId"], response, parent=form["formId"])
    return response


def _grade(item: dict[str, Any], question: dict[str, Any], values: list[str]) -> dict[str, Any] | None:
    grading = question.get("grading")
    if not grading:
        return None
    correct_values = [a.get("value", "") for a in (grading.get("correctAnswers") or {}).get("answers", [])]
    if not correct_values:
        return None
    spec = question.get("choiceQuestion") or (
        item.get("questionGroupItem", {}).get("grid", {}).get("columns") if "rowQuestion" in question else None
    )
    if spec and spec.get("type") == "CHECKBOX":
        correct = sorted(values) == sorted(correct_values)
    else:
        correct = len(values) == 1 and values[0] in correct_values
    score = float(grading.get("pointValue", 0)) if correct else 0.0
    return {"score": score, "correct": correct}


def render_response(response: dict[str, Any], *, with_form_id: bool) -> dict[str, Any]:
    out = copy.deepcopy(response)
    if not with_form_id:
        out.pop("formId", None)
    return out


def get_response(store: Store, form: dict[str, Any], response_id: str) -> dict[str, Any]:
    response = store.get(RESPONSE_KIND, response_id)
    if response is None or response.get("formId") != form["formId"]:
        raise not_found()
    return render_response(response, with_form_id=True)


_FILTER = re.compile(r"\s*timestamp\s*(>=|>)\s*(\S+)\s*")
_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z")


def parse_timestamp(text: str) -> datetime | None:
    """An RFC 3339 UTC ("Zulu") timestamp with up to nine fractional digits, or None."""
    match = _TIMESTAMP.fullmatch(text)
    if not match:
        return None
    try:
        moment = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    fraction = (match.group(2) or "").ljust(9, "0")
    return moment.replace(microsecond=int(fraction[:6]))


def _parse_filter(text: str | None) -> tuple[str, datetime] | None:
    if not text:
        return None
    match = _FILTER.fullmatch(text)
    moment = parse_timestamp(match.group(2)) if match else None
    if not match or moment is None:
        raise bad_request(
            f'Invalid filter "{text}". Supported filters are "timestamp > N" and "timestamp >= N", '
            'with N an RFC3339 UTC "Zulu" timestamp such as 2014-10-02T15:01:23Z.'
        )
    return match.group(1), moment


def _encode_token(offset: int, filter_text: str) -> str:
    raw = json.dumps({"o": offset, "f": filter_text}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, filter_text: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset, token_filter = int(data["o"]), data["f"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise bad_request("Invalid page token.") from None
    if token_filter != filter_text or offset < 0:
        raise bad_request("The page token does not match the request: the form and the filter must be the same.")
    return offset


def list_responses(
    store: Store, form: dict[str, Any], *, filter_text: str | None, page_size: int | None, page_token: str | None
) -> dict[str, Any]:
    """forms.responses.list: oldest first, filtered by submission time, up to 5000 a page."""
    condition = _parse_filter(filter_text)
    if page_size is not None and page_size < 0:
        raise bad_request("page_size must not be negative.")
    size = min(page_size or MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    offset = _decode_token(page_token, filter_text or "") if page_token else 0
    matching = []
    for response in store.list(RESPONSE_KIND, parent=form["formId"]):
        if condition:
            moment = parse_timestamp(response["lastSubmittedTime"])
            assert moment is not None
            operator, bound = condition
            if not (moment > bound if operator == ">" else moment >= bound):
                continue
        matching.append(response)
    page = matching[offset : offset + size]
    out: dict[str, Any] = {}
    if page:
        out["responses"] = [render_response(r, with_form_id=False) for r in page]
    if offset + size < len(matching):
        out["nextPageToken"] = _encode_token(offset + size, filter_text or "")
    return out
