"""The ASGI app: the JSON API under ``/api/v1`` and the browser pages, on one store.

``create_app(settings)`` opens the store the settings name and keeps it, with
the in-memory snapshots, the key cache and the audit buffer, on
``app.state``; every route reaches them through the dependencies of
:mod:`orgnet.api.deps`. The lifespan's shutdown writes the audit entries still in
memory, then closes the store.

Every request passes through :class:`~orgnet.api.websec.BrowserSecurity`
first (security headers on every answer, the origin check of the session
cookie, OPTIONS), and every route refuses repeated single-valued query
parameters (:func:`~orgnet.api.websec.single_query_values`).
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from orgnet.api.audit import AuditBuffer
from orgnet.api.errors import install_error_handlers
from orgnet.api.keys import KeyCache
from orgnet.api.models import ErrorBody
from orgnet.api.settings import Settings
from orgnet.api.snapshots import Snapshots
from orgnet.api.websec import SecuredFastAPI, single_query_values
from orgnet.settings import load_settings
from orgnet.store import open_store

__all__ = ["API_V1", "ERROR_RESPONSES", "create_app"]

API_V1 = "/api/v1"

logger = logging.getLogger("orgnet.api")

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


def _warm(snapshots: Snapshots) -> None:
    from orgnet.api.services import advocate_table

    try:
        advocate_table(snapshots, snapshots.label(None))
    except Exception:
        logger.debug("nothing to warm", exc_info=True)
    # What start-up built lives as long as the process: kept out of the cyclic collector's scans, each of which
    # took 0.2-1.1 s on the benchmark org and stalled every request of the worker (measured by bench/api.py).
    # Garbage is collected first, so that only live objects are frozen.
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service on the store ``settings.store`` (settings read from the environment when ``None``)."""
    from orgnet.api import pages
    from orgnet.api.routers import admin, advocates, analysis, graph, people, reports, system

    settings = settings or load_settings(Settings)
    store = open_store(settings=settings)
    audit = AuditBuffer(store, interval=settings.audit_interval, batch=settings.audit_batch, capacity=settings.audit_queue)

    snapshots = Snapshots(store, ttl=settings.result_ttl)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        audit.open()
        # Build the busiest table before the first request needs it, without delaying the start.
        threading.Thread(target=_warm, args=(snapshots,), name="orgnet-warm", daemon=True).start()
        try:
            yield
        finally:
            audit.close()
            store.close()

    app = SecuredFastAPI(
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
        # /docs is a page of orgnet's own (its script a served file, as the security policy wants); no ReDoc.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        dependencies=[Depends(single_query_values)],
    )
    app.state.settings = settings
    app.state.store = store
    app.state.snapshots = snapshots
    app.state.keys = KeyCache(store, ttl=settings.key_ttl)
    app.state.audit = audit
    install_error_handlers(app)
    for module in (system, people, analysis, advocates, graph, reports, admin):
        app.include_router(module.router, prefix=API_V1, responses=ERROR_RESPONSES)
    app.include_router(pages.router)
    return app
