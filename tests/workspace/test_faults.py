"""Each fault kind at a 20% rate (429, 500, 503, dropped connection, commit-then-fail): a run still
converges, with no duplicate artifacts, permissions, e-mails or rows, and no lost rows."""

from __future__ import annotations

from collections import Counter

import pytest

from ilt_bot.sandbox.core import ADMIN
from ilt_bot.sandbox.drive.models import sent_emails
from ilt_bot.sandbox.identity import sandbox_credentials
from ilt_bot.workspace.api import FormQuestion, FormSpec
from ilt_bot.workspace.clients import build_services
from ilt_bot.workspace.embedded import seed_root_folder
from ilt_bot.workspace.gateway import Gateway
from ilt_bot.workspace.retry import RetryPolicy
from ilt_bot.workspace.transport import sandbox_http

BOT = "ilt-bot@cedar.example.org"
ROOT = "0RootFolderForTheIltBotCedar01"
PEOPLE = [f"teacher{i}@cedar.example.org" for i in range(6)]
SPEC = FormSpec("Thinking map K-2 c2", "Reflect on the cycle.",
                tuple(FormQuestion(f"q{i}", f"Question {i}?") for i in range(5)))


def make_gateway(sandbox, user=BOT) -> Gateway:
    services = build_services(sandbox_credentials(user), lambda: sandbox_http(sandbox.url))
    return Gateway(services, user=user, domain="cedar.example.org", policy=RetryPolicy(sleep=lambda s: None,
                                                                                      max_attempts=10))


def workload(gw: Gateway) -> dict:
    folder = gw.ensure_folder("cedar/folder/feedback", "Feedback", ROOT)
    doc = gw.ensure_doc_from_html("cedar/agenda/2026-09-15", "Agenda", "<h1>Agenda</h1>", folder.file.id)
    form = gw.ensure_form("cedar/thinking-map/k2/c2", SPEC, folder.file.id)
    sheet = gw.ensure_spreadsheet("cedar/tracker/2026-27", "Tracker", ROOT,
                                  {"Feedback": ["id", "text"], "Runs": ["id", "what"]})
    gw.share(doc.file.id, PEOPLE, "writer", notify=True, message="Please add items")
    gw.share(form.file.id, PEOPLE, "reader", published_view=True)
    for start in range(0, 100, 20):  # overlapping chunks, as successive ticks would send
        rows = [[f"r{i:03d}", f"text {i}"] for i in range(max(0, start - 5), start + 20)]
        gw.append_rows_once(sheet.file.id, "Feedback", rows)
    gw.upsert_rows(sheet.file.id, "Runs", [["run1", "created agenda"], ["run2", "shared"]])
    gw.upsert_rows(sheet.file.id, "Runs", [["run2", "shared with 6"], ["run3", "synced"]])
    gw.list_responses(form.file.id)
    return {"folder": folder, "doc": doc, "form": form, "sheet": sheet}


@pytest.mark.parametrize(
    ("kind", "seed"),
    # commit-then-fail with seeds that hit every kind of write: files.create and update, forms.create,
    # forms.batchUpdate, the permissions batch, spreadsheets.batchUpdate, values.append and batchUpdate
    [("429", 7), ("500", 7), ("503", 7), ("reset", 7), ("commit", 2), ("commit", 5), ("commit", 9)],
)
def test_run_converges_without_duplicates_under_faults(sandbox, kind, seed):
    seed_root_folder(sandbox.store, ROOT, BOT)
    gw = make_gateway(sandbox)
    sandbox.set_faults(0.2, kinds=[kind], seed=seed)
    made = workload(gw)
    workload(gw)  # a second run under faults changes nothing
    sandbox.set_faults(0.0)
    faults = [e for e in sandbox.requests if e.get("fault")]
    assert len(faults) >= 5, "the faults were injected"

    admin = make_gateway(sandbox, ADMIN)
    for ensured in made.values():
        assert len(admin.drive.find_items(ensured.file.key)) == 1, ensured.file.key
    assert len(admin.drive.list_files(f"name = '{SPEC.title}'", what="t")) == 1  # no orphan Form copies

    form = admin.forms.get(made["form"].file.id)
    assert [i["title"] for i in form["items"]] == [q.title for q in SPEC.questions]
    assert form["publishSettings"]["publishState"]["isPublished"] is True

    perms = admin.drive.list_permissions(made["doc"].file.id)
    assert sorted(p["emailAddress"] for p in perms if p["role"] == "writer") == PEOPLE
    views = admin.drive.list_permissions(made["form"].file.id)
    assert sorted(p["emailAddress"] for p in views if p.get("view") == "published") == PEOPLE
    assert Counter(e["to"] for e in sent_emails(sandbox.store)) == Counter(PEOPLE)  # one e-mail each

    rows = admin.read_rows(made["sheet"].file.id, "Feedback")
    assert [r[0] for r in rows] == [f"r{i:03d}" for i in range(100)]  # none lost, none twice, in order
    assert admin.read_rows(made["sheet"].file.id, "Runs") == [["run1", "created agenda"], ["run2", "shared with 6"],
                                                              ["run3", "synced"]]
