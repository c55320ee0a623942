"""Problems found in content or settings, reported as `path:line: field: message`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, pointing at the line a person has to edit."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class OutputError(Exception):
    """A folder the build writes (output/, the cache) cannot safely be written."""


class BuildFailed(Exception):
    """The content has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found")

    def report(self, outcome: str = "nothing was written") -> str:
        """Return every problem, one per line, then a count and what became of the build."""
        lines = [str(problem) for problem in self.problems]
        lines.append(f"{self}; {outcome}.")
        return "\n".join(lines)
