"""Calendar v3 emulation: calendars, the calendar list, ACL rules, events, recurring series and their instances."""

from ilt_bot.sandbox.calendar import pages, responses  # noqa: F401  (registers handlers and pages)
