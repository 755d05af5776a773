"""What the demo's people write, in plain school language: feedback, action items, agenda items.

The text varies with the meeting (its focus area and strand), the season of the school year and the
person, and is seeded by the meeting date, so the demo stays deterministic. Within one meeting no two
members give the same answer. Hostile input (markup, template syntax, formulas) belongs to the tests
(``tests/reliability/test_hostile_input.py``), never to the demo's people.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date

SEASONS = ("launch", "fall", "midyear", "spring", "testing", "close")


def rng(*parts: object) -> random.Random:
    """A generator seeded by ``parts`` (stable across runs and machines)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def season(day: date) -> str:
    """Where ``day`` falls in a US school year: launch (Aug-Sep), fall, midyear, spring, testing, close."""
    return {8: "launch", 9: "launch", 10: "fall", 11: "fall", 12: "midyear", 1: "midyear", 2: "spring",
            3: "spring", 4: "testing", 5: "testing"}.get(day.month, "close")


PLUS = {
    "launch": ("Building our norms together set a good tone for the year",
               "The vision activity reminded us why this team exists",
               "Everyone spoke in the first round, not just the usual voices",
               "Looking at last spring's data gave us a clear starting point"),
    "fall": ("The walkthrough debrief kept us on what students were doing",
             "Bringing student work made the conversation concrete",
             "The timekeeper kept us honest and we ended on time",
             "We left with owners and dates for every next step"),
    "midyear": ("Comparing fall and winter data showed real growth in two grades",
                "The reflection protocol helped us name what is working",
                "Good honest talk about what we will stop doing",
                "The interim data summary was ready before the meeting"),
    "spring": ("The peer observation stories were the best part",
               "We finally agreed on what strong feedback looks like",
               "Team leads brought teacher voice into the decision",
               "Short agenda, deep conversation"),
    "testing": ("We protected instruction time in the testing calendar",
                "Celebrating the year's wins lifted everyone",
                "The plan for next year's launch is already taking shape",
                "The data protocol kept us from jumping to solutions"),
    "close": ("A thoughtful close to the year",
              "Clear hand-offs for the summer",
              "We named three things to keep next year",
              "Everyone had a voice in the year-end review"),
}
DELTA = {
    "launch": ("Send the data packet a day ahead so we can read it first",
               "We spent too long on logistics; put them in an email",
               "Clarify who decides and who advises before the next item"),
    "fall": ("We ran over on the first item: use the time boxes",
             "Less time on announcements, more on instruction",
             "Invite a teacher to present what the team is trying"),
    "midyear": ("The reflection needed more time than we gave it",
                "Bring the student survey results, not only test scores",
                "Close each item with an owner and a date"),
    "spring": ("Too many new ideas at once: pick one and finish it",
               "Send the observation notes before we discuss them",
               "We need more time for the professional learning activity"),
    "testing": ("Keep the testing logistics off this agenda",
                "Start the meeting on time even if someone is late",
                "Leave ten minutes for next year's planning"),
    "close": ("Write down the summer tasks before we leave",
              "Schedule the August retreat now",
              "Share the year-end summary with all staff"),
}
FOCUS_PLUS = ("Time on {focus} was well spent", "The {strand} examples helped",
              "Our {focus} look-fors are getting sharper", "Good to see {focus} in every classroom visit")
FOCUS_DELTA = ("We need a clearer picture of {focus} in the upper grades",
               "Bring examples of {focus} from each team",
               "Agree on one {strand} practice to try before next week")
STOP = {
    "launch": ("Reading announcements aloud", "Starting late", "Side conversations"),
    "fall": ("Revisiting decisions we already made", "Reading announcements aloud", "Going over time"),
    "midyear": ("Adding items at the last minute", "Starting late", "Reporting without deciding"),
    "spring": ("Taking on new initiatives mid-year", "Revisiting decisions we already made", "Going over time"),
    "testing": ("Letting logistics eat the meeting", "Starting late", "Reading announcements aloud"),
    "close": ("Leaving action items without owners", "Going over time", "Side conversations"),
}
START = ("Bringing student work on {focus} to every meeting", "Ending with a one-minute summary",
         "Rotating who presents", "Sending the agenda two days ahead", "Inviting a teacher to each meeting",
         "Checking our {strand} goal every month")
CONTINUE = ("Using the data protocol", "Revisiting our norms", "Celebrating wins first", "The time boxes",
            "Peer observations on {focus}", "Closing items with owners and dates")

ACTIONS = {
    "launch": ("Finalize the team norms poster for each team room", "Share last spring's reading data with all teams",
               "Send the data day invitation to team leads", "Draft the walkthrough look-fors for October",
               "Book the library for the first data day"),
    "fall": ("Schedule peer observations for the K-2 leads", "Collect exit tickets from grade 4 for norming",
             "Send the family conference talking points", "Summarize the walkthrough trends for staff",
             "Plan coverage for the observation rounds"),
    "midyear": ("Prepare the interim data summary for the reflection", "Collect the team reflections before break",
                "Update the scope and sequence after the reflection", "Draft the second-semester focus letter",
                "Share the semester reflection package with staff"),
    "spring": ("Plan the spring learning walk", "Share the peer observation schedule",
               "Gather student survey results by team", "Invite two teachers to present their practice",
               "Revise the feedback look-fors with the team leads"),
    "testing": ("Publish the testing calendar that protects instruction", "Draft next year's ILT calendar",
                "Collect nominations for next year's ILT", "Prepare the celebration slides for staff",
                "Start the year-end reflection survey"),
    "close": ("Send the year-end summary to all staff", "Schedule the August launch retreat",
              "Archive this year's agendas and data", "Update the scope and sequence for next year",
              "Thank-you notes to the team leads"),
}
ITEMS = {
    "launch": (("Set our team norms", "New members joined the ILT this year", "15 minutes"),
               ("Review last spring's data", "We need a baseline before the first cycle", "20 minutes or more")),
    "fall": (("Calibrate on the walkthrough tool", "Our ratings differ by a full level on the same lesson",
              "15 minutes"),
             ("Family conference talking points", "We should speak with one voice about reading growth",
              "10 minutes"),
             ("Coverage for peer observations", "Three leads cannot observe without coverage", "10 minutes")),
    "midyear": (("Plan the interim data day", "Teams need a common protocol before the window opens",
                 "20 minutes or more"),
                ("Norm on exit-ticket analysis", "Teams score exit tickets differently", "15 minutes")),
    "spring": (("Second-semester focus check", "Are the cycles still on our UIP goals?", "15 minutes"),
               ("Peer observation follow-up", "Teachers asked what happens with the notes", "10 minutes")),
    "testing": (("Testing schedule and instruction time", "Teams worry about losing two weeks", "10 minutes"),
                ("Next year's ILT membership", "Two members are leaving", "15 minutes")),
    "close": (("Year-end celebration", "Recognize what teams achieved", "10 minutes"),),
}
TEACHER_ANSWERS = (
    ("Our team meetings stay focused on student work", "Co-planning the reading block saved me hours",
     "The model lesson before the observation helped a lot", "Data days felt useful this time",
     "Seeing {focus} in another classroom gave me ideas"),
    ("More time to act on feedback before the next observation", "Shorter written feedback, one action step",
     "Observe at different times of day", "Share the look-fors before the walkthrough",
     "Examples of {focus} at my grade level"),
    ("Thank you for protecting our planning time", "Could we visit another school's classrooms?",
     "Fewer new initiatives at once, please", ""),
)
"""What teachers write in their team's thinking map, by question position (the last may be blank)."""


def _fill(text: str, focus: str, strand: str) -> str:
    return text.format(focus=focus or "our focus", strand=strand or "instruction")


def feedback_answers(style: str, day: date, member_index: int, focus: str = "", strand: str = "") -> dict[str, str]:
    """The answers of the ``member_index``-th member to the feedback Form of the meeting on ``day``.

    Each member of a meeting draws a different answer (a shuffled pool, dealt out); some add a line
    about the meeting's focus area.
    """
    r = rng("feedback", day)
    when = season(day)
    if style == "stop_start_continue":
        starts, keeps = list(START), list(CONTINUE)
        r.shuffle(starts)
        r.shuffle(keeps)
        return {"stop": r.choice(STOP[when]), "start": _fill(starts[member_index % len(starts)], focus, strand),
                "continue": _fill(keeps[member_index % len(keeps)], focus, strand)}
    pluses = [*PLUS[when], *(_fill(t, focus, strand) for t in FOCUS_PLUS)] if focus else list(PLUS[when])
    deltas = [*DELTA[when], *(_fill(t, focus, strand) for t in FOCUS_DELTA)] if focus else list(DELTA[when])
    r.shuffle(pluses)
    r.shuffle(deltas)
    return {"plus": pluses[member_index % len(pluses)], "delta": deltas[member_index % len(deltas)]}


def action_items(day: date, count: int = 2) -> list[str]:
    """The action items the note taker types into the agenda of ``day`` (fit for the season)."""
    pool = ACTIONS[season(day)]
    return rng("actions", day).sample(pool, k=min(count, len(pool)))


def intake_item(day: date, member: str) -> tuple[str, str, str] | None:
    """An agenda item the member submits before the meeting on ``day``, if any (fit for the season)."""
    r = rng("intake", day, member)
    return r.choice(ITEMS[season(day)]) if r.random() < 0.25 else None


def suggested_item(day: date, index: int) -> tuple[str, str, str]:
    """The item a facilitator suggests in the agenda of the meeting on ``day``."""
    pool = ITEMS[season(day)]
    return pool[index % len(pool)]


def teacher_answers(questions: list[str], team: str, cycle: str, teacher: str,
                    focus: str = "") -> dict[str, str] | None:
    """A teacher's thinking-map answers (question title -> text), or None if they do not answer."""
    r = rng("thinking-map", team, cycle, teacher)
    if r.random() >= 0.75:
        return None
    out = {}
    for i, question in enumerate(questions):
        text = _fill(r.choice(TEACHER_ANSWERS[min(i, len(TEACHER_ANSWERS) - 1)]), focus, "")
        if text:
            out[question] = text
    return out


WE_WILL = (
    "Send the data two days ahead, with the agenda",
    "The timekeeper calls time on every section",
    "Each next step gets an owner and a date before we move on",
    "A team lead presents one student-work sample each month",
)
NO_CHANGE = "No change, because the time is set by the district calendar"


def delta_answer(day: date, ref: str) -> str:
    """What the facilitator writes in "We will" for a delta at the meeting on ``day`` ("" leaves it open)."""
    r = rng("delta", day, ref)
    roll = r.random()
    if roll < 0.25:
        return ""
    return NO_CHANGE if roll < 0.4 else r.choice(WE_WILL)
