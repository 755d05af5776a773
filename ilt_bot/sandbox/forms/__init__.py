"""Forms v1 emulation: forms, items, publish settings, responses, and the responder page people fill in."""

from ilt_bot.sandbox.core import FORM_MIME, ContentKind, register_content_kind
from ilt_bot.sandbox.forms import models, pages, responses  # noqa: F401  (registers handlers and pages)

register_content_kind(
    ContentKind(
        mime_type=FORM_MIME,
        create_empty=models.create_empty,
        copy=models.copy_form,
        delete=models.delete_form,
        rename=models.rename_form,
        text=models.searchable_text,
    )
)
