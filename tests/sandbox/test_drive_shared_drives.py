"""Shared drives through the real client: membership, supportsAllDrives 404s, list scoping."""

from __future__ import annotations

import uuid

import pytest
from googleapiclient.errors import HttpError

from ilt_bot.sandbox.drive import role_of

ANA = "ana@cedar.example.org"
BEN = "ben@cedar.example.org"
CARA = "cara@cedar.example.org"
FOLDER = "application/vnd.google-apps.folder"
DOC = "application/vnd.google-apps.document"


@pytest.fixture
def ana(sandbox, build_service):
    return build_service(sandbox, "drive", "v3", ANA)


@pytest.fixture
def ben(sandbox, build_service):
    return build_service(sandbox, "drive", "v3", BEN)


def status(call) -> int:
    with pytest.raises(HttpError) as caught:
        call.execute()
    return caught.value.resp.status


def test_drive_create_get_list_and_request_id(ana, ben):
    request_id = str(uuid.uuid4())
    drive = ana.drives().create(requestId=request_id, body={"name": "Cedar ILT"}).execute()
    assert drive == {"kind": "drive#drive", "id": drive["id"], "name": "Cedar ILT"}
    assert status(ana.drives().create(requestId=request_id, body={"name": "Cedar ILT"})) == 409
    assert [d["name"] for d in ana.drives().list().execute()["drives"]] == ["Cedar ILT"]
    assert ana.drives().get(driveId=drive["id"], fields="name,capabilities/canManageMembers").execute() == {
        "name": "Cedar ILT", "capabilities": {"canManageMembers": True}}
    assert status(ben.drives().get(driveId=drive["id"])) == 404
    assert ben.drives().list().execute()["drives"] == []
    assert ana.drives().hide(driveId=drive["id"]).execute()["id"] == drive["id"]
    assert ana.drives().get(driveId=drive["id"], fields="hidden").execute() == {"hidden": True}
    ana.drives().update(driveId=drive["id"], body={"name": "ILT 2026-27"}).execute()
    assert ana.drives().unhide(driveId=drive["id"], fields="name,hidden").execute() == {
        "name": "ILT 2026-27", "hidden": False}
    ana.drives().delete(driveId=drive["id"]).execute()
    assert status(ana.drives().get(driveId=drive["id"])) == 404


def test_items_need_supports_all_drives_and_belong_to_the_drive(sandbox, ana, ben):
    drive = ana.drives().create(requestId="r1", body={"name": "ILT"}).execute()
    assert status(ana.files().create(body={"name": "x", "parents": [drive["id"]]})) == 404
    doc = ana.files().create(body={"name": "Agenda", "mimeType": DOC, "parents": [drive["id"]]},
                             supportsAllDrives=True, fields="id,driveId,parents,owners,ownedByMe").execute()
    assert doc["driveId"] == drive["id"] and doc["parents"] == [drive["id"]]
    assert "owners" not in doc and doc["ownedByMe"] is False
    with pytest.raises(HttpError) as caught:
        ana.files().get(fileId=doc["id"]).execute()
    assert caught.value.resp.status == 404
    assert caught.value.error_details[0]["message"] == f"File not found: {doc['id']}."
    assert ana.files().get(fileId=doc["id"], supportsAllDrives=True).execute()["name"] == "Agenda"

    # list: omitted without includeItemsFromAllDrives, scoped with corpora=drive
    assert ana.files().list().execute()["files"] == []
    everywhere = ana.files().list(supportsAllDrives=True, includeItemsFromAllDrives=True).execute()
    assert everywhere["files"] == [{"kind": "drive#file", "id": doc["id"], "name": "Agenda", "mimeType": DOC,
                                    "teamDriveId": drive["id"], "driveId": drive["id"]}]
    scoped = ana.files().list(supportsAllDrives=True, includeItemsFromAllDrives=True, corpora="drive",
                              driveId=drive["id"], q=f"'{drive['id']}' in parents").execute()
    assert [f["id"] for f in scoped["files"]] == [doc["id"]]
    assert status(ana.files().list(corpora="drive", supportsAllDrives=True, includeItemsFromAllDrives=True)) == 400
    assert status(ana.files().list(driveId=drive["id"], supportsAllDrives=True,
                                   includeItemsFromAllDrives=True)) == 400

    # membership is the drive's permissions
    assert status(ben.files().get(fileId=doc["id"], supportsAllDrives=True)) == 404
    assert status(ben.files().list(corpora="drive", driveId=drive["id"], supportsAllDrives=True,
                                   includeItemsFromAllDrives=True)) == 404
    assert status(ana.permissions().create(fileId=drive["id"], body={"type": "user", "role": "writer",
                                                                     "emailAddress": BEN})) == 404
    ana.permissions().create(fileId=drive["id"], body={"type": "user", "role": "writer", "emailAddress": BEN},
                             supportsAllDrives=True).execute()
    assert role_of(sandbox.store, BEN, doc["id"]) == "writer"
    assert ben.files().get(fileId=doc["id"], supportsAllDrives=True, fields="capabilities/canEdit").execute() == {
        "capabilities": {"canEdit": True}}
    assert status(ben.files().delete(fileId=doc["id"], supportsAllDrives=True)) == 403
    members = ana.permissions().list(fileId=doc["id"], supportsAllDrives=True,
                                     fields="permissions(emailAddress,role,permissionDetails)").execute()
    assert {(p["emailAddress"], p["role"]) for p in members["permissions"]} == {(ANA, "organizer"), (BEN, "writer")}
    assert all(p["permissionDetails"][0]["inherited"] for p in members["permissions"])
    ana.files().delete(fileId=doc["id"], supportsAllDrives=True).execute()
    assert status(ana.files().get(fileId=doc["id"], supportsAllDrives=True)) == 404


def test_items_in_a_shared_drive_have_one_parent_and_move_within(ana):
    drive = ana.drives().create(requestId="r2", body={"name": "ILT"}).execute()
    folder = ana.files().create(body={"name": "Agendas", "mimeType": FOLDER, "parents": [drive["id"]]},
                                supportsAllDrives=True).execute()
    f = ana.files().create(body={"name": "f", "parents": [drive["id"]]}, supportsAllDrives=True).execute()
    moved = ana.files().update(fileId=f["id"], addParents=folder["id"], removeParents=drive["id"],
                               supportsAllDrives=True, fields="parents,driveId").execute()
    assert moved == {"parents": [folder["id"]], "driveId": drive["id"]}
    assert status(ana.files().update(fileId=f["id"], removeParents=folder["id"], supportsAllDrives=True)) == 403
