"""The sandbox's directory of Google accounts, as the embedded sandbox seeds it from a config."""

from __future__ import annotations

from pathlib import Path

from ilt_bot.config import load_config
from ilt_bot.sandbox.directory import has_account
from ilt_bot.workspace.embedded import config_people, start_embedded

SCHOOL = Path(__file__).parents[1] / "jobs" / "school.toml"


def test_the_embedded_sandbox_gives_the_configs_people_accounts_and_no_one_else(tmp_path):
    """Silent shares (``sendNotificationEmail=false``) need a Google account on Google: the embedded
    sandbox registers the config's members, teachers, stakeholders and bot user, so the bot's own
    shares work while an unknown address is refused as Google refuses it."""
    source = SCHOOL.read_text(encoding="utf-8").replace('backend = "sandbox"',
                                                        f'backend = "sandbox"\nsandbox_db = "{tmp_path}/s.db"')
    path = tmp_path / "config.toml"
    path.write_text(source + '\n[stakeholders]\nemails = ["board.chair@cedar.example.org"]\n', encoding="utf-8")
    config = load_config(path)
    people = config_people(config)
    assert {"ilt-bot@cedar.example.org", "ana.ruiz@cedar.example.org", "eva.lund@cedar.example.org",
            "board.chair@cedar.example.org"} <= set(people)
    server, _url = start_embedded(config)
    try:
        assert all(has_account(server.store, p) for p in people)
        assert not has_account(server.store, "someone.else@cedar.example.org")
        assert not has_account(server.store, "parent@gmail.com")
    finally:
        server.stop()
