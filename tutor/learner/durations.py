"""A topic's study hours from its front matter `duration`, with the reason a learner can check.

The shipped roadmap gives durations as its sources do ("4–6 hours for the basics", "2–6 weeks if
you are new to Python", "weeks 15–20 (course.careers)"). The rule, in order:

1. The first figure in the text counts (later ones are other publishers' views): a range is its
   midpoint, "weeks 15–20" is a span of 6 weeks, "about 2 weeks" is 2 weeks.
2. Hours are hours; a day is 2 hours; a week is `WEEK_HOURS` (the corpus's own yardstick: 2 hours a
   day on six days, 12 hours a week); a month is 52/12 weeks.
3. "N weeks of X first" is time for something else before this topic, not the topic's own.
   A pace kept for a time counts whole: "30 minutes a day for 3 weeks" is 0.5 h on each of 18
   study days (six a week), 9 hours.
4. A figure longer than `MAX_TOPIC_WEEKS` weeks describes a whole plan, not one topic, and is left
   out, as is a duration with no figure ("ongoing"): the topic gets `DEFAULT_HOURS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WEEK_HOURS = 12.0
DAY_HOURS = 2.0
MONTH_WEEKS = 52 / 12
MAX_TOPIC_WEEKS = 12
DEFAULT_HOURS = 8.0

NUMBER = r"(\d+(?:\.\d+)?)"
RANGE_SEP = r"\s*(?:–|—|-|to)\s*"
UNIT = r"(minutes?|mins?|hours?|hrs?|h|days?|weeks?|wks?|months?)\b"
# "4–6 hours", "6 to 18 months", "about 2 weeks", "3 h"
AMOUNT = re.compile(rf"{NUMBER}(?:{RANGE_SEP}{NUMBER})?\s*{UNIT}", re.IGNORECASE)
# "weeks 15–20", "month 6": a position in someone's schedule
SPAN = re.compile(rf"\b{UNIT}\s+{NUMBER}(?:{RANGE_SEP}{NUMBER})?", re.IGNORECASE)


# "1-2 hours a day for a week", "30 minutes a day for 3 weeks", "5 hours a week for 2 months": a pace
# kept for a time. (A week of study days is six, the corpus's yardstick.)
RATE = re.compile(
    rf"{NUMBER}(?:{RANGE_SEP}{NUMBER})?\s*{UNIT}\s+(?:a|per|each|every)\s+(day|week)\s+for\s+"
    rf"(?:(an?|one)|{NUMBER}(?:{RANGE_SEP}{NUMBER})?)\s*(days?|weeks?|months?)\b",
    re.IGNORECASE,
)
STUDY_DAYS = WEEK_HOURS / DAY_HOURS  # a week's study days


def _rate_hours(text: str) -> tuple[float, str, bool] | None:
    """(hours, the matched words, whether the pace is per day) of a pace kept for a time, when it
    is the first figure of `text`."""
    match = RATE.search(text)
    if not match or AMOUNT.search(text[: match.start()]):
        return None  # another figure comes first: rule 1
    low, high, unit, per, one, span_low, span_high, span_unit = match.groups()
    if not unit.lower().startswith(("h", "mi")):
        return None  # "2 days a week for a month": not a pace in hours
    each = ((float(low) + float(high)) / 2 if high else float(low)) * _unit_hours(unit)
    span = 1.0 if one else (float(span_low) + float(span_high)) / 2 if span_high else float(span_low)
    days = {"d": 1.0, "w": STUDY_DAYS, "m": MONTH_WEEKS * STUDY_DAYS}[span_unit[0].lower()] * span
    per_day = per.lower() == "day"
    return (each * days if per_day else each * days / STUDY_DAYS), match.group(0), per_day


@dataclass(frozen=True)
class Estimate:
    hours: float
    reason: str  # "“4–6 hours” in the front matter" or why the default applies
    from_front_matter: bool
    no_figure: bool = False  # a duration whose words give no time ("a weekend"): a roadmap problem


def _unit_hours(unit: str) -> float:
    unit = unit.lower()
    if unit.startswith("mi"):
        return 1 / 60
    if unit.startswith("h"):
        return 1.0
    if unit.startswith("d"):
        return DAY_HOURS
    if unit.startswith("w"):
        return WEEK_HOURS
    return MONTH_WEEKS * WEEK_HOURS


BEFORE_THIS = re.compile(r"^\s+of\s+[^,;()]*?\b(first|beforehand|before)\b", re.IGNORECASE)


def _first_figure(text: str) -> tuple[float | None, str, str] | None:
    """(amount in the unit, unit, the matched words) of the first figure in `text`; the amount is
    None for "N weeks of X first"."""
    found = []
    for match in AMOUNT.finditer(text):
        low, high, unit = float(match.group(1)), match.group(2), match.group(3)
        amount = (low + float(high)) / 2 if high else low
        before = BEFORE_THIS.match(text[match.end() :])
        if before:
            found.append((match.start(), None, unit, text[match.start() : match.end() + before.end()]))
            continue
        found.append((match.start(), amount, unit, match.group(0)))
    for match in SPAN.finditer(text):
        unit, low, high = match.group(1), float(match.group(2)), match.group(3)
        amount = float(high) - low + 1 if high else 1.0
        found.append((match.start(), amount, unit, match.group(0)))
    if not found:
        return None
    _, amount, unit, words = min(found)
    return amount, unit, words


def estimate_hours(duration: str | None) -> Estimate:
    """The study hours a topic's `duration` gives it, or the default with the reason why."""
    if not duration or not duration.strip():
        return Estimate(DEFAULT_HOURS, "no duration in the front matter: the default", False)
    rate = _rate_hours(duration)
    if rate is not None:
        hours, words, per_day = rate
        if hours > MAX_TOPIC_WEEKS * WEEK_HOURS:
            return Estimate(DEFAULT_HOURS, f"“{words}” is a whole plan, not one topic: the default", False)
        days = f", {STUDY_DAYS:g} study days a week" if per_day else ""
        return Estimate(hours, f"“{words}” in the front matter{days}", True)
    figure = _first_figure(duration)
    if figure is None:
        return Estimate(DEFAULT_HOURS, f"“{duration}” gives no figure: the default", False, no_figure=True)
    amount, unit, words = figure
    if amount is None:
        return Estimate(DEFAULT_HOURS, f"“{words}” is time for something else first: the default", False)
    hours = amount * _unit_hours(unit)
    if hours > MAX_TOPIC_WEEKS * WEEK_HOURS:
        return Estimate(DEFAULT_HOURS, f"“{words}” is a whole plan, not one topic: the default", False)
    if hours <= 0:
        return Estimate(DEFAULT_HOURS, f"“{words}” is no time at all: the default", False)
    if unit.lower().startswith(("h", "mi")):
        return Estimate(hours, f"“{words}” in the front matter", True)
    pace = f"{DAY_HOURS:g} h a day" if unit.lower().startswith("d") else f"{WEEK_HOURS:g} h a week"
    return Estimate(hours, f"“{words}” in the front matter, at {pace}", True)


def format_hours(hours: float) -> str:
    """'6 h', '1.5 h', '48 h', '686 h': whole hours without decimals, and past ten no tenths."""
    rounded = round(hours) if hours >= 10 else round(hours, 1)
    return f"{rounded:g} h"
