"""What an importer hands over: the papers it read, why it left others out, and its pace."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ImportedPaper:
    day: dt.date  # the day folder its record goes in
    arxiv: str
    fields: dict[str, Any]
    abstract: str


@dataclass
class Batch:
    papers: list[ImportedPaper] = field(default_factory=list)
    unusable: list[str] = field(default_factory=list)  # why an item of the answer was left out


def days_from(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Every day from `first` to `last`, both included."""
    for offset in range((last - first).days + 1):
        yield first + dt.timedelta(days=offset)


class Pacer:
    """Keeps at least `interval` seconds between one request's answer and the next request to
    the same service (`wait` before a request, `done` after it)."""

    def __init__(self, interval: float, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.interval, self.sleep, self.clock = interval, sleep, clock
        self.last: float | None = None

    def wait(self) -> None:
        if self.last is not None:
            remaining = self.last + self.interval - self.clock()
            if remaining > 0:
                self.sleep(remaining)

    def done(self) -> None:
        self.last = self.clock()
