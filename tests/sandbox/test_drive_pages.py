"""The browser listing of Drive: what a signed-in person sees, and only that."""

from __future__ import annotations

import requests

ANA = "ana@cedar.example.org"
BEN = "ben@cedar.example.org"
FOLDER = "application/vnd.google-apps.folder"
DOC = "application/vnd.google-apps.document"
SHEET = "application/vnd.google-apps.spreadsheet"


def page(sandbox, path, user=None):
    headers = {"Authorization": f"Bearer sandbox:{user}"} if user else {}
    return requests.get(sandbox.url + path, headers=headers, timeout=10)


def test_listing_links_docs_sheets_and_folders_and_hides_others_files(sandbox, build_service):
    ana = build_service(sandbox, "drive", "v3", ANA)
    folder = ana.files().create(body={"name": "Agendas & notes", "mimeType": FOLDER}).execute()
    doc = ana.files().create(body={"name": "Agenda <9/15>", "mimeType": DOC, "parents": [folder["id"]]}).execute()
    sheet = ana.files().create(body={"name": "Tracker", "mimeType": SHEET}).execute()

    home = page(sandbox, "/_sandbox/drive", ANA)
    assert home.status_code == 200 and home.headers["Content-Type"].startswith("text/html")
    assert f'href="/_sandbox/drive/folders/{folder["id"]}"' in home.text
    assert "Agendas &amp; notes" in home.text
    assert f'href="/_sandbox/sheets/{sheet["id"]}"' in home.text
    inside = page(sandbox, f"/_sandbox/drive/folders/{folder['id']}", ANA)
    assert f'href="/_sandbox/docs/{doc["id"]}"' in inside.text and "Agenda &lt;9/15&gt;" in inside.text

    assert "Tracker" not in page(sandbox, "/_sandbox/drive", BEN).text
    assert page(sandbox, f"/_sandbox/drive/folders/{folder['id']}", BEN).status_code == 404
    ana.permissions().create(fileId=folder["id"], body={"type": "user", "role": "reader", "emailAddress": BEN}
                             ).execute()
    shared = page(sandbox, "/_sandbox/drive", BEN)
    assert "Shared with me" in shared.text and "Agendas &amp; notes" in shared.text
    assert "Agenda &lt;9/15&gt;" in page(sandbox, f"/_sandbox/drive/folders/{folder['id']}", BEN).text
    assert page(sandbox, "/_sandbox/drive").status_code == 401
