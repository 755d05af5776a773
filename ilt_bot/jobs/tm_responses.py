"""Where teachers' thinking-map answers are kept: their own spreadsheet, for the school leader only.

Key ``<school>/tm-responses/<year label>`` (``cedar/tm-responses/2026-27``), in the Thinking maps folder,
one tab "Thinking map" (one row per answer, :data:`~ilt_bot.jobs.common.TM_COLUMNS`). It is shared
with the principal(s) only (members with role ``principal``; no one else is entitled, assistant
principals included), as a reader, without an e-mail. The bot alone writes it.

Design deviation: the original design listed a "Thinking map" tab in the tracker. The tracker is shared with
every ILT member (they edit it), so that tab let each lead read what other teams' teachers wrote
about *their* lead (and, with ``thinking_map.anonymous = false``, who wrote it), while the digest
Docs made from the same rows are for the lead and the principal only. Drive shares whole files, not
tabs, so the raw rows need a file of their own, at least as private as the digests: this one.
What the ILT sees of thinking maps is aggregate (participation and repeated themes per team, in the
group reflection; participation in the summary); docs/privacy.md has the whole picture.

A tracker made by an earlier version still has its "Thinking map" tab. The bot no longer writes
there; it copies the tab's rows here once (so digests and semester figures keep them, by row id)
and reports, in ``skipped`` and the Runs tab, in the pass that makes this sheet and in the day's first
pass after, that the ILT can read them and an admin should delete that tab. It does not delete
the tab itself: nothing the bot can read proves that only the bot wrote there (leads may have added
notes or columns), and removing people's data is a person's decision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ilt_bot.jobs import DRY_RUN_ID, JobContext
from ilt_bot.jobs.common import C_ROW, THINKING_MAP, TM_COLUMNS, first_pass_of_day, folder, school_leaders
from ilt_bot.jobs.tracker import cell, padded, tracker_key
from ilt_bot.keys import school_key
from ilt_bot.workspace.api import Share

if TYPE_CHECKING:
    from ilt_bot.config import Config

TABS = {THINKING_MAP: TM_COLUMNS}
"""The responses spreadsheet's tabs (title -> header row)."""


def responses_key(config: Config) -> str:
    """``<school>/tm-responses/<year>``."""
    return school_key(config, "tm-responses", config.year.label)


class ResponseSheet:
    """The thinking-map answers of the year: rows read once per pass, appends by row id (none in a dry run)."""

    def __init__(self, ctx: JobContext, spreadsheet_id: str) -> None:
        self.ctx = ctx
        self.id = spreadsheet_id
        self._rows: list[list[str]] | None = None

    @property
    def exists(self) -> bool:
        return self.id != DRY_RUN_ID

    def rows(self) -> list[list[str]]:
        """The "Thinking map" rows below the header (read once per pass, kept in step with our appends)."""
        if self._rows is None:
            raw = self.ctx.workspace.read_rows(self.id, THINKING_MAP) if self.exists else []
            self._rows = [padded([str(v) for v in row], len(TM_COLUMNS)) for row in raw]
        return self._rows

    def append_once(self, rows: list[list[str]]) -> int:
        """Append the rows whose row id is new (RAW, one call); returns how many were new."""
        known = {cell(r, C_ROW) for r in self.rows()}
        fresh: list[list[str]] = []
        for row in rows:
            rid = cell(row, C_ROW)
            if not rid or rid in known:
                continue
            known.add(rid)
            fresh.append([str(v) for v in row][: len(TM_COLUMNS)])
        if fresh and self.exists and not self.ctx.dry_run:
            self.ctx.workspace.append_rows_once(self.id, THINKING_MAP, fresh, id_column=C_ROW)
        self.rows().extend(padded(r, len(TM_COLUMNS)) for r in fresh)
        return len(fresh)


def responses_sheet(ctx: JobContext) -> ResponseSheet | None:
    """The year's responses spreadsheet, made (and shared with the principal) when missing; None when a
    person trashed it or its folder (reported). Once per pass."""
    if ctx.tm_sheet_known:
        return ctx.tm_sheet
    config = ctx.config
    r_key = responses_key(config)
    folder_id = None
    if ctx.find(r_key) is None:
        folder_id = folder(ctx, "thinking-maps")
        if folder_id is None:
            ctx.skipped(r_key, "the Thinking maps folder is in the trash; restore it to continue")
            ctx.tm_sheet, ctx.tm_sheet_known = None, True
            return None
    name = f"Thinking-map answers {config.year.label} — {config.school.name} (principal only)"
    before = len(ctx.report.created)
    share = [Share(school_leaders(config), "reader")]
    ref = ctx.ensure(r_key, lambda: ctx.workspace.ensure_spreadsheet(r_key, name, str(folder_id), TABS, share=share,
                                                                     private=True), what=name)
    if ref is None:  # trashed by a person: reported by ensure; answers stay in the Forms meanwhile
        ctx.tm_sheet, ctx.tm_sheet_known = None, True
        return None
    sheet = ResponseSheet(ctx, ref.id)
    ctx.tm_sheet, ctx.tm_sheet_known = sheet, True
    made = len(ctx.report.created) > before  # made (or finished) and shared by ensure_spreadsheet
    if made and not share[0].emails:
        _share(ctx, sheet)  # reports that no one may read it
    elif not made and first_pass_of_day(ctx):
        _share(ctx, sheet)  # a principal the config adds later
    if made:
        check_tracker_tab(ctx)
    return sheet


def _share(ctx: JobContext, sheet: ResponseSheet) -> None:
    """Readers: the principal(s); repeated in the day's first pass (a crash between making and sharing)."""
    if ctx.dry_run or not sheet.exists:
        return
    leaders = school_leaders(ctx.config)
    if not leaders:
        ctx.skipped(responses_key(ctx.config), "no ILT member has role \"principal\": the thinking-map answers "
                                               "are kept for the bot only; set the principal's role in the config")
        return
    ctx.workspace.share(sheet.id, leaders, "reader")


def rows(ctx: JobContext) -> list[list[str]]:
    """Every thinking-map answer row of the year (none when the sheet is trashed)."""
    sheet = responses_sheet(ctx)
    return sheet.rows() if sheet is not None else []


def _missing_tab(exc: Exception) -> bool:
    """Whether reading a tab failed because the spreadsheet has no such tab (Sheets answers 400)."""
    return isinstance(exc, KeyError) or getattr(exc, "status", None) == 400


def check_tracker_tab(ctx: JobContext) -> int:
    """An earlier version's "Thinking map" tab in the tracker: copy its rows here, report it (once per
    pass; called when the sheet is made and in the day's first pass). Returns the rows found there."""
    if ctx.tm_legacy_rows is not None:
        return ctx.tm_legacy_rows
    ctx.tm_legacy_rows = 0
    tracker = ctx.tracker
    if tracker is None or not tracker.exists:
        return 0
    try:
        old = ctx.workspace.read_rows(tracker.id, THINKING_MAP)
    except Exception as exc:  # only "no such tab" is expected; anything else is raised
        if _missing_tab(exc):
            return 0
        raise
    old = [[str(v) for v in row] for row in old if any(str(v).strip() for v in row)]
    ctx.tm_legacy_rows = len(old)
    if not old:
        return 0  # an empty tab shows nothing to anyone
    sheet = responses_sheet(ctx)
    copied = sheet.append_once(old) if sheet is not None else 0
    where = f"copied to the principal-only sheet {responses_key(ctx.config)}" if sheet is not None else \
        "not copied (the principal-only responses sheet is in the trash)"
    ctx.skipped(tracker_key(ctx.config),
                f"its \"{THINKING_MAP}\" tab (made by an earlier version of the bot) holds {len(old)} rows of "
                f"teachers' thinking-map answers that every ILT member can read. The bot no longer writes there; "
                f"the rows are {where}{f' ({copied} new)' if copied else ''}. Please delete that tab from the "
                "tracker (the bot does not delete people's data).")
    return len(old)


__all__ = ["ResponseSheet", "TABS", "check_tracker_tab", "responses_key", "responses_sheet", "rows"]
