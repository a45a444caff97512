"""Stored analysis results of a snapshot: headline numbers, silos, fragile bridges, brokers, communities.

Every answer comes from the results ``orgnet analyze`` stored (404 with "run
orgnet analyze" when the snapshot was not analysed). Group-level figures of
suppressed groups and communities (:mod:`orgnet.api.suppression`: below the
minimum group size, or suppressed with them so that no difference isolates
one) are blanked here, for every role; where a total is shown, the
suppressed groups' pooled figures are shown beside the groups, so that the
total is the sum of what is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Literal

import pyarrow.compute as pc
from fastapi import APIRouter, Depends, Query

from orgnet.access import GROUPS, PEOPLE, SUMMARY, Principal, allowed, suppress_groups, suppress_pairs
from orgnet.api.deps import Auditor, Require, SettingsDep, SnapshotsDep
from orgnet.api.grouping import DEFAULT_BY, ByParam, grouped_result
from orgnet.api.models import (
    BrokerRow,
    Communities,
    Community,
    FragileBridge,
    Fragility,
    GroupMatrix,
    GroupSummary,
    Growth,
    GrowthPoint,
    Page,
    PooledCells,
    SiloPair,
    SiloRow,
    SiloTable,
    Summary,
    SuppressedCommunities,
    SuppressedGroups,
    from_record,
)
from orgnet.api.params import DepartmentParam, LimitParam, OffsetParam, PeriodParam, paginate
from orgnet.api.services import hidden_groups
from orgnet.api.suppression import hidden_communities
from orgnet.communities import agreement_sentence
from orgnet.jobs import BROKERS, COMMUNITIES, FRAGILITY, GROUP_MATRIX, SILO_PAIRS, SILOS, record_fields
from orgnet.jobs import SUMMARY as SUMMARY_JOB
from orgnet.summary import merged_group, pooled_cells

__all__ = ["router"]

router = APIRouter(tags=["analysis"])


@router.get("/summary", response_model=Summary, summary="Headline numbers")
def summary(
    principal: Annotated[Principal, Depends(Require(SUMMARY))],
    snapshots: SnapshotsDep,
    settings: SettingsDep,
    period: PeriodParam = None,
    by: ByParam = DEFAULT_BY,
) -> Summary:
    """Size, density and cohesion of a snapshot; per-group rows (groups of the attribute `by`), and the suppressed groups
    pooled, only for roles that see group aggregates."""
    label = snapshots.label(period)
    stored = grouped_result(snapshots, SUMMARY_JOB, label, by)
    figures = record_fields(stored)
    if not allowed(principal.role, GROUPS):
        return from_record(Summary, figures, snapshot=label, groups=[], suppressed=None)
    hidden = hidden_groups(snapshots, label, settings.min_group_size, by=by)
    rows = stored.groups.to_pylist()
    groups = [from_record(GroupSummary, r) for r in suppress_groups(rows, hidden)]
    pooled = None
    if hidden:
        matrix = grouped_result(snapshots, GROUP_MATRIX, label, by)
        merged = merged_group(rows, matrix.groups, matrix.ties, matrix.weight, hidden)
        pooled = SuppressedGroups(groups=sorted(hidden), **merged)
    return from_record(Summary, figures, snapshot=label, groups=groups, suppressed=pooled)


@router.get("/growth", response_model=Growth, summary="Headline numbers over periods")
def growth(principal: Annotated[Principal, Depends(Require(SUMMARY))], snapshots: SnapshotsDep) -> Growth:
    """Headline numbers of every analysed single period, oldest first, and the periods not analysed."""
    points, missing = [], []
    for period in snapshots.periods():
        stored = snapshots.optional_result(SUMMARY_JOB, period)
        if stored is None:
            missing.append(period)
        else:
            points.append(from_record(GrowthPoint, record_fields(stored), period=period))
    return Growth(periods=points, missing=missing)


@router.get("/silos", response_model=SiloTable, summary="E-I index per group")
def silos(
    principal: Annotated[Principal, Depends(Require(GROUPS))],
    snapshots: SnapshotsDep,
    settings: SettingsDep,
    period: PeriodParam = None,
    by: ByParam = DEFAULT_BY,
) -> SiloTable:
    """E-I index, external shares and conductance per group (of the attribute ``by``), most inward first; suppressed
    groups blanked."""
    label = snapshots.label(period)
    rows = suppress_groups(
        grouped_result(snapshots, SILOS, label, by).table.to_pylist(), hidden_groups(snapshots, label, settings.min_group_size, by=by)
    )
    rows.sort(key=lambda r: (r["ei_index"] is None, r["ei_index"] if r["ei_index"] is not None else 0.0, str(r["group"])))
    return SiloTable(snapshot=label, groups=[from_record(SiloRow, r) for r in rows])


@router.get("/silos/matrix", response_model=GroupMatrix, summary="Group x group matrix")
def matrix(
    principal: Annotated[Principal, Depends(Require(GROUPS))],
    snapshots: SnapshotsDep,
    settings: SettingsDep,
    period: PeriodParam = None,
    by: ByParam = DEFAULT_BY,
) -> GroupMatrix:
    """Ties and tie weight from each group to each group; cells of suppressed groups are `null`, and their sums with the
    suppressed groups taken together are in `pooled_ties` and `pooled_weight`."""
    label = snapshots.label(period)
    stored = grouped_result(snapshots, GROUP_MATRIX, label, by)
    groups = stored.groups
    hidden = hidden_groups(snapshots, label, settings.min_group_size, among=groups, by=by)

    def masked(values: Sequence[Sequence[float]]) -> list[list[float | None]]:
        return [[None if a in hidden or b in hidden else v for b, v in zip(groups, row)] for a, row in zip(groups, values)]

    def pooled(values: Sequence[Sequence[float]]) -> PooledCells | None:
        return PooledCells(**pooled_cells(groups, values, hidden)) if hidden else None

    return GroupMatrix(
        snapshot=label,
        by=stored.by,
        groups=groups,
        ties=masked(stored.ties),
        weight=masked(stored.weight),
        suppressed=sorted(hidden),
        pooled_ties=pooled(stored.ties),
        pooled_weight=pooled(stored.weight),
    )


@router.get("/silos/pairs", response_model=Page[SiloPair], summary="Silo pairs")
def pairs(
    principal: Annotated[Principal, Depends(Require(GROUPS))],
    snapshots: SnapshotsDep,
    settings: SettingsDep,
    period: PeriodParam = None,
    silo_only: Annotated[bool, Query(description="Only the pairs that count as silos.")] = False,
    by: ByParam = DEFAULT_BY,
    offset: OffsetParam = 0,
    limit: LimitParam = 100,
) -> Page[SiloPair]:
    """Pairs of groups (of the attribute ``by``) by how much less they talk than their sizes predict (lowest ratio first)."""
    label = snapshots.label(period)
    rows = suppress_pairs(
        grouped_result(snapshots, SILO_PAIRS, label, by).table.to_pylist(), hidden_groups(snapshots, label, settings.min_group_size, by=by)
    )
    if silo_only:
        # A suppressed pair's `silo` is blanked, so it is never listed as one.
        rows = [r for r in rows if r.get("silo")]
    return paginate([from_record(SiloPair, r) for r in rows], offset, limit)


@router.get("/silos/fragile-bridges", response_model=Fragility, summary="Fragile bridges")
def fragile_bridges(
    snapshots: SnapshotsDep,
    settings: SettingsDep,
    audit: Annotated[Callable[[str], None], Depends(Auditor(PEOPLE, "fragile_bridges"))],
    period: PeriodParam = None,
) -> Fragility:
    """Articulation points, bridge ties, and the group pairs whose ties few people carry (fragile first)."""
    label = snapshots.label(period)
    stored = snapshots.result(FRAGILITY, label)
    hidden = hidden_groups(snapshots, label, settings.min_group_size)
    audit(label)
    carriers = [from_record(FragileBridge, r) for r in suppress_pairs(stored.carriers.to_pylist(), hidden)]
    carriers.sort(key=lambda c: (not c.fragile, c.suppressed, -(c.weight or 0.0)))
    return Fragility(
        snapshot=label,
        articulation_points=list(stored.articulation_points),
        bridges=[list(pair) for pair in stored.bridges],
        carriers=carriers,
    )


BrokerOrder = Literal["betweenness", "brokerage", "effective_size", "participation", "constraint"]


@router.get("/brokers", response_model=Page[BrokerRow], summary="Bridges and brokers")
def broker_list(
    snapshots: SnapshotsDep,
    audit: Annotated[Callable[[str], None], Depends(Auditor(PEOPLE, "brokers"))],
    period: PeriodParam = None,
    department: DepartmentParam = None,
    order: Annotated[BrokerOrder, Query(description="Measure to rank by (constraint: lowest first).")] = "betweenness",
    offset: OffsetParam = 0,
    limit: LimitParam = 50,
) -> Page[BrokerRow]:
    """People ranked by a brokerage measure."""
    label = snapshots.label(period)
    table = snapshots.result(BROKERS, label).table
    if department is not None:
        table = table.filter(pc.equal(table.column("group"), department))
    rows = table.to_pylist()
    people = snapshots.people()
    ascending = order == "constraint"
    rows = sorted(rows, key=lambda r: (r.get(order) is None, (r.get(order) or 0.0) * (1 if ascending else -1), r["person_id"]))
    audit(f"{label} order={order} department={department or ''} offset={offset}")
    page = paginate(rows, offset, limit)
    names = {k: v if isinstance(v, str) else None for k, v in people["name"].items()}
    items = [from_record(BrokerRow, r, name=names.get(r["person_id"])) for r in page.items]
    return Page(items=items, total=page.total, offset=offset, limit=limit)


@router.get("/communities", response_model=Communities, summary="Communities")
def communities(
    principal: Annotated[Principal, Depends(Require(GROUPS))],
    snapshots: SnapshotsDep,
    settings: SettingsDep,
    period: PeriodParam = None,
    by: ByParam = DEFAULT_BY,
) -> Communities:
    """Leiden communities (analysed with the grouping `by`) with their size and dominant group, and their agreement with
    the groups in words; small communities, and those with members in a suppressed group, suppressed (their members
    counted together in `suppressed`)."""
    label = snapshots.label(period)
    stored = grouped_result(snapshots, COMMUNITIES, label, by)
    hidden = hidden_communities(snapshots, label, settings.min_group_size, by)
    labels = stored.labels.to_pylist()
    rows = suppress_groups(labels, hidden, key="community")
    pooled = None
    if hidden:
        pooled = SuppressedCommunities(communities=len(hidden), size=sum(int(r["size"]) for r in labels if r["community"] in hidden))
    return Communities(
        snapshot=label,
        by=by,
        method=stored.method,
        modularity=stored.modularity,
        resolution=stored.resolution,
        agreement=dict(stored.agreement),
        sentence=agreement_sentence(stored.agreement.get("nmi"), stored.agreement.get("ari"), by),
        communities=[from_record(Community, r) for r in rows],
        suppressed=pooled,
    )
