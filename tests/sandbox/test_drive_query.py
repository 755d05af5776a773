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
