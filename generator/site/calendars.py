"""Month calendars and week labels for the archive pages: grids of days, made in Python."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from generator import urls
from generator.site.archive import Month, Week, Year


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
    return iso_week_title(week.year, week.week)


def iso_week_title(iso_year: int, number: int) -> str:
    monday = dt.date.fromisocalendar(iso_year, number, 1)
    sunday = monday + dt.timedelta(days=min(6, (dt.date.max - monday).days))  # the last week of 9999 ends early
    first = f"{monday.day} {monday:%b}" if monday.month != sunday.month else f"{monday.day}"
    return f"Week {number}, {iso_year} ({first}–{sunday.day} {sunday:%b})"


@dataclass(frozen=True)
class OverviewCell:
    """A month or week of a year's overview: its short label, and its page and spoken name when it
    has papers (None when it has none, shown but not linked)."""

    label: str  # "Mar", "12"
    path: str | None
    count: str  # "40", or "" when it has none
    noun: str  # "papers", after the count for a screen reader
    spoken: str  # a week's full name: "Week 12, 2025 (16–22 Mar): 40 papers"


@dataclass(frozen=True)
class YearOverview:
    year: int
    path: str
    count: int
    months: tuple[OverviewCell, ...]  # January to December
    weeks: tuple[OverviewCell, ...]  # every ISO week with a day in the year, in order


def papers_noun(count: int) -> str:
    return f"{count:,} paper" if count == 1 else f"{count:,} papers"


def week_counts(years: tuple[Year, ...]) -> dict[tuple[int, int], int]:
    """Papers in each ISO week (year, week) that has some, from the days of every year."""
    counts: dict[tuple[int, int], int] = {}
    for year in years:
        for month in year.months:
            for day in month.days:
                iso_year, number, _ = day.date.isocalendar()
                counts[iso_year, number] = counts.get((iso_year, number), 0) + len(day.papers)
    return counts


def year_overview(year: Year, weeks: dict[tuple[int, int], int]) -> YearOverview:
    """A year at a glance: its twelve months and its weeks, each linked when it has papers."""
    counts = {month.month: month.paper_count for month in year.months}
    months = []
    for number in range(1, 13):
        first = dt.date(year.year, number, 1)
        count = counts.get(number, 0)
        months.append(OverviewCell(f"{first:%b}", urls.month_path(year.year, number) if count else None,
                                   f"{count:,}" if count else "", "paper" if count == 1 else "papers", ""))
    week_cells = []
    monday = dt.date(year.year, 1, 1) - dt.timedelta(days=dt.date(year.year, 1, 1).weekday())
    while monday.year <= year.year:  # from the week of 1 January to the week of 31 December
        iso_year, number, _ = monday.isocalendar()
        count = weeks.get((iso_year, number), 0)
        spoken = f"{iso_week_title(iso_year, number)}: {papers_noun(count)}" if count else ""
        week_cells.append(OverviewCell(str(number), urls.week_path(iso_year, number) if count else None,
                                       f"{count:,}" if count else "", "paper" if count == 1 else "papers", spoken))
        if monday > dt.date.max - dt.timedelta(days=7):
            break
        monday += dt.timedelta(days=7)
    return YearOverview(year.year, urls.year_path(year.year), year.paper_count, tuple(months), tuple(week_cells))
