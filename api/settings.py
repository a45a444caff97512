"""The service's settings: the core's (:mod:`orgnet.settings`) and the service's own, in one object.

:class:`Settings` extends :class:`orgnet.settings.Settings`, so every
variable is still read by one field of one class; build it with
:func:`orgnet.settings.load_settings`. The one other variable the service
reads, ``ORGNET_WORKER_SETTINGS``, is set by ``orgnet serve --workers N`` for
its own workers (see :mod:`orgnet.api.server`), never by a person.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from pydantic import Field, SecretStr

from orgnet import settings as core
from orgnet.access import DEFAULT_MIN_GROUP_SIZE

__all__ = ["WORKER_SETTINGS_ENV", "Settings", "worker_settings"]

#: The path of the file a worker of ``orgnet serve --workers N`` reads its settings from.
WORKER_SETTINGS_ENV = "ORGNET_WORKER_SETTINGS"


class Settings(core.Settings):
    """The core's settings, plus how small a group may be shown, how sessions are signed and how the server runs.

    Every field reads ``ORGNET_<FIELD>`` (``ORGNET_MIN_GROUP_SIZE``, ``ORGNET_SESSION_SECRET``...).
    """

    min_group_size: int = Field(DEFAULT_MIN_GROUP_SIZE, ge=1, description="Groups with fewer members have their figures suppressed.")
    session_secret: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(32)),
        description="Key that signs session cookies; a random one (sessions end with the process) when unset.",
    )
    session_max_age: int = Field(8 * 3600, ge=60, description="Seconds a browser session lasts.")
    cookie_secure: bool = Field(False, description="Send the session cookie only over HTTPS (set it behind a TLS proxy).")
    host: str = Field("127.0.0.1", description="Interface `orgnet serve` listens on.")
    port: int = Field(8000, ge=0, le=65535, description="Port `orgnet serve` listens on.")
    max_graph_nodes: int = Field(5000, ge=1, description="Most people one person-level graph response may hold.")
    result_ttl: float = Field(
        5.0, ge=0, description="Most seconds before a new `orgnet analyze` shows: how often the index of stored results is read again."
    )
    key_ttl: float = Field(
        1.0,
        ge=0,
        le=60,
        description="Seconds an authenticated key is trusted without asking the store (revocations take effect within it).",
    )
    audit_interval: float = Field(0.5, gt=0, le=60, description="Most seconds an audit entry waits in memory before it is written.")
    audit_batch: int = Field(500, ge=1, description="Audit entries that are written at once, before the interval is up.")
    # About 30 MB: a minute or more of reads at full load while another writer holds the store.
    audit_queue: int = Field(
        100_000, ge=1, description="Most audit entries waiting in memory for the store; beyond them person-level reads are refused (503)."
    )
    workers: int = Field(1, ge=1, le=64, description="uvicorn worker processes `orgnet serve` starts.")


def worker_settings() -> Settings:
    """The settings ``orgnet serve --workers N`` wrote for its workers (the file ``ORGNET_WORKER_SETTINGS`` names).

    Raises
    ------
    orgnet.settings.SettingsError
        When the variable is unset or the file cannot be read: the process
        is not a worker of ``orgnet serve``.
    """
    path = os.environ.get(WORKER_SETTINGS_ENV)
    try:
        values = json.loads(Path(path).read_text(encoding="utf-8")) if path else None
    except (OSError, ValueError) as error:
        raise core.SettingsError(f"cannot read the worker settings {path}: {error}") from None
    if values is None:
        raise core.SettingsError(f"{WORKER_SETTINGS_ENV} is not set: only the workers of `orgnet serve --workers N` build the app so")
    return core.load_settings(Settings, **values)
