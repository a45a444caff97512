"""Query parameters many routes share, and pagination."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, TypeVar

from fastapi import Query

from orgnet.api.models import Page
from orgnet.api.snapshots import SNAPSHOT_PATTERN

__all__ = ["DepartmentParam", "LimitParam", "OffsetParam", "PeriodParam", "SquadParam", "paginate"]

T = TypeVar("T")

PeriodParam = Annotated[
    str | None,
    Query(
        pattern=SNAPSHOT_PATTERN,
        description="Snapshot: a period (`2026-10`) or a range (`2026-08..2026-10`); default the latest analysed period.",
    ),
]
OffsetParam = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip.")]
LimitParam = Annotated[int, Query(ge=1, le=1000, description="Most rows to return.")]
DepartmentParam = Annotated[str | None, Query(max_length=200, description="Only this department.")]
SquadParam = Annotated[
    int | None,
    Query(
        ge=1,
        le=10_000,
        description="Squad size: the first k members of the stored greedy squad (at most the stored curve's length); default all.",
    ),
]


def paginate(rows: Sequence[T], offset: int, limit: int) -> Page[T]:
    """The page of ``rows`` starting at ``offset``."""
    return Page(items=list(rows[offset : offset + limit]), total=len(rows), offset=offset, limit=limit)
