"""An in-memory WorkspaceAPI for fast unit tests of the jobs' logic (the sandbox tests cover HTTP).

It keeps what the protocol promises (idempotent ensure by key, trashed flagged, RAW rows, responses
since a time) and counts calls by operation so tests can compare passes.
"""

from __future__ import annotations

import html
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from ilt_bot.workspace.api import STATE_PROPERTY, DocTable, Ensured, FileRef, FormAnswer, FormSpec

_ids = itertools.count(1)


@dataclass
class FakeFile:
    ref: FileRef
    parent: str
    html: str = ""
    spec: FormSpec | None = None
    accepting: bool = True
    tabs: dict[str, list[list[str]]] = field(default_factory=dict)
    charts: list[dict] = field(default_factory=list)
    tables: list[DocTable] = field(default_factory=list)
    responses: list[FormAnswer] = field(default_factory=list)
    permissions: dict[str, str] = field(default_factory=dict)


def _tables_from_html(text: str) -> list[DocTable]:
    tables = []
    for table in re.findall(r"<table>(.*?)</table>", text, re.S):
        rows = []
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
            cells = re.findall(r"<t[hd]>(.*?)</t[hd]>", row, re.S)
            rows.append([html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
        tables.append(DocTable(rows))
    return tables


class FakeWorkspace:
    calendar = None  # no Calendar: the configs run on this fake leave [calendar] off

    def __init__(self) -> None:
        self.files: dict[str, FakeFile] = {}
        self.calls: Counter[str] = Counter()
        self.notifications: list[tuple[str, str, str]] = []

    # helpers for tests (what a person does)
    def by_key(self, key: str) -> FakeFile:
        return next(f for f in self.files.values() if f.ref.key == key)

    def trash(self, key: str) -> None:
        f = self.by_key(key)
        f.ref = replace(f.ref, trashed=True)

    def respond(self, key: str, email: str, answers: dict[str, list[str]], when: datetime) -> None:
        f = self.by_key(key)
        assert f.accepting, "form is closed"
        f.responses.append(FormAnswer(f"r{next(_ids)}", when.isoformat().replace("+00:00", "Z"), email, answers))

    def _new(self, key: str, name: str, mime: str, parent: str, props: dict | None = None) -> FakeFile:
        fid = f"f{next(_ids)}"
        ref = FileRef(id=fid, name=name, mime_type=mime, key=key, web_link=f"https://fake/{fid}",
                      app_properties={"iltbot_key": key, **(props or {})})
        self.files[fid] = FakeFile(ref, parent)
        return self.files[fid]

    # WorkspaceAPI
    def find(self, key: str) -> FileRef | None:
        self.calls["find"] += 1
        for f in self.files.values():
            if f.ref.key == key:
                return f.ref
        return None

    def _ensure(self, key, name, mime, parent, props=None):
        found = self.find(key)
        if found and found.app_properties.get(STATE_PROPERTY) != "building":
            return Ensured(found, False), self.files[found.id]
        if found:
            return Ensured(found, True), self.files[found.id]  # left unfinished: finished by this call
        f = self._new(key, name, mime, parent, {**(props or {}), STATE_PROPERTY: "building"})
        return Ensured(f.ref, True), f

    def _finish(self, ensured, f, share, finish):
        """As the gateway: share with the audience, the caller's finish, then ``ready``."""
        if not ensured.created:
            return ensured
        for grant in share:
            if grant.emails:
                self.share(f.ref.id, list(grant.emails), grant.role, notify=grant.notify,
                           message=grant.message_for(f.ref) if grant.notify else None,
                           published_view=grant.published_view)
        if finish is not None:
            finish(f.ref)
        f.ref = replace(f.ref, app_properties={**f.ref.app_properties, STATE_PROPERTY: "ready"})
        return Ensured(f.ref, True)

    def ensure_folder(self, key, name, parent_id):
        self.calls["ensure_folder"] += 1
        return self._finish(*self._ensure(key, name, "folder", parent_id), (), None)

    def ensure_doc_from_html(self, key, name, html_text, folder_id, properties=None, *, share=(), finish=None,
                             private=False):
        self.calls["ensure_doc"] += 1
        ensured, f = self._ensure(key, name, "doc", folder_id, properties)
        if ensured.created and not f.html:
            f.html = html_text
            f.tables = _tables_from_html(html_text)
        return self._finish(ensured, f, share, finish)

    def ensure_form(self, key, spec, folder_id, properties=None, *, share=(), finish=None):
        self.calls["ensure_form"] += 1
        ensured, f = self._ensure(key, spec.title, "form", folder_id, properties)
        f.spec = spec
        return self._finish(ensured, f, share, finish)

    def ensure_spreadsheet(self, key, name, folder_id, tabs, *, share=(), finish=None, private=False):
        self.calls["ensure_spreadsheet"] += 1
        ensured, f = self._ensure(key, name, "sheet", folder_id)
        for tab, header in tabs.items():
            f.tabs.setdefault(tab, [list(header)])
        return self._finish(ensured, f, share, finish)

    def share(self, file_id, emails, role, *, notify=False, message=None, published_view=False):
        self.calls["share"] += 1
        f = self.files[file_id]
        added = 0
        for email in emails:
            if f.permissions.get(email) != role:
                f.permissions[email] = role
                added += 1
                if notify:
                    self.notifications.append((email, file_id, message or ""))
        return added

    def unshare(self, file_id, emails):
        return 0

    def set_form_accepting(self, form_id, accepting):
        self.calls["set_form_accepting"] += 1
        self.files[form_id].accepting = accepting

    def form_responder_uri(self, form_id):
        self.calls["form_responder_uri"] += 1
        return f"https://fake/forms/{form_id}/viewform"

    def list_responses(self, form_id, since=None):
        self.calls["list_responses"] += 1
        out = self.files[form_id].responses
        if since is not None:
            out = [r for r in out if datetime.fromisoformat(r.submitted.replace("Z", "+00:00")) > since]
        return list(out)

    def read_header(self, spreadsheet_id, tab):
        table = self.files[spreadsheet_id].tabs[tab]
        return [str(v) for v in table[0]] if table else []

    def read_rows(self, spreadsheet_id, tab):
        self.calls["read_rows"] += 1
        return [list(r) for r in self.files[spreadsheet_id].tabs[tab][1:]]

    @staticmethod
    def _check_cells(rows):
        """Google Sheets refuses the whole write when a cell holds more than 50,000 characters."""
        for row in rows:
            for value in row:
                if len(str(value)) > 50_000:
                    raise ValueError("Your input contains more than the maximum of 50000 characters in a single cell.")

    def append_rows_once(self, spreadsheet_id, tab, rows, id_column=0):
        self.calls["append_rows_once"] += 1
        self._check_cells(rows)
        table = self.files[spreadsheet_id].tabs[tab]
        known = {r[id_column] for r in table[1:] if len(r) > id_column}
        fresh = [list(r) for r in rows if r[id_column] not in known]
        table.extend(fresh)
        return len(fresh)

    def upsert_rows(self, spreadsheet_id, tab, rows, id_column=0):
        self.calls["upsert_rows"] += 1
        self._check_cells(rows)
        table = self.files[spreadsheet_id].tabs[tab]
        index = {r[id_column]: i for i, r in enumerate(table) if i and len(r) > id_column}
        for row in rows:
            if row[id_column] in index:
                table[index[row[id_column]]] = list(row)
            else:
                table.append(list(row))
        return len(rows)

    # The tracker by identity (ilt_bot.workspace.tracker_tabs): here a tab's title is its role and its
    # columns never move, so a TabData is the tab as stored.

    def read_tracker(self, spreadsheet_id, tabs):
        from ilt_bot.workspace.tracker_tabs import TabData  # imported late: test helper module

        self.calls["read_tracker"] += 1
        stored = self.files[spreadsheet_id].tabs
        return {role: TabData(role, n, role, {h: i for i, h in enumerate(stored[role][0]) if h in tabs[role]},
                              [list(r) for r in stored[role][1:]], header=list(stored[role][0]))
                for n, role in enumerate(tabs) if role in stored}

    def repair_tracker(self, spreadsheet_id, tabs, found):
        stored = self.files[spreadsheet_id].tabs
        made = [role for role in tabs if role not in stored]
        for role in made:
            stored[role] = [list(tabs[role])]
        return [f"made the {role!r} tab (it was missing)" for role in made]

    def append_tab_rows(self, spreadsheet_id, tab, header, rows):
        self.calls["append_tab_rows"] += 1
        self._check_cells(rows)
        self.files[spreadsheet_id].tabs[tab.role].extend(list(r) for r in rows)
        return len(rows)

    def update_tab_cells(self, spreadsheet_id, tab, cells):
        self.calls["update_tab_cells"] += 1
        table = self.files[spreadsheet_id].tabs[tab.role]
        for n, column, value in cells:
            row = table[n + 1]
            row.extend([""] * (column + 1 - len(row)))
            row[column] = value
        return len(cells)

    def delete_tab_rows(self, spreadsheet_id, tab, row_numbers):
        table = self.files[spreadsheet_id].tabs[tab.role]
        for n in sorted(set(row_numbers), reverse=True):
            del table[n + 1]
        return len(set(row_numbers))

    def take_lease(self, spreadsheet_id, holder, expires, now):
        return 1

    def drop_lease(self, spreadsheet_id, lease):
        return None

    def ensure_column_chart(self, spreadsheet_id, tab, title, domain_column, series_columns, *, anchor_column=None):
        self.calls["ensure_column_chart"] += 1
        f = self.files[spreadsheet_id]
        if tab not in f.tabs:
            raise ValueError(f"no tab {tab!r}")
        if any(c["title"] == title for c in f.charts):
            return False
        f.charts.append({"tab": tab, "title": title, "domain": domain_column, "series": list(series_columns)})
        return True

    def read_doc_tables(self, doc_id):
        self.calls["read_doc_tables"] += 1
        return [DocTable([list(r) for r in t.rows]) for t in self.files[doc_id].tables]

    def replace_text(self, doc_id, old, new):
        self.calls["replace_text"] += 1
        f = self.files[doc_id]
        count = f.html.count(old)
        f.html = f.html.replace(old, html.escape(new, quote=False).replace("\n", "</p><p>"))
        return count

    def export_html(self, file_id):
        self.calls["export_html"] += 1
        return self.files[file_id].html

    def move_to_folder(self, file_id, folder_id):
        self.files[file_id].parent = folder_id

