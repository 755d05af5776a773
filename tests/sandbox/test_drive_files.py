"""Drive v3 files through the real google-api-python-client on the sandbox."""

from __future__ import annotations

import io
import json

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaInMemoryUpload, MediaIoBaseUpload

ANA = "ana.ruiz@cedar.example.org"
BEN = "ben@cedar.example.org"
FOLDER = "application/vnd.google-apps.folder"
DOC = "application/vnd.google-apps.document"
SHEET = "application/vnd.google-apps.spreadsheet"


@pytest.fixture
def drive(sandbox, build_service):
    return build_service(sandbox, "drive", "v3", ANA)


def error_of(exc: HttpError) -> dict:
    return json.loads(exc.content)["error"]


def test_create_answers_default_fields_and_lands_in_my_drive_root(drive):
    created = drive.files().create(body={"name": "Agendas", "mimeType": FOLDER}).execute()
    assert created == {"kind": "drive#file", "id": created["id"], "name": "Agendas", "mimeType": FOLDER}
    root = drive.files().get(fileId="root", fields="id,name").execute()
    assert root["name"] == "My Drive"
    full = drive.files().get(fileId=created["id"], fields="*").execute()
    assert full["parents"] == [root["id"]]
    assert full["webViewLink"] == f"https://drive.google.com/drive/folders/{created['id']}"
    assert full["owners"][0]["emailAddress"] == ANA and full["owners"][0]["me"] is True
    assert full["ownedByMe"] is True and full["version"].isdigit()
    assert full["capabilities"]["canAddChildren"] is True
    listed = drive.files().list(q="'root' in parents and trashed = false").execute()
    assert listed == {"kind": "drive#fileList", "incompleteSearch": False, "files": [created]}


def test_multipart_html_upload_becomes_a_doc(drive):
    folder = drive.files().create(body={"name": "Agendas", "mimeType": FOLDER}).execute()
    media = MediaInMemoryUpload(b"<h1>Agenda</h1><p>Norms</p>", mimetype="text/html")
    doc = drive.files().create(
        body={"name": "Agenda 9/15", "mimeType": DOC, "parents": [folder["id"]],
              "appProperties": {"iltbot_key": "cedar/agenda/2026-09-15"}},
        media_body=media, fields="id,mimeType,parents,appProperties,webViewLink",
    ).execute()
    assert doc["mimeType"] == DOC and doc["parents"] == [folder["id"]]
    assert doc["webViewLink"].startswith(f"https://docs.google.com/document/d/{doc['id']}/edit")
    text = drive.files().export(fileId=doc["id"], mimeType="text/plain").execute()
    assert b"Agenda" in text and b"Norms" in text
    with pytest.raises(HttpError) as caught:
        drive.files().get_media(fileId=doc["id"]).execute()
    assert caught.value.resp.status == 403
    assert caught.value.error_details[0]["reason"] == "fileNotDownloadable"


def test_resumable_and_simple_uploads_keep_bytes(drive):
    data = bytes(range(256)) * 1500  # 384 000 bytes: two resumable chunks
    media = MediaIoBaseUpload(io.BytesIO(data), mimetype="application/octet-stream", resumable=True,
                              chunksize=256 * 1024)
    blob = drive.files().create(body={"name": "data.bin"}, media_body=media, fields="id,size,md5Checksum").execute()
    assert blob["size"] == str(len(data))
    assert drive.files().get_media(fileId=blob["id"]).execute() == data
    simple = drive.files().create(media_body=MediaInMemoryUpload(b"hi", mimetype="text/plain")).execute()
    assert simple["name"] == "Untitled" and simple["mimeType"] == "text/plain"
    updated = drive.files().update(fileId=simple["id"], media_body=MediaInMemoryUpload(b"bye", mimetype="text/plain"),
                                   fields="size,version").execute()
    assert updated["size"] == "3"
    assert drive.files().get_media(fileId=simple["id"]).execute() == b"bye"


def test_update_merges_app_properties_and_null_deletes(drive):
    f = drive.files().create(body={"name": "x", "appProperties": {"a": "1", "b": "2"}}).execute()
    out = drive.files().update(fileId=f["id"], body={"appProperties": {"b": None, "c": "3"}, "name": "y",
                                                     "description": "d"},
                               fields="name,description,appProperties").execute()
    assert out == {"name": "y", "description": "d", "appProperties": {"a": "1", "c": "3"}}


def test_app_property_limits_are_refused(drive):
    with pytest.raises(HttpError) as caught:
        drive.files().create(body={"name": "x", "appProperties": {"k": "v" * 124}}).execute()
    assert caught.value.resp.status == 400
    many = {f"k{i}": "v" for i in range(31)}
    with pytest.raises(HttpError) as caught:
        drive.files().create(body={"name": "x", "properties": many}).execute()
    assert caught.value.resp.status == 400
    assert drive.files().list().execute()["files"] == []  # nothing half-created


def test_query_language(drive):
    folder = drive.files().create(body={"name": "Team O'Neil \\ notes", "mimeType": FOLDER}).execute()
    drive.files().create(body={"name": "Reflection Fall", "parents": [folder["id"]],
                                   "appProperties": {"iltbot_key": "cedar/reflection/fall-2026"}}).execute()
    b = drive.files().create(body={"name": "Reflection Spring", "mimeType": SHEET,
                                   "properties": {"team": "k2"}}).execute()
    drive.files().update(fileId=b["id"], body={"trashed": True}).execute()

    def names(q, **kw):
        return sorted(f["name"] for f in drive.files().list(q=q, **kw).execute()["files"])

    assert names("name = 'Team O\\'Neil \\\\ notes'") == ["Team O'Neil \\ notes"]
    assert names("name contains 'reflect'") == ["Reflection Fall", "Reflection Spring"]
    assert names("name contains 'flect'") == []
    assert names("name contains 'reflect' and trashed = false") == ["Reflection Fall"]
    assert names(f"'{folder['id']}' in parents") == ["Reflection Fall"]
    assert names("appProperties has { key='iltbot_key' and value='cedar/reflection/fall-2026' }") == [
        "Reflection Fall"]
    assert names("properties has { key='team' and value='k2' }") == ["Reflection Spring"]
    assert names(f"mimeType != '{FOLDER}' and not mimeType = '{SHEET}'") == ["Reflection Fall"]
    assert names(f"(mimeType = '{FOLDER}' or name = 'Reflection Spring') and trashed = true") == [
        "Reflection Spring"]
    assert names(f"'{ANA}' in owners and modifiedTime > '2000-01-01T00:00:00'") == [
        "Reflection Fall", "Reflection Spring", "Team O'Neil \\ notes"]
    assert names("'me' in owners and name contains 'reflection'") == ["Reflection Fall", "Reflection Spring"]
    assert names("modifiedTime < '2000-01-01T00:00:00Z'") == []
    assert names("sharedWithMe = true") == []
    for bad in ("name = ", "name ~ 'x'", "title = 'x'", "name = 'unterminated", "(name = 'x'", "trashed = maybe"):
        with pytest.raises(HttpError) as caught:
            drive.files().list(q=bad).execute()
        assert caught.value.resp.status == 400
        assert error_of(caught.value) == {"code": 400, "message": "Invalid Value", "errors": [
            {"message": "Invalid Value", "domain": "global", "reason": "invalid", "locationType": "parameter",
             "location": "q"}]}


def test_list_pages_and_orders(drive):
    for i in range(7):
        drive.files().create(body={"name": f"file {i:02d}"}).execute()
    first = drive.files().list(pageSize=3, orderBy="name").execute()
    assert [f["name"] for f in first["files"]] == ["file 00", "file 01", "file 02"]
    seen = [f["name"] for f in first["files"]]
    token = first["nextPageToken"]
    while token:
        page = drive.files().list(pageSize=3, orderBy="name", pageToken=token).execute()
        seen += [f["name"] for f in page["files"]]
        token = page.get("nextPageToken")
    assert seen == [f"file {i:02d}" for i in range(7)]
    desc = drive.files().list(orderBy="name desc", fields="files(name)").execute()
    assert desc["files"][0]["name"] == "file 06"
    with pytest.raises(HttpError) as caught:
        drive.files().list(pageSize=1001).execute()
    assert caught.value.resp.status == 400
    with pytest.raises(HttpError) as caught:
        drive.files().list(orderBy="size").execute()
    assert caught.value.resp.status == 400


def test_move_with_add_and_remove_parents(drive):
    a = drive.files().create(body={"name": "A", "mimeType": FOLDER}).execute()
    b = drive.files().create(body={"name": "B", "mimeType": FOLDER}).execute()
    f = drive.files().create(body={"name": "f", "parents": [a["id"]]}).execute()
    with pytest.raises(HttpError) as caught:
        drive.files().update(fileId=f["id"], addParents=b["id"]).execute()
    assert caught.value.resp.status == 403
    assert caught.value.error_details[0]["reason"] == "cannotAddParent"
    moved = drive.files().update(fileId=f["id"], addParents=b["id"], removeParents=a["id"],
                                 fields="parents").execute()
    assert moved == {"parents": [b["id"]]}
    with pytest.raises(HttpError) as caught:
        drive.files().update(fileId=f["id"], body={"parents": [a["id"]]}).execute()
    assert caught.value.error_details[0]["reason"] == "fieldNotWritable"
    with pytest.raises(HttpError) as caught:
        drive.files().update(fileId=a["id"], addParents=a["id"], removeParents="root").execute()
    assert caught.value.resp.status == 400


def test_trash_folder_trashes_content_and_empty_trash_deletes(drive):
    folder = drive.files().create(body={"name": "Old", "mimeType": FOLDER}).execute()
    inner = drive.files().create(body={"name": "inner", "parents": [folder["id"]]}).execute()
    drive.files().update(fileId=folder["id"], body={"trashed": True}).execute()
    got = drive.files().get(fileId=inner["id"], fields="trashed,explicitlyTrashed").execute()
    assert got == {"trashed": True, "explicitlyTrashed": False}
    assert len(drive.files().list().execute()["files"]) == 2  # trashed files are listed unless filtered
    drive.files().emptyTrash().execute()
    for fid in (folder["id"], inner["id"]):
        with pytest.raises(HttpError) as caught:
            drive.files().get(fileId=fid).execute()
        assert caught.value.resp.status == 404


def test_copy_uses_the_content_hook_and_delete_is_permanent(drive):
    doc = drive.files().create(body={"name": "Template", "mimeType": DOC, "appProperties": {"k": "v"}},
                               media_body=MediaInMemoryUpload(b"<p>Hello copy</p>", mimetype="text/html")).execute()
    copy = drive.files().copy(fileId=doc["id"], body={}, fields="id,name,appProperties").execute()
    assert copy["name"] == "Copy of Template" and copy["appProperties"] == {"k": "v"}
    assert b"Hello copy" in drive.files().export(fileId=copy["id"], mimeType="text/plain").execute()
    named = drive.files().copy(fileId=doc["id"], body={"name": "Mine"}).execute()
    assert named["name"] == "Mine"
    assert drive.files().delete(fileId=doc["id"]).execute() == ""
    with pytest.raises(HttpError) as caught:
        drive.files().get(fileId=doc["id"]).execute()
    assert caught.value.resp.status == 404
    assert error_of(caught.value)["message"] == f"File not found: {doc['id']}."


def test_export_refuses_unsupported_and_binary_files(drive):
    doc = drive.files().create(body={"name": "D", "mimeType": DOC}).execute()
    with pytest.raises(HttpError) as caught:
        drive.files().export(fileId=doc["id"], mimeType="image/gif").execute()
    assert caught.value.resp.status == 400
    blob = drive.files().create(body={"name": "b.txt"}, media_body=MediaInMemoryUpload(b"x", mimetype="text/plain")
                                ).execute()
    with pytest.raises(HttpError) as caught:
        drive.files().export(fileId=blob["id"], mimeType="text/plain").execute()
    assert caught.value.resp.status == 403


def test_generate_ids_about_and_comments(drive):
    ids = drive.files().generateIds(count=2).execute()
    assert ids["kind"] == "drive#generatedIds" and len(ids["ids"]) == 2
    made = drive.files().create(body={"id": ids["ids"][0], "name": "pre-id"}).execute()
    assert made["id"] == ids["ids"][0]
    with pytest.raises(HttpError) as caught:
        drive.files().create(body={"id": ids["ids"][0], "name": "again"}).execute()
    assert caught.value.resp.status == 409
    with pytest.raises(HttpError) as caught:
        drive.files().create(body={"id": "madeUpId1234567890123456789012345", "name": "x"}).execute()
    assert caught.value.resp.status == 400
    about = drive.about().get(fields="user,storageQuota").execute()
    assert about["user"]["emailAddress"] == ANA and about["user"]["me"] is True
    assert set(about["storageQuota"]) >= {"limit", "usage"}
    with pytest.raises(HttpError) as caught:
        drive.about().get().execute()
    assert caught.value.resp.status == 400
    assert drive.comments().list(fileId=made["id"], fields="comments").execute() == {"comments": []}


def test_unknown_file_is_404_with_google_body(drive):
    with pytest.raises(HttpError) as caught:
        drive.files().get(fileId="nope").execute()
    assert caught.value.resp.status == 404
    assert error_of(caught.value)["errors"] == [{"message": "File not found: nope.", "domain": "global",
                                                 "reason": "notFound", "locationType": "parameter",
                                                 "location": "fileId"}]


def test_export_limits_through_a_content_kind(drive, monkeypatch):
    from ilt_bot.sandbox.core import CONTENT_KINDS, ContentKind

    drawing = "application/vnd.google-apps.drawing"
    sizes = {"image/png": 10 * 1024 * 1024 + 1, "image/svg+xml": 10}
    kind = ContentKind(mime_type=drawing, create_empty=lambda store, fid, title: None,
                       export=lambda store, fid, mime: b"x" * sizes[mime], export_formats=tuple(sizes))
    monkeypatch.setitem(CONTENT_KINDS, drawing, kind)
    f = drive.files().create(body={"name": "Map", "mimeType": drawing}).execute()
    assert drive.files().export(fileId=f["id"], mimeType="image/svg+xml").execute() == b"x" * 10
    with pytest.raises(HttpError) as caught:
        drive.files().export(fileId=f["id"], mimeType="image/png").execute()
    assert caught.value.resp.status == 403
    assert caught.value.error_details[0]["reason"] == "exportSizeLimitExceeded"
    with pytest.raises(HttpError) as caught:
        drive.files().export(fileId=f["id"], mimeType="application/pdf").execute()
    assert caught.value.resp.status == 400
