"""Checks across fields and sections of the config: emails in the school's domain, team leads are ILT
members, dates inside the school year, the scope and sequence covers every teaching month, no duplicate ids.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from ilt_bot.config.models import (
    STRANDS,
    WEEKDAYS,
    GoogleCalendar,
    LearningCycles,
    MeetingPattern,
    Schedule,
    ScopeEntry,
    Semester,
    Sharing,
    Stakeholders,
    Team,
    Workspace,
    Year,
    is_school_weekday,
)
from ilt_bot.config.timebox import timebox_problems
from ilt_bot.errors import Problem


def cross_checks(s: dict[str, Any]) -> list[Problem]:
    """Checks across fields and sections.

    ``s`` maps section names to validated sections, or to partial ones (only their valid fields set)
    when a section has its own mistakes: a check that needs a missing field is skipped, the others run.
    """
    school, members, teams = s.get("school"), s.get("members"), s.get("teams")
    year, meetings = s.get("year"), s.get("meetings")
    sharing: Sharing = s.get("sharing") or Sharing()
    checks: list[Callable[[], list[Problem]]] = []
    if school:
        checks.append(lambda: _duplicates("school.uip_goals", [g.id for g in school.uip_goals], "id"))
        checks.append(lambda: _domain_checks(school.domains, s, sharing))
    if members is not None:
        checks.append(lambda: _duplicates("members", [m.id for m in members], "id"))
        checks.append(lambda: _duplicates("members", [m.email for m in members], "email"))
        checks.append(lambda: _membership_checks([m.id for m in members], teams or [], meetings))
    if teams is not None:
        checks.append(lambda: _duplicates("teams", [t.id for t in teams], "id"))
        checks += [
            (lambda i=i, team=team: _duplicates(f"teams[{i}].teachers", [p.email for p in team.teachers], "email"))
            for i, team in enumerate(teams)
        ]
    if meetings:
        checks.append(lambda: _rotation_checks(meetings))
        if s.get("agenda") is not None:
            checks.append(lambda: timebox_problems(s["agenda"], meetings, year, s.get("scope_sequence")))
    if year:
        checks.append(lambda: _duplicates("year.semesters", [x.id for x in year.semesters], "id"))
        checks.append(lambda: _year_checks(year))
        if meetings:
            checks.append(lambda: _meeting_date_checks(meetings, year))
            checks.append(lambda: _meeting_weekday_check(meetings))
            checks.append(lambda: _reflection_not_cancelled(meetings, year))
            checks.append(lambda: _meeting_dates_match_schedule(meetings, year))
        if s.get("learning_cycles") is not None:
            checks.append(lambda: _cycle_checks(s["learning_cycles"], year))
        if s.get("scope_sequence") is not None:
            checks.append(lambda: _scope_checks(s["scope_sequence"], year))
    if s.get("workspace"):
        checks.append(lambda: _workspace_checks(s["workspace"]))
    if s.get("schedule"):
        checks.append(lambda: _schedule_checks(s["schedule"]))
    if s.get("calendar"):
        checks.append(lambda: _calendar_checks(s["calendar"]))
    out: list[Problem] = []
    for check in checks:
        try:
            out += check()
        except AttributeError:  # a field this check needs has its own (already reported) mistake
            continue
    return out


def _membership_checks(member_ids: list[str], teams: list[Team], meetings: MeetingPattern | None) -> list[Problem]:
    out = [
        _not_member(f"teams[{i}].lead", team.lead, member_ids, "a team lead must be an ILT member")
        for i, team in enumerate(teams)
        if getattr(team, "lead", None) is not None and team.lead not in member_ids
    ]
    if meetings:
        out += [_not_member(f"meetings.rotation[{i}]", who, member_ids, "the rotation is of members")
                for i, who in enumerate(getattr(meetings, "rotation", [])) if who not in member_ids]
        out += [_not_member(f"meetings.fixed_roles.{role}", who, member_ids, "roles go to ILT members")
                for role, who in getattr(meetings, "fixed_roles", {}).items() if who not in member_ids]
    return out


def _duplicates(path: str, values: list[str], what: str) -> list[Problem]:
    counts = Counter(values)
    out = []
    for value, n in counts.items():
        if n > 1:
            index = [i for i, v in enumerate(values) if v == value][1]
            out.append(Problem(f"{path}[{index}].{what}", f"duplicate {what} {value!r} (used {n} times)",
                               f"give each entry its own {what}"))
    return out


def _not_member(path: str, who: str, member_ids: list[str], why: str) -> Problem:
    close = difflib.get_close_matches(who, member_ids, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return Problem(path, f"{who!r} is not an ILT member ({why})",
                   f"{hint}use a member id from [[members]]: {', '.join(member_ids)}")


def _in_domain(email: str, domains: tuple[str, ...]) -> bool:
    """Whether ``email`` is at one of ``domains`` exactly: Workspace treats a subdomain it was not given
    (``ms.cedar.org`` under ``cedar.org``) as another organisation, and refuses to share with it."""
    return email.rsplit("@", 1)[-1].lower() in {d.lower() for d in domains}


def _addresses(s: dict[str, Any]) -> list[tuple[str, str]]:
    """Every address the config names, with its field path."""
    found: list[tuple[str, str]] = []
    for i, m in enumerate(s.get("members") or []):
        found.append((f"members[{i}].email", m.email))
    for i, t in enumerate(s.get("teams") or []):
        for j, p in enumerate(t.teachers):
            found.append((f"teams[{i}].teachers[{j}].email", p.email))
    workspace = s.get("workspace")
    if workspace:
        found.append(("workspace.bot_user", workspace.bot_user))
    for i, e in enumerate((s.get("stakeholders") or Stakeholders()).emails):
        found.append((f"stakeholders.emails[{i}]", e))
    return found


def _domain_checks(domains: tuple[str, ...], s: dict[str, Any], sharing: Sharing) -> list[Problem]:
    listed = " or ".join(f"@{d}" for d in domains)
    out = [
        Problem(path, f"{email!r} is outside the school's domains ({', '.join(domains)})",
                _domain_fix(email, domains, listed))
        for path, email in _addresses(s)
        if not _in_domain(email, domains) and not sharing.allows(email)
    ]
    workspace = s.get("workspace")
    subject = workspace.auth.subject if workspace and workspace.auth else None
    if subject and not _in_domain(subject, domains):
        out.append(Problem("workspace.auth.subject", f"{subject!r} is outside the school's domains "
                           f"({', '.join(domains)}): domain-wide delegation can only act as a user of this Workspace",
                           f"leave subject out (the bot then acts as workspace.bot_user) or use an address {listed}"))
    return out


def _domain_fix(email: str, domains: tuple[str, ...], listed: str) -> str:
    host = email.rsplit("@", 1)[-1]
    if any(host.endswith("." + d) for d in domains):
        return (f"{host} is a subdomain: if it is one of your Workspace's domains (Admin console > Account > "
                f'Domains) add it to school.secondary_domains = ["{host}"], else use the address {listed}')
    return f"use an address {listed}, or list it in sharing.allow_external"


def _outside(path: str, day: date, year: Year) -> Problem | None:
    if year.start <= day <= year.end:
        return None
    return Problem(path, f"{day} is outside the school year ({year.start} to {year.end})",
                   "use a date inside year.start .. year.end, or fix the year's dates")


def _year_checks(year: Year) -> list[Problem]:
    if year.end <= year.start:
        return [Problem("year.end", f"{year.end} is not after year.start {year.start}", "swap or fix the dates")]
    out: list[Problem] = []
    if year.start.year != int(year.label[:4]):
        out.append(Problem("year.label", f"{year.label!r} does not match year.start {year.start}",
                           f'write "{year.start.year}-{(year.start.year + 1) % 100:02d}"'))
    return out + _semester_checks(year) + _no_school_checks(year)


def _semester_checks(year: Year) -> list[Problem]:
    out: list[Problem] = []
    previous_end: date | None = None
    for i, sem in enumerate(year.semesters):
        p = f"year.semesters[{i}]"
        out += [x for x in (_outside(f"{p}.start", sem.start, year), _outside(f"{p}.end", sem.end, year)) if x]
        if sem.end <= sem.start:
            out.append(Problem(f"{p}.end", f"{sem.end} is not after start {sem.start}", "fix the semester's dates"))
        if previous_end and sem.start <= previous_end:
            out.append(Problem(f"{p}.start", f"{sem.start} overlaps the previous semester (ends {previous_end})",
                               "list semesters in order without overlap"))
        previous_end = sem.end
        out += _reflection_day_checks(p, sem, year)
    return out


def _reflection_day_checks(p: str, sem: Semester, year: Year) -> list[Problem]:
    out: list[Problem] = []
    off = year.no_school_days()
    for field in ("reflection_date", "team_reflection_date"):
        day = getattr(sem, field)
        if day is None:
            continue
        if not sem.start <= day <= sem.end:
            out.append(Problem(f"{p}.{field}", f"{day} is outside the semester ({sem.start} to {sem.end})",
                               "hold the reflection at the close of the semester, inside its dates"))
        elif day in off:
            out.append(Problem(f"{p}.{field}", f"{day} is a no-school day ({off[day]})", "pick a school day"))
    return out


def _no_school_checks(year: Year) -> list[Problem]:
    out: list[Problem] = []
    for i, entry in enumerate(year.no_school):
        p = f"year.no_school[{i}]"
        if (entry.date is None) == (entry.start is None and entry.end is None):
            out.append(Problem(p, "give either date, or start and end", 'write { name = "...", date = 2026-09-07 } '
                                  'or { name = "...", start = 2026-12-21, end = 2027-01-01 }'))
            continue
        if entry.date is None and (entry.start is None or entry.end is None):
            out.append(Problem(p, "a range needs both start and end", "add the missing end of the range"))
            continue
        if entry.start and entry.end and entry.end < entry.start:
            out.append(Problem(f"{p}.end", f"{entry.end} is before start {entry.start}", "fix the range"))
        for field in ("date", "start", "end"):
            day = getattr(entry, field)
            if day is not None and (problem := _outside(f"{p}.{field}", day, year)):
                out.append(problem)
    return out


def _meeting_date_checks(m: MeetingPattern, year: Year) -> list[Problem]:
    out: list[Problem] = []
    if getattr(m, "first_date", None) and (problem := _outside("meetings.first_date", m.first_date, year)):
        out.append(problem)
    for field in ("extra_dates", "cancelled_dates"):
        for i, day in enumerate(getattr(m, field, [])):
            if problem := _outside(f"meetings.{field}[{i}]", day, year):
                out.append(problem)
    return out


def _meeting_weekday_check(m: MeetingPattern) -> list[Problem]:
    if m.first_date == m.first_regular():
        return []
    actual = WEEKDAYS[m.first_date.weekday()]
    return [Problem("meetings.first_date", f"{m.first_date} is a {actual}, not a {m.weekday}",
                    f"use the first {m.weekday} meeting date, or set meetings.weekday = \"{actual}\"")]


def _reflection_not_cancelled(m: MeetingPattern, year: Year) -> list[Problem]:
    return [
        Problem(f"year.semesters[{i}].reflection_date", f"{sem.reflection_date} is in meetings.cancelled_dates",
                "move the reflection meeting or remove the cancellation")
        for i, sem in enumerate(year.semesters)
        if sem.reflection_date in m.cancelled_dates
    ]


def _scheduled_days(m: MeetingPattern, year: Year) -> dict[date, date | None]:
    """The meeting days of the pattern before any cancellation: day -> the regular day it moved from."""
    off = year.no_school_days()
    step = timedelta(days=7 if m.frequency == "weekly" else 14)
    days: dict[date, date | None] = {}
    regular = m.first_regular()
    while regular <= year.end:
        if regular not in off:
            days.setdefault(regular, None)
        elif m.on_holiday == "next_school_day":
            day = regular + timedelta(days=1)
            while day.isocalendar()[:2] == regular.isocalendar()[:2] and day <= year.end:
                if is_school_weekday(day) and day not in off:
                    days.setdefault(day, regular)
                    break
                day += timedelta(days=1)
        regular += step
    for extra in m.extra_dates:
        days.setdefault(extra, None)
    for sem in year.semesters:
        days.setdefault(sem.reflection_date, None)
    return days


def _week_meeting(days: dict[date, date | None], day: date) -> date | None:
    """The scheduled meeting in the same week as ``day``, if any."""
    return next((d for d in sorted(days) if d.isocalendar()[:2] == day.isocalendar()[:2]), None)


def _meeting_dates_match_schedule(m: MeetingPattern, year: Year) -> list[Problem]:
    """A cancelled date must be a meeting (regular, moved or extra); an extra date must be a school day.

    Otherwise the meeting meant to be cancelled is held, or the extra meeting falls on a day off.
    """
    out: list[Problem] = []
    off = year.no_school_days()
    days = _scheduled_days(m, year)
    for i, day in enumerate(m.cancelled_dates):
        if day in days or not year.start <= day <= year.end:
            continue
        near = _week_meeting(days, day)
        hint = (f"did you mean {near} (the {WEEKDAYS[near.weekday()].title()} meeting of that week)? "
                if near else "")
        out.append(Problem(f"meetings.cancelled_dates[{i}]",
                           f"{day} (a {WEEKDAYS[day.weekday()].title()}) is no meeting day: nothing is cancelled"
                           + (f" and the meeting of {near} is still held" if near else ""),
                           f"{hint}cancel the date of a scheduled meeting (meetings are on "
                           f"{m.weekday.title()}s), or remove it"))
    for i, day in enumerate(m.extra_dates):
        if not year.start <= day <= year.end:
            continue
        if not is_school_weekday(day) or day in off:
            why = off.get(day) or WEEKDAYS[day.weekday()].title()
            out.append(Problem(f"meetings.extra_dates[{i}]", f"{day} is not a school day ({why})",
                               "pick a school day for the extra meeting, or remove it"))
    return out


def _rotation_checks(m: MeetingPattern) -> list[Problem]:
    out = [Problem(f"meetings.roles[{i}]", f"{role!r} is listed twice", "list each role once")
           for i, role in enumerate(m.roles) if role in m.roles[:i]]
    rotating = [r for r in m.roles if r not in m.fixed_roles]
    if rotating and not m.rotation:
        out.append(Problem("meetings.rotation", f"no one to rotate through the roles {', '.join(rotating)}",
                           'list member ids, like rotation = ["ana-ruiz", "ben-okafor", ...]'))
    elif rotating and len(set(m.rotation)) < len(rotating):
        out.append(Problem("meetings.rotation", f"{len(set(m.rotation))} people for {len(rotating)} rotating roles",
                           "list at least as many members as roles, or drop roles from meetings.roles"))
    for role in m.fixed_roles:
        if role not in m.roles:
            out.append(Problem(f"meetings.fixed_roles.{role}", f"{role!r} is not in meetings.roles",
                               f"add {role!r} to meetings.roles or remove it here"))
    return out


def _cycle_checks(c: LearningCycles, year: Year) -> list[Problem]:
    out: list[Problem] = []
    explicit = bool(c.cycles)
    generated = c.length_weeks is not None or c.first_start is not None
    if explicit and generated:
        return [Problem("learning_cycles", "both cycles and length_weeks/first_start are set",
                        "keep either the explicit [[learning_cycles.cycles]] list or length_weeks + first_start")]
    if not explicit and not generated:
        return [Problem("learning_cycles", "no learning cycles defined",
                        "set learning_cycles.length_weeks and first_start, or list learning_cycles.cycles")]
    if generated:
        if c.length_weeks is None:
            out.append(Problem("learning_cycles.length_weeks", "is required with first_start", "add length_weeks = 6"))
        if c.first_start is None:
            out.append(Problem("learning_cycles.first_start", "is required with length_weeks",
                               "add first_start = <first day of the first cycle>"))
        elif problem := _outside("learning_cycles.first_start", c.first_start, year):
            out.append(problem)
        return out
    out += _duplicates("learning_cycles.cycles", [x.id for x in c.cycles], "id")
    previous: date | None = None
    for i, cyc in enumerate(c.cycles):
        p = f"learning_cycles.cycles[{i}]"
        if cyc.id != f"c{i + 1}":
            out.append(Problem(f"{p}.id", f"{cyc.id!r} out of order", f"number cycles in date order: c{i + 1}"))
        for field in ("start", "end"):
            if problem := _outside(f"{p}.{field}", getattr(cyc, field), year):
                out.append(problem)
        if cyc.end < cyc.start:
            out.append(Problem(f"{p}.end", f"{cyc.end} is before start {cyc.start}", "fix the cycle's dates"))
        if previous and cyc.start <= previous:
            out.append(Problem(f"{p}.start", f"{cyc.start} overlaps the previous cycle (ends {previous})",
                               "list cycles in order without overlap"))
        previous = cyc.end
    return out


def teaching_months(year: Year) -> list[str]:
    """Months ("YYYY-MM") of the school year that contain at least one school day."""
    off = year.no_school_days()
    months: list[str] = []
    day = year.start
    while day <= year.end:
        if is_school_weekday(day) and day not in off:
            label = f"{day.year:04d}-{day.month:02d}"
            if label not in months:
                months.append(label)
        day += timedelta(days=1)
    return months


def _scope_checks(entries: list[ScopeEntry], year: Year) -> list[Problem]:
    out: list[Problem] = []
    teaching = teaching_months(year)
    first_month = f"{year.start.year:04d}-{year.start.month:02d}"
    last_month = f"{year.end.year:04d}-{year.end.month:02d}"
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        for j, month in enumerate(entry.months):
            p = f"scope_sequence[{i}].months[{j}]"
            if not first_month <= month <= last_month:
                out.append(Problem(p, f"{month} is outside the school year ({first_month} to {last_month})",
                                   "use months of the school year"))
            elif month in seen:
                out.append(Problem(p, f"{month} is already covered by scope_sequence[{seen[month]}]",
                                   "give each month one focus area"))
            else:
                seen[month] = i
    missing = [m for m in teaching if m not in seen]
    if missing:
        out.append(Problem("scope_sequence", f"no focus area for teaching month(s) {', '.join(missing)}",
                           "add these months to an entry's months list (every month with school needs a focus)"))
    strands = {e.strand for e in entries}
    absent = [s for s in STRANDS if s not in strands]
    if absent:
        out.append(Problem("scope_sequence", f"no entry for the strand(s) {', '.join(absent)}",
                           "balance the year across data, observation_feedback and professional_learning"))
    return out


def _workspace_checks(w: Workspace | None) -> list[Problem]:
    if w is None:
        return []
    out: list[Problem] = []
    if w.backend == "sandbox_url" and not w.sandbox_url:
        out.append(Problem("workspace.sandbox_url", 'is required with backend = "sandbox_url"',
                           'add sandbox_url = "http://127.0.0.1:8765" (start it with `ilt-bot sandbox serve`)'))
    if w.backend != "google" and w.auth is not None:
        out.append(Problem("workspace.auth", f'is set with workspace.backend = "{w.backend}": the bot would send '
                           "the school's real credentials (refresh token, signed service-account tokens) to the "
                           "sandbox, which is not Google",
                           'remove [workspace.auth] to run on the sandbox (it has its own sign-in), or set '
                           'workspace.backend = "google"'))
    if w.backend == "google":
        if w.auth is None:
            out.append(Problem("workspace.auth", 'is required with backend = "google"',
                               'add [workspace.auth] with method = "service_account" (see docs/google-setup.md)'))
        else:
            needs = {
                "service_account": ["key_file"],
                "impersonation": ["target_principal"],
                "oauth": ["client_secrets", "token_file"],
                "adc": [],
            }[w.auth.method]
            for field in needs:
                if not getattr(w.auth, field):
                    out.append(Problem(f"workspace.auth.{field}", f'is required with method = "{w.auth.method}"',
                                       f"add {field} = ... (see docs/google-setup.md)"))
    return out


def _calendar_checks(c: GoogleCalendar) -> list[Problem]:
    """Settings of a ``[calendar]`` that is not turned on would silently do nothing."""
    if c.enabled:
        return []
    return [Problem(f"calendar.{name}", "is set but calendar.enabled is false, so it does nothing",
                    "add enabled = true to [calendar] (or remove the setting)")
            for name in ("calendar_id", "series_event_id") if name in c.model_fields_set]


def _schedule_checks(s: Schedule) -> list[Problem]:
    out: list[Problem] = []
    if 60 % s.every_minutes and s.every_minutes % 60:
        out.append(Problem("schedule.every_minutes", f"{s.every_minutes} does not divide the hour",
                           "use a divisor of 60 (5, 10, 15, 20, 30) or whole hours (60, 120, ...)"))
    if s.end <= s.start:
        out.append(Problem("schedule.end", f"{s.end} is not later than schedule.start {s.start}",
                           "the daily window must end after it starts"))
    return out
