"""Sheets v4 emulation: handlers register on import; Drive learns to create, copy, export and delete
spreadsheets through the ContentKind registered here."""

from __future__ import annotations

from ilt_bot.sandbox.core import SHEET_MIME, ApiError, ContentKind, Media, register_content_kind
from ilt_bot.sandbox.sheets import models, pages, responses  # noqa: F401  (handlers register on import)
from ilt_bot.sandbox.store import Store


def _import_media(store: Store, file_id: str, title: str, media: Media) -> None:
    if media.content_type.split(";")[0].strip() not in ("text/csv", "text/plain", "text/tab-separated-values"):
        raise ApiError(400, f"Conversion from {media.content_type} to a spreadsheet is not supported by the sandbox.",
                       reason="badRequest")
    models.import_csv(store, file_id, title, media.data)


register_content_kind(
    ContentKind(
        mime_type=SHEET_MIME,
        create_empty=models.create_empty,
        import_media=_import_media,
        export=models.export,
        copy=models.copy_content,
        delete=models.delete_content,
        rename=models.rename,
        export_formats=("text/csv", "text/tab-separated-values"),
        text=models.searchable_text,
    )
)
