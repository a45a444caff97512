"""Which instants an ingest accepts: ones orgnet can represent, inside the window of plausible dates.

orgnet keeps instants as ``datetime64[ns]``, which holds 1677-09-21 to
2262-04-11; converting a date outside that span wraps it silently (year 9999
became 1816), so every ingester judges its instants here before they become
nanoseconds. Beyond representability, a log of how people work together has
no interaction before 1990 or more than a year after it was ingested: such a
date is a typing error or a crafted row, and one of them would move the
default snapshot to an empty period. Both bounds can be moved
(``--accept-dates-from`` / ``--accept-dates-to``), never past what
``datetime64[ns]`` holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from orgnet.errors import OrgnetError
from orgnet.model import IngestReport

__all__ = [
    "DEFAULT_EARLIEST",
    "DEFAULT_FUTURE_DAYS",
    "REPRESENTABLE",
    "DateWindow",
    "epoch_seconds",
    "utc_instants",
]

#: The earliest accepted date unless ``--accept-dates-from`` says otherwise.
DEFAULT_EARLIEST = dt.date(1990, 1, 1)
#: How many days after the ingest an instant may lie unless ``--accept-dates-to`` says otherwise.
DEFAULT_FUTURE_DAYS = 366
#: The whole days ``datetime64[ns]`` holds: the widest window there can be.
REPRESENTABLE = (dt.date(1677, 9, 22), dt.date(2262, 4, 10))

# Microseconds hold every year from 1 to 9999 (and pandas' parsers default to them), so nothing wraps before the check.
_UNIT = "datetime64[us]"
# Epoch seconds beyond these are outside every year a date-time can name.
_SECONDS = (-62135596800.0, 253402300799.0)


@dataclass(frozen=True)
class DateWindow:
    """The accepted instants: from midnight UTC of ``earliest`` to the end of ``latest`` (both whole days)."""

    earliest: dt.date
    latest: dt.date

    @classmethod
    def for_ingest(cls, earliest: dt.date | None = None, latest: dt.date | None = None, today: dt.date | None = None) -> DateWindow:
        """The window of one ingest: the given bounds, else 1990-01-01 and a year after ``today`` (UTC).

        Raises
        ------
        OrgnetError
            When a bound lies outside :data:`REPRESENTABLE` or the window is empty.
        """
        today = today or dt.datetime.now(dt.UTC).date()
        window = cls(earliest or DEFAULT_EARLIEST, latest or today + dt.timedelta(days=DEFAULT_FUTURE_DAYS))
        low, high = REPRESENTABLE
        for name, bound in (("--accept-dates-from", window.earliest), ("--accept-dates-to", window.latest)):
            if not low <= bound <= high:
                raise OrgnetError(f"{name} {bound.isoformat()} is outside the dates orgnet can store ({low} to {high})")
        if window.earliest > window.latest:
            raise OrgnetError(f"--accept-dates-from {window.earliest} is after --accept-dates-to {window.latest}")
        return window

    def __str__(self) -> str:
        return f"{self.earliest.isoformat()} to {self.latest.isoformat()}"

    def outside(self, instants: np.ndarray) -> np.ndarray:
        """Which of ``instants`` (naive UTC ``datetime64`` of any unit, as :func:`utc_instants` gives) fall outside; NaT never does."""
        low = np.datetime64(self.earliest, "D")
        high = np.datetime64(self.latest + dt.timedelta(days=1), "D")
        present = ~np.isnat(instants)
        outside: np.ndarray = present & ((instants < low) | (instants >= high))
        return outside

    def outside_seconds(self, seconds: float) -> bool:
        """Whether one instant given as Unix epoch ``seconds`` falls outside (a scalar check, for per-item readers)."""
        low = dt.datetime.combine(self.earliest, dt.time(), dt.UTC).timestamp()
        high = dt.datetime.combine(self.latest + dt.timedelta(days=1), dt.time(), dt.UTC).timestamp()
        return not low <= seconds < high

    def reason(self, what: str, raw: object) -> str:
        """Why an instant written ``raw`` is refused, with what lets the user accept it."""
        return f"{what} {str(raw)[:60]!r} is outside the accepted dates ({self}); pass --accept-dates-from/--accept-dates-to to accept it"

    def reasons(self, what: str, raw: pd.Series | Sequence[Any]) -> pd.Series:
        """:meth:`reason` for every value of ``raw`` (a row check's per-row reasons)."""
        return pd.Series(raw, dtype=object).map(lambda value: self.reason(what, value))

    def nanoseconds(self, instants: np.ndarray) -> np.ndarray:
        """``instants`` as ``datetime64[ns]``, those outside the window as NaT (so nothing can wrap)."""
        return np.where(self.outside(instants), np.datetime64("NaT"), instants).astype("datetime64[ns]")

    def note_range(self, report: IngestReport, instants: np.ndarray) -> None:
        """Widen the report's ``first_date``/``last_date`` to the accepted ``instants`` (NaT and refused ones ignored)."""
        accepted = instants[~np.isnat(instants) & ~self.outside(instants)]
        if not len(accepted):
            return
        first, last = (str(np.datetime_as_string(value, unit="s")) + "Z" for value in (accepted.min(), accepted.max()))
        report.first_date = min(report.first_date or first, first)
        report.last_date = max(report.last_date or last, last)


def utc_instants(values: Any) -> np.ndarray:
    """Naive UTC ``datetime64`` instants, never wrapped, from anything pandas' ``DatetimeIndex`` takes.

    Parameters
    ----------
    values : datetime64 arrays of any unit, time-zone-aware or naive pandas
        values (naive ones are taken as UTC), Python datetimes; missing as NaT.

    Returns
    -------
    ``datetime64`` array in microseconds (or nanoseconds when the values
    already were): years 1 to 9999 survive, so :meth:`DateWindow.outside`
    judges them before anything becomes nanoseconds.
    """
    index = pd.DatetimeIndex(values)
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    if index.unit in ("s", "ms"):
        index = index.as_unit("us")
    return index.to_numpy()


def epoch_seconds(seconds: np.ndarray) -> np.ndarray:
    """Instants of Unix epoch ``seconds`` (floats), as :func:`utc_instants` gives them.

    Seconds beyond what any date-time can name (a Slack ``ts`` of ``1e300``)
    are clipped to years 1 and 9999 before any conversion, so nothing
    overflows and :meth:`DateWindow.outside` refuses them like any other
    date out of range; values that are not finite become NaT.
    """
    seconds = np.asarray(seconds, dtype=float)
    finite = np.isfinite(seconds)
    clipped = np.clip(np.where(finite, seconds, 0.0), *_SECONDS)
    micro = np.round(clipped * 1e6).astype(np.int64).view(_UNIT)
    return np.where(finite, micro, np.datetime64("NaT"))
