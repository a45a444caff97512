"""People and one person's ego network (analyst and admin; every read is audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query

from orgnet.access import PEOPLE
from orgnet.api.deps import Auditor, SnapshotsDep
from orgnet.api.models import Contact, EgoSummary, GroupCount, Page, PersonRow
from orgnet.api.params import DepartmentParam, LimitParam, OffsetParam, PeriodParam, paginate
from orgnet.api.snapshots import Snapshots
from orgnet.model import CORE_PERSON_FIELDS

__all__ = ["PERSON_RESULTS", "person_results", "person_row", "router"]

router = APIRouter(tags=["people"])

#: Stored results with one row per person, shown in the ego summary.
PERSON_RESULTS = ("advocates", "brokers")


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and value != value) else str(value)


def person_row(record: dict[str, Any]) -> PersonRow:
    """A people-table record as a :class:`PersonRow`."""
    return PersonRow(**{field: _text(record.get(field)) for field in PersonRow.model_fields})


def person_results(snapshots: Snapshots, label: str, person_id: str) -> dict[str, Any]:
    """The person's row in each stored per-person result of ``label`` (results missing are left out)."""
    found: dict[str, Any] = {}
    for name in PERSON_RESULTS:
        rows = snapshots.optional_result(name, label)
        if isinstance(rows, list):
            row = next((r for r in rows if isinstance(r, dict) and r.get("person_id") == person_id), None)
            if row is not None:
                found[name] = row
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
    return Page(items=[person_row(r) for r in page.items], total=page.total, offset=offset, limit=limit)


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
    graph = snapshots.graph(label)
    audit(f"{person_id} {label}")
    record = table.loc[person_id].to_dict()
    own = record.get("department")
    weights: dict[str, list[float]] = {}
    for _, other, data in graph.out_edges(person_id, data=True):
        weights.setdefault(other, [0.0, 0.0, 0])[0] += data.get("weight", 0.0)
        weights[other][2] += data.get("count", 0)
    for other, _, data in graph.in_edges(person_id, data=True):
        weights.setdefault(other, [0.0, 0.0, 0])[1] += data.get("weight", 0.0)
        weights[other][2] += data.get("count", 0)
    contacts = pd.DataFrame(
        [(other, w_out, w_in, count) for other, (w_out, w_in, count) in weights.items()],
        columns=["person_id", "weight_out", "weight_in", "count"],
    )
    contacts["department"] = [_text(graph.nodes[p].get("department")) for p in contacts["person_id"]]
    contacts["name"] = [_text(graph.nodes[p].get("name")) for p in contacts["person_id"]]
    contacts["weight"] = contacts["weight_out"] + contacts["weight_in"]
    total = float(contacts["weight"].sum())
    outside = float(contacts.loc[contacts["department"] != own, "weight"].sum()) if own is not None else 0.0
    by_department = (
        contacts.assign(department=contacts["department"].fillna("(unknown)"))
        .groupby("department")
        .agg(contacts=("person_id", "size"), weight=("weight", "sum"))
        .reset_index()
        .sort_values(["contacts", "weight"], ascending=False)
    )
    strongest = contacts.sort_values(["weight", "person_id"], ascending=[False, True]).head(top)
    return EgoSummary(
        person=person_row(record),
        snapshot=label,
        attributes={k: _text(v) for k, v in record.items() if k not in CORE_PERSON_FIELDS},
        out_degree=graph.out_degree(person_id),
        in_degree=graph.in_degree(person_id),
        contacts=len(contacts),
        strength_out=float(contacts["weight_out"].sum()),
        strength_in=float(contacts["weight_in"].sum()),
        external_share=outside / total if total > 0 else None,
        top_contacts=[Contact(**{k: r[k] for k in Contact.model_fields}) for r in strongest.to_dict("records")],
        departments=[
            GroupCount(group=r["department"], contacts=int(r["contacts"]), weight=float(r["weight"]))
            for r in by_department.to_dict("records")
        ],
        metrics=person_results(snapshots, label, person_id),
    )
