"""Admin only: API keys, the ingest history and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response

from orgnet.access import ADMIN, Principal, create_key, revoke_key
from orgnet.api.deps import AuditDep, KeysDep, Require, StoreDep
from orgnet.api.models import AuditRow, IngestEntry, KeyCreate, KeyCreated, KeyRow, Page
from orgnet.api.params import LimitParam, OffsetParam, paginate
from orgnet.errors import OrgnetError

__all__ = ["router"]

router = APIRouter(tags=["admin"])

AdminDep = Annotated[Principal, Depends(Require(ADMIN))]


@router.get("/ingests", response_model=Page[IngestEntry], summary="Ingest history")
def ingests(principal: AdminDep, store: StoreDep, offset: OffsetParam = 0, limit: LimitParam = 100) -> Page[IngestEntry]:
    """The ingest ledger, newest first."""
    rows = [
        IngestEntry(
            ingest_id=record.ingest_id,
            source=record.source,
            path=record.path,
            content_hash=record.content_hash,
            finished_at=record.finished_at,
            counts={str(k): int(v) for k, v in record.report.get("counts", {}).items()},
            rejects=int(record.report.get("rejects", 0)),
        )
        for record in reversed(store.ingests())
    ]
    return paginate(rows, offset, limit)


@router.get("/audit", response_model=Page[AuditRow], summary="Audit log of person-level reads")
def audit(principal: AdminDep, store: StoreDep, audit_log: AuditDep, offset: OffsetParam = 0, limit: LimitParam = 100) -> Page[AuditRow]:
    """Who read which person-level data when, newest first. ``total`` counts the rows up to this page and the next one.

    Entries still waiting in memory are written first, so every read answered before this one is listed.
    """
    audit_log.flush()
    # The store pages the log itself; one row past the page tells whether more follow without counting them all.
    entries = store.audit_log(limit=limit + 1, offset=offset)
    rows = [AuditRow(at=e.at, key_id=e.key_id, role=e.role, action=e.action, target=e.target) for e in entries[:limit]]
    return Page(items=rows, total=offset + len(entries), offset=offset, limit=limit)


@router.get("/keys", response_model=list[KeyRow], summary="API keys")
def keys(principal: AdminDep, store: StoreDep) -> list[KeyRow]:
    """Every key, revoked ones included (never the key nor its hash)."""
    return [KeyRow(key_id=k.key_id, role=k.role, name=k.name, created_at=k.created_at, revoked_at=k.revoked_at) for k in store.api_keys()]


@router.post("/keys", response_model=KeyCreated, status_code=201, summary="Create an API key")
def add_key(principal: AdminDep, store: StoreDep, body: KeyCreate) -> KeyCreated:
    """Create a key; the answer is the only time its secret is shown."""
    key_id, plaintext = create_key(store, body.role, body.name)
    return KeyCreated(key_id=key_id, role=body.role, key=plaintext)


@router.delete(
    "/keys/{key_id}", status_code=204, summary="Revoke an API key", responses={404: {"description": "No live key with this id."}}
)
def delete_key(principal: AdminDep, store: StoreDep, keys: KeysDep, key_id: str) -> Response:
    """Revoke a key; requests with it (and its sessions) fail from now on (in other worker processes within `key_ttl` seconds)."""
    try:
        revoke_key(store, key_id)
    except OrgnetError as error:
        raise HTTPException(404, str(error)) from None
    keys.forget(key_id)
    return Response(status_code=204)
