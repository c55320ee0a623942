"""Problems found in content or settings, reported as `path:line: field: message`."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Two colons begin a GitHub Actions workflow command (`::error file=...::`), on stdout or stderr,
# and `##[` its older form (`##[error]...`), found anywhere in a line.
WORKFLOW_COMMAND = re.compile(r":(?=:)|#(?=#\[)")


def printable(text: str) -> str:
    """Text that came from outside (a file's name, a YAML key, a server's words) as it may be
    printed on one line: newlines, control and invisible characters written as escapes (\\n,
    \\x1b, \\u202e), and every '::' and '##[' broken, so no terminal or CI log obeys it."""
    if text.isprintable() and "::" not in text and "##[" not in text:
        return text
    shown = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return WORKFLOW_COMMAND.sub(lambda found: found.group() + "\\", shown)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, pointing at the line a person has to edit."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{printable(self.path)}:{self.line}: {printable(self.field)}: {printable(self.message)}"


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
