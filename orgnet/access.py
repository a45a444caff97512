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

Group-level figures are suppressed for every role so that no figure, and no
difference of figures, describes a handful of identifiable people
(:func:`suppressed_groups`): a group with fewer members than a minimum (5 by
default, as Viva Insights does) is suppressed, and so are as many of the
smallest other groups as it takes for the suppressed groups together to be
at least two groups and at least the minimum size (complementary
suppression), so that a total minus the figures shown gives only the
suppressed groups' pooled figure, never one group's. A community is
suppressed like a group, and also whenever any of its members is in a
suppressed group (:func:`suppressed_communities`), so that no community
figure or label describes people of a suppressed group. The figures of
suppressed groups are replaced by ``None`` and marked ``suppressed`` by
:func:`suppress_groups` (and, for figures about a pair of groups, by
:func:`suppress_pairs`); the group itself stays listed.

Internal reach (the people within some hops of a set of seeds) is tie-level
data when the seeds are few: from one person, the first hop is their
out-degree. A role without person-level access gets it only from at least the
minimum group size of seeds, with every count rounded to a multiple of
:data:`REACH_ROUNDING` (:func:`internal_reach_refusal`, :func:`rounded_counts`),
so that neither one answer nor the difference of two answers reads off one
person's ties.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orgnet.errors import OrgnetError
from orgnet.model import ApiKey, AuditEntry
from orgnet.store import Store

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ADMIN",
    "ADVOCATES",
    "DEFAULT_MIN_GROUP_SIZE",
    "GROUPS",
    "PEOPLE",
    "PERMISSIONS",
    "REACH_ROUNDING",
    "ROLES",
    "ROLE_PERMISSIONS",
    "SUMMARY",
    "Principal",
    "allowed",
    "audit_entry",
    "authenticate",
    "create_key",
    "hash_key",
    "internal_reach_refusal",
    "principal_of_hash",
    "record_read",
    "revoke_key",
    "rounded_counts",
    "suppress_groups",
    "suppress_pairs",
    "suppressed_communities",
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

#: People counts of internal reach answered to a role without person-level access are multiples of this.
REACH_ROUNDING = 10

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


def replace_key(store: Store, role: str, name: str) -> tuple[str, str, list[str]]:
    """Revoke every live key of ``role`` named ``name``, then create one in their place.

    A key's plaintext is never stored, so a key cannot be handed out twice; a command that needs a key each run
    (``orgnet demo``) takes this one, so that its runs leave one live key, not one more each time.

    Returns
    -------
    ``(key_id, plaintext, revoked)``: the new key as :func:`create_key` gives it, and the ids of the keys revoked.
    """
    revoked = [k.key_id for k in store.api_keys() if k.revoked_at is None and k.role == role and k.name == name]
    for key_id in revoked:
        revoke_key(store, key_id)
    key_id, plaintext = create_key(store, role, name)
    return key_id, plaintext, revoked


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


def suppressed_groups(sizes: Mapping[Any, int | None], min_size: int, also: Collection[Any] = ()) -> set[Any]:
    """The groups whose figures are suppressed: the small ones, and enough others that no difference isolates one.

    *Primary* suppression: the groups of ``sizes`` with fewer than
    ``min_size`` members (an unknown size counts as small), and the groups of
    ``also``. *Complementary* suppression: while the suppressed groups are
    fewer than two, or have fewer than ``min_size`` members together, the
    smallest group still shown (ties broken by name) is suppressed too. Then
    whatever total is shown (people, ties, a matrix row), the total minus the
    figures of the groups shown is a pooled figure of at least two groups and
    at least ``min_size`` people, never one group's figure (the cell
    suppression of statistical agencies [1]_).

    Parameters
    ----------
    sizes : group -> member count, for every group of the table.
    min_size : smallest group shown.
    also : groups to suppress whatever their size (for communities, those
        holding members of a suppressed group).

    Returns
    -------
    The suppressed groups: empty, or at least two groups with at least
    ``min_size`` members together, or every group when the groups shown
    could not be kept otherwise.

    References
    ----------
    .. [1] Hundepool, A. et al. (2012). *Statistical Disclosure Control*,
       section 4.2 (primary and secondary cell suppression). Wiley.

    Examples
    --------
    A 3-person Board is suppressed with the smallest other group, so that
    "people minus the groups shown" counts both:

    >>> sorted(suppressed_groups({"Board": 3, "Legal": 14, "Sales": 62}, 5))
    ['Board', 'Legal']

    At 20, Board and Legal together are still fewer than 20 people, so
    Sales goes too: nothing but the whole organisation is left to show.

    >>> sorted(suppressed_groups({"Board": 3, "Legal": 14, "Sales": 62}, 20))
    ['Board', 'Legal', 'Sales']
    >>> suppressed_groups({"Legal": 14, "Sales": 62}, 5)
    set()
    """
    hidden = {group for group, size in sizes.items() if size is None or size < min_size} | (set(also) & set(sizes))
    if not hidden:
        return hidden
    shown = sorted((group for group in sizes if group not in hidden), key=lambda group: (sizes[group] or 0, str(group)))
    for group in shown:
        if len(hidden) >= 2 and sum(sizes[g] or 0 for g in hidden) >= min_size:
            break
        hidden.add(group)
    return hidden


def suppressed_communities(composition: pd.DataFrame, hidden_groups: Collection[Any], min_size: int) -> set[int]:
    """The communities whose figures are suppressed, given the suppressed groups.

    A community is suppressed when it has fewer than ``min_size`` members or
    any member in one of ``hidden_groups``; then as :func:`suppressed_groups`
    (complementary suppression). So every community shown describes only
    people of groups shown: its label names only them, and no community can
    stand in for a suppressed group (a community that is exactly a
    suppressed department would give that department's figures away).

    Parameters
    ----------
    composition : members per community (rows) and group (columns), as
        :func:`orgnet.communities.community_composition` returns; columns
        compared with ``hidden_groups`` by their text.
    hidden_groups : the suppressed groups (:func:`suppressed_groups`).
    min_size : smallest community shown.

    Returns
    -------
    The suppressed community numbers.
    """
    totals = composition.sum(axis=1)
    sizes = dict(zip(totals.index.astype(int).tolist(), totals.astype(int).tolist()))
    hidden = {str(group) for group in hidden_groups}
    columns = [column for column in composition.columns if str(column) in hidden]
    holding = composition.index[(composition[columns] > 0).any(axis=1).to_numpy()]
    return suppressed_groups(sizes, min_size, also=set(holding.astype(int).tolist()))


def _blank(record: Mapping[str, Any], small: bool, kept: set[str]) -> dict[str, Any]:
    """``record`` with every field but ``kept`` set to ``None`` when ``small``, marked ``suppressed``."""
    row = {k: (v if k in kept or not small else None) for k, v in record.items()}
    row["suppressed"] = small
    return row


def suppress_groups(records: Iterable[Mapping[str, Any]], hidden: Collection[Any], *, key: str = "group") -> list[dict[str, Any]]:
    """Blank the figures of the suppressed groups, and mark every record.

    Parameters
    ----------
    records : one mapping per group, naming it under ``key``.
    hidden : the suppressed groups (see :func:`suppressed_groups`).
    key : the field that names the group; it stays visible.

    Returns
    -------
    New records with ``suppressed`` set: ``False`` for groups shown
    (unchanged otherwise), ``True`` for the groups of ``hidden``, whose other
    fields, the size included, are ``None``. No record is dropped.
    """
    return [_blank(record, record[key] in hidden, {key}) for record in records]


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


def internal_reach_refusal(role: str, seeds: int, min_size: int) -> str | None:
    """Why ``role`` may not have the internal reach of ``seeds`` distinct people, or ``None`` when it may.

    Roles with person-level access (``people``) may ask from any seeds. The
    others need at least ``min_size`` seeds (the minimum group size): from
    fewer, the answer describes the ties of a handful of people (from one,
    the first hop is their out-degree). Their answers are also rounded
    (:func:`rounded_counts`).
    """
    if allowed(role, PEOPLE) or seeds >= min_size:
        return None
    return (
        f"the {role} role may ask internal reach only from at least {min_size} people (the minimum group size), "
        f"not {seeds}: from fewer, the answer would show individuals' ties; ask an analyst"
    )


def rounded_counts(counts: Sequence[float], base: int = REACH_ROUNDING) -> list[int]:
    """``counts`` each rounded to the nearest multiple of ``base`` (halves up).

    Internal reach of a role without person-level access: the difference of
    two answers (seeds with and without one person) is a multiple of
    ``base`` too, so it does not give that person's number of ties, only a
    range ``base`` wide around it.

    Examples
    --------
    >>> rounded_counts([5, 14, 15, 27.4, 0])
    [10, 10, 20, 30, 0]
    """
    return [int(base * math.floor(value / base + 0.5)) for value in counts]
