"""gspread 6's Drive calls (create, open by title, list, copy, export, share, delete) on the sandbox."""

from __future__ import annotations

import gspread
import pytest
from gspread.utils import ExportFormat

ANA = "ana@cedar.example.org"
BEN = "ben@cedar.example.org"


def test_gspread_drive_round_trip(sandbox, gspread_client):
    gc = gspread_client(sandbox, ANA)
    sh = gc.create("Tracker 2026-27")
    assert gc.open("Tracker 2026-27").id == sh.id
    assert [f["name"] for f in gc.list_spreadsheet_files()] == ["Tracker 2026-27"]
    sh.sheet1.update([["a1", "B2"]], "A1:B1")
    assert gc.export(sh.id, ExportFormat.CSV) == b"a1,B2"
    copy = gc.copy(sh.id)
    assert copy.title == "Copy of Tracker 2026-27"
    gc.del_spreadsheet(copy.id)
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open("Copy of Tracker 2026-27")
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gspread_client(sandbox, BEN).open("Tracker 2026-27")


def test_gspread_share_and_list_permissions(sandbox, gspread_client):
    gc = gspread_client(sandbox, ANA)
    sh = gc.create("Tracker")
    sh.share(BEN, perm_type="user", role="writer", notify=False)
    assert {(p["emailAddress"], p["role"]) for p in sh.list_permissions()} == {(ANA, "owner"), (BEN, "writer")}
    assert gspread_client(sandbox, BEN).open_by_key(sh.id).title == "Tracker"


def test_gspread_pending_ownership_transfer(sandbox, gspread_client):
    from ilt_bot.sandbox.drive import role_of

    ana = gspread_client(sandbox, ANA)
    sh = ana.create("Handover")
    sh.share(BEN, perm_type="user", role="writer", notify=False)
    ben_perm = next(p for p in sh.list_permissions() if p["emailAddress"] == BEN)
    sh.transfer_ownership(ben_perm["id"])
    assert next(p for p in sh.list_permissions() if p["id"] == ben_perm["id"])["pendingOwner"] is True
    assert role_of(sandbox.store, BEN, sh.id) == "writer"
    gspread_client(sandbox, BEN).open_by_key(sh.id).accept_ownership(ben_perm["id"])
    assert role_of(sandbox.store, BEN, sh.id) == "owner"
    assert role_of(sandbox.store, ANA, sh.id) == "writer"
