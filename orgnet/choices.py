"""Check a value a person typed against the values that exist, and say which exist when it is not one of them.

A department, location or attribute that no one holds, or a period the store has no ties for, would otherwise give an
empty table or a "run orgnet analyze" that cannot help; the CLI and the API raise these errors instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import pandas as pd

from orgnet.errors import OrgnetError
from orgnet.periods import period_dates
from orgnet.results import parse_snapshot_label

__all__ = ["PERSONAL_COLUMNS", "NotASnapshot", "check_choice", "check_snapshot", "grouping_attributes", "listed"]

#: Columns of the people table that name or date a person rather than group people.
PERSONAL_COLUMNS = frozenset({"person_id", "name", "email", "manager_id", "hire_date"})

#: Most values an error lists before it says how many more there are.
LISTED = 20


class NotASnapshot(OrgnetError):
    """A snapshot label that names no period or range at all (``2026-13``), as opposed to one without ties."""


def listed(values: Sequence[str], limit: int = LISTED) -> str:
    """``values`` joined for a sentence, the first ``limit`` only, then how many more."""
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def check_choice(value: str, valid: Iterable[object], what: str) -> str:
    """``value`` when it is one of ``valid``; otherwise an :class:`~orgnet.errors.OrgnetError` listing them.

    Parameters
    ----------
    value : what was asked for (``"legal"``).
    valid : the values that exist (``{"Legal", "Sales"}``).
    what : what one of them is (``"department"``), for the message.

    Raises
    ------
    OrgnetError : "no department 'legal'; the departments are Design, ..., Sales (did you mean 'Legal'?)".

    Examples
    --------
    >>> check_choice("Legal", ["Sales", "Legal"], "department")
    'Legal'
    >>> check_choice("legal", ["Sales", "Legal"], "department")
    Traceback (most recent call last):
    ...
    orgnet.errors.OrgnetError: no department 'legal'; the departments are Legal, Sales (did you mean 'Legal'?)
    """
    known = sorted({str(v) for v in valid if v is not None and not (isinstance(v, float) and v != v)})
    if value in known:
        return value
    folded = {k.casefold(): k for k in known}
    guess = folded.get(value.casefold()) or next(iter(difflib.get_close_matches(value, known, n=1)), None)
    hint = f" (did you mean {guess!r}?)" if guess else ""
    if not known:
        raise OrgnetError(f"no {what} {value!r}; no one in the store has a {what}")
    raise OrgnetError(f"no {what} {value!r}; the {what}s are {listed(known)}{hint}")


def check_snapshot(label: str, periods: Sequence[str]) -> None:
    """Raise an :class:`~orgnet.errors.OrgnetError` unless ``label`` names a snapshot of periods the store has ties for.

    Parameters
    ----------
    label : a period (``2026-10``, ``2026-W41``) or a range (``2026-08..2026-10``).
    periods : the periods that hold ties, oldest first.

    Raises
    ------
    NotASnapshot : the label is not a period ("'2026-13' is not a period ...") or ends before it starts.
    OrgnetError : no period of it holds ties.
    Either message says which periods the store holds.
    """
    span = f"the store's periods are {periods[0]} to {periods[-1]}" if periods else "the store holds no ties yet"
    start, end = parse_snapshot_label(label)
    for part in (start, end):
        try:
            period_dates(part)
        except ValueError:
            raise NotASnapshot(f"{part!r} is not a period (YYYY-MM, YYYY-Www, or START..END); {span}") from None
    if start > end:
        raise NotASnapshot(f"snapshot {label} ends before it starts; {span}")
    if not any(start <= p <= end for p in periods):
        raise OrgnetError(f"the store holds no ties in {label}; {span}")


def grouping_attributes(people: pd.DataFrame) -> list[str]:
    """The attributes of the people table that people can be grouped by: every column that holds a value for someone,
    but those that name or date one person (:data:`PERSONAL_COLUMNS`)."""
    return sorted(c for c in people.columns if c not in PERSONAL_COLUMNS and people[c].notna().any())
