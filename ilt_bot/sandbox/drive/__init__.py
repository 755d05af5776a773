"""Drive v3 emulation: files, folders, permissions, shared drives, the ``q`` language and a listing page.

Drive registers no content kind of its own: Docs, Forms and Sheets register theirs, and Drive calls
their hooks to create, convert, export, copy and delete what those files contain.
"""

from ilt_bot.sandbox.drive import pages, responses  # noqa: F401  (registers handlers and pages)
from ilt_bot.sandbox.drive.models import can_respond, create_file, get_file, role_of, sent_emails, touch

__all__ = ["can_respond", "create_file", "get_file", "role_of", "sent_emails", "touch"]
