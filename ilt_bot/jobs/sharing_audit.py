"""The daily sharing audit: access a person added to a bot file beyond its audience (docs/privacy.md).

In the day's first pass (:func:`~ilt_bot.jobs.common.first_pass_of_day`), one paged ``files.list`` reads
every file the bot made with its permissions. A permission is beyond the audience when it is "anyone
with the link" (unless ``sharing.link_sharing``), a whole domain (the bot never shares with one), or a
person or group outside the school's domains and ``sharing.allow_external``. Each is reported in the Runs
tab (result ``extra``, shown by ``ilt-bot status``) and, with ``sharing.remove_extra_permissions = true``,
removed (result ``removed``). People inside the school added to a shared artifact are the ILT's own
business and are not reported; private artifacts cannot be re-shared at all (``writersCanShare = false``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ilt_bot.jobs.common import first_pass_of_day
from ilt_bot.workspace.api import Access

if TYPE_CHECKING:
    from ilt_bot.config import Config
    from ilt_bot.jobs import JobContext


def beyond_audience(config: Config, access: Access) -> str | None:
    """Why ``access`` goes beyond what the bot grants, or None when it is within it."""
    if access.role == "owner":
        return None
    if access.type == "anyone":
        return None if config.sharing.link_sharing else "anyone with the link can open it"
    if access.type == "domain":
        return f"everyone at {access.domain} can open it"
    host = access.email.rpartition("@")[2]
    if access.email and host not in config.school.domains and not config.sharing.allows(access.email):
        return f"{access.email} is outside the school's domains"
    return None


def audit_sharing(ctx: JobContext) -> None:
    """Report (and, if the config says so, remove) access beyond each bot file's audience, once a day."""
    if not first_pass_of_day(ctx):
        return
    listing = getattr(ctx.workspace, "bot_files_access", None)
    if listing is None:  # a WorkspaceAPI without the audit (a test double)
        return
    remove = ctx.config.sharing.remove_extra_permissions and not ctx.dry_run
    for ref, accesses in listing():
        extra = [(a, why) for a in accesses if (why := beyond_audience(ctx.config, a))]
        if not extra:
            continue
        if remove:
            ctx.workspace.remove_access(ref.id, [a.id for a, _ in extra])
        for access, why in extra:
            if remove:
                ctx.record("audit", ref.key or ref.id, "removed",
                           f"removed {access.role} access of {access.who()} ({why}): sharing.remove_extra_permissions")
            else:
                ctx.record("audit", ref.key or ref.id, "extra",
                           f"{why} ({access.role}), beyond what the bot shares: remove it in Drive (Share), or set "
                           "sharing.remove_extra_permissions = true to have the bot remove such access")
