"""A study plan's weeks as iCalendar events (RFC 5545, the `icalendar` package): one all-day event
per week, named after its topics, with each topic's hours and file in the description. UIDs are
stable per learner, plan start and week, so importing a newer plan of the same start updates the
events instead of doubling them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from tutor.learner.durations import format_hours
from tutor.learner.paths import StudyPlan

PART = {"whole": "", "starts": " (starts)", "continues": " (continued)", "ends": " (finishes)"}


def plan_calendar(plan: StudyPlan, *, stamp: datetime | None = None) -> bytes:
    """The plan as an .ics file's bytes."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//tutor//study plan//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"tutor study plan: {plan.learner}")
    stamp = stamp or datetime.now(UTC)
    seed = hashlib.sha256(f"{plan.learner}|{plan.start.isoformat()}".encode()).hexdigest()[:16]
    for week in plan.weeks:
        titles = [item.title + PART[item.part] for item in week.topics]
        event = Event()
        event.add("uid", f"{seed}-week-{week.number}@tutor")
        event.add("dtstamp", stamp)
        event.add("dtstart", week.start)
        event.add("dtend", week.end + timedelta(days=1))  # all-day events end the day after
        event.add("summary", f"Week {week.number}: {', '.join(titles)} ({format_hours(week.hours)})")
        lines = [
            f"- {item.title}{PART[item.part]}: {format_hours(item.hours)} of about "
            f"{format_hours(item.topic_hours)} ({item.path})"
            for item in week.topics
        ]
        event.add("description", "\n".join([f"{format_hours(week.hours)} this week:", *lines]))
        event.add("transp", "TRANSPARENT")  # study time does not block the calendar
        calendar.add_component(event)
    return calendar.to_ical()
