"""What a new tick process pays to find its files: several keys in one lookup, a Form's question map and
link from that lookup, polled Forms read in one batch, an agenda Doc read only when it changed.

Drive's search language combines query terms with ``or`` (Drive v3, "Search for files and folders");
``X-HTTP-Method-Override`` is avoided by keeping each ``q`` short (see ``DriveOps.find_many``); Drive and
the other APIs answer HTTP batches at their ``batchPath`` (the discovery documents).
"""

from __future__ import annotations

from types import SimpleNamespace

from ilt_bot.demo.people import People
from ilt_bot.jobs.lookups import READ_PROPERTY, changed_since_read, mark_read
from ilt_bot.sandbox.identity import sandbox_credentials
from ilt_bot.workspace.api import FormQuestion, FormSpec
from ilt_bot.workspace.clients import build_services
from ilt_bot.workspace.drive import key_chunks
from ilt_bot.workspace.embedded import seed_root_folder
from ilt_bot.workspace.gateway import LINK_PROPERTY, Gateway
from ilt_bot.workspace.retry import RetryPolicy
from ilt_bot.workspace.transport import sandbox_http

BOT = "ilt-bot@cedar.example.org"
MEMBER = "ana.ruiz@cedar.example.org"
ROOT = "0RootFolderForTheIltBotCedar01"
SPEC = FormSpec(title="Feedback", description="", collect_emails=True,
                questions=(FormQuestion("plus", "Plus:", kind="paragraph"),
                           FormQuestion("delta", "Delta:", kind="paragraph")))


def new_gateway(sandbox) -> Gateway:
    """A gateway as a new process has one: nothing remembered."""
    def http():
        return sandbox_http(sandbox.url)

    services = build_services(sandbox_credentials(BOT), http)
    gateway = Gateway(services, user=BOT, domain="cedar.example.org", policy=RetryPolicy(sleep=lambda s: None))
    gateway.new_services = lambda: build_services(sandbox_credentials(BOT), http)
    return gateway


def methods(sandbox, mark: int) -> list[str]:
    return [e["method"] for e in sandbox.requests[mark:] if e["user"] == BOT]


def test_several_keys_are_found_with_one_request_as_find_finds_them(sandbox):
    seed_root_folder(sandbox.store, ROOT, BOT)
    maker = new_gateway(sandbox)
    keys = [f"cedar/folder/k{n:02d}-{'x' * 40}" for n in range(30)]
    made = {k: maker.ensure_folder(k, k[-6:], ROOT).file.id for k in keys[:20]}
    maker.drive.update(made[keys[3]], body={"trashed": True}, what="a person trashes one")
    fresh = new_gateway(sandbox)
    mark = len(sandbox.requests)
    found = fresh.find_many(keys)
    sent = methods(sandbox, mark)
    assert len(sent) == len(key_chunks(keys)) > 1 and set(sent) == {"drive.files.list"}
    assert all(e.get("batch") for e in sandbox.requests[mark:])  # the queries went in one HTTP batch
    assert sum(fresh.calls.values()) == 1
    assert {k: (r.id if r else None) for k, r in found.items()} == {k: made.get(k) for k in keys}
    assert found[keys[3]].trashed and not found[keys[4]].trashed
    assert all(fresh.find(k) == found[k] for k in keys[:6])


def test_a_form_found_by_key_is_read_without_reading_its_question_map_or_link(sandbox):
    """The question map and the responder link travel in the Form's appProperties (written with
    ``iltbot_state=ready``), so a new process reads answers with one request per Form, or one batch."""
    seed_root_folder(sandbox.store, ROOT, BOT)
    maker = new_gateway(sandbox)
    forms = [maker.ensure_form(f"cedar/feedback/{n}", SPEC, ROOT).file for n in (1, 2)]
    assert forms[0].app_properties[LINK_PROPERTY].startswith(sandbox.url)
    maker.share(forms[0].id, [MEMBER], "reader", published_view=True)
    People(sandbox.url).answer_form(forms[0].app_properties[LINK_PROPERTY], MEMBER,
                                    {"Plus:": "Clear roles", "Delta:": "Send data early"})
    fresh = new_gateway(sandbox)
    fresh.find_many([f"cedar/feedback/{n}" for n in (1, 2)])
    mark = len(sandbox.requests)
    fresh.read_responses_ahead([f.id for f in forms])
    answers = [fresh.list_responses(f.id) for f in forms]
    assert fresh.form_responder_uri(forms[0].id) == forms[0].app_properties[LINK_PROPERTY]
    assert methods(sandbox, mark) == ["forms.forms.responses.list"] * 2  # two parts of one batch, nothing else
    assert all(e.get("batch") for e in sandbox.requests[mark:] if e["user"] == BOT)
    assert [(a.answers["plus"], a.answers["delta"]) for a in answers[0]] == [(["Clear roles"], ["Send data early"])]
    assert answers[1] == []
    later = len(sandbox.requests)
    fresh.list_responses(forms[0].id)  # the batch's answer is used once: the next read asks again
    assert methods(sandbox, later) == ["forms.forms.responses.list"]


def test_an_agenda_doc_is_read_again_only_after_someone_edits_it(sandbox):
    seed_root_folder(sandbox.store, ROOT, BOT)
    gateway = new_gateway(sandbox)
    key = "cedar/agenda/2026-09-08"
    doc = gateway.ensure_doc_from_html(key, "Agenda", "<p>Agenda</p><table><tr><td>What</td></tr></table>",
                                       ROOT).file
    gateway.share(doc.id, [MEMBER], "writer")
    ctx = SimpleNamespace(workspace=gateway, dry_run=False, now=None, config=None)

    def looked_up():
        return new_gateway(sandbox).find_many([key])[key]

    first = looked_up()
    assert first.modified_time and READ_PROPERTY not in first.app_properties
    mark_read(ctx, first)
    unchanged = looked_up()
    assert unchanged.app_properties[READ_PROPERTY] == unchanged.modified_time  # recording it changed nothing
    mark = len(sandbox.requests)
    mark_read(ctx, unchanged)
    assert methods(sandbox, mark) == []  # already recorded: no write
    People(sandbox.url).add_table_row(doc.id, MEMBER, "What", ["Send the data early"])
    edited = looked_up()
    assert edited.modified_time != unchanged.modified_time
    assert edited.app_properties[READ_PROPERTY] != edited.modified_time  # so the harvest reads it again


def test_changed_since_read_reads_unknown_or_edited_docs_and_every_doc_in_the_first_pass():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from ilt_bot.workspace.api import FileRef

    schedule = SimpleNamespace(start=datetime(2026, 9, 8, 6, 0).time(), every_minutes=30)
    tz = ZoneInfo("America/Denver")
    config = SimpleNamespace(schedule=schedule, tz=tz)
    later = SimpleNamespace(config=config, now=datetime(2026, 9, 8, 12, 0, tzinfo=tz))
    first = SimpleNamespace(config=config, now=datetime(2026, 9, 8, 6, 0, tzinfo=tz))
    read = FileRef(id="d", name="", mime_type="", modified_time="2026-09-08T10:00:00Z",
                   app_properties={READ_PROPERTY: "2026-09-08T10:00:00Z"})
    edited = FileRef(id="d", name="", mime_type="", modified_time="2026-09-08T11:00:00Z",
                     app_properties={READ_PROPERTY: "2026-09-08T10:00:00Z"})
    unknown = FileRef(id="d", name="", mime_type="")
    assert not changed_since_read(later, read)
    assert changed_since_read(later, edited) and changed_since_read(later, unknown) and changed_since_read(later, None)
    assert changed_since_read(first, read)  # the day's first pass reads it anyway (rows a person deleted)
