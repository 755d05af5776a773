"""The school's ``config.toml``: models, problem reporting, cross-checks and loading.

``load_config(path)`` returns a :class:`Config` or raises :class:`ConfigError` listing *every* problem at
once, each with its field path (``meetings.first_date``), what is wrong and how to fix it.

- :mod:`ilt_bot.config.models`: the pydantic models, one a section.
- :mod:`ilt_bot.config.problems`: TOML and pydantic errors as :class:`Problem`s with did-you-mean hints.
- :mod:`ilt_bot.config.checks`: checks across fields and sections.
- :mod:`ilt_bot.config.load`: ``config_path``, ``load_config``, ``parse_config``.
"""

from ilt_bot.config.checks import cross_checks, teaching_months
from ilt_bot.config.load import CONFIG_ENV, DEFAULT_CONFIG, config_path, load_config, parse_config
from ilt_bot.config.models import (
    FOLDER_KINDS,
    MEETING_ROLES,
    ROLES,
    SCHOOL_WEEK,
    STRANDS,
    WEEKDAYS,
    Auth,
    CoachingAgreement,
    Config,
    CycleDates,
    Drive,
    Feedback,
    GoogleCalendar,
    LeadTimes,
    LearningCycles,
    MeetingPattern,
    Member,
    NoSchool,
    Person,
    Practice,
    Schedule,
    School,
    ScopeEntry,
    Section,
    Semester,
    Sharing,
    Stakeholders,
    Team,
    Templates,
    ThinkingMap,
    UipGoal,
    Workspace,
    Year,
    is_school_weekday,
)
from ilt_bot.errors import ConfigError, Problem

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG",
    "FOLDER_KINDS",
    "MEETING_ROLES",
    "ROLES",
    "STRANDS",
    "SCHOOL_WEEK",
    "WEEKDAYS",
    "Auth",
    "CoachingAgreement",
    "Config",
    "ConfigError",
    "CycleDates",
    "Drive",
    "Feedback",
    "GoogleCalendar",
    "LeadTimes",
    "LearningCycles",
    "MeetingPattern",
    "Member",
    "NoSchool",
    "Practice",
    "Person",
    "Problem",
    "Schedule",
    "School",
    "ScopeEntry",
    "Section",
    "Semester",
    "Sharing",
    "Stakeholders",
    "Team",
    "Templates",
    "ThinkingMap",
    "UipGoal",
    "Workspace",
    "Year",
    "config_path",
    "cross_checks",
    "is_school_weekday",
    "load_config",
    "parse_config",
    "teaching_months",
]
