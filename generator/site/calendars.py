"""Month calendars and week labels for the archive pages: grids of days, made in Python."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from generator import urls
from generator.site.archive import Month, Week


@dataclass(frozen=True)
class CalendarDay:
    number: int
    path: str | None  # the day's page, if it has papers
    count: int
    # A screen reader hears "Tuesday, 14 October 2025: 3 papers"; the eye sees "14" and "3".
    weekday: str  # "Tuesday, "
    month: str  # " October 2025:"
    noun: str  # " papers"


@dataclass(frozen=True)
class MonthCalendar:
    title: str
    path: str
    weeks: tuple[tuple[CalendarDay | None, ...], ...]  # Monday first; None pads the first and last week


def month_calendar(month: Month) -> MonthCalendar:
    """Lay a month out in weeks from Monday to Sunday, linking the days that have papers."""
    counts = {day.date.day: len(day.papers) for day in month.days}
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdayscalendar(month.year, month.month):
        cells = []
        for number in week:
            if number == 0:
                cells.append(None)
                continue
            date = dt.date(month.year, month.month, number)
            count = counts.get(number, 0)
            cells.append(CalendarDay(number, urls.day_path(date) if count else None, count,
                                     f"{date:%A}, ", f" {date:%B %Y}:", " paper" if count == 1 else " papers"))
        weeks.append(tuple(cells))
    title = f"{dt.date(month.year, month.month, 1):%B %Y}"
    return MonthCalendar(title, urls.month_path(month.year, month.month), tuple(weeks))


def week_title(week: Week) -> str:
    """Name a week by its number and its Monday-to-Sunday dates: Week 42, 2025 (13–19 Oct)."""
    monday = dt.date.fromisocalendar(week.year, week.week, 1)
    sunday = monday + dt.timedelta(days=min(6, (dt.date.max - monday).days))  # the last week of 9999 ends early
    first = f"{monday.day} {monday:%b}" if monday.month != sunday.month else f"{monday.day}"
    return f"Week {week.week}, {week.year} ({first}–{sunday.day} {sunday:%b})"
