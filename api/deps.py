"""Dependencies every route shares: the settings, the store, the snapshots, the caller and the audit log.

They read what :func:`api.app.create_app` put on ``app.state``, so a test
points the whole service at a temporary store by passing its own settings.
A caller proves who it is with an API key in ``X-API-Key`` or
``Authorization: Bearer``, or with the signed session cookie the login page sets.
"""

from __future__ import annotations

from typing import Annotated, Callable

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from itsdangerous import BadSignature, URLSafeTimedSerializer

from api.settings import Settings
from api.snapshots import Snapshots
from orgnet.access import Principal, allowed, authenticate, principal_of_hash, record_read
from orgnet.store import Store

__all__ = [
    "SESSION_COOKIE",
    "get_settings",
    "get_store",
    "get_snapshots",
    "get_principal",
    "optional_principal",
    "session_serializer",
    "Require",
    "Auditor",
    "SettingsDep",
    "StoreDep",
    "SnapshotsDep",
]

SESSION_COOKIE = "orgnet_session"

_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key (orgnet keys create).")
_bearer = HTTPBearer(auto_error=False, description="An API key as a bearer token.")
_session = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="The session cookie the login page sets.")


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    return request.app.state.settings


def get_store(request: Request) -> Store:
    """The app's open store."""
    return request.app.state.store


def get_snapshots(request: Request) -> Snapshots:
    """The app's in-memory snapshots of stored results and graphs."""
    return request.app.state.snapshots


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
SnapshotsDep = Annotated[Snapshots, Depends(get_snapshots)]


def session_serializer(settings: Settings) -> URLSafeTimedSerializer:
    """Signs and checks session cookies with the settings' secret."""
    return URLSafeTimedSerializer(settings.session_secret, salt="orgnet-session")


def optional_principal(
    store: StoreDep,
    settings: SettingsDep,
    key: Annotated[str | None, Security(_api_key)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
    session: Annotated[str | None, Security(_session)] = None,
) -> Principal | None:
    """The caller, or ``None`` when no valid key or session comes with the request.

    The session cookie holds the key's hash (signed, time-limited), never the
    key, and is checked against the store on every request, so revoking a key
    ends its sessions too.
    """
    if key or bearer is not None:
        return authenticate(store, key or (bearer.credentials if bearer else None))
    if session:
        try:
            key_hash = session_serializer(settings).loads(session, max_age=settings.session_max_age)
        except BadSignature:
            return None
        return principal_of_hash(store, str(key_hash))
    return None


def get_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    """The caller; 401 when the request carries no valid key or session."""
    if principal is None:
        raise HTTPException(401, "a valid API key is required (X-API-Key or Authorization: Bearer)", headers={"WWW-Authenticate": "Bearer"})
    return principal


class Require:
    """Dependency: the caller, when its role has ``permission``; 403 otherwise."""

    def __init__(self, permission: str):
        self.permission = permission

    def __call__(self, principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if not allowed(principal.role, self.permission):
            raise HTTPException(403, f"the {principal.role} role may not see {self.permission} data")
        return principal


class Auditor:
    """Dependency: a function that writes one read of person-level data by the caller to the audit log.

    Routes call it as ``audit(target)``; the action is the route's, fixed here.
    """

    def __init__(self, permission: str, action: str):
        self.require = Require(permission)
        self.action = action

    def __call__(self, store: StoreDep, principal: Annotated[Principal, Depends(get_principal)]) -> Callable[[str], None]:
        self.require(principal)

        def audit(target: str) -> None:
            record_read(store, principal, self.action, target)

        return audit
