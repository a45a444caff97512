"""Growth reports written by ``orgnet report`` or ``orgnet schedule``: the list, and each report's page.

The list carries no person-level data and is open to every role that sees
the headline numbers. A report in full names people (advocate movers, the
carriers of fragile bridges): roles with the person-level permission get
it, and the read is written to the audit log; every other role gets the
report's aggregate form, which names no one (:func:`orgnet.api.reports.served_page`).

A report is a page written once, its suppression done with the minimum group
size of its writing; it is served only while that minimum is at least the
service's own (:func:`orgnet.api.reports.servable`). Otherwise the answer is
409 with the ``orgnet report`` command that writes it again under the
minimum in force.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from orgnet.access import PEOPLE, SUMMARY, Principal, allowed
from orgnet.api.deps import AuditDep, Require, SettingsDep, StoreDep
from orgnet.api.reports import REPORT_DOCUMENT, list_reports, regenerate_command, servable, served_page
from orgnet.api.websec import inline_policy
from orgnet.results import load_document

__all__ = ["ReportEntry", "ReportList", "router"]

router = APIRouter(tags=["reports"])

#: A report id: two snapshot labels joined by ``_``, then ``_by_ATTRIBUTE`` (URL-quoted) for another grouping than
#: departments (see :func:`orgnet.api.reports.report_id`).
REPORT_ID_PATTERN = r"^\d{4}-W?\d{2}(?:\.\.\d{4}-W?\d{2})?_\d{4}-W?\d{2}(?:\.\.\d{4}-W?\d{2})?(?:_by_[A-Za-z0-9._~%-]+)?$"


class ReportEntry(BaseModel):
    """One written report."""

    id: str = Field(description="Report id: the two snapshots compared, joined by `_`.")
    before: str = Field(description="Snapshot compared from.")
    after: str = Field(description="Snapshot compared with it.")
    created_at: str = Field(description="When the report was written (UTC).")
    min_group_size: int | None = Field(description="The minimum group size it was written with (`null`: not recorded).")
    servable: bool = Field(
        description="Whether it is served: written with a minimum group size at least the service's; otherwise write it again."
    )
    url: str = Field(description="Where the API serves the report's page.")


class ReportList(BaseModel):
    """Every written report, newest first."""

    reports: list[ReportEntry]


@router.get("/reports", response_model=ReportList, summary="Growth reports")
def reports(
    principal: Annotated[Principal, Depends(Require(SUMMARY))], store: StoreDep, settings: SettingsDep, request: Request
) -> ReportList:
    """The growth reports written so far, newest first, with the URL of each page and whether it is served."""
    return ReportList(
        reports=[
            ReportEntry(
                id=r["id"],
                before=r["before"],
                after=r["after"],
                created_at=r["created_at"],
                min_group_size=r.get("min_group_size"),
                servable=servable(r, settings.min_group_size),
                url=request.url_for("report", report_id=r["id"]).path,
            )
            for r in list_reports(store)
        ]
    )


@router.get(
    "/reports/{report_id}",
    response_class=HTMLResponse,
    summary="One growth report",
    responses={
        200: {"content": {"text/html": {}}},
        409: {"description": "Written under a smaller minimum group size than the service's; `detail` says how to write it again."},
    },
)
async def report(
    report_id: Annotated[str, PathParam(pattern=REPORT_ID_PATTERN, description="Report id, e.g. `2026-09_2026-10`.")],
    principal: Annotated[Principal, Depends(Require(SUMMARY))],
    store: StoreDep,
    settings: SettingsDep,
    audit_log: AuditDep,
) -> HTMLResponse:
    """The report's self-contained HTML page (plotly embedded; no other request needed), when it was written with a
    minimum group size at least the service's: in full for roles that see people, else its aggregate form."""
    record = await run_in_threadpool(load_document, store, REPORT_DOCUMENT, report_id)
    if record is None:
        raise HTTPException(404, f"no report {report_id}; list them at /api/v1/reports")
    if not servable(record, settings.min_group_size):
        written = record.get("min_group_size")
        raise HTTPException(
            409,
            f"report {report_id} was written with minimum group size {written if written is not None else 'unrecorded'}, "
            f"and this service suppresses groups under {settings.min_group_size}: it may show groups the service hides. "
            f"Write it again with: {regenerate_command(record, settings.min_group_size, settings.store)}",
        )
    full = allowed(principal.role, PEOPLE)
    page = served_page(record, full)
    if page is None:
        raise HTTPException(
            404,
            f"report {report_id} was written before reports had an aggregate form, which is what the {principal.role} role "
            f"may open; write it again with: {regenerate_command(record, settings.min_group_size, settings.store)}",
        )
    if not page.is_file():
        raise HTTPException(404, f"report {report_id} was removed from {page.parent}; write it again with orgnet report")
    if full:
        audit_log.record(principal, "report", report_id)
    html = await run_in_threadpool(page.read_text, encoding="utf-8")
    # Self-contained, with plotly.js and its figures inline: a policy that runs exactly the report's own scripts.
    return HTMLResponse(html, headers={"Content-Security-Policy": inline_policy(html)})
