"""Forms v1 operations: build a whole Form in one batchUpdate, publish it, read responses.

``forms.create`` copies only the title; questions, description and settings go in one
``forms.batchUpdate``; forms made by the API start unpublished, so ``setPublishSettings`` publishes
them. The bot's question refs are mapped to Google's questionIds in the Form's Drive appProperties
(``iltbot_q0``, ``iltbot_q1`` ... each ``ref=id;ref=id`` within Drive's 124-byte limit); when they do
not fit, answers are keyed by question title instead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ilt_bot.workspace.api import FormAnswer, FormQuestion, FormSpec
from ilt_bot.workspace.clients import Caller

QMAP_PREFIX = "iltbot_q"
MAX_APP_PROPERTIES = 30

_CHOICE = {"radio": "RADIO", "checkbox": "CHECKBOX", "dropdown": "DROP_DOWN"}


def question_body(q: FormQuestion) -> dict[str, Any]:
    """The Forms ``Question`` for one :class:`FormQuestion`."""
    body: dict[str, Any] = {"required": q.required}
    if q.kind in ("paragraph", "short_text"):
        body["textQuestion"] = {"paragraph": q.kind == "paragraph"}
    elif q.kind in _CHOICE:
        if not q.options:
            raise ValueError(f"question {q.ref!r} is a {q.kind} question without options")
        body["choiceQuestion"] = {"type": _CHOICE[q.kind], "options": [{"value": o} for o in q.options]}
    elif q.kind == "scale":
        body["scaleQuestion"] = {"low": q.scale_low, "high": q.scale_high}
    else:
        raise ValueError(f"question {q.ref!r} has unknown kind {q.kind!r}")
    return body


def create_item(q: FormQuestion, index: int) -> dict[str, Any]:
    item: dict[str, Any] = {"title": q.title, "questionItem": {"question": question_body(q)}}
    if q.description:
        item["description"] = q.description
    return {"createItem": {"item": item, "location": {"index": index}}}


def email_collection(spec: FormSpec) -> str:
    return "VERIFIED" if spec.collect_emails else "DO_NOT_COLLECT"


def question_ids(form: dict[str, Any]) -> dict[str, str]:
    """questionId -> item title for every question item of a Form resource."""
    ids: dict[str, str] = {}
    for item in form.get("items", []) or []:
        question = (item.get("questionItem") or {}).get("question") or {}
        if question.get("questionId"):
            ids[question["questionId"]] = item.get("title", "")
    return ids


def pack_qmap(qmap: dict[str, str], room: int) -> dict[str, str] | None:
    """appProperties holding ``ref -> questionId`` in at most ``room`` properties, or None if it cannot fit."""
    props: dict[str, str] = {}
    current = ""
    for ref, qid in qmap.items():
        if any(c in ref for c in "=;") or any(c in qid for c in "=;"):
            return None
        pair = f"{ref}={qid}"
        name = f"{QMAP_PREFIX}{len(props)}"
        candidate = f"{current};{pair}" if current else pair
        if len(name.encode()) + len(candidate.encode()) <= 124:
            current = candidate
            continue
        if not current or len(name.encode()) + len(pair.encode()) > 124:
            return None
        props[name] = current
        current = pair
    if current:
        props[f"{QMAP_PREFIX}{len(props)}"] = current
    return props if len(props) <= room else None


def unpack_qmap(props: dict[str, str]) -> dict[str, str]:
    """questionId -> ref from appProperties written by :func:`pack_qmap`."""
    by_id: dict[str, str] = {}
    for name in sorted(p for p in props if p.startswith(QMAP_PREFIX)):
        for pair in props[name].split(";"):
            if "=" in pair:
                ref, qid = pair.split("=", 1)
                by_id[qid] = ref
    return by_id


def rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FormsOps:
    """Forms calls for one user."""

    def __init__(self, caller: Caller, service: Any) -> None:
        self.caller = caller
        self.service = service
        self.forms = service.forms

    def get(self, form_id: str) -> dict[str, Any]:
        return self.caller.call(lambda: self.forms().get(formId=form_id), what=f"Reading Form {form_id}",
                                file_id=form_id)

    def create(self, title: str, recover: Any) -> dict[str, Any]:
        """forms.create once; ``recover`` finds a Form whose create answer was lost."""
        body = {"info": {"title": title, "documentTitle": title}}
        return self.caller.once(lambda: self.forms().create(body=body), recover, what=f"Creating Form {title!r}")

    def complete(self, form_id: str, spec: FormSpec, *, fresh: bool) -> dict[str, str]:
        """Add what ``spec`` has and the Form lacks (one batchUpdate), publish it; returns ref -> questionId.

        ``fresh`` (just created, known empty and unpublished) skips reading the Form first.
        """
        form: dict[str, Any] = {"formId": form_id, "items": []} if fresh else self.get(form_id)
        qmap, requests, missing = self._plan(form, spec)
        if requests:
            def recover() -> dict[str, Any] | None:
                again = self.get(form_id)
                _, still, _ = self._plan(again, spec)
                return {"replies": [], "form": again} if not still else None

            answer = self.caller.once(
                lambda: self.forms().batchUpdate(formId=form_id, body={"requests": requests,
                                                                       "includeFormInResponse": False}),
                recover, what=f"Adding {len(missing)} questions to Form {form_id}", file_id=form_id,
            )
            if "form" in answer:  # applied, answer lost: read the ids from the Form itself
                qmap, _, _ = self._plan(answer["form"], spec)
            else:
                replies = [r.get("createItem") for r in answer.get("replies", []) if "createItem" in (r or {})]
                for q, reply in zip(missing, replies, strict=False):
                    ids = (reply or {}).get("questionId") or []
                    if ids:
                        qmap[q.ref] = ids[0]
        state = ((form.get("publishSettings") or {}).get("publishState") or {}) if not fresh else {}
        if fresh or ("publishSettings" in form and not state.get("isPublished")):
            self.set_publish(form_id, published=True, accepting=True)
        return qmap

    @staticmethod
    def _plan(
        form: dict[str, Any], spec: FormSpec
    ) -> tuple[dict[str, str], list[dict[str, Any]], list[FormQuestion]]:
        """(ref -> questionId for questions present, requests still needed, questions missing)."""
        by_title: dict[str, list[str]] = {}
        for qid, title in question_ids(form).items():
            by_title.setdefault(title, []).append(qid)
        qmap: dict[str, str] = {}
        missing: list[FormQuestion] = []
        for q in spec.questions:
            ids = by_title.get(q.title)
            if ids:
                qmap[q.ref] = ids.pop(0)
            else:
                missing.append(q)
        if not missing:
            return qmap, [], []  # complete: leave info and settings people may have changed alone
        requests: list[dict[str, Any]] = []
        if spec.description and (form.get("info") or {}).get("description", "") != spec.description:
            requests.append({"updateFormInfo": {"info": {"description": spec.description},
                                                "updateMask": "description"}})
        if (form.get("settings") or {}).get("emailCollectionType") != email_collection(spec):
            requests.append({"updateSettings": {"settings": {"emailCollectionType": email_collection(spec)},
                                                "updateMask": "emailCollectionType"}})
        start = len(form.get("items") or [])
        requests.extend(create_item(q, start + i) for i, q in enumerate(missing))
        return qmap, requests, missing

    def set_publish(self, form_id: str, *, published: bool, accepting: bool) -> None:
        body = {"publishSettings": {"publishState": {"isPublished": published, "isAcceptingResponses": accepting}},
                "updateMask": "publishState"}
        self.caller.call(lambda: self.forms().setPublishSettings(formId=form_id, body=body),
                         what=f"{'Opening' if accepting else 'Closing'} Form {form_id} for responses", file_id=form_id)

    def first_pages(self, form_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Every response of each Form, read in one HTTP batch (``POST /batch``, the ``batchPath`` of the
        Forms v1 discovery document); a Form whose answer failed or has more pages is left out (read it
        with :meth:`responses`). Each part still counts against the per-minute read quota."""
        def make(form_id: str) -> Any:
            return self.forms().responses().list(formId=form_id, pageSize=5000)

        answers = self.caller.batch(self.service, [(form_id, make(form_id)) for form_id in form_ids],
                                    what=f"Reading responses of {len(form_ids)} Forms")
        return {form_id: list(answer.get("responses") or []) for form_id, answer in answers.items()
                if isinstance(answer, dict) and not answer.get("nextPageToken")}

    def responses(self, form_id: str, since: datetime | None) -> list[dict[str, Any]]:
        """Every response (submitted after ``since``), all pages."""
        out: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            def make(token: str | None = token) -> Any:
                kwargs: dict[str, Any] = {"formId": form_id, "pageSize": 5000}
                if since is not None:
                    kwargs["filter"] = f"timestamp > {rfc3339(since)}"
                if token:
                    kwargs["pageToken"] = token
                return self.forms().responses().list(**kwargs)

            page = self.caller.call(make, what=f"Reading responses of Form {form_id}", file_id=form_id)
            out.extend(page.get("responses", []) or [])
            token = page.get("nextPageToken")
            if not token:
                return out


def to_answer(response: dict[str, Any], refs: dict[str, str]) -> FormAnswer:
    """A :class:`FormAnswer` with answers keyed by ref (``refs``: questionId -> ref)."""
    answers: dict[str, list[str]] = {}
    for qid, answer in (response.get("answers") or {}).items():
        values = [a.get("value", "") for a in ((answer.get("textAnswers") or {}).get("answers") or [])]
        answers[refs.get(qid, qid)] = values
    return FormAnswer(
        response_id=response.get("responseId", ""),
        submitted=response.get("lastSubmittedTime") or response.get("createTime", ""),
        respondent_email=response.get("respondentEmail"),
        answers=answers,
    )
