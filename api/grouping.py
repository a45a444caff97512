"""Group-level results by any HR attribute: the ``by=`` (and ``group=``) of the group-level routes and pages, and its one lookup.

A group-level result (summary, silos, silo pairs, the group matrix, top-down against side-to-side) is stored per
grouping attribute; :func:`grouped_result` is the one place that finds the result of an attribute, after checking
that the attribute is one the store's people carry (a 422 listing them otherwise). An attribute that was not
analysed answers 404 with the ``orgnet analyze --by`` command that computes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, TypeVar

from fastapi import Query
from fastapi.exceptions import RequestValidationError

from orgnet.api.snapshots import Snapshots
from orgnet.choices import check_choice, grouping_attributes
from orgnet.defaults import DEFAULT_BY
from orgnet.errors import OrgnetError
from orgnet.jobs import SUMMARY, Job

__all__ = ["DEFAULT_BY", "ByParam", "GroupParam", "analysed_groupings", "check_by", "check_group", "grouped_result", "page_grouping"]

R = TypeVar("R")

ByParam = Annotated[
    str,
    Query(
        max_length=200,
        description="HR attribute the groups are made of: department, location, level or any attribute a source carried "
        "(analysed with `orgnet analyze --by ATTRIBUTE`).",
    ),
]


GroupParam = Annotated[
    str | None, Query(max_length=200, description="Only the people of this group of `by` (person level), e.g. a location.")
]


def _checked(value: str, valid: Iterable[object], what: str, parameter: str) -> str:
    try:
        return check_choice(value, valid, what)
    except OrgnetError as error:
        raise RequestValidationError([{"loc": ("query", parameter), "msg": str(error), "type": "unknown_value"}]) from None


def check_by(snapshots: Snapshots, by: str) -> str:
    """``by`` when the store's people carry that attribute; a 422 on ``by`` listing the attributes otherwise."""
    return _checked(by, grouping_attributes(snapshots.people()), "attribute", "by")


def check_group(snapshots: Snapshots, by: str, group: str) -> str:
    """``group`` when some person's attribute ``by`` (checked with :func:`check_by`) holds it; a 422 on ``group``
    listing the groups otherwise."""
    held = snapshots.people()[check_by(snapshots, by)].dropna().astype(str).unique()
    return _checked(group, held, by, "group")


def grouped_result(snapshots: Snapshots, job: Job[R], label: str, by: str = DEFAULT_BY) -> R:
    """The stored result of ``job`` for snapshot ``label`` grouped by ``by`` (checked with :func:`check_by`)."""
    return snapshots.result(job, label, by=check_by(snapshots, by))


def analysed_groupings(snapshots: Snapshots, label: str) -> list[str]:
    """The attributes whose group-level results snapshot ``label`` holds, the default first."""
    held = [by for by in grouping_attributes(snapshots.people()) if snapshots.optional_result(SUMMARY, label, by=by)]
    return sorted(held, key=lambda by: (by != DEFAULT_BY, by))


def page_grouping(snapshots: Snapshots, label: str, by: str) -> tuple[str, str | None]:
    """The grouping a page shows for snapshot ``label``, and a note when it is not the one asked for.

    ``by`` (checked with :func:`check_by`) when the snapshot is analysed by it; when only other periods are, the
    snapshot's default grouping and a sentence saying so and how to add ``by``, so that switching the period of
    a page grouped by level to a period analysed by department only shows that period, not an error page. A
    grouping no period is analysed by stays ``by``: the page's read of it then says, with its 404, how to add it.
    """
    by = check_by(snapshots, by)
    held = analysed_groupings(snapshots, label)
    if not held or by in held or not any(snapshots.optional_result(SUMMARY, other, by=by) for other in snapshots.periods()):
        return by, None
    return held[0], f"{label} is not analysed by {by}, so this shows it by {held[0]}: orgnet analyze --period {label} --by {by} adds it."
