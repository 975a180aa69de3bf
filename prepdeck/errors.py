"""Problems found in the source, reported all at once as ``path:line:col: message``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Mark:
    """Where a value was written: 1-based line and column in a file."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        """`path:line:col`; a problem with a whole output file (line 0) names only the path."""
        return f"{self.file}:{self.line}:{self.col}" if self.line else self.file


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input; `warning` problems fail only a --strict build."""

    mark: Mark
    message: str
    warning: bool = False

    def __str__(self) -> str:
        level = "warning: " if self.warning else ""
        return f"{self.mark}: {level}{self.message}"


class BuildError(Exception):
    """Raised by the core with every problem found; only the CLI edge prints them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(Exception):
    """A bad command line (exit status 2)."""


class EnvironmentProblem(Exception):
    """The machine, not the source: an output that cannot be written, a missing system library,
    a font that will not load (exit status 3)."""
