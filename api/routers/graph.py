"""The graph of a snapshot at person, group or community level, with stored layouts."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from orgnet.access import GROUPS, Principal
from orgnet.api.deps import AuditDep, Require, SettingsDep, SnapshotsDep
from orgnet.api.graphs import community_view, group_view
from orgnet.api.grouping import DEFAULT_BY, ByParam, GroupParam, check_by
from orgnet.api.models import GraphView
from orgnet.api.params import DepartmentParam, PeriodParam
from orgnet.api.services import person_graph

__all__ = ["router"]

router = APIRouter(tags=["graph"])


@router.get("/graph", response_model=GraphView, summary="The graph of a period")
def graph(
    principal: Annotated[Principal, Depends(Require(GROUPS))],
    snapshots: SnapshotsDep,
    settings: SettingsDep,
    audit_log: AuditDep,
    period: PeriodParam = None,
    level: Annotated[
        Literal["group", "department", "community", "person"],
        Query(description="What a node is: a group of `by` (`department` is its older name), a community, or a person (analyst role)."),
    ] = "group",
    department: DepartmentParam = None,
    group: GroupParam = None,
    community: Annotated[int | None, Query(ge=0, description="Only this community (person level).")] = None,
    person: Annotated[str | None, Query(max_length=200, description="Only this person's ego network (person level).")] = None,
    hops: Annotated[int, Query(ge=1, le=2, description="Radius of the ego network.")] = 1,
    by: ByParam = DEFAULT_BY,
) -> GraphView:
    """Nodes with attributes and layout, edges with weights.

    Group levels (`group`: the groups of `by`; `community`: the communities analysed with `by`) suppress groups
    below the minimum size. The person level (filtered by `department`, by `group` of `by`, by `community`, or around
    `person`; its communities and layout those analysed with `by`) is
    audited and refuses (400) selections larger than the service's
    ``max_graph_nodes``: filter by department, community or person.
    """
    label = snapshots.label(period)
    if level in ("group", "department"):
        return group_view(snapshots, label, settings.min_group_size, check_by(snapshots, by))
    if level == "community":
        return community_view(snapshots, label, settings.min_group_size, check_by(snapshots, by))
    return person_graph(
        snapshots,
        label,
        settings.max_graph_nodes,
        principal,
        audit_log,
        "graph.person",
        department=department,
        community=community,
        person=person,
        hops=hops,
        by=by,
        group=group,
    )
