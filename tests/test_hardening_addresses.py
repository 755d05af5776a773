"""Finding 2 of the hardening: one member address takes the school down no more.

- `check` validates every address against the school's domains as Workspace sees them: the primary
  domain and the secondary domains and subdomains named in ``school.secondary_domains``. Workspace treats a
  subdomain it was not given as another organisation, so ``x@ms.cedarheights.example.org`` was accepted by
  `check` (a suffix match) and then refused by sharing.
- At run time an address Google refuses (Drive's 400 ``invalidSharingRequest`` for an address with no
  Google account when no notification is sent: "there is no Google account associated with this email
  address", ``ilt_bot/sandbox/directory.py``) fails only that person's grant: the artifact is made and
  shared with everyone else, and the refusal is named in the Runs tab and `ilt-bot status`.
"""

from __future__ import annotations

import copy
import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from ilt_bot.config import ConfigError, parse_config
from ilt_bot.jobs.tick import run_tick
from ilt_bot.jobs.tracker import RUNS, tracker_key
from ilt_bot.sandbox.directory import register_accounts
from ilt_bot.status import school_status
from ilt_bot.workspace.embedded import config_people
from ilt_bot.workspace.gateway import connect
from ilt_bot.workspace.ratelimit import RateLimiter

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"
GHOST = "dev.ghost@cedarheights.example.org"
"""A member whose address has no Google account (a typo, or someone not yet provisioned)."""


def example_data() -> dict:
    return tomllib.loads(EXAMPLE.read_text())


def problems_of(data: dict) -> dict[str, object]:
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    return {p.path: p for p in err.value.problems}


def test_a_member_on_an_unlisted_subdomain_is_a_config_error_naming_the_field_and_the_fix():
    data = example_data()
    data["members"][1]["email"] = "b.okafor@ms.cedarheights.example.org"
    problem = problems_of(copy.deepcopy(data))["members[1].email"]
    assert "outside the school's domains" in problem.message
    assert "school.secondary_domains" in problem.fix and "ms.cedarheights.example.org" in problem.fix
    data["school"]["secondary_domains"] = ["ms.cedarheights.example.org"]
    assert parse_config(data).school.domains == ("cedarheights.example.org", "ms.cedarheights.example.org")


def test_auth_subject_must_be_in_the_schools_domains():
    data = example_data()
    data["workspace"].update({"backend": "google", "auth": {"method": "adc", "subject": "me@gmail.com"}})
    problem = problems_of(data)["workspace.auth.subject"]
    assert "domain-wide delegation" in problem.message and "workspace.bot_user" in problem.fix


def test_one_refused_address_fails_only_its_own_grant(sandbox, monkeypatch):
    """The tracker and the agenda are made and shared with every other member; the refusal is in the Runs
    tab and in status (was: every tick failed, the tracker was never shared, no agenda was made)."""
    data = example_data()
    data["members"].append({"id": "dev-ghost", "name": "Dev Ghost", "email": GHOST, "role": "team_lead"})
    config = parse_config(data)
    register_accounts(sandbox.store, [p for p in config_people(config) if p != GHOST])
    monkeypatch.setenv("ILT_BOT_SANDBOX_URL", sandbox.url)
    gateway = connect(config, limiter=RateLimiter(enabled=False))
    now = datetime(2026, 8, 22, 6, 30, tzinfo=config.tz)  # the first meeting's agenda is due (Aug 25, 3 days)
    sandbox.set_now(now)
    report = run_tick(config, gateway, now)
    assert report.errors == []
    agenda = gateway.find("cedar/agenda/2026-08-25")
    tracker = gateway.find(tracker_key(config))
    assert agenda is not None and tracker is not None
    assert agenda.app_properties["iltbot_state"] == "ready"
    others = {m.email for m in config.members if m.email != GHOST}
    # The tracker is shared without a notification e-mail: Google refuses the ghost, grants the others.
    tracker_emails = {p.get("emailAddress") for p in gateway.drive.list_permissions(tracker.id)}
    assert others <= tracker_emails and GHOST not in tracker_emails
    # The agenda's share notifies (Google invites an address without an account): everyone has it.
    assert others <= {p.get("emailAddress") for p in gateway.drive.list_permissions(agenda.id)}
    runs = gateway.read_rows(tracker.id, RUNS)
    refused = [r for r in runs if r[4] == "refused"]
    assert tracker_key(config) in {r[3] for r in refused}
    assert all(GHOST in r[5] and "invalidSharingRequest" in r[5] for r in refused)
    status = school_status(config, gateway, now)
    flagged = [a for a in status.attention if a.what == "refused_share"]
    assert flagged and all(GHOST in a.detail for a in flagged)
    gateway.close()
