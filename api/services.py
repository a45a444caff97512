"""What the routers and the pages both answer from, in one place.

The JSON routes (:mod:`orgnet.api.routers`) and the browser pages
(:mod:`orgnet.api.pages`) show the same figures to the same roles; each
figure they share is read here, from a snapshot's stored results, into the
API's models, and each check they share is made here. Neither imports the
other. The analytics themselves live in ``orgnet/`` (:func:`orgnet.ego.ego_network`,
:mod:`orgnet.spread`...); what is here is the HTTP side of them: which
snapshot, which role, which audit entry, which status code.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError

from orgnet.access import ADVOCATES, PEOPLE, REACH_ROUNDING, Principal, allowed, internal_reach_refusal, rounded_counts
from orgnet.api.audit import AuditBuffer
from orgnet.api.graphs import TooLarge, person_view
from orgnet.api.grouping import DEFAULT_BY, check_by, check_group
from orgnet.api.models import (
    AdvocateRow,
    BrandOverlap,
    GraphView,
    HopCount,
    InternalReach,
    InternalReachQuery,
    OverlapRow,
    ReachPlatform,
    ReachView,
    SpreadEstimateModel,
    Squad,
    SquadPoint,
    from_record,
)
from orgnet.api.snapshots import Snapshots
from orgnet.api.suppression import group_sizes, hidden_groups
from orgnet.engine import index_graph
from orgnet.jobs import ADVOCATES as ADVOCATES_JOB
from orgnet.jobs import REACH
from orgnet.reach import guarantee_sentence, squad_reach_at
from orgnet.spread import internal_reach as spread_internal_reach

__all__ = [
    "AdvocateTable",
    "advocate_table",
    "built_advocate_table",
    "group_sizes",
    "hidden_groups",
    "internal_reach",
    "person_graph",
    "reach_view",
    "require_person_graphs",
]


def require_person_graphs(principal: Principal) -> None:
    """403 unless the caller's role may see person-level graphs (the ``people`` permission)."""
    if not allowed(principal.role, PEOPLE):
        raise HTTPException(403, f"the {principal.role} role may not see person-level graphs")


def person_graph(
    snapshots: Snapshots,
    label: str,
    max_nodes: int,
    principal: Principal,
    audit_log: AuditBuffer,
    action: str,
    *,
    department: str | None = None,
    community: int | None = None,
    person: str | None = None,
    hops: int = 1,
    by: str = DEFAULT_BY,
    group: str | None = None,
) -> GraphView:
    """The person-level graph of snapshot ``label`` (see :func:`orgnet.api.graphs.person_view`), checked and audited.

    Raises 403 unless ``principal`` may see person-level graphs, 404 when
    ``person`` is not in the snapshot, 422 when ``by`` or ``group`` is unknown, 400 when the selection holds more than
    ``max_nodes`` people; records the read as ``action`` in the audit log.
    """
    require_person_graphs(principal)
    by = check_by(snapshots, by)
    group = None if group is None else check_group(snapshots, by, group)
    try:
        view = person_view(
            snapshots, label, max_nodes, department=department, community=community, person=person, hops=hops, by=by, group=group
        )
    except KeyError:
        raise HTTPException(404, f"no person {person!r} in {label}") from None
    except TooLarge as error:
        raise HTTPException(400, str(error)) from None
    audit_log.record(
        principal,
        action,
        f"{label} department={department or ''} by={by} group={group or ''} community={'' if community is None else community} "
        f"person={person or ''}",
    )
    return view


@dataclass(frozen=True)
class AdvocateTable:
    """The advocate ranking of a snapshot: every row by rank, and the rows of each department."""

    rows: tuple[AdvocateRow, ...]
    by_department: dict[str, tuple[AdvocateRow, ...]]

    def select(self, department: str | None = None, top: int | None = None) -> tuple[AdvocateRow, ...]:
        """The rows of ``department`` (every row when ``None``), the ``top`` first only when given."""
        rows = self.rows if department is None else self.by_department.get(department, ())
        return rows if top is None else rows[:top]


#: The key the advocate ranking is kept under among a snapshot's derived tables.
_ADVOCATE_TABLE = "advocate_table"


def advocate_table(snapshots: Snapshots, label: str) -> AdvocateTable:
    """The ranking of snapshot ``label``, built once per stored ``advocates`` result."""

    def build() -> AdvocateTable:
        stored = snapshots.result(ADVOCATES_JOB, label).table.sort_by([("rank", "ascending"), ("person_id", "ascending")])
        rows = tuple(from_record(AdvocateRow, r) for r in stored.to_pylist())
        by_department: dict[str, list[AdvocateRow]] = {}
        for row in rows:
            by_department.setdefault(str(row.department), []).append(row)
        return AdvocateTable(rows, {k: tuple(v) for k, v in by_department.items()})

    return snapshots.derived(_ADVOCATE_TABLE, label, build, source=ADVOCATES_JOB)


def built_advocate_table(snapshots: Snapshots, label: str) -> AdvocateTable | None:
    """The ranking of snapshot ``label`` when :func:`advocate_table` has built it for the current result, else ``None``.

    Costs no thread and no lock, so an ``async`` route answers from memory at once.
    """
    return snapshots.peek_derived(_ADVOCATE_TABLE, label, source=ADVOCATES_JOB)


def reach_view(snapshots: Snapshots, label: str, principal: Principal, squad: int | None = None) -> ReachView:
    """The stored reach of snapshot ``label``; squad members and overlaps only for roles with the advocates permission.

    ``squad`` asks for the first ``squad`` members of the stored greedy squad (default: all of them): its curve, its
    members and its external reach are read from the stored curve (:func:`orgnet.reach.squad_reach_at`). A size
    beyond the stored curve is a 422 on ``squad`` saying how far it goes.
    """
    people_shown = allowed(principal.role, ADVOCATES)
    stored = snapshots.result(REACH, label)
    points = stored.squad_curve.to_pylist()
    size = len(points) if squad is None else squad
    if size > len(points):
        message = f"the stored squad curve goes to {len(points)} people; analyse with a larger squad to see more"
        raise RequestValidationError([{"loc": ("query", "squad"), "msg": message, "type": "value_error"}])
    curve = [from_record(SquadPoint, point, person_id=point["person_id"] if people_shown else None) for point in points[:size]]
    whole = size == len(points)
    overlap = None
    if people_shown:
        overlap = [OverlapRow(person_id=member, jaccard=dict(others)) for member, others in stored.overlap.items()]
    unique_reach = stored.squad_unique_reach if whole or not points else float(points[size - 1]["unique_reach"])
    return ReachView(
        snapshot=label,
        people_shown=people_shown,
        employees=stored.employees,
        platforms=[from_record(ReachPlatform, r) for r in stored.platforms.to_pylist()],
        brand=[from_record(BrandOverlap, r) for r in stored.brand.to_pylist()],
        squad=Squad(
            size=size,
            members=list(stored.squad_members[:size]) if people_shown else None,
            curve=curve,
            reach=squad_reach_at(stored.squad_curve.to_pandas(), size, stored.squad_reach),
            unique_reach=unique_reach,
            upper_bound=stored.squad_upper_bound if whole else None,
            ratio=stored.squad_ratio,
            guarantee=stored.squad_guarantee if whole else guarantee_sentence(size, unique_reach),
        ),
        overlap=overlap,
    )


def internal_reach(snapshots: Snapshots, label: str, query: InternalReachQuery, principal: Principal, min_group_size: int) -> InternalReach:
    """k-hop counts and the expected independent-cascade spread from ``query.people`` in snapshot ``label``, as ``principal`` may see them.

    Roles with person-level access get the exact answer. The others are
    refused (403) below ``min_group_size`` distinct seeds and get every people
    count rounded to a multiple of :data:`orgnet.access.REACH_ROUNDING`
    (:func:`orgnet.access.internal_reach_refusal`, :func:`orgnet.access.rounded_counts`).
    The exact answer is kept per snapshot and query, so asking again costs
    nothing until the snapshot is analysed again.

    Raises
    ------
    HTTPException : 403 when the role may not ask from so few people.
    KeyError : some people are not in the snapshot's graph (the message lists them).
    """
    people = sorted(set(query.people))
    refusal = internal_reach_refusal(principal.role, len(people), min_group_size)
    if refusal is not None:
        raise HTTPException(403, refusal)
    answer = _exact_internal_reach(snapshots, label, people, query)
    return answer if allowed(principal.role, PEOPLE) else _rounded_reach(answer)


def _exact_internal_reach(snapshots: Snapshots, label: str, people: list[str], query: InternalReachQuery) -> InternalReach:
    graph = snapshots.graph(label)
    missing = [p for p in people if p not in graph]
    if missing:
        raise KeyError(f"not in {label}: {', '.join(missing[:10])}")
    indexed = snapshots.derived("indexed_graph", label, lambda: index_graph(graph, weight="weight"))

    def compute() -> InternalReach:
        reach = spread_internal_reach(
            graph, people, query.hops, probability=query.probability, runs=query.runs, seed=query.seed, indexed=indexed
        )
        per_hop = [HopCount(hop=int(r["hop"]), new=int(r["new"]), reached=int(r["reached"])) for r in reach.per_hop.to_dict("records")]
        return InternalReach(
            snapshot=label,
            people=people,
            hops=reach.hops,
            per_hop=per_hop,
            reached=reach.reached,
            probability=reach.probability,
            seed=reach.seed,
            spread=SpreadEstimateModel(**reach.spread.to_dict()),
            people_in_graph=len(indexed.nodes),
        )

    key = f"internal_reach {','.join(people)} hops={query.hops} p={query.probability!r} runs={query.runs} seed={query.seed}"
    return snapshots.derived(key, label, compute)


def _rounded_reach(answer: InternalReach) -> InternalReach:
    """``answer`` with every people count rounded; hop by hop, ``new`` is the difference of the rounded ``reached``."""
    reached = rounded_counts([hop.reached for hop in answer.per_hop])
    per_hop = [HopCount(hop=hop.hop, new=now - before, reached=now) for hop, now, before in zip(answer.per_hop, reached, [0, *reached])]
    spread = answer.spread
    mean, stderr, low, high = rounded_counts([spread.mean, spread.stderr, spread.ci_low, spread.ci_high])
    return answer.model_copy(
        update={
            "per_hop": per_hop,
            "reached": rounded_counts([answer.reached])[0],
            "spread": spread.model_copy(
                update={"mean": float(mean), "stderr": float(stderr), "ci_low": float(low), "ci_high": float(high)}
            ),
            "rounded_to": REACH_ROUNDING,
        }
    )
