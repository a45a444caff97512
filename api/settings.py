"""The service's settings, read once from the environment (``ORGNET_*``) into one object."""

from __future__ import annotations

import secrets

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from orgnet.access import DEFAULT_MIN_GROUP_SIZE
from orgnet.store import DEFAULT_STORE

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Where the store is, how small a group may be shown, and how sessions are signed.

    Every field reads ``ORGNET_<FIELD>`` (``ORGNET_STORE``, ``ORGNET_MIN_GROUP_SIZE``...).
    """

    model_config = SettingsConfigDict(env_prefix="ORGNET_", extra="ignore")

    store: str = Field(DEFAULT_STORE, description="Store location: an SQLite file or a bolt:// / neo4j:// URI.")
    min_group_size: int = Field(DEFAULT_MIN_GROUP_SIZE, ge=1, description="Groups with fewer members have their figures suppressed.")
    session_secret: str = Field(
        default_factory=lambda: secrets.token_urlsafe(32),
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
    workers: int = Field(1, ge=1, le=64, description="uvicorn worker processes `orgnet serve` starts.")
