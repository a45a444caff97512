"""Who may see what: API keys, roles, the audit log and small-group suppression.

An API key is a random token shown once when it is created; the store keeps
only its SHA-256 hash (:class:`orgnet.model.ApiKey`). Each key has one role:

``admin``
    everything, plus keys, the ingest history and the audit log;
``analyst``
    person-level network views (people, ego networks, brokers, fragile
    bridges, the person-level graph) and every aggregate;
``comms``
    advocates and reach, and the headline numbers; nothing about silos or
    individual ties;
``viewer``
    group-level aggregates only (headline numbers, silos, communities, the
    department- and community-level graph).

A role is a set of *permissions* (:data:`ROLE_PERMISSIONS`); the service asks
:func:`allowed` before it answers. Every read of person-level data is written
to the audit log with :func:`record_read`.

Group-level figures of groups with fewer members than a minimum (5 by default,
as Viva Insights does) are replaced by ``None`` and marked ``suppressed`` by
:func:`suppress_groups` (and, for figures about a pair of groups, by
:func:`suppress_pairs`) for every role, so that no figure describes a handful
of identifiable people; the group itself stays listed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from orgnet.errors import OrgnetError
from orgnet.model import ApiKey, AuditEntry
from orgnet.store import Store

__all__ = [
    "ADMIN",
    "ADVOCATES",
    "DEFAULT_MIN_GROUP_SIZE",
    "GROUPS",
    "PEOPLE",
    "PERMISSIONS",
    "ROLES",
    "ROLE_PERMISSIONS",
    "SUMMARY",
    "Principal",
    "allowed",
    "audit_entry",
    "authenticate",
    "create_key",
    "hash_key",
    "principal_of_hash",
    "record_read",
    "revoke_key",
    "suppress_groups",
    "suppress_pairs",
    "suppressed_groups",
]

ROLES = ("admin", "analyst", "comms", "viewer")

#: Headline numbers, periods and growth: figures about the whole organisation.
SUMMARY = "summary"
#: Group-level aggregates: silos, E-I, the department matrix, communities, the group-level graph.
GROUPS = "groups"
#: Person-level network views: people, ego networks, brokers, fragile bridges, individual ties.
PEOPLE = "people"
#: Advocates and the reach of employees' audiences.
ADVOCATES = "advocates"
#: Keys, the ingest history and the audit log.
ADMIN = "admin"

PERMISSIONS = (SUMMARY, GROUPS, PEOPLE, ADVOCATES, ADMIN)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "analyst": frozenset({SUMMARY, GROUPS, PEOPLE, ADVOCATES}),
    "comms": frozenset({SUMMARY, ADVOCATES}),
    "viewer": frozenset({SUMMARY, GROUPS}),
}

#: Smallest group whose figures are shown (Viva Insights' default minimum group size is 5).
DEFAULT_MIN_GROUP_SIZE = 5

#: Prefix of every key, so a leaked key is recognisable in logs and secret scanners.
KEY_PREFIX = "orgnet_"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: the key's id, its role and its name."""

    key_id: str
    role: str
    name: str = ""

    @property
    def permissions(self) -> frozenset[str]:
        """What this caller's role may see."""
        return ROLE_PERMISSIONS.get(self.role, frozenset())


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def hash_key(plaintext: str) -> str:
    """The SHA-256 hex digest under which a key is stored.

    A plain (unsalted) hash suffices: keys are 256-bit random tokens, so no
    dictionary or rainbow table can invert it, and lookups stay one indexed query.
    """
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def create_key(store: Store, role: str, name: str = "") -> tuple[str, str]:
    """Create an API key with ``role`` and store its hash.

    Parameters
    ----------
    store : where the key's hash is kept.
    role : one of :data:`ROLES`.
    name : a note saying whom the key is for.

    Returns
    -------
    ``(key_id, plaintext)``: the id names the key (to list or revoke it); the
    plaintext is the secret, shown only this once.
    """
    if role not in ROLES:
        raise OrgnetError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    key_id = "k_" + secrets.token_hex(6)
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    store.add_api_key(ApiKey(key_id=key_id, key_hash=hash_key(plaintext), role=role, name=name, created_at=_now()))
    return key_id, plaintext


def revoke_key(store: Store, key_id: str) -> None:
    """Revoke the key ``key_id``; it stops working at once.

    Raises
    ------
    OrgnetError : when no live key has this id.
    """
    if not store.revoke_api_key(key_id, _now()):
        raise OrgnetError(f"no live API key with id {key_id!r} (see orgnet keys list)")


def authenticate(store: Store, plaintext: str | None) -> Principal | None:
    """The caller a key identifies, or ``None`` when the key is missing, unknown or revoked."""
    if not plaintext:
        return None
    return principal_of_hash(store, hash_key(plaintext))


def principal_of_hash(store: Store, key_hash: str) -> Principal | None:
    """The caller of a stored key hash (as a session keeps it), or ``None`` when unknown or revoked."""
    key = store.find_api_key(key_hash)
    if key is None or key.revoked_at is not None or key.role not in ROLES:
        return None
    return Principal(key_id=key.key_id, role=key.role, name=key.name)


def allowed(role: str, permission: str) -> bool:
    """Whether ``role`` may see what ``permission`` covers."""
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def audit_entry(principal: Principal, action: str, target: str) -> AuditEntry:
    """The audit-log entry of one read of person-level data: who, what (``action`` on ``target``), and now."""
    return AuditEntry(at=_now(), key_id=principal.key_id, role=principal.role, action=action, target=target)


def record_read(store: Store, principal: Principal, action: str, target: str) -> None:
    """Write one read of person-level data to the audit log at once (the service batches them instead)."""
    store.append_audit([audit_entry(principal, action, target)])


def suppressed_groups(sizes: Mapping[Any, int | None], min_size: int) -> set[Any]:
    """The groups of ``sizes`` (group -> member count) smaller than ``min_size``; an unknown size counts as small."""
    return {group for group, size in sizes.items() if size is None or size < min_size}


def _blank(record: Mapping[str, Any], small: bool, kept: set[str]) -> dict[str, Any]:
    """``record`` with every field but ``kept`` set to ``None`` when ``small``, marked ``suppressed``."""
    row = {k: (v if k in kept or not small else None) for k, v in record.items()}
    row["suppressed"] = small
    return row


def suppress_groups(
    records: Iterable[Mapping[str, Any]],
    min_size: int,
    *,
    size_key: str = "size",
    keep: Iterable[str] = ("group",),
) -> list[dict[str, Any]]:
    """Blank the figures of groups smaller than ``min_size``, and mark every record.

    Parameters
    ----------
    records : one mapping per group, with its member count under ``size_key``.
    min_size : smallest group shown.
    size_key : the member-count field.
    keep : fields that name the group and stay visible.

    Returns
    -------
    New records with ``suppressed`` set: ``False`` for groups of at least
    ``min_size`` (unchanged otherwise), ``True`` for smaller ones, whose other
    fields, the size included, are ``None``. No record is dropped.
    """
    kept = set(keep)
    return [_blank(record, record.get(size_key) is None or record[size_key] < min_size, kept) for record in records]


def suppress_pairs(
    records: Iterable[Mapping[str, Any]],
    hidden: Collection[Any],
    *,
    keep: tuple[str, str] = ("group_a", "group_b"),
) -> list[dict[str, Any]]:
    """Blank the figures of records about a pair of groups when either group is suppressed, and mark every record.

    Parameters
    ----------
    records : one mapping per pair of groups (silo pairs, fragile bridges),
        naming the two groups under the fields ``keep``.
    hidden : the suppressed groups (see :func:`suppressed_groups`).
    keep : the two fields that name the groups; they stay visible.

    Returns
    -------
    New records with ``suppressed`` set: ``False`` when both groups are shown
    (unchanged otherwise), ``True`` when either is hidden, whose other fields
    are ``None``. No record is dropped.
    """
    first, second = keep
    kept = set(keep)
    return [_blank(record, record[first] in hidden or record[second] in hidden, kept) for record in records]
