"""Run the service with uvicorn: what ``orgnet serve`` and ``orgnet demo`` call."""

from __future__ import annotations

import os

import uvicorn

from orgnet.api.app import create_app
from orgnet.api.settings import Settings

__all__ = ["serve", "url_of"]


def url_of(host: str, port: int) -> str:
    """The address a browser opens for a server on ``host``:``port``."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(store: str | None = None, host: str | None = None, port: int | None = None, **settings: object) -> None:
    """Serve the API and pages on ``store`` until interrupted.

    Parameters
    ----------
    store : store location; ``ORGNET_STORE`` or ``./orgnet.db`` when ``None``.
    host, port : where to listen; ``ORGNET_HOST``/``ORGNET_PORT`` or 127.0.0.1:8000 when ``None``.
    settings : other :class:`~orgnet.api.settings.Settings` fields (``min_group_size``, ``workers``...).

    With ``workers`` above 1, uvicorn starts that many processes, each
    building the app from the environment: the resolved settings (the session
    secret included, so a session works with every worker) are passed to them
    as ``ORGNET_*`` variables.
    """
    given = {k: v for k, v in {"store": store, "host": host, "port": port, **settings}.items() if v is not None}
    resolved = Settings(**given)
    if resolved.workers == 1:
        uvicorn.run(create_app(resolved), host=resolved.host, port=resolved.port, log_level="warning")
        return
    os.environ.update({f"ORGNET_{name.upper()}": str(value) for name, value in resolved.model_dump().items()})
    uvicorn.run(
        "orgnet.api.app:create_app",
        factory=True,
        host=resolved.host,
        port=resolved.port,
        workers=resolved.workers,
        log_level="warning",
        access_log=False,
    )
