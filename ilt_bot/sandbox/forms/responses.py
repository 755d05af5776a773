"""Forms v1 request handlers: translate a :class:`Call` into the models and back into Google's JSON."""

from __future__ import annotations

from typing import Any

from ilt_bot.sandbox.core import ApiError, Call, implements
from ilt_bot.sandbox.forms import models

_OUTPUT_ONLY = {"formId", "revisionId", "responderUri", "linkedSheetId", "publishSettings"}
_CREATE_ONLY = ("Only info.title can be set when creating a form. To add items and change settings, "
                "use batchUpdate.")


def _check_create_body(body: dict[str, Any]) -> None:
    """Google's 400 for anything but ``info.title`` / ``info.documentTitle`` in forms.create (output-only
    fields aside): items, settings and the description go through batchUpdate."""
    extra = {k for k, v in body.items() if v not in (None, {}, []) and k not in _OUTPUT_ONLY | {"info"}}
    info = body.get("info") or {}
    extra |= {f"info.{k}" for k, v in info.items() if v not in (None, "") and k not in ("title", "documentTitle")}
    if extra:
        raise ApiError(400, _CREATE_ONLY)


@implements("forms.forms.create")
def forms_create(call: Call) -> dict[str, Any]:
    """Create an empty form from ``info.title`` and ``info.documentTitle`` (anything else is a 400).

    Forms created through the API after 2026-06-30 start unpublished; ``unpublished=false`` publishes
    the new form at once (and makes it accept responses).
    """
    body = call.body or {}
    _check_create_body(body)
    published = call.query.get("unpublished") is False
    form = models.create_form(call.store, owner=call.user, info=body.get("info"), now=call.now, published=published)
    return models.render_form(form, call.base_url)


@implements("forms.forms.get")
def forms_get(call: Call) -> dict[str, Any]:
    form = models.form_for_editor(call.store, call.user, call.param("formId"))
    return models.render_form(form, call.base_url)


@implements("forms.forms.batchUpdate")
def forms_batch_update(call: Call) -> dict[str, Any]:
    body = call.body or {}
    form = models.form_for_editor(call.store, call.user, call.param("formId"))
    answer = models.batch_update(call.store, form, body, user=call.user, now=call.now)
    if body.get("includeFormInResponse"):
        answer = {"form": models.render_form(form, call.base_url), **answer}
    return answer


@implements("forms.forms.setPublishSettings")
def forms_set_publish_settings(call: Call) -> dict[str, Any]:
    form = models.form_for_editor(call.store, call.user, call.param("formId"))
    return models.set_publish_settings(call.store, form, call.body or {})


@implements("forms.forms.responses.list")
def responses_list(call: Call) -> dict[str, Any]:
    form = models.form_for_editor(call.store, call.user, call.param("formId"))
    return models.list_responses(
        call.store,
        form,
        filter_text=call.query.get("filter"),
        page_size=call.query.get("pageSize"),
        page_token=call.query.get("pageToken"),
    )


@implements("forms.forms.responses.get")
def responses_get(call: Call) -> dict[str, Any]:
    form = models.form_for_editor(call.store, call.user, call.param("formId"))
    return models.get_response(call.store, form, call.param("responseId"))
