"""Walking through a served demo as a new principal would: every link answers, the year at a glance,
no test payload in what people wrote, and an answer given in the browser reaches the tracker."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from tests.demo.conftest import UNTIL

PRINCIPAL = "ana.ruiz@cedarheights.example.org"
CLOSED = "is no longer accepting responses"
"""What Google's responder page says of a closed Form (a past meeting's feedback, closed by the bot)."""
PAYLOADS = ("&lt;b&gt;", "<b>bold", "{{", "{%", "IMPORTRANGE", "<script", "&lt;script", "=HYPERLINK", "7*7")
"""What the hostile-input tests send (markup, template syntax, formulas): never in the demo's output."""


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def hrefs(page: Path) -> list[str]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.hrefs


def signed_in(url: str, email: str):
    import requests

    session = requests.Session()
    assert session.get(f"{url}/_sandbox/login", params={"email": email}, timeout=30).status_code == 200
    return session


def test_every_link_in_demo_out_answers_when_served(served):
    """Each written Doc's and the index's links: relative ones open a written file, sandbox ones answer
    200 to the principal (Google's own addresses, docs.google.com, were pointed at the sandbox), or, for
    a past meeting's feedback Form the bot has closed, Google's "no longer accepting responses" page.
    At least 95% answer; anything else must be a link outside the sandbox, listed here."""
    import requests

    session = signed_in(served.url, PRINCIPAL)
    pages = sorted(served.out.glob("*.html"), key=lambda p: p.name != "index.html")  # its sign-in links first
    assert len(pages) >= 5  # four agendas and the index
    answered, failed, outside, closed = 0, [], [], []
    for page in pages:
        for href in hrefs(page):
            target, _ = urldefrag(href)
            if href.startswith("#") or href.startswith("mailto:"):
                continue
            if not urlsplit(target).scheme:
                ok = (page.parent / target).exists()
            elif target.startswith(served.url):
                # a "sign in as" link signs a fresh browser in; the principal's stays signed in
                browser = requests.Session() if "/_sandbox/login" in target else session
                page_answer = browser.get(target, timeout=30)
                ok = page_answer.status_code == 200
                if not ok and CLOSED in page_answer.text:
                    closed.append(href)  # a past meeting's feedback Form, closed by the bot: Google's page
                    ok = True
            else:
                outside.append((page.name, href))
                continue
            answered += ok
            if not ok:
                failed.append((page.name, href))
    total = answered + len(failed) + len(outside)
    assert total >= 30  # index: meetings, tracker, packages, roles; agendas: Forms, tracker, intake
    assert not [h for _, h in outside if "google.com" in h], outside
    assert failed == [], failed
    assert answered / total >= 0.95, f"{answered}/{total} answered; outside the sandbox: {outside}"
    assert all("/forms/d/e/" in h for h in closed) and len(closed) < answered / 2, closed


def test_no_test_payload_anywhere_in_the_demos_output(served):
    """The people's answers are plain school language: none of the hostile-input payloads (they belong
    to tests/reliability/test_hostile_input.py) in any written Doc or the index."""
    for page in served.out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        found = [p for p in PAYLOADS if p in text]
        assert not found, f"{page.name}: {found}"


def test_answers_vary_and_action_items_fit_their_season(served):
    """Within one meeting no two members give the same Plus; action items typed in August and
    September are launch tasks, never the end-of-semester ones."""
    agenda = (served.out / "ILT-Agenda-Tue-Sep-8-2026.html").read_text(encoding="utf-8")
    assert "Update the scope and sequence" not in agenda and "after the reflection" not in agenda
    from ilt_bot.demo.phrases import feedback_answers

    pluses = [feedback_answers("plus_delta", UNTIL, n, "Launching the ILT", "data")["plus"] for n in range(8)]
    assert len(set(pluses)) == 8


def test_index_is_the_year_at_a_glance(served):
    """By date each meeting with its agenda, Form and answer count; the tracker; the reflection package
    per semester; one person per role with what they can open."""
    index = (served.out / "index.html").read_text(encoding="utf-8")
    for day in ("Thu Aug 20, 2026", "Tue Aug 25, 2026", "Tue Sep 08, 2026", "Tue Dec 15, 2026"):
        assert day in index
    row = re.search(r"Tue Sep 08, 2026.*?</tr>", index, re.S).group(0)
    assert 'href="ILT-Agenda-Tue-Sep-8-2026.html"' in row and "/viewform" in row
    answers = int(re.findall(r"<td>(\d+)</td></tr>", row)[-1])
    assert answers >= 1
    assert "Tracker Sheet" in index and "/spreadsheets/d/" in index
    assert "Fall 2026: reflection on Tue Dec 15" in index and "Spring 2027" in index
    for role in ("principal", "team lead", "teacher", "stakeholder"):
        assert f">{role}<" in index
    assert "docs.google.com" not in index


def test_an_answer_given_in_the_browser_reaches_the_tracker_by_the_next_tick(served):
    """--tick-every: a member answers the Sep 8 feedback Form on its responder page while the demo is
    served; the next tick (at the sandbox's clock, the demo's Sep 9) copies it into the tracker."""
    from ilt_bot.config import load_config
    from ilt_bot.demo import _connect
    from ilt_bot.demo.people import People
    from ilt_bot.jobs.feedback import feedback_key
    from ilt_bot.jobs.tracker import FEEDBACK, tracker_key

    config = load_config(served.config)
    gateway = _connect(config, served.url)
    try:
        tracker = gateway.find(tracker_key(config))
        before = len(gateway.read_rows(tracker.id, FEEDBACK))
        form = gateway.find(feedback_key(config, UNTIL.replace(day=8)))
        People(served.url).answer_form(gateway.form_responder_uri(form.id), "hana.kim@cedarheights.example.org",
                                       {"Plus:": "Walking the demo in a browser", "Delta:": "Nothing yet"})
        deadline = time.monotonic() + 60
        rows = before
        while rows == before and time.monotonic() < deadline:
            time.sleep(1)
            rows = len(gateway.read_rows(tracker.id, FEEDBACK))
        assert rows == before + 1
        values = [c for r in gateway.read_rows(tracker.id, FEEDBACK) for c in r]
        assert "Walking the demo in a browser" in values
    finally:
        gateway.close()


def test_a_members_drive_lists_what_was_shared_newest_first_and_the_forms_to_answer(served):
    """A member's Drive page: "Shared with me" in Google's order (newest shared first), so the latest
    agenda is on top; the feedback Forms they may answer (not in Drive on Google, where the link comes
    in the agenda) are listed under their own heading, so nothing is reachable only by URL."""
    session = signed_in(served.url, "hana.kim@cedarheights.example.org")
    page = session.get(f"{served.url}/_sandbox/drive", timeout=30).text
    shared = page.split("<h2>Shared with me</h2>", 1)[1].split("</section>", 1)[0]
    newest, older = (re.search(rf"ILT Agenda\W+{day}", shared) for day in ("Tue Sep 8, 2026", "Tue Aug 25, 2026"))
    assert newest and older and newest.start() < older.start()
    forms = page.split("<h2>Forms you can answer</h2>", 1)[1].split("</section>", 1)[0]
    links = re.findall(r'href="(/forms/d/e/[^"]+/viewform)"', forms)
    assert len(links) >= 4  # the feedback Forms of the four meetings, and the intake Form
    assert session.get(served.url + links[0], timeout=30).status_code == 200
