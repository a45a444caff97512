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

__all__ = ["DEFAULT_BY", "ByParam", "GroupParam", "analysed_groupings", "check_by", "check_group", "grouped_result"]

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
