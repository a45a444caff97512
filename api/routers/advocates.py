"""Advocates, the combined reach of employees' audiences, internal reach from given people, and campaigns.

Roles: advocates, internal reach and campaigns need the ``advocates``
permission (admin, analyst, comms). The combined reach is open to every role
with ``summary`` (viewers too), but only roles with ``advocates`` see who is
in the squad and their pairwise overlaps; the others get the aggregate
figures. Internal reach is tie-level data when asked from few people: roles
without person-level access (comms) ask from at least the minimum group size
and get rounded counts (:func:`orgnet.api.services.internal_reach`).
Person-level reads are audited.

The advocate ranking of each snapshot is parsed once into a list of rows
sorted by rank (and one per department), kept until the snapshot is analysed
again, so a page of the ranking is a slice of it
(:func:`orgnet.api.services.advocate_table`, which the advocates page reads too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool

from orgnet.access import ADVOCATES, SUMMARY, Principal
from orgnet.api.deps import AuditDep, Auditor, Require, SettingsDep, SnapshotsDep
from orgnet.api.models import (
    REACH_MAX_HOPS,
    REACH_MAX_PEOPLE,
    REACH_MAX_RUNS,
    REACH_MAX_SEED,
    REACH_MIN_RUNS,
    AdvocateList,
    CampaignList,
    CampaignRow,
    InternalReach,
    InternalReachQuery,
    ReachView,
    from_record,
)
from orgnet.api.params import DepartmentParam, LimitParam, OffsetParam, PeriodParam, SquadParam, paginate
from orgnet.api.services import AdvocateTable, advocate_table, built_advocate_table, internal_reach, reach_view
from orgnet.api.snapshots import Snapshots
from orgnet.choices import check_choice
from orgnet.defaults import DEFAULT_HOPS, DEFAULT_PROBABILITY, DEFAULT_RUNS
from orgnet.errors import OrgnetError
from orgnet.jobs import CAMPAIGNS

__all__ = ["router"]

router = APIRouter(tags=["advocates"])


TopParam = Annotated[
    int | None,
    Query(
        ge=1,
        le=1000,
        description="Only the best `top` advocates (of the department when one is given), all in one page unless `limit` is given.",
    ),
]
#: Without ``top``, a page of this many rows.
DEFAULT_LIMIT = 50


def _known_department(table: AdvocateTable, department: str) -> None:
    """A 422 listing the departments of the ranking when ``department`` is none of them (not an empty list)."""
    try:
        check_choice(department, table.by_department, "department")
    except OrgnetError as error:
        raise RequestValidationError([{"loc": ("query", "department"), "msg": str(error), "type": "unknown_value"}]) from None


@router.get("/advocates", response_model=AdvocateList, summary="Top advocates")
async def advocates(
    snapshots: SnapshotsDep,
    audit: Annotated[Callable[[str], None], Depends(Auditor(ADVOCATES, "advocates"))],
    period: PeriodParam = None,
    department: DepartmentParam = None,
    top: TopParam = None,
    offset: OffsetParam = 0,
    limit: Annotated[
        int | None, Query(ge=1, le=1000, description=f"Most rows to return (default: `top` when given, else {DEFAULT_LIMIT}).")
    ] = None,
) -> AdvocateList:
    """People ranked by advocate score, best first, with the score's components, the measures behind them and a sentence.

    ``rank`` is the rank among everyone in the snapshot; ``department`` keeps
    that department's people, ``top`` the first ``top`` of them, all in one
    page unless ``limit`` is given; ``offset`` and ``limit`` page through what
    is left.
    """
    limit = limit or top or DEFAULT_LIMIT
    label = snapshots.label(period)
    # The parsed, sorted ranking is in memory after the first request: answer it here, without a thread.
    table = built_advocate_table(snapshots, label)
    if table is None:
        table = await run_in_threadpool(advocate_table, snapshots, label)
    if department is not None:
        _known_department(table, department)
    page = paginate(table.select(department, top), offset, limit)
    audit(f"{label} department={department or ''} top={top or ''} offset={offset} limit={limit}")
    return AdvocateList(snapshot=label, items=page.items, total=page.total, offset=offset, limit=limit)


@router.get("/reach", response_model=ReachView, summary="Combined reach of employees' audiences")
def reach(
    principal: Annotated[Principal, Depends(Require(SUMMARY))],
    snapshots: SnapshotsDep,
    audit_log: AuditDep,
    period: PeriodParam = None,
    squad: SquadParam = None,
) -> ReachView:
    """Union and overlap of the employees' audiences per platform, against the brand accounts, and the squad of k
    employees that together reach the most distinct people, with its reach curve (`squad`: its first k members,
    read from the stored curve; a size beyond it is a 422).

    Every role sees the figures; only roles with the advocates permission
    (admin, analyst, comms) see who is in the squad (those reads are audited).
    """
    label = snapshots.label(period)
    view = reach_view(snapshots, label, principal, squad)
    if view.people_shown:
        audit_log.record(principal, "reach", label)
    return view


def _internal(
    snapshots: Snapshots,
    principal: Principal,
    min_group_size: int,
    audit: Callable[[str], None],
    period: str | None,
    query: InternalReachQuery,
) -> InternalReach:
    label = snapshots.label(period)
    try:
        answer = internal_reach(snapshots, label, query, principal, min_group_size)
    except KeyError as error:
        raise HTTPException(404, str(error.args[0])) from None
    audit(f"{label} people={','.join(answer.people)} hops={query.hops}")
    return answer


InternalAuditor = Annotated[Callable[[str], None], Depends(Auditor(ADVOCATES, "reach.internal"))]
InternalCaller = Annotated[Principal, Depends(Require(ADVOCATES))]
INTERNAL_RESPONSES: dict[int | str, dict] = {
    403: {"description": "The role may not see this, or (roles without person-level access) fewer people than the minimum group size."},
    404: {"description": "Some people are not in the snapshot."},
}


@router.get("/reach/internal", response_model=InternalReach, summary="Internal reach from given people", responses=INTERNAL_RESPONSES)
def internal_get(
    snapshots: SnapshotsDep,
    principal: InternalCaller,
    settings: SettingsDep,
    audit: InternalAuditor,
    people: Annotated[
        list[str],
        Query(min_length=1, max_length=REACH_MAX_PEOPLE, description="Person ids who start the message (repeat: `people=E1&people=E2`)."),
    ],
    period: PeriodParam = None,
    hops: Annotated[int, Query(ge=1, le=REACH_MAX_HOPS, description="Largest number of directed hops counted.")] = DEFAULT_HOPS,
    probability: Annotated[float, Query(gt=0, le=1, description="Chance that a tie passes the message on.")] = DEFAULT_PROBABILITY,
    runs: Annotated[int, Query(ge=REACH_MIN_RUNS, le=REACH_MAX_RUNS, description="Monte Carlo runs of the cascade.")] = DEFAULT_RUNS,
    seed: Annotated[int, Query(ge=0, le=REACH_MAX_SEED, description="Random seed.")] = 0,
) -> InternalReach:
    """People reached within 1..`hops` directed hops of the given people, and the expected number an
    independent cascade reaches (tie probability `probability`, `runs` seeded simulations), with its 95% interval.

    Computed on the snapshot's graph on request and kept in memory per query. Roles without person-level access
    (comms) must give at least the minimum group size of people and get every count rounded to a multiple of 10
    (`rounded_to`), so that no answer, and no difference of two, gives one person's ties.
    """
    for person in people:
        if len(person) > 200:
            raise HTTPException(422, "a person id is at most 200 characters")
    query = InternalReachQuery(people=people, hops=hops, probability=probability, runs=runs, seed=seed)
    return _internal(snapshots, principal, settings.min_group_size, audit, period, query)


@router.post(
    "/reach/internal", response_model=InternalReach, summary="Internal reach from given people (JSON body)", responses=INTERNAL_RESPONSES
)
def internal_post(
    snapshots: SnapshotsDep,
    principal: InternalCaller,
    settings: SettingsDep,
    audit: InternalAuditor,
    query: InternalReachQuery,
    period: PeriodParam = None,
) -> InternalReach:
    """As `GET /reach/internal`, with the query as a JSON body (for long lists of people)."""
    return _internal(snapshots, principal, settings.min_group_size, audit, period, query)


@router.get("/campaigns", response_model=CampaignList, summary="Campaigns")
def campaign_list(
    principal: Annotated[Principal, Depends(Require(ADVOCATES))],
    snapshots: SnapshotsDep,
    period: PeriodParam = None,
    offset: OffsetParam = 0,
    limit: LimitParam = 50,
) -> CampaignList:
    """Each shared piece of content: sharers, shares, unique reach against the summed follower counts, clicks and
    impressions per share, and how much of the reach only leaders bring. Widest unique reach first."""
    label = snapshots.label(period)
    rows = sorted(snapshots.result(CAMPAIGNS, label).table.to_pylist(), key=lambda r: (-(r["unique_reach"] or 0.0), str(r["content_id"])))
    page = paginate([from_record(CampaignRow, r) for r in rows], offset, limit)
    return CampaignList(snapshot=label, items=page.items, total=page.total, offset=offset, limit=limit)
