"""The Drive ``q`` language: parsing (what Google refuses) and evaluation on a plain subject."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ilt_bot.sandbox.drive.query import BoolOp, Not, QueryError, Term, evaluate, parent_ids, parse


class Subject:
    def __init__(self, **fields):
        self.fields = fields

    def text(self, field):
        return self.fields.get(field, "")

    def time(self, field):
        return self.fields.get(field)

    def flag(self, field):
        return bool(self.fields.get(field))

    def members(self, field):
        return set(self.fields.get(field, ()))

    def props(self, field):
        return self.fields.get(field, {})

    def visibility(self):
        return self.fields.get("visibility", "limited")


def test_precedence_not_and_or_and_parentheses():
    node = parse("name = 'a' or name = 'b' and not trashed = true")
    assert node == BoolOp("or", (Term("name", "=", "a"),
                                 BoolOp("and", (Term("name", "=", "b"), Not(Term("trashed", "=", True))))))
    grouped = parse("(name = 'a' or name = 'b') and trashed = false")
    assert isinstance(grouped, BoolOp) and grouped.op == "and"
    assert parse("  ") is None


def test_strings_escapes_and_double_quotes():
    assert parse(r"name = 'O\'Neil \\ x'") == Term("name", "=", "O'Neil \\ x")
    assert parse('mimeType="application/vnd.google-apps.spreadsheet"') == Term(
        "mimeType", "=", "application/vnd.google-apps.spreadsheet")


@pytest.mark.parametrize("bad", [
    "name", "name =", "name = x", "name > 'a'", "fullText = 'a'", "trashed = 'true'", "modifiedTime > 'yesterday'",
    "'x' in name", "appProperties has { key='k' }", "name = 'a' and", "name = 'a')", r"name = 'bad \q escape'",
    "id = 'abc'", "name = 'a' xor name = 'b'",
])
def test_refused_queries(bad):
    with pytest.raises(QueryError):
        parse(bad)


def test_evaluation():
    subject = Subject(name="Thinking Map K2", mimeType="application/vnd.google-apps.form", trashed=False,
                      parents={"F1"}, owners={"ana@x.org"}, appProperties={"iltbot_key": "cedar/tm/k2"},
                      modifiedTime=datetime(2026, 9, 15, 12, tzinfo=UTC))
    assert evaluate(parse("name contains 'think' and name contains 'K2'"), subject)
    assert not evaluate(parse("name contains 'hink'"), subject)
    assert evaluate(parse("'F1' in parents and 'ANA@x.org' in owners"), subject)
    assert evaluate(parse("appProperties has { key='iltbot_key' and value='cedar/tm/k2' }"), subject)
    assert not evaluate(parse("appProperties has { key='iltbot_key' and value='cedar/tm' }"), subject)
    assert evaluate(parse("modifiedTime > '2026-09-15T11:59:59Z' and modifiedTime <= '2026-09-15T12:00:00'"), subject)
    assert evaluate(parse("modifiedTime < '2026-09-15T08:00:00-05:00'"), subject)
    assert evaluate(parse("not trashed = true and mimeType contains 'form'"), subject)
    assert evaluate(None, subject)


def test_parent_ids_narrowing():
    assert parent_ids(parse("'F1' in parents and trashed = false")) == ["F1"]
    assert parent_ids(parse("'F1' in parents or trashed = false")) is None


def test_full_text_searches_the_content_of_docs_sheets_forms_and_text_files(sandbox, build_service):
    """Drive's ``fullText contains`` matches "the name, description, indexableText properties or text in
    the file's content" (Drive v3 search reference): a word only in a Doc's body, a Sheet's cell, a
    Form's question, an uploaded text file or ``contentHints.indexableText`` finds that file."""
    from googleapiclient.http import MediaInMemoryUpload

    user = "ana@cedar.example.org"
    drive = build_service(sandbox, "drive", "v3", user)
    doc = drive.files().create(body={"name": "Agenda", "mimeType": "application/vnd.google-apps.document"},
                               media_body=MediaInMemoryUpload(b"<p>Norms and celebrations</p>",
                                                              mimetype="text/html")).execute()
    sheet = build_service(sandbox, "sheets", "v4", user).spreadsheets().create(
        body={"properties": {"title": "Tracker"}}).execute()["spreadsheetId"]
    build_service(sandbox, "sheets", "v4", user).spreadsheets().values().update(
        spreadsheetId=sheet, range="B7", valueInputOption="RAW", body={"values": [["walkthroughs"]]}).execute()
    forms = build_service(sandbox, "forms", "v1", user).forms()
    form = forms.create(body={"info": {"title": "Feedback"}}).execute()["formId"]
    forms.batchUpdate(formId=form, body={"requests": [{"createItem": {"location": {"index": 0}, "item": {
        "title": "What energized you?", "questionItem": {"question": {"textQuestion": {}}}}}}]}).execute()
    note = drive.files().create(body={"name": "notes.txt"}, media_body=MediaInMemoryUpload(
        b"bring snacks", mimetype="text/plain")).execute()
    hinted = drive.files().create(body={"name": "Map", "contentHints": {"indexableText": "circle map"}}).execute()

    def found(word: str) -> list[str]:
        return [f["id"] for f in drive.files().list(q=f"fullText contains '{word}'").execute()["files"]]

    assert found("celebrations") == [doc["id"]]
    assert found("walkthroughs") == [sheet]
    assert found("energized") == [form]
    assert found("snacks") == [note["id"]]
    assert found("circle") == [hinted["id"]]
    assert found("Agenda") == [doc["id"]]  # the name still counts
    assert found("absent") == []
