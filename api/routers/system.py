"""Health, the caller, and the periods the store holds."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

from fastapi import APIRouter, Depends

from orgnet.access import SUMMARY, Principal
from orgnet.api.deps import Require, SettingsDep, SnapshotsDep, StoreDep
from orgnet.api.models import Health, Me, Periods
from orgnet.api.snapshots import UnknownSnapshot

__all__ = ["router"]

router = APIRouter(tags=["system"])


def _version() -> str:
    try:
        return version("orgnet")
    except PackageNotFoundError:
        return "unknown"


@router.get("/health", response_model=Health, summary="Health (no key needed)")
def health(snapshots: SnapshotsDep) -> Health:
    """Whether the service is up and its store answers (figures cached for a few seconds)."""
    return Health(status="ok", version=_version(), people=len(snapshots.people()), periods=len(snapshots.periods()))


@router.get("/me", response_model=Me, summary="The caller")
def me(principal: Annotated[Principal, Depends(Require(SUMMARY))], settings: SettingsDep) -> Me:
    """The caller's key id, role and what the role may see."""
    return Me(
        key_id=principal.key_id,
        role=principal.role,
        name=principal.name,
        permissions=sorted(principal.permissions),
        min_group_size=settings.min_group_size,
    )


@router.get("/periods", response_model=Periods, summary="Periods and analysed snapshots")
def periods(principal: Annotated[Principal, Depends(Require(SUMMARY))], store: StoreDep, snapshots: SnapshotsDep) -> Periods:
    """The periods holding ties and the snapshots with stored results."""
    try:
        default = snapshots.label(None)
    except UnknownSnapshot:
        default = None
    return Periods(
        period_unit=store.settings().get("period_unit", "month"),
        periods=snapshots.periods(),
        analysed=snapshots.analysed(),
        default=default,
    )
