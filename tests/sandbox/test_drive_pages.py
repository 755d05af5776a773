"""The browser listing of Drive: what a signed-in person sees, and only that."""

from __future__ import annotations

import re

import requests

ANA = "ana@cedar.example.org"
BEN = "ben@cedar.example.org"
FOLDER = "application/vnd.google-apps.folder"
DOC = "application/vnd.google-apps.document"
SHEET = "application/vnd.google-apps.spreadsheet"
FORM = "application/vnd.google-apps.form"


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


def test_listed_links_open_the_items(sandbox, build_service):
    ana = build_service(sandbox, "drive", "v3", ANA)
    ana.files().create(body={"name": "Agenda", "mimeType": DOC}).execute()
    ana.files().create(body={"name": "Tracker", "mimeType": SHEET}).execute()
    ana.files().create(body={"name": "Feedback", "mimeType": FORM}).execute()
    home = page(sandbox, "/_sandbox/drive", ANA).text
    links = re.findall(r'<a href="([^"]+)">(Agenda|Tracker|Feedback)</a>', home)
    assert sorted(name for _, name in links) == ["Agenda", "Feedback", "Tracker"]
    form_link = next(href for href, name in links if name == "Feedback")
    assert re.fullmatch(r"/forms/d/e/[A-Za-z0-9_-]+/viewform", form_link)
    for href, name in links:
        opened = page(sandbox, href, ANA)
        if name == "Feedback":  # the form's own responder page: new API forms start unpublished
            assert opened.status_code == 403 and "not published" in opened.text
        else:
            assert opened.status_code == 200, href
