"""The ASGI app: the JSON API under ``/api/v1`` and the browser pages, on one store.

``create_app(settings)`` opens the store the settings name and keeps it, with
the in-memory snapshots, on ``app.state``; every route reaches them through
the dependencies of :mod:`api.deps`.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.models import ErrorBody
from api.settings import Settings
from api.snapshots import Snapshots
from orgnet.store import open_store

__all__ = ["create_app", "API_V1", "ERROR_RESPONSES"]

API_V1 = "/api/v1"

#: Error answers every API route may give, documented once.
ERROR_RESPONSES: dict[int | str, dict] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "The request cannot be answered as asked."),
        (401, "No valid API key or session."),
        (403, "The caller's role may not see this."),
        (404, "Not found, or the snapshot was not analysed (run orgnet analyze)."),
        (422, "Invalid parameters."),
    )
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service on the store ``settings.store`` (settings from ``ORGNET_*`` when ``None``)."""
    from api import pages
    from api.routers import admin, analysis, graph, people, system

    settings = settings or Settings()
    store = open_store(settings.store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="orgnet",
        version="1",
        summary="Organizational network analysis: advocates, silos and bridges, reach.",
        description=(
            "Every route but `/health` needs an API key (`X-API-Key` or `Authorization: Bearer`; create one with "
            "`orgnet keys create --role ROLE`). Roles: admin (everything), analyst (person-level network views), "
            "comms (advocates and reach), viewer (group-level aggregates). Figures of groups smaller than the "
            "minimum group size are suppressed and marked so. Reads of person-level data are audited."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.snapshots = Snapshots(store, ttl=settings.result_ttl)
    install_error_handlers(app)
    for module in (system, people, analysis, graph, admin):
        app.include_router(module.router, prefix=API_V1, responses=ERROR_RESPONSES)
    app.include_router(pages.router)
    return app
