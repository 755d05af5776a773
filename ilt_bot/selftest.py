"""``ilt-bot selftest``: each kind of call the bot makes, once, in a scratch folder that is trashed afterwards.

One suite for the sandbox and for Google (the same steps, in the same order): without ``online`` it runs
on a throwaway embedded sandbox (never the school's sandbox db), with ``online`` on the config's workspace
(Google, or a sandbox at a URL). Every step goes through the gateway the jobs use
(:mod:`ilt_bot.workspace.gateway`), so a step that fails is a call the bot would fail, and each checks
the fields of the answer the bot reads. A failure carries the typed error's text (Google's code, reason
and message) and its fix (:mod:`ilt_bot.workspace.errors`). The scratch folder carries the appProperty
``iltbot_selftest``, so the leftovers of a selftest that crashed are found and trashed by the next one.
See docs/google-setup.md.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from rich.markup import escape
from rich.table import Table

from ilt_bot.workspace.api import KEY_PROPERTY, STATE_PROPERTY, FormQuestion, FormSpec, Share
from ilt_bot.workspace.drive import DOC_MIME, FOLDER_MIME, SHEET_MIME, to_ref
from ilt_bot.workspace.errors import InvalidRequest, SharingRefused, WorkspaceError
from ilt_bot.workspace.preflight import key_file_problem

if TYPE_CHECKING:
    from ilt_bot.config import Config
    from ilt_bot.workspace.gateway import Gateway

SELFTEST_PROPERTY = "iltbot_selftest"
"""appProperty marking a selftest's scratch folder (value ``1``): how leftovers are found."""

SCRATCH_NAME = "ILT Bot selftest"
SANDBOX_URL_ENV = "ILT_BOT_SANDBOX_URL"

Status = Literal["OK", "FAIL", "SKIPPED"]

TABLE_ROWS = [["Action item", "Owner", "Due"], ["Share the data protocol", "Ana Ruiz", "2026-09-22"]]
TRACKER_TABS = {"Feedback": ["id", "answer", "submitted"], "Runs": ["id", "result"]}
FORMULA_TEXT = "=1+1"
"""Written RAW: it must read back as this text, never as a computed 2."""
FORM = FormSpec(
    title="ILT meeting feedback (selftest)",
    description="Made by ilt-bot selftest; trashed when it ends.",
    questions=(FormQuestion("plus", "Plus: what worked?", required=True),
               FormQuestion("time", "Time needed", kind="radio", options=("5 min", "10 min")),
               FormQuestion("rating", "How useful was it?", kind="scale", scale_low=1, scale_high=5)),
)


class Skipped(Exception):
    """A step that does not apply here (the reason is printed)."""


class StepFailed(Exception):
    """A step whose answer was not what the bot needs; ``fix`` says what to do."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


SHAPE_FIX = ("the bot reads this field: if this is Google, report it (Google's answer changed); if this is the "
             "sandbox, the sandbox differs from Google")


def need(condition: object, message: str) -> None:
    """Fail the step with ``message`` (an answer lacking what the bot reads) unless ``condition``."""
    if not condition:
        raise StepFailed(message, SHAPE_FIX)


@dataclass
class Run:
    """What the steps share: the config, the gateway (opened by the first step) and what was made."""

    config: Config
    open_gateway: Callable[[], Gateway]
    sandbox: Any = None
    """The in-process sandbox server behind the gateway, if any (the 429 step arms its fault injection)."""
    stamp: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
    nonce: str = field(default_factory=lambda: secrets.token_hex(3))
    """In the keys, so two selftests started in the same second never share one."""
    gateway_: Gateway | None = None
    parent: str | None = None
    """Where the scratch folder goes (see :func:`scratch_parent`)."""
    made: dict[str, str] = field(default_factory=dict)
    """What -> file id, for everything this run made (the last step trashes them)."""
    keys: dict[str, str] = field(default_factory=dict)
    """What -> iltbot_key, recorded before each create (found again if a step failed midway)."""

    @property
    def gateway(self) -> Gateway:
        if self.gateway_ is None:
            self.gateway_ = self.open_gateway()
            self.sandbox = self.sandbox or self.gateway_.server
        return self.gateway_

    def key(self, what: str) -> str:
        key = f"{self.config.school.id}/selftest/{self.stamp}-{self.nonce}/{what}"
        self.keys[what] = key
        return key

    @property
    def member(self) -> str:
        return str(self.config.members[0].email).lower()


@dataclass(frozen=True)
class Step:
    """One call the bot makes: ``run`` returns what it saw, raises on failure, or :class:`Skipped`."""

    name: str
    title: str
    run: Callable[[Run], str]
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """How one step went: OK with what was seen, FAIL with the error and its fix, or SKIPPED with why."""

    step: str
    title: str
    status: Status
    detail: str
    error: str | None = None
    """The exception's kind (``PermissionDenied``, ...) for a failure."""
    fix: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    """Every step's outcome, where they ran, the ids made (all trashed by the last step), calls and time."""

    target: str
    outcomes: list[Outcome]
    made: dict[str, str]
    api_calls: int
    seconds: float

    @property
    def ok(self) -> bool:
        return all(o.status != "FAIL" for o in self.outcomes)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "target": self.target, "steps": [o.to_json() for o in self.outcomes],
                "made": self.made, "api_calls": self.api_calls, "seconds": round(self.seconds, 1)}


# --- the steps -------------------------------------------------------------------------------------


def sign_in(run: Run) -> str:
    """Credentials for the bot user, then one read of the folder the scratch folder goes in."""
    problem = key_file_problem(run.config)
    if problem is not None:
        raise StepFailed(f"{problem.path}: {problem.message}", problem.fix)
    gw = run.gateway
    parent = scratch_parent(run)
    if parent == "root":  # as check --online: drive.file may list My Drive but not read its root folder
        gw.drive.list_files("'root' in parents and trashed = false", what="Listing the bot's My Drive", fields="id",
                            in_shared_drive=False)
    else:
        item = gw.drive.get(parent, "id,mimeType,trashed")
        need(item.get("mimeType") == FOLDER_MIME, f"{parent} is a {item.get('mimeType')}, not a folder")
    return f"signed in as {gw.user}; {where(parent)} readable"


def where(folder_id: str) -> str:
    return "the bot's My Drive" if folder_id == "root" else f"folder {folder_id}"


def scratch_parent(run: Run) -> str:
    """The configured ILT folder, else the bot's own root folder (if made), else the bot's My Drive."""
    if run.parent is None:
        configured = run.config.drive.root_folder_id
        found = None if configured else run.gateway.find(f"{run.config.school.id}/folder/root")
        run.parent = str(configured) if configured else found.id if found and not found.trashed else "root"
    return run.parent


def scratch(run: Run) -> str:
    """Trash earlier selftests' leftovers (by appProperty), then make this run's scratch folder."""
    gw = run.gateway
    leftovers = gw.drive.list_files(f"appProperties has {{ key='{SELFTEST_PROPERTY}' and value='1' }} "
                                    "and trashed = false", what="Looking for earlier selftests' leftovers")
    for item in leftovers:
        gw.drive.update(item["id"], body={"trashed": True}, what=f"Trashing selftest leftover {item['id']}")
    parent = scratch_parent(run)
    name = f"{SCRATCH_NAME} {run.stamp}"
    made = gw.drive.create(run.key("scratch folder"), name, FOLDER_MIME, parent, {SELFTEST_PROPERTY: "1"})
    ref = to_ref(made)
    run.made["scratch folder"] = ref.id
    need(ref.mime_type == FOLDER_MIME, f"the scratch folder's mimeType is {ref.mime_type!r}")
    need(ref.app_properties.get(SELFTEST_PROPERTY) == "1", "the scratch folder's appProperties came back without "
         f"{SELFTEST_PROPERTY}")
    return f"{name!r} ({ref.id}) in {where(parent)}; {len(leftovers)} old leftover(s) trashed"


def folder(run: Run) -> str:
    """ensure_folder twice: made, then found by its key (no duplicate)."""
    gw = run.gateway
    key = run.key("folder")
    first = gw.ensure_folder(key, "Agendas", run.made["scratch folder"])
    run.made["folder"] = first.file.id
    need(first.created and first.file.mime_type == FOLDER_MIME, "the folder was not made as a folder")
    need(first.file.key == key, f"the folder's appProperties lack {KEY_PROPERTY}={key}")
    again = gw.ensure_folder(key, "Agendas", run.made["scratch folder"])
    need(not again.created and again.file.id == first.file.id,
         f"the folder was not found again by its key (made {again.file.id} besides {first.file.id})")
    return f"made {first.file.id}, found again by {KEY_PROPERTY}"


def doc(run: Run) -> str:
    """A Doc imported from HTML, as the agenda is made (then found again by its key)."""
    gw = run.gateway
    key = run.key("Doc")
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in TABLE_ROWS)
    html = f"<html><body><h1>ILT Agenda (selftest)</h1><p>Made by ilt-bot selftest.</p><table>{cells}</table>" \
           "</body></html>"
    ensured = gw.ensure_doc_from_html(key, "ILT Agenda (selftest)", html, run.made["scratch folder"],
                                      {"iltbot_meeting": "selftest"})
    ref = ensured.file
    run.made["Doc"] = ref.id
    need(ensured.created and ref.mime_type == DOC_MIME, f"the HTML was not converted to a Google Doc ({ref.mime_type})")
    need(ref.web_link, "the Doc came back without webViewLink (the agenda's link in the tracker)")
    need(ref.app_properties.get("iltbot_meeting") == "selftest", "the Doc's appProperties were not kept")
    again = gw.ensure_doc_from_html(key, "ILT Agenda (selftest)", html, run.made["scratch folder"])
    need(not again.created and again.file.id == ref.id, "the Doc was not found again by its key")
    return f"made {ref.id} from HTML, found again by {KEY_PROPERTY}"


def doc_tables(run: Run) -> str:
    """documents.get: the table the HTML had, cell by cell (as action items are harvested)."""
    tables = run.gateway.read_doc_tables(run.made["Doc"])
    need(tables, "the Doc has no table (HTML import dropped it, or the body was not read)")
    need(tables[0].rows == TABLE_ROWS, f"the table reads back as {tables[0].rows}, not {TABLE_ROWS}")
    return f"{len(tables)} table, {len(tables[0].rows)} rows read back as written"


def spreadsheet(run: Run) -> str:
    """A spreadsheet with tabs and header rows, as the tracker is made."""
    gw = run.gateway
    ensured = gw.ensure_spreadsheet(run.key("spreadsheet"), "ILT Tracker (selftest)", run.made["scratch folder"],
                                    TRACKER_TABS)
    ref = ensured.file
    run.made["spreadsheet"] = ref.id
    need(ensured.created and ref.mime_type == SHEET_MIME, f"not made as a spreadsheet ({ref.mime_type})")
    need(ref.app_properties.get(STATE_PROPERTY) == "ready", "the spreadsheet was not recorded as ready")
    titles = [t.get("title") for t in gw.sheets.tabs(ref.id)]
    need(titles == list(TRACKER_TABS), f"its tabs are {titles}, not {list(TRACKER_TABS)}")
    return f"made {ref.id} with tabs {', '.join(titles)}"


def sheet_rows(run: Run) -> str:
    """values.append (RAW), values.batchUpdate and values.get through gspread, as the tracker syncs."""
    gw, sid = run.gateway, run.made["spreadsheet"]
    first = [["r1", FORMULA_TEXT, "2026-09-15"], ["r2", "plus: clear norms", "2026-09-15"]]
    need(gw.append_rows_once(sid, "Feedback", first) == 2, "the append did not report 2 rows")
    need(gw.append_rows_once(sid, "Feedback", first) == 0, "rows already there were appended again")
    written = gw.upsert_rows(sid, "Feedback", [["r2", "plus: clear norms, kept", "2026-09-16"],
                                               ["r3", "delta: start on time", "2026-09-16"]])
    need(written == 2, f"the upsert wrote {written} rows, not 2")
    rows = gw.read_rows(sid, "Feedback")
    expected = [first[0], ["r2", "plus: clear norms, kept", "2026-09-16"], ["r3", "delta: start on time", "2026-09-16"]]
    need(rows == expected, f"the tab reads back as {rows}, not {expected} (a RAW {FORMULA_TEXT!r} must stay text)")
    return f"appended 2 (again: 0), upserted 1 + appended 1, read {len(rows)} rows back; {FORMULA_TEXT!r} stayed text"


def form(run: Run) -> str:
    """forms.create, forms.batchUpdate, setPublishSettings, a published-view permission; then the checks."""
    gw = run.gateway
    ensured = gw.ensure_form(run.key("Form"), FORM, run.made["scratch folder"], {"iltbot_meeting": "selftest"},
                             share=[Share([run.member], "reader", published_view=True)])
    ref = ensured.file
    run.made["Form"] = ref.id
    need(ensured.created and ref.app_properties.get(STATE_PROPERTY) == "ready", "the Form was not recorded as ready")
    body = gw.forms.get(ref.id)
    questions = [i for i in body.get("items", []) if "questionItem" in i]
    need(len(questions) == len(FORM.questions), f"the Form has {len(questions)} questions, not {len(FORM.questions)}")
    state = (body.get("publishSettings") or {}).get("publishState") or {}
    need(state.get("isPublished") and state.get("isAcceptingResponses"), f"the Form is not published and open: {state}")
    need(body.get("responderUri"), "the Form came back without responderUri (the link in the agenda)")
    perms = gw.drive.list_permissions(ref.id)
    need(any((p.get("emailAddress") or "").lower() == run.member and p.get("view") == "published" for p in perms),
         f"{run.member} has no responder (published view) permission")
    answers = gw.list_responses(ref.id)
    need(answers == [], f"a new Form has {len(answers)} responses")
    return f"made {ref.id}: {len(questions)} questions, published, {run.member} may respond, responses readable"


def share_member(run: Run) -> str:
    """permissions.create (HTTP batch) for the first member, as the agenda is shared (no notification e-mail)."""
    gw, doc_id = run.gateway, run.made["Doc"]
    added = gw.share(doc_id, [run.member], "writer")
    perms = gw.drive.list_permissions(doc_id)
    mine = [p for p in perms if (p.get("emailAddress") or "").lower() == run.member and p.get("view") != "published"]
    need(any(p.get("role") in ("writer", "owner", "organizer", "fileOrganizer") for p in mine),
         f"{run.member} is not a writer after sharing: {mine}")
    need(gw.share(doc_id, [run.member], "writer") == 0, "sharing again added a second permission")
    return f"{run.member} is a writer" + (" (granted)" if added else " (had access already)")


def bad_address(run: Run) -> str:
    return f"ilt-bot-selftest-no-account-{secrets.token_hex(4)}@{run.config.school.domain}"


def share_refused(run: Run) -> str:
    """Sharing (without notification) with an address that has no Google account: Google refuses it.

    Google answers 400 ``invalidSharingRequest``; any 400 refusal counts (its code and reason are shown),
    only a silent accept fails the step.
    """
    gw, address = run.gateway, bad_address(run)
    try:
        gw.share(run.made["Doc"], [address], "reader")
    except (SharingRefused, InvalidRequest) as error:
        if error.status != 400:
            raise
        return f"{address}: refused ({error.status} {error.reason})"
    refused = [g for g in gw.take_refused_grants() if g.email == address]  # a refusal fails only its grant
    if refused:
        return f"{address}: refused (400 {refused[0].reason})"
    gw.unshare(run.made["Doc"], [address])
    raise StepFailed(f"sharing with {address} (no Google account, no notification e-mail) was accepted",
                     "Google refuses it with 400 invalidSharingRequest; if this is the sandbox, it differs from "
                     "Google; if this is Google, that address exists: nothing to fix for the bot")


def calendar(run: Run) -> str:
    """A scratch event on the configured calendar: inserted, found by its key, read back, then deleted."""
    settings = run.config.calendar
    if not settings.enabled:
        raise Skipped("Calendar not enabled")
    client = run.gateway.calendar
    if client is None:
        raise StepFailed("calendar.enabled is true but the gateway has no Calendar client",
                         "connect through ilt_bot.workspace.gateway.connect, which adds it when Calendar is on")
    key = f"{run.config.school.id}/selftest/{run.stamp}-{run.nonce}/calendar-event"  # not a Drive file: not in keys
    start = datetime.now(run.config.tz).replace(second=0, microsecond=0) + timedelta(days=1)
    made = client.ensure_event(settings.calendar_id, key, "ILT Bot selftest (deleted right away)", start,
                               start + timedelta(minutes=15), time_zone=run.config.school.timezone)
    try:
        need(made.created and made.event_id, "the scratch event was not made")
        found = client.find_event(settings.calendar_id, key)
        need(found is not None and found.get("id") == made.event_id,
             f"the event was not found again by its private extended property {KEY_PROPERTY}")
        need(client.event_status(settings.calendar_id, str(made.event_id), start).state == "scheduled",
             "the event read back does not start when it was made to")
    finally:
        client.delete_event(settings.calendar_id, str(made.event_id))
    after = client.event_status(settings.calendar_id, str(made.event_id)).state
    need(after in ("cancelled", "missing"), f"the deleted event still reads {after}")
    return (f"made {made.event_id} on calendar {settings.calendar_id!r}, found by {KEY_PROPERTY}, deleted "
            f"(reads {after})")


def rate_limit(run: Run) -> str:
    """One 429 from the sandbox (armed for one request); the gateway waits and its retry gets the rows."""
    sandbox, gw = run.sandbox, run.gateway
    if sandbox is None:
        raise Skipped(not_provoked(gw))
    policy = gw.caller.policy
    faults, waits, mark = sandbox.faults, len(policy.waits), len(sandbox.requests)
    previous = (faults.rate, faults.kinds)
    real_sleep = policy.sleep

    def disarm_then_sleep(seconds: float) -> None:
        sandbox.set_faults(*previous)
        real_sleep(seconds)

    sandbox.set_faults(1.0, ["429"])
    policy.sleep = disarm_then_sleep
    try:
        rows = gw.read_rows(run.made["spreadsheet"], "Feedback")
    finally:
        policy.sleep = real_sleep
        sandbox.set_faults(*previous)
    log = sandbox.requests[mark:]
    need([e for e in log if e.get("fault") == "429" and e.get("status") == 429], "the sandbox answered no 429")
    need(len(policy.waits) > waits, "the gateway did not wait before retrying")
    need(log and log[-1].get("status") == 200 and rows is not None, "the retry did not succeed")
    return f"Sheets answered 429; the gateway waited {policy.waits[waits]:.1f} s and its retry read the rows"


def not_provoked(gw: Gateway) -> str:
    if gw.base_url:
        return (f"not provoked: the sandbox at {gw.base_url} runs in another process (run `ilt-bot selftest` "
                "without --online to see a 429 handled)")
    return ("not provoked on Google: a 429 cannot be provoked safely (it would spend the school's quota); "
            "`ilt-bot selftest` without --online shows one handled")


def trash(run: Run) -> str:
    """files.update trashed=true for everything made (found by key if a step failed midway), then read back."""
    gw = run.gateway
    for what, key in run.keys.items():
        if what not in run.made:
            found = gw.find(key)
            if found is not None:
                run.made[what] = found.id
    if not run.made:
        raise Skipped("nothing was made")
    order = [w for w in run.made if w != "scratch folder"] + [w for w in run.made if w == "scratch folder"]
    for what in order:
        gw.drive.update(run.made[what], body={"trashed": True}, what=f"Trashing the selftest's {what}")
    live = [w for w in order if not gw.drive.get(run.made[w], "id,trashed").get("trashed")]
    need(not live, f"still not in the trash: {', '.join(live)}")
    return f"{len(order)} in the trash (read back): {', '.join(order)}"


STEPS: tuple[Step, ...] = (
    Step("sign_in", "Sign in; read the ILT folder", sign_in),
    Step("scratch", "Scratch folder (old leftovers trashed)", scratch, ("sign_in",)),
    Step("folder", "Folder, found again by its key", folder, ("scratch",)),
    Step("doc", "Doc from HTML (as the agenda)", doc, ("scratch",)),
    Step("doc_tables", "Doc tables read back (Docs API)", doc_tables, ("doc",)),
    Step("spreadsheet", "Spreadsheet with tabs (tracker)", spreadsheet, ("scratch",)),
    Step("sheet_rows", "RAW, batched writes and reads", sheet_rows, ("spreadsheet",)),
    Step("form", "Feedback Form: questions, published", form, ("scratch",)),
    Step("share_member", "Share with the first member", share_member, ("doc",)),
    Step("share_refused", "Share with a no-account address", share_refused, ("doc",)),
    Step("calendar", "Calendar event", calendar),
    Step("rate_limit", "A 429 waited out and retried", rate_limit, ("spreadsheet",)),
    Step("trash", "Everything made is trashed", trash, ("sign_in",)),
)


# --- running -----------------------------------------------------------------------------------------


def run_step(step: Step, run: Run, done: dict[str, Status]) -> Outcome:
    """One step's outcome; a failed or skipped dependency skips it."""
    missing = [n for n in step.needs if done.get(n) != "OK"]
    if missing:
        return Outcome(step.name, step.title, "SKIPPED", f"needs step {missing[0]}")
    try:
        return Outcome(step.name, step.title, "OK", step.run(run))
    except Skipped as reason:
        return Outcome(step.name, step.title, "SKIPPED", str(reason))
    except StepFailed as failure:
        return Outcome(step.name, step.title, "FAIL", str(failure), "StepFailed", failure.fix)
    except WorkspaceError as error:
        text = str(error)
        if error.fix and text.endswith(error.fix + "."):  # the fix goes in its own column
            text = text[: -len(error.fix) - 1].rstrip().rstrip(".") + "."
        return Outcome(step.name, step.title, "FAIL", text, type(error).__name__, error.fix)
    except ValueError as error:  # a value Drive or Sheets would refuse, caught by the gateway first
        return Outcome(step.name, step.title, "FAIL", str(error), type(error).__name__,
                       "Google would refuse this value: change the config value it comes from")


def run_steps(run: Run) -> list[Outcome]:
    done: dict[str, Status] = {}
    outcomes = []
    for step in STEPS:
        outcome = run_step(step, run, done)
        done[step.name] = outcome.status
        outcomes.append(outcome)
    return outcomes


def describe(config: Config, online: bool) -> str:
    """Where the steps run, in words."""
    if not online:
        return "a throwaway embedded sandbox"
    backend = config.workspace.backend
    env_url = None if backend == "google" else os.environ.get(SANDBOX_URL_ENV)  # never redirects Google
    url = env_url or (config.workspace.sandbox_url if backend == "sandbox_url" else None)
    if url:
        return f"the sandbox at {url} as {config.workspace.bot_user}"
    if config.workspace.backend == "sandbox":
        return f"the embedded sandbox ({config.workspace.sandbox_db}) as {config.workspace.bot_user}"
    method = config.workspace.auth.method if config.workspace.auth else "adc"
    return f"Google as {config.workspace.bot_user} ({method})"


def throwaway(config: Config) -> Any:
    """``config`` on an embedded sandbox in memory, with the sandbox's own sign-in (never the school's db), and
    the bot user's own calendar (the school's shared one does not exist there)."""
    workspace = config.workspace.model_copy(update={"backend": "sandbox", "sandbox_db": ":memory:",
                                                    "sandbox_url": None, "auth": None})
    calendar = config.calendar.model_copy(update={"calendar_id": "primary"})  # a shared calendar is not there
    copy = config.model_copy(update={"workspace": workspace, "calendar": calendar})
    copy._source = config._source
    return copy


@contextmanager
def without_env(name: str) -> Iterator[None]:
    """``os.environ`` without ``name`` for the duration (so a sandbox URL in the environment is not used)."""
    saved = os.environ.pop(name, None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ[name] = saved


def run_selftest(config: Config, *, online: bool = False, sandbox: Any = None) -> Report:
    """Every step of :data:`STEPS` on a throwaway sandbox, or (``online``) on the config's workspace.

    ``sandbox``: the in-process sandbox server behind the config's ``sandbox_url``, if the caller has one
    (the 429 step then arms its faults); the embedded sandbox is used that way on its own.
    """
    from ilt_bot.workspace.gateway import connect

    target = config if online else throwaway(config)

    def open_gateway() -> Gateway:
        if online:
            return connect(target)
        with without_env(SANDBOX_URL_ENV):
            return connect(target)

    run = Run(config=target, open_gateway=open_gateway, sandbox=sandbox)
    started = time.monotonic()
    try:
        outcomes = run_steps(run)
    finally:
        calls = run.gateway_.total_calls if run.gateway_ is not None else 0
        if run.gateway_ is not None:
            run.gateway_.close()
    return Report(describe(config, online), outcomes, dict(run.made), calls, time.monotonic() - started)


def report_table(report: Report) -> Table:
    """The steps as a table: status, step, what was seen or the error, and the fix."""
    table = Table(title=f"Selftest on {report.target}", title_justify="left")
    table.add_column("Status", no_wrap=True)
    table.add_column("Step", no_wrap=True)
    table.add_column("Detail", overflow="fold", max_width=90)
    colour = {"OK": "green", "FAIL": "bold red", "SKIPPED": "yellow"}
    for o in report.outcomes:
        detail = o.detail + (f"\nfix: {o.fix}" if o.fix else "")
        table.add_row(f"[{colour[o.status]}]{o.status}[/]", o.title, escape(detail))
    return table


def report_summary(report: Report) -> str:
    """One line: how many steps passed, failed, were skipped; calls and time."""
    counts = {s: sum(o.status == s for o in report.outcomes) for s in ("OK", "FAIL", "SKIPPED")}
    return (f"{counts['OK']} OK, {counts['FAIL']} FAIL, {counts['SKIPPED']} SKIPPED "
            f"({report.api_calls} API calls, {report.seconds:.1f} s)")
