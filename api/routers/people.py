"""People and one person's ego network (analyst and admin; every read is audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import pyarrow.compute as pc
from fastapi import APIRouter, Depends, HTTPException, Query

from orgnet.access import PEOPLE
from orgnet.api.deps import Auditor, SnapshotsDep
from orgnet.api.models import Contact, EgoSummary, GroupCount, Page, PersonRow, optional_text
from orgnet.api.params import DepartmentParam, LimitParam, OffsetParam, PeriodParam, paginate
from orgnet.api.snapshots import Snapshots
from orgnet.ego import ego_network, neighbourhood_graph
from orgnet.jobs import ADVOCATES as ADVOCATES_JOB
from orgnet.jobs import BROKERS, AdvocatesResult, BrokersResult, Job
from orgnet.model import CORE_PERSON_FIELDS

__all__ = ["PERSON_RESULTS", "router"]

router = APIRouter(tags=["people"])

#: Stored results with one row per person, shown in the ego summary (under the job's name).
PERSON_RESULTS: tuple[Job[AdvocatesResult] | Job[BrokersResult], ...] = (ADVOCATES_JOB, BROKERS)


def _person_row(record: dict[str, Any]) -> PersonRow:
    """A people-table record as a :class:`PersonRow`."""
    return PersonRow(**{field: optional_text(record.get(field)) for field in PersonRow.model_fields})


def _person_results(snapshots: Snapshots, label: str, person_id: str) -> dict[str, Any]:
    """The person's row in each stored per-person result of ``label`` (results missing are left out)."""
    found: dict[str, Any] = {}
    for job in PERSON_RESULTS:
        stored = snapshots.optional_result(job, label)
        if stored is not None:
            rows = stored.table.filter(pc.equal(stored.table.column("person_id"), person_id)).to_pylist()
            if rows:
                found[job.name] = rows[0]
    return found


@router.get("/people", response_model=Page[PersonRow], summary="People")
def people(
    snapshots: SnapshotsDep,
    audit: Annotated[Callable[[str], None], Depends(Auditor(PEOPLE, "people.list"))],
    q: Annotated[str | None, Query(max_length=200, description="Part of a name or person id, any case.")] = None,
    department: DepartmentParam = None,
    offset: OffsetParam = 0,
    limit: LimitParam = 100,
) -> Page[PersonRow]:
    """People, sorted by id, optionally searched by name or id and filtered by department."""
    table = snapshots.people()
    if department:
        table = table[table["department"] == department]
    if q:
        needle = q.lower()
        names = table["name"].fillna("").astype(str).str.lower()
        table = table[
            names.str.contains(needle, regex=False) | table["person_id"].astype(str).str.lower().str.contains(needle, regex=False)
        ]
    table = table.sort_index()
    audit(f"q={q or ''} department={department or ''} offset={offset}")
    page = paginate(table.to_dict("records"), offset, limit)
    return Page(items=[_person_row(r) for r in page.items], total=page.total, offset=offset, limit=limit)


@router.get(
    "/people/{person_id}",
    response_model=EgoSummary,
    summary="One person's ego summary",
    responses={404: {"description": "No such person, or no ties in the snapshot."}},
)
def ego(
    person_id: str,
    snapshots: SnapshotsDep,
    audit: Annotated[Callable[[str], None], Depends(Auditor(PEOPLE, "people.ego"))],
    period: PeriodParam = None,
    top: Annotated[int, Query(ge=1, le=200, description="Strongest contacts to list.")] = 10,
) -> EgoSummary:
    """The person's attributes, degrees, strongest contacts, contacts per department and stored metrics."""
    table = snapshots.people()
    if person_id not in table.index:
        raise HTTPException(404, f"no person {person_id!r}")
    label = snapshots.label(period)
    # The ties around the person only: one period of a 50,000-person org is 845,000 ties.
    graph = neighbourhood_graph(snapshots.neighbourhood(label, person_id, 1), table, person_id, 1)
    audit(f"{person_id} {label}")
    record = table.loc[person_id].to_dict()
    network = ego_network(graph, person_id, by="department")
    strongest = network.contacts.head(top)
    return EgoSummary(
        person=_person_row(record),
        snapshot=label,
        attributes={k: optional_text(v) for k, v in record.items() if k not in CORE_PERSON_FIELDS},
        out_degree=network.out_degree,
        in_degree=network.in_degree,
        contacts=len(network.contacts),
        strength_out=network.strength_out,
        strength_in=network.strength_in,
        external_share=network.external_share,
        top_contacts=[
            Contact(
                person_id=str(r["person_id"]),
                name=optional_text(graph.nodes[r["person_id"]].get("name")),
                department=optional_text(graph.nodes[r["person_id"]].get("department")),
                weight_out=r["weight_out"],
                weight_in=r["weight_in"],
                count=r["count"],
            )
            for r in strongest.to_dict("records")
        ],
        departments=[
            GroupCount(group=str(r["group"]), contacts=int(r["contacts"]), weight=float(r["weight"]))
            for r in network.groups.to_dict("records")
        ],
        metrics=_person_results(snapshots, label, person_id),
    )
