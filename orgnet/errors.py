"""Errors orgnet reports to people, and the row problems that make them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAX_LISTED_PROBLEMS", "IngestError", "OrgnetError", "RowProblem", "StoreBusy", "StoreError"]

#: How many row problems an error message lists before it summarises the rest.
MAX_LISTED_PROBLEMS = 20


class OrgnetError(Exception):
    """An error with a message meant for the user: shown as one clear line, never a traceback."""


class StoreError(OrgnetError):
    """The store cannot be opened, reached or used as asked."""


class StoreBusy(StoreError):
    """Another writer holds the store's write lock longer than this write would wait: the same write may succeed later."""


@dataclass(frozen=True)
class RowProblem:
    """One malformed row: the ``file``, its 1-based ``line`` (0 for the whole file) and the ``reason``."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.reason}"


class IngestError(OrgnetError):
    """An ingest stopped on bad input; nothing was written.

    ``problems`` lists every row problem found, the ``stopping`` ones (a
    whole file that cannot be read, a missing column: what no skipping gets
    around) first; the message shows the first :data:`MAX_LISTED_PROBLEMS`
    and counts the rest, so what stopped the ingest is never among those
    hidden behind "... and N more".
    """

    def __init__(self, problems: list[RowProblem], stopping: list[RowProblem] | None = None):
        stopping = list(stopping or [])
        self.problems = [*stopping, *(problem for problem in problems if problem not in stopping)]
        shown = [f"  {problem}" for problem in self.problems[:MAX_LISTED_PROBLEMS]]
        hidden = len(self.problems) - len(shown)
        if hidden > 0:
            shown.append(f"  ... and {hidden} more")
        count = len(self.problems)
        head = f"ingest stopped: {count} problem{'s' if count != 1 else ''}, nothing was written"
        super().__init__("\n".join([head, *shown]))
