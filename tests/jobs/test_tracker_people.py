"""ILT members edit the tracker through the Sheets API as they would in the Sheets UI; the bot keeps working.

They rename, reorder and delete tabs, insert and move columns, add their own columns and notes, sort and
delete rows, type a far-future date over a bot cell. Then more responses arrive and the bot ticks: every
response is in the tracker exactly once (counted by its answer text across every tab), people's cells are
where they left them, and the next agenda quotes every answer. Behaviour followed (docs/tracker-identity.md):
sheet and column developer metadata follow renames, reorders, inserts and moves ("DeveloperMetadata" in the
Sheets v4 reference); ``sortRange`` moves values, and the id travels with its row's values.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from ilt_bot.jobs.tick import run_tick
from ilt_bot.jobs.tracker import FEEDBACK, MEETINGS, RUNS
from tests.conftest import make_service

ANA, BEN, CHLOE, DEV = (f"{n}@cedar.example.org" for n in ("ana.ruiz", "ben.okafor", "chloe.park", "dev.patel"))
TRACKER = "cedar/tracker/2026-27"
FIRST_FORM = "cedar/feedback/2026-08-25"


def local(config, *args: int) -> datetime:
    return datetime(*args, tzinfo=config.tz)


def tick(world, config, year, *when: int):
    report = run_tick(config, world.ws, local(config, *when), year=year)
    assert report.errors == []
    return report


class Member:
    """An ILT member editing the tracker through the Sheets API (what the Sheets UI sends)."""

    def __init__(self, world, email: str) -> None:
        self.sheets = make_service(world.server, "sheets", "v4", email).spreadsheets()
        self.id = world.file_id(TRACKER)

    def tabs(self) -> dict[str, dict[str, Any]]:
        answer = self.sheets.get(spreadsheetId=self.id, fields="sheets(properties(sheetId,title,index))").execute()
        return {s["properties"]["title"]: s["properties"] for s in answer["sheets"]}

    def batch(self, *requests: dict[str, Any]) -> None:
        self.sheets.batchUpdate(spreadsheetId=self.id, body={"requests": list(requests)}).execute()

    def values(self, title: str) -> list[list[str]]:
        quoted = "'" + title.replace("'", "''") + "'"
        return self.sheets.values().get(spreadsheetId=self.id, range=quoted).execute().get("values", [])

    def write(self, a1: str, value: str) -> None:
        self.sheets.values().update(spreadsheetId=self.id, range=a1, valueInputOption="USER_ENTERED",
                                    body={"values": [[value]]}).execute()

    def every_cell(self) -> Counter[str]:
        cells: Counter[str] = Counter()
        for title in self.tabs():
            for row in self.values(title):
                cells.update(v for v in row if v)
        return cells


def letter(index: int) -> str:
    return chr(ord("A") + index)


def test_people_edit_the_tracker_and_every_response_stays_exactly_once(sandbox_world, config, year):
    world = sandbox_world
    tick(world, config, year, 2026, 8, 22, 12)
    answers = {ANA: "Roles were clear", BEN: "Data protocol helped", CHLOE: "Good norms check"}
    for n, (email, text) in enumerate(answers.items()):
        world.respond(FIRST_FORM, email, {"plus": text, "delta": f"Start on time {n}"}, local(config, 2026, 8, 25, 18))
    tick(world, config, year, 2026, 8, 27, 7)

    ana = Member(world, ANA)
    tabs = ana.tabs()
    feedback_id, meetings_id = tabs[FEEDBACK]["sheetId"], tabs[MEETINGS]["sheetId"]
    ana.batch(
        {"updateSheetProperties": {"properties": {"sheetId": feedback_id, "title": "Our feedback", "index": 0},
                                   "fields": "title,index"}},
        {"insertDimension": {"range": {"sheetId": feedback_id, "dimension": "COLUMNS", "startIndex": 0,
                                       "endIndex": 1}, "inheritFromBefore": False}},
        {"deleteSheet": {"sheetId": tabs["Dashboard"]["sheetId"]}},
    )
    header = ana.values("Our feedback")[0]
    assert header[0] == "" and header[1] == "Response ID"  # the inserted column is at the left
    own = len(header)
    ana.write("'Our feedback'!A1", "My notes")
    ana.write(f"'Our feedback'!{letter(own)}1", "Follow-up")
    rows = ana.values("Our feedback")[1:]
    plus, submitted = header.index("Plus"), header.index("Submitted")
    by_text = {r[plus]: n + 2 for n, r in enumerate(rows)}
    ana.write(f"'Our feedback'!A{by_text['Roles were clear']}", "ask Ana about roles")
    ana.write(f"'Our feedback'!{letter(own)}{by_text['Data protocol helped']}", "share at staff meeting")
    ana.write(f"'Our feedback'!{letter(submitted)}{by_text['Good norms check']}", "2099-12-31")  # far future
    ana.batch({"sortRange": {"range": {"sheetId": feedback_id, "startRowIndex": 1},
                             "sortSpecs": [{"dimensionIndex": plus, "sortOrder": "DESCENDING"}]}})
    rows = ana.values("Our feedback")[1:]
    gone = next(n for n, r in enumerate(rows) if r[plus] == "Good norms check") + 1
    meeting_rows = ana.values(MEETINGS)[1:]
    first_meeting = next(n for n, r in enumerate(meeting_rows) if r[0] == "2026-08-25") + 1
    ana.batch({"deleteDimension": {"range": {"sheetId": feedback_id, "dimension": "ROWS", "startIndex": gone,
                                             "endIndex": gone + 1}}},
              {"deleteDimension": {"range": {"sheetId": meetings_id, "dimension": "ROWS", "startIndex": first_meeting,
                                             "endIndex": first_meeting + 1}}})

    world.respond(FIRST_FORM, DEV, {"plus": "Late but useful"}, local(config, 2026, 8, 28, 9))
    tick(world, config, year, 2026, 8, 28, 12)
    report = tick(world, config, year, 2026, 9, 5, 12)
    assert "cedar/agenda/2026-09-08" in report.created

    cells = ana.every_cell()
    for text in [*answers.values(), "Late but useful"]:
        assert cells[text] == 1, (text, cells[text])  # once across every tab: none lost, none duplicated
    tabs = ana.tabs()
    assert "Our feedback" in tabs and FEEDBACK not in tabs  # the renamed tab is still the bot's
    assert "Dashboard" in tabs  # made again
    values = ana.values("Our feedback")
    assert values[0][0] == "My notes" and values[0][own] == "Follow-up"
    rows = {r[plus]: r for r in values[1:]}
    assert rows["Roles were clear"][0] == "ask Ana about roles"  # people's cells moved with their rows
    assert rows["Data protocol helped"][own] == "share at staff meeting"
    assert rows["Late but useful"][0] == "" and len(rows["Late but useful"]) <= own  # never written into
    assert [r[0] for r in ana.values(MEETINGS)[1:]].count("2026-08-25") == 1  # the deleted row is back
    text = world.doc_text("cedar/agenda/2026-09-08")
    for quoted in [*answers.values(), "Late but useful"]:
        assert quoted in text
    runs = [" ".join(r) for r in ana.values(RUNS)]
    assert any("Dashboard" in r and "missing" in r for r in runs)  # reported, with what the bot did


def test_a_tick_reads_the_tracker_once(sandbox_world, config, year):
    """One ``spreadsheets.get`` (``fields`` naming the tabs' metadata, charts and cells) serves the whole pass:
    syncs, harvest, dashboard, the next agenda and the Runs append read nothing else of the tracker. (The
    pass that draws the Dashboard chart, once a year, looks its title up again before adding it.)"""
    world = sandbox_world
    tick(world, config, year, 2026, 8, 22, 12)
    world.respond(FIRST_FORM, ANA, {"plus": "Roles were clear"}, local(config, 2026, 8, 25, 18))
    tick(world, config, year, 2026, 8, 26, 7)  # the first responses: the Dashboard and its chart
    answers = iter([(BEN, "Data protocol helped"), (CHLOE, "Good norms check"), (DEV, "Late but useful")])
    for when in ((2026, 8, 27, 7), (2026, 9, 5, 12), (2026, 9, 9, 12)):
        email, text = next(answers)
        form = FIRST_FORM if when <= (2026, 9, 5, 12) else "cedar/feedback/2026-09-08"
        world.respond(form, email, {"plus": text}, local(config, *when))
        mark = len(world.server.requests)
        report = tick(world, config, year, *when)
        reads = [e["method"] for e in world.server.requests[mark:]
                 if e["method"].startswith("sheets.") and not e["method"].endswith("batchUpdate")]
        assert reads == ["sheets.spreadsheets.get"], (when, reads)
        assert report.synced_responses == 1


def test_a_deleted_tab_is_named_by_status_then_made_again_and_refilled_from_the_forms(sandbox_world, config, year):
    """Deleting a tab deletes its metadata ("DeveloperMetadata": "If the associated object is deleted then its
    metadata is deleted too"): ``ilt-bot status`` names it with the fix, the next pass makes the tab again and
    copies every response of the polled Forms back into it, and says so in the Runs tab."""
    from ilt_bot.status import school_status

    world = sandbox_world
    tick(world, config, year, 2026, 8, 22, 12)
    for email, text in ((ANA, "Roles were clear"), (BEN, "Data protocol helped")):
        world.respond(FIRST_FORM, email, {"plus": text}, local(config, 2026, 8, 25, 18))
    tick(world, config, year, 2026, 8, 26, 7)
    ana = Member(world, ANA)
    ana.batch({"deleteSheet": {"sheetId": ana.tabs()[FEEDBACK]["sheetId"]}})

    status = school_status(config, world.ws, local(config, 2026, 8, 26, 8))
    missing = [a for a in status.attention if a.what == "tab_missing"]
    assert len(missing) == 1
    assert "'Feedback' tab was deleted" in missing[0].detail and "ilt-bot tick" in missing[0].detail

    tick(world, config, year, 2026, 8, 26, 12)
    cells = ana.every_cell()
    assert cells["Roles were clear"] == 1 and cells["Data protocol helped"] == 1
    status = school_status(config, world.ws, local(config, 2026, 8, 26, 13))
    assert not [a for a in status.attention if a.what == "tab_missing"]
    assert any(a.what == "repaired" and "Feedback" in a.detail for a in status.attention)


def test_the_meetings_links_are_links(sandbox_world, config, year):
    """A link cell is its URL as text with ``userEnteredFormat.textFormat.link`` (CellData.hyperlink reads it
    back): clickable in the Sheets UI, the same text for the bot."""
    world = sandbox_world
    tick(world, config, year, 2026, 8, 22, 12)
    ana = Member(world, ANA)
    answer = ana.sheets.get(spreadsheetId=ana.id, ranges=[MEETINGS],
                            fields="sheets(data(rowData(values(formattedValue,hyperlink))))").execute()
    header, first = answer["sheets"][0]["data"][0]["rowData"][:2]
    titles = [c.get("formattedValue") for c in header["values"]]
    for name in ("Agenda link", "Feedback link"):
        link = first["values"][titles.index(name)]
        assert link["formattedValue"].startswith("http") and link["hyperlink"] == link["formattedValue"]


def test_a_failed_tracker_read_is_its_steps_error_not_every_tab_missing(sandbox_world, config, year):
    """When the pass's one tracker read fails (Google still unavailable after the retries), the steps that
    needed it fail with that error, retryable, and the next step reads again: no step is told that people
    deleted the tabs, and the responses reach the tracker once the read works."""
    from ilt_bot.workspace.errors import Unavailable

    world = sandbox_world
    tick(world, config, year, 2026, 8, 22, 12)
    world.respond(FIRST_FORM, ANA, {"plus": "Roles were clear"}, local(config, 2026, 8, 25, 18))
    read = world.ws.read_tracker
    failures = iter([Unavailable("sheets.spreadsheets.get: 503 (the service is unavailable)")])

    def flaky(*args: Any, **kwargs: Any) -> Any:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return read(*args, **kwargs)

    world.ws.read_tracker = flaky
    try:
        report = run_tick(config, world.ws, local(config, 2026, 8, 26, 7), year=year)
    finally:
        world.ws.read_tracker = read
    texts = [str(e) for e in report.errors]
    assert texts and all("deleted" not in t for t in texts), texts
    assert report.synced_responses == 1  # a later step read the tracker again and synced the response
    assert Counter(v for row in Member(world, ANA).values("Feedback") for v in row)["Roles were clear"] == 1
