"""Row checks and person lookups that the small tabular ingesters share.

Used by :mod:`orgnet.ingest.audiences`, :mod:`orgnet.ingest.engagement` and :mod:`orgnet.ingest.viva`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from orgnet.ingest.base import IngestContext, ProblemLog

__all__ = ["MAX_COUNT", "Check", "flag_rows", "parse_counts", "resolve_people", "unknown_person_reasons"]

#: One row check: a boolean mask aligned with the rows and the reason, one for all rows or one per row.
Check = tuple[pd.Series | np.ndarray, str | pd.Series]


def flag_rows(checks: Sequence[Check], lines: np.ndarray, path: Path, problems: ProblemLog) -> np.ndarray:
    """Record the rows that fail each check, each row under the first reason that applies.

    Parameters
    ----------
    checks : ``(mask, reason)`` pairs, in order of precedence; ``reason`` is a
        string or a Series of per-row strings aligned with ``mask``.
    lines : the 1-based line of each row.
    path, problems : where the problems are recorded.

    Returns
    -------
    Boolean array: which rows are bad.
    """
    bad = np.zeros(len(lines), dtype=bool)
    for mask, reason in checks:
        new = np.asarray(mask, dtype=bool) & ~bad
        if isinstance(reason, str):
            problems.add_lines(path, lines[new], reason)
        else:
            for line, text in zip(lines[new], np.asarray(reason, dtype=object)[new]):
                problems.add(path, line, text)
        bad |= new
    return bad


def resolve_people(raw: pd.Series, context: IngestContext) -> pd.Series:
    """The person each raw value names: a person id, e-mail address or alias.

    Parameters
    ----------
    raw : values as the source wrote them (missing allowed).
    context : the ingest context (its resolver and known people).

    Returns
    -------
    Series of person ids aligned with ``raw``; ``None`` where nobody matches.

    Notes
    -----
    Identities registered by a roster are looked up first; a bare person id
    of someone without identities (a person a Viva export added) is matched
    against the store's people, pseudonymised when the store is.
    """
    found = context.resolver.resolve(raw).person_id
    direct = context.person_ids(raw)
    direct = direct.where(direct.isin(context.known_people), None)
    return found.where(found.notna(), direct).astype(object)


def unknown_person_reasons(raw: pd.Series, column: str) -> pd.Series:
    """Per-row reasons for values of ``column`` that name no person."""
    return f"{column} " + raw.map(repr) + " is not a person in the roster or the store"


#: Largest count a source may give: every whole number up to it is exact in a float, and none overflows an int64.
MAX_COUNT = 2**53 - 1


def parse_counts(values: pd.Series, column: str) -> tuple[pd.Series, Check]:
    """Parse whole, non-negative numbers (``12``, ``12.0``) up to :data:`MAX_COUNT`; missing values stay missing.

    Returns
    -------
    (counts, check): the counts as nullable ``Int64`` and the row check that
    flags values that are present but not whole numbers from 0 to
    :data:`MAX_COUNT` (``1e30`` would not fit an integer column).
    """
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    whole = numbers.notna() & np.isfinite(numbers) & (numbers >= 0) & (numbers <= MAX_COUNT) & (numbers == np.floor(numbers))
    bad = values.notna() & ~whole
    reasons = f"{column} " + values.map(repr) + f" is not a whole number from 0 to {MAX_COUNT:,}"
    return numbers.where(whole).astype("Int64"), (bad, reasons)
