"""Which addresses have a Google account: the sandbox's directory.

Google shares without a notification e-mail only with an address that has a Google account; any
other address gets 400 ``invalidSharingRequest`` ("... there is no Google account associated with
this email address, you must check the 'Notify people' box ..."). The sandbox decides it this way:

- A seeded sandbox (:func:`register_accounts` was called: a domain's users, consumer accounts) knows
  its accounts: the registered addresses, anyone who has signed in (an API call, a token grant or a
  browser session as themselves), Google Groups (``set_group_members``) and registered service
  accounts. Every other address, in the school's domain or elsewhere, has no account.
- A sandbox that was never seeded cannot know who exists, so every address counts as an account
  there (the one place it is more lenient than Google).

The embedded sandbox seeds the config's people (members, teachers, stakeholders, the bot user).
Records: ``account`` (by address, grouped under its domain) and ``directory`` / ``seeded``.
"""

from __future__ import annotations

from collections.abc import Iterable

from ilt_bot.sandbox.core import ADMIN
from ilt_bot.sandbox.store import Store


def _domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


def register_accounts(store: Store, emails: Iterable[str]) -> None:
    """Give each address a Google account (and close the directory: unregistered addresses have none)."""
    with store.transaction():
        store.put("directory", "seeded", {"seeded": True})
        for email in emails:
            address = email.strip().lower()
            if "@" not in address:
                raise ValueError(f"{email!r} is not an email address")
            if store.get("account", address) is None:
                store.put("account", address, {"email": address}, parent=_domain(address))


def note_sign_in(store: Store, email: str) -> None:
    """Record that ``email`` has used the sandbox as themselves (so it has an account)."""
    address = email.lower()
    if address == ADMIN or "@" not in address or store.get("account", address) is not None:
        return
    with store.transaction():
        store.put("account", address, {"email": address, "signedIn": True}, parent=_domain(address))


def has_account(store: Store, email: str) -> bool:
    """Whether ``email`` has a Google account by the rule above."""
    address = email.strip().lower()
    if store.get("directory", "seeded") is None:
        return True
    return bool(store.get("account", address) or store.get("group", address)
                or store.get("service_account", address))
