"""Dependencies every route shares: the settings, the store, the snapshots, the caller and the audit log.

They read what :func:`orgnet.api.app.create_app` put on ``app.state``, so a test
points the whole service at a temporary store by passing its own settings.
A caller proves who it is with an API key in ``X-API-Key`` or
``Authorization: Bearer``, or with the signed session cookie the login page sets.

The dependencies are coroutines that do not block (answers come from
memory, and a key missing from :class:`~orgnet.api.keys.KeyCache` is looked up in
the threadpool, on a read connection that no write holds up), so a request that
hits the caches never leaves the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool

from orgnet.access import Principal, allowed, hash_key
from orgnet.api.audit import AuditBuffer
from orgnet.api.keys import KeyCache
from orgnet.api.settings import Settings
from orgnet.api.snapshots import Snapshots
from orgnet.store import Store

__all__ = [
    "SESSION_COOKIE",
    "AuditDep",
    "Auditor",
    "KeysDep",
    "Require",
    "SettingsDep",
    "SnapshotsDep",
    "StoreDep",
    "check",
    "get_audit",
    "get_keys",
    "get_principal",
    "get_settings",
    "get_snapshots",
    "get_store",
    "optional_principal",
    "session_serializer",
]

SESSION_COOKIE = "orgnet_session"

_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key (orgnet keys create).")
_bearer = HTTPBearer(auto_error=False, description="An API key as a bearer token.")
_session = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="The session cookie the login page sets.")


async def get_settings(request: Request) -> Settings:
    """The app's settings."""
    return request.app.state.settings


async def get_store(request: Request) -> Store:
    """The app's open store."""
    return request.app.state.store


async def get_snapshots(request: Request) -> Snapshots:
    """The app's in-memory snapshots of stored results and graphs."""
    return request.app.state.snapshots


async def get_keys(request: Request) -> KeyCache:
    """The app's cache of authenticated keys."""
    return request.app.state.keys


async def get_audit(request: Request) -> AuditBuffer:
    """The app's audit log buffer."""
    return request.app.state.audit


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
SnapshotsDep = Annotated[Snapshots, Depends(get_snapshots)]
KeysDep = Annotated[KeyCache, Depends(get_keys)]
AuditDep = Annotated[AuditBuffer, Depends(get_audit)]


def session_serializer(settings: Settings) -> URLSafeTimedSerializer:
    """Signs and checks session cookies with the settings' secret."""
    return URLSafeTimedSerializer(settings.session_secret.get_secret_value(), salt="orgnet-session")


async def _lookup(keys: KeyCache, key_hash: str) -> Principal | None:
    return keys.cached(key_hash) or await run_in_threadpool(keys.lookup, key_hash)


async def optional_principal(
    keys: KeysDep,
    settings: SettingsDep,
    key: Annotated[str | None, Security(_api_key)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
    session: Annotated[str | None, Security(_session)] = None,
) -> Principal | None:
    """The caller, or ``None`` when no valid key or session comes with the request.

    The session cookie holds the key's hash (signed, time-limited), never the
    key, and is checked like a key (through the key cache), so revoking a key
    ends its sessions too.
    """
    if key or bearer is not None:
        plaintext = key or (bearer.credentials if bearer else None)
        return await _lookup(keys, hash_key(plaintext)) if plaintext else None
    if session:
        try:
            key_hash = session_serializer(settings).loads(session, max_age=settings.session_max_age)
        except BadSignature:
            return None
        return await _lookup(keys, str(key_hash))
    return None


async def get_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    """The caller; 401 when the request carries no valid key or session."""
    if principal is None:
        raise HTTPException(401, "a valid API key is required (X-API-Key or Authorization: Bearer)", headers={"WWW-Authenticate": "Bearer"})
    return principal


def check(principal: Principal, permission: str) -> Principal:
    """``principal`` when its role has ``permission``; 403 otherwise."""
    if not allowed(principal.role, permission):
        raise HTTPException(403, f"the {principal.role} role may not see {permission} data")
    return principal


class Require:
    """Dependency: the caller, when its role has ``permission``; 403 otherwise."""

    def __init__(self, permission: str):
        self.permission = permission

    async def __call__(self, principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        return check(principal, self.permission)


class Auditor:
    """Dependency: a function that records one read of person-level data by the caller in the audit log.

    Routes call it as ``audit(target)`` before they answer; the action is the route's, fixed here.
    The entry is queued in memory and written in a batch (:class:`~orgnet.api.audit.AuditBuffer`);
    when it cannot be queued the call raises :class:`~orgnet.api.audit.AuditUnavailable`, and the
    route answers that 503 instead of the data.
    """

    def __init__(self, permission: str, action: str):
        self.permission = permission
        self.action = action

    async def __call__(self, audit_log: AuditDep, principal: Annotated[Principal, Depends(get_principal)]) -> Callable[[str], None]:
        check(principal, self.permission)

        def audit(target: str) -> None:
            audit_log.record(principal, self.action, target)

        return audit
