"""External reach: how many distinct people the employees' social audiences reach together.

Summing follower counts overstates reach, because audiences overlap: a
colleague's follower often follows you too. This module counts *distinct*
followers, as a pure function of the ``audiences`` and ``followers`` tables
(:data:`orgnet.model.AUDIENCE_COLUMNS`, :data:`orgnet.model.FOLLOWER_COLUMNS`):

* :func:`owner_audiences` encodes follower hashes as integer codes
  (``pd.factorize``) and builds a sparse owner x follower incidence matrix
  (CSR); every other function works on it with NumPy/SciPy.
* :func:`reach_summary` compares the sum of follower counts with the size of
  the union, per platform and overall, exactly or with HyperLogLog sketches
  (Flajolet et al. 2007; Heule et al. 2013) above a size threshold.
* :func:`marginal_reach`, :func:`ranked_marginal_reach` and
  :func:`jaccard_matrix`: what each person adds, and how much two audiences share.
* :func:`max_coverage`: the greedy squad of ``k`` people with the largest
  joint reach, lazily evaluated (CELF, Leskovec et al. 2007), with the
  Nemhauser-Wolsey-Fisher (1978) guarantee and the reach curve.
* :func:`brand_overlap`: the brand accounts' audience against the employees'.
* :func:`campaigns`: per piece of content, who shared it, their joint reach,
  engagement per share and how much of the reach came from leaders.

A follower is a (``platform``, ``follower_hash``) pair: the same hash on two
platforms counts as two followers, because platforms do not share identities.

Accounts known only by their ``follower_count`` (no follower hashes) cannot be
deduplicated. The greedy squad (:func:`max_coverage`) and the campaigns count
them with the assumption that their followers overlap with nobody else's,
and report that part separately (``count_only_*`` columns).

External reach, as every figure a user sees states it, has one definition
(:class:`ExternalReach`, computed by :func:`external_reach`): the exact union
of follower ids where ids are known (a HyperLogLog estimate with its error
on very large audiences), and beside it, never added to it, the followers of
accounts known only by a count as a range: at least the largest single such
audience (per platform, since platforms never share followers), at most
their sum (if none of them shared a follower).
"""

from __future__ import annotations

import heapq
import math
import weakref
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

if TYPE_CHECKING:
    import networkx as nx
    from datasketch import HyperLogLogPlusPlus

__all__ = [
    "BRAND_OVERLAP_COLUMNS",
    "CAMPAIGN_COLUMNS",
    "EXACT_LIMIT",
    "GREEDY_RATIO",
    "HLL_PRECISION",
    "REACH_SUMMARY_COLUMNS",
    "SHARE_ACTIONS",
    "SQUAD_ACCOUNTS",
    "ExternalReach",
    "OwnerAudiences",
    "Squad",
    "brand_overlap",
    "campaigns",
    "engagement_window",
    "external_reach",
    "follower_sketch",
    "guarantee_sentence",
    "hll_error",
    "jaccard_matrix",
    "leaders",
    "marginal_reach",
    "max_coverage",
    "owner_audiences",
    "ranked_marginal_reach",
    "reach_summary",
    "squad_reach_at",
]

#: Follower rows above which :func:`reach_summary` and :func:`brand_overlap` switch from exact counts to sketches.
EXACT_LIMIT = 5_000_000
#: HyperLogLog precision: 2**14 registers, relative standard error 1.04 / sqrt(2**14) ~ 0.81 %.
HLL_PRECISION = 14
#: Engagement actions that put a piece of content in front of the actor's followers.
SHARE_ACTIONS = ("share", "post")
#: Nemhauser, Wolsey & Fisher (1978): greedy coverage reaches at least 1 - 1/e of the best k-set.
GREEDY_RATIO = 1.0 - 1.0 / math.e

REACH_SUMMARY_COLUMNS = [
    "platform",
    "accounts",
    "accounts_with_ids",
    "follower_sum",
    "follower_sum_with_ids",
    "unique_followers",
    "overlap",
    "count_only_followers",
    "count_only_largest",
    "method",
    "relative_error",
]
BRAND_OVERLAP_COLUMNS = [
    "platform",
    "employees_unique",
    "brand_unique",
    "union",
    "overlap",
    "employees_only",
    "brand_only",
    "employees_only_share",
    "employees_count_only",
    "method",
    "relative_error",
]
CAMPAIGN_COLUMNS = [
    "content_id",
    "first_date",
    "last_date",
    "platforms",
    "sharers",
    "shares",
    "follower_sum",
    "unique_reach",
    "count_only_reach",
    "clicks",
    "impressions",
    "reactions",
    "clicks_per_share",
    "impressions_per_share",
    "engagement_per_share",
    "reactions_per_share",
    "leaders",
    "leader_reach",
    "others_reach",
    "leader_marginal_reach",
    "leader_share",
]

_ACCOUNT_KEY = ["owner_type", "owner", "platform"]


# --------------------------------------------------------------------------- encoding


def _factorize_columns(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes of the distinct rows of ``frame[columns]``: one ``pd.factorize`` per column, then of the combined int."""
    combined = np.zeros(len(frame), dtype=np.int64)
    uniques = []
    for column in columns:
        codes, values = pd.factorize(frame[column], use_na_sentinel=False)
        combined = combined * len(values) + codes
        uniques.append((codes, values))
    codes = pd.factorize(combined)[0]
    # First row of every distinct combination, to read its labels back.
    first = np.full(codes.max() + 1 if len(codes) else 0, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    keys = pd.DataFrame({column: np.asarray(values, dtype=object)[c[first]] for column, (c, values) in zip(columns, uniques)})
    return codes.astype(np.int64), keys


@dataclass(frozen=True)
class _Accounts:
    """Every account (``owner_type``, ``owner``, ``platform``) with its follower codes as a CSR matrix."""

    table: pd.DataFrame  # owner_type, owner, platform, follower_count, has_ids
    ids: sp.csr_matrix  # accounts x followers, 0/1
    follower_platform: np.ndarray  # platform label of each follower column
    follower_hash: np.ndarray  # follower_hash of each follower column

    @cached_property
    def follower_keys(self) -> np.ndarray:
        """uint64 hash of each follower column's (platform, follower_hash), for sketches.

        Hashed on first use: only HyperLogLog unions read it (about 0.4 s for 300,000 followers), and
        audiences small enough to count exactly never do.
        """
        frame = pd.DataFrame({"platform": self.follower_platform, "hash": self.follower_hash})
        keys: np.ndarray = pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)
        return keys


#: The tables :func:`_accounts` encoded last (as weak references) and their encoding.
_last_encoded: list[tuple[Any, Any, tuple[int, int], _Accounts]] = []


def _table_ref(table: pd.DataFrame | None) -> Any:
    """A weak reference to ``table`` (``None`` stays ``None``) that drops the kept encoding when the table goes."""
    return None if table is None else weakref.ref(table, _forget)


def _forget(ref: Any) -> None:
    """Drop the kept encoding if it was made from the table ``ref`` referred to."""
    if _last_encoded and any(ref is kept for kept in _last_encoded[0][:2]):
        _last_encoded.clear()


def _table_of(ref: Any) -> pd.DataFrame | None:
    """The table ``ref`` (of :func:`_table_ref`) refers to, ``None`` when it is gone or was ``None``."""
    return None if ref is None else ref()


def _accounts(audiences: pd.DataFrame | None, followers: pd.DataFrame | None) -> _Accounts:
    """Every account of ``audiences`` and ``followers`` with its followers encoded (:class:`_Accounts`).

    A snapshot's reach and advocates jobs ask for the same two tables six times, and encoding 474k follower
    rows costs about half a second each time, so the last encoding is kept, and reused for the same two
    table objects at the same lengths, until either table is collected or other tables are encoded. Tables
    are taken as unchanging: to encode a table changed in place, pass a copy.
    """
    sizes = (-1 if audiences is None else len(audiences), -1 if followers is None else len(followers))
    if _last_encoded:
        audiences_ref, followers_ref, known_sizes, known = _last_encoded[0]
        if _table_of(audiences_ref) is audiences and _table_of(followers_ref) is followers and known_sizes == sizes:
            return known
    accounts = _encode_accounts(audiences, followers)
    _last_encoded[:] = [(_table_ref(audiences), _table_ref(followers), sizes, accounts)]
    return accounts


def _encode_accounts(audiences: pd.DataFrame | None, followers: pd.DataFrame | None) -> _Accounts:
    audiences = audiences if audiences is not None else pd.DataFrame(columns=[*_ACCOUNT_KEY, "follower_count"])
    followers = followers if followers is not None else pd.DataFrame(columns=[*_ACCOUNT_KEY, "follower_hash"])
    followers = followers[followers["follower_hash"].notna()]
    both = pd.concat([followers[_ACCOUNT_KEY], audiences[_ACCOUNT_KEY]], ignore_index=True)
    codes, table = _factorize_columns(both, _ACCOUNT_KEY)
    n_accounts, n_rows = len(table), len(followers)
    row_account = codes[:n_rows]
    audience_account = codes[n_rows:]

    hash_codes, hash_values = pd.factorize(followers["follower_hash"])
    platform_codes, platform_values = pd.factorize(followers["platform"], use_na_sentinel=False)
    columns, combined = pd.factorize(hash_codes.astype(np.int64) * max(len(platform_values), 1) + platform_codes)
    ids = sp.csr_matrix((np.ones(n_rows, dtype=np.int32), (row_account, columns)), shape=(n_accounts, len(combined)))
    ids.sum_duplicates()
    ids.data[:] = 1
    combined = np.asarray(combined, dtype=np.int64)
    follower_platform = np.asarray(platform_values, dtype=object)[combined % max(len(platform_values), 1)]
    follower_hash = np.asarray(hash_values, dtype=object)[combined // max(len(platform_values), 1)]

    with_ids = np.diff(ids.indptr)
    counts = np.full(n_accounts, np.nan)
    given = pd.to_numeric(audiences["follower_count"], errors="coerce").to_numpy(dtype=float)
    # Several rows for one account: keep the largest count.
    order = np.argsort(np.nan_to_num(given, nan=-1.0), kind="stable")
    counts[audience_account[order]] = given[order]
    counts = np.where(np.isnan(counts), with_ids, counts)
    table = table.assign(follower_count=counts, has_ids=with_ids > 0, id_count=with_ids)
    return _Accounts(table, ids, follower_platform, follower_hash)


@dataclass(frozen=True)
class OwnerAudiences:
    """The distinct followers of each owner (a person or a brand), as a sparse incidence matrix.

    Attributes
    ----------
    owners : owner labels, one per row of ``matrix``.
    matrix : CSR, ``matrix[i, j] == 1`` when follower ``j`` follows an account of ``owners[i]``.
    count_only : followers of the owner's accounts that come without hashes (their ``follower_count``).
    follower_sum : summed ``follower_count`` of the owner's accounts (the naive reach).
    follower_platform : platform of each follower column.
    count_only_largest : owners x platforms, the largest audience of one of the owner's count-only accounts on each
        platform (0 where it has none): the per-platform lower bound of :class:`ExternalReach` for any set of owners.
    """

    owners: list[Hashable]
    matrix: sp.csr_matrix
    count_only: np.ndarray
    follower_sum: np.ndarray
    follower_platform: np.ndarray
    index: dict[Hashable, int] = field(default_factory=dict)
    count_only_largest: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    @property
    def id_reach(self) -> np.ndarray:
        """Distinct followers with hashes, per owner."""
        return np.diff(self.matrix.indptr)

    @property
    def unique_reach(self) -> np.ndarray:
        """Distinct followers per owner, counting count-only accounts in full."""
        reach: np.ndarray = self.id_reach + self.count_only
        return reach


def _owner_rows(
    accounts: _Accounts, owner_type: str | None, owners: Sequence[Hashable] | None, platforms: Collection[str] | None
) -> tuple[list[Hashable], np.ndarray, np.ndarray]:
    """(owners, row, keep): the owners in row order, each account's owner row (-1 for none), the accounts to count."""
    table = accounts.table
    keep = np.ones(len(table), dtype=bool)
    if owner_type is not None:
        keep &= (table["owner_type"] == owner_type).to_numpy()
    if platforms is not None:
        keep &= table["platform"].isin(list(platforms)).to_numpy()
    owners = list(pd.unique(table.loc[keep, "owner"])) if owners is None else list(owners)
    rows = pd.Index(owners).get_indexer(pd.Index(table["owner"]))
    keep &= rows >= 0
    return owners, rows, keep


def owner_audiences(
    audiences: pd.DataFrame | None,
    followers: pd.DataFrame | None = None,
    *,
    owner_type: str | None = "person",
    owners: Sequence[Hashable] | None = None,
    platforms: Collection[str] | None = None,
) -> OwnerAudiences:
    """Encode every owner's distinct followers as a row of a sparse 0/1 matrix.

    Follower hashes are numbered with ``pd.factorize`` per (platform, hash);
    an owner's row is the union of the followers of all its accounts.

    Parameters
    ----------
    audiences : :data:`orgnet.model.AUDIENCE_COLUMNS` table (may be ``None``).
    followers : :data:`orgnet.model.FOLLOWER_COLUMNS` table (may be ``None``).
    owner_type : ``"person"``, ``"brand"`` or ``None`` for both.
    owners : owners to keep, in row order (owners without accounts get empty
        rows); defaults to every owner of ``owner_type``, in order of appearance.
    platforms : keep only these platforms (default all).

    Returns
    -------
    :class:`OwnerAudiences`

    Notes
    -----
    O(R + A) for R follower rows and A accounts, vectorised (about a second
    for a few million rows). An account's ``follower_count`` defaults to its
    number of distinct hashes when ``audiences`` does not list it.

    Examples
    --------
    Three people on one platform, ``a`` followed by f1-f4, ``b`` by f3-f5, ``c``
    by f5 and f6:

    >>> import pandas as pd
    >>> from orgnet.model import FOLLOWER_COLUMNS
    >>> audiences = {"a": ["f1", "f2", "f3", "f4"], "b": ["f3", "f4", "f5"], "c": ["f5", "f6"]}
    >>> followers = pd.DataFrame([("person", o, "li", f) for o, fs in audiences.items() for f in fs], columns=FOLLOWER_COLUMNS)
    >>> reach = owner_audiences(None, followers)
    >>> reach.owners, reach.unique_reach.tolist(), reach.matrix.shape
    (['a', 'b', 'c'], [4.0, 3.0, 2.0], (3, 6))
    """
    accounts = _accounts(audiences, followers)
    return _owner_audiences_of(accounts, owner_type=owner_type, owners=owners, platforms=platforms)


def _owner_audiences_of(
    accounts: _Accounts, *, owner_type: str | None, owners: Sequence[Hashable] | None, platforms: Collection[str] | None
) -> OwnerAudiences:
    owners, rows, keep = _owner_rows(accounts, owner_type, owners, platforms)
    n = len(owners)
    selected = np.flatnonzero(keep)
    table = accounts.table
    grouping = sp.csr_matrix((np.ones(len(selected), dtype=np.int32), (rows[selected], selected)), shape=(n, len(table)))
    matrix = (grouping @ accounts.ids).tocsr()
    matrix.data[:] = 1
    matrix.eliminate_zeros()
    counts = table["follower_count"].to_numpy(dtype=float)
    has_ids = table["has_ids"].to_numpy()
    follower_sum = np.bincount(rows[selected], weights=counts[selected], minlength=n)
    only_counts = np.where(has_ids, 0.0, counts)
    count_only = np.bincount(rows[selected], weights=only_counts[selected], minlength=n)
    platform_codes, platform_values = pd.factorize(table["platform"], use_na_sentinel=False)
    largest = np.zeros((n, len(platform_values)))
    np.maximum.at(largest, (rows[selected], platform_codes[selected]), only_counts[selected])
    return OwnerAudiences(
        owners,
        matrix,
        count_only,
        follower_sum,
        accounts.follower_platform,
        {owner: i for i, owner in enumerate(owners)},
        largest,
    )


# --------------------------------------------------------------------------- sketches


def hll_error(p: int = HLL_PRECISION) -> float:
    """Relative standard error of a HyperLogLog estimate with ``2**p`` registers: ``1.04 / sqrt(2**p)``.

    Examples
    --------
    >>> hll_error(14), hll_error(12)
    (0.008125, 0.01625)
    """
    return 1.04 / math.sqrt(2**p)


def _bit_length(values: np.ndarray) -> np.ndarray:
    """Bit length of uint64 values, exact (each 32-bit half fits a float64 mantissa)."""
    high = (values >> np.uint64(32)).astype(np.float64)
    low = (values & np.uint64(0xFFFFFFFF)).astype(np.float64)
    return np.where(high > 0, 32 + np.frexp(high)[1], np.frexp(low)[1]).astype(np.int64)


def follower_sketch(keys: np.ndarray | pd.Series, p: int = HLL_PRECISION) -> HyperLogLogPlusPlus:
    """A HyperLogLog++ sketch of a set of followers, built in one vectorised pass.

    Each key is hashed to 64 bits (``pd.util.hash_array`` unless already
    ``uint64``); its low ``p`` bits pick one of ``m = 2**p`` registers, which
    keeps the largest rank ``64 - p - bitlength(hash >> p) + 1`` it sees, exactly
    as datasketch's ``HyperLogLogPlusPlus.update`` does. The estimate is
    datasketch's (HLL++ bias correction, linear counting for small sets).

    Parameters
    ----------
    keys : uint64 hashes, or values to hash.
    p : precision, 4..16.

    Returns
    -------
    ``datasketch.HyperLogLogPlusPlus``; sketches built here merge with each
    other (``merge``/``union``) but not with sketches fed through
    ``update``, which hash with SHA-1.

    Notes
    -----
    O(len(keys)). Relative standard error :func:`hll_error` (0.81 % at p=14).

    References
    ----------
    Flajolet, Fusy, Gandouet & Meunier (2007). HyperLogLog: the analysis of a
    near-optimal cardinality estimation algorithm. AofA.
    Heule, Nunkesser & Hall (2013). HyperLogLog in practice. EDBT.

    Examples
    --------
    Ten thousand distinct followers, counted within three standard errors
    (:func:`hll_error`):

    >>> sketch = follower_sketch([f"h{i}" for i in range(10_000)])
    >>> bool(abs(sketch.count() - 10_000) < 3 * hll_error() * 10_000)
    True
    """
    values = np.asarray(keys)
    if values.dtype != np.uint64:
        values = pd.util.hash_array(np.asarray(values, dtype=object))
    m = 1 << p
    registers = np.zeros(m, dtype=np.int8)
    if len(values):
        index = (values & np.uint64(m - 1)).astype(np.int64)
        rank = (64 - p) - _bit_length(values >> np.uint64(p)) + 1
        np.maximum.at(registers, index, rank.astype(np.int8))
    # Imported here: datasketch's package imports its LSH and, with it, scipy.integrate (a quarter second
    # of every analysis's start), and only unions past EXACT_LIMIT are sketched.
    from datasketch import HyperLogLogPlusPlus

    return HyperLogLogPlusPlus(reg=registers)


def _union_size(accounts: _Accounts, columns: np.ndarray, method: str, p: int) -> float:
    """Distinct followers among the follower ``columns`` (a mask) of ``accounts``: counted, or sketched (``"hll"``)."""
    chosen = int(np.count_nonzero(columns))
    if method == "exact" or chosen == 0:
        return float(chosen)
    return float(follower_sketch(accounts.follower_keys[columns], p).count())


# --------------------------------------------------------------------------- summaries


def _columns_of(matrix: sp.csr_matrix, rows: np.ndarray | None = None) -> np.ndarray:
    """Follower columns covered by ``rows`` of ``matrix`` (all rows by default)."""
    sub = matrix if rows is None else matrix[rows]
    covered = np.zeros(matrix.shape[1], dtype=bool)
    covered[sub.indices] = True
    return covered


def _method(rows: int, exact_limit: int) -> str:
    return "exact" if rows <= exact_limit else "hll"


#: Whose accounts the squad's :meth:`ExternalReach.sentence` names.
SQUAD_ACCOUNTS = "the squad's accounts"


@dataclass(frozen=True)
class ExternalReach:
    """How many distinct people some employees' social accounts reach: the one definition every view shows.

    Attributes
    ----------
    known : distinct followers of the accounts whose follower ids are known:
        the exact size of the union of their id sets (``method == "exact"``),
        or its HyperLogLog estimate on very large audiences (``"hll"``, with
        standard ``relative_error``).
    count_only_low, count_only_high : the distinct followers of the accounts
        known only by a follower count lie between these: at least the
        largest such audience (per platform, added up over platforms, which
        never share followers), at most the sum of their counts (if no two
        of them shared a follower). They are never added to ``known``: some
        may follow an account with known ids too.
    accounts, accounts_with_ids : accounts counted, and of them those with ids (``None`` when not known: a smaller
        squad read from the stored curve, :func:`squad_reach_at`).
    follower_sum : summed follower counts of every account (the naive reach).
    """

    known: float
    method: str
    relative_error: float
    count_only_low: float
    count_only_high: float
    accounts: int | None
    accounts_with_ids: int | None
    follower_sum: float

    def sentence(self, whose: str = "employees' accounts") -> str:
        """The figure in words, as the CLI, the pages and the reports print it."""
        known = f"{self.known:,.0f}" + ("" if self.method == "exact" else f" (estimated, ±{self.relative_error:.1%})")
        text = f"{known} distinct followers of {whose} with known follower ids"
        if self.count_only_high:
            low, high = f"{self.count_only_low:,.0f}", f"{self.count_only_high:,.0f}"
            span = low if low == high else f"between {low} and {high}"
            text += f", plus {span} followers of accounts known only by a count"
        return text


def external_reach(
    audiences: pd.DataFrame | None,
    followers: pd.DataFrame | None = None,
    owners: Collection[Hashable] | None = None,
    *,
    exact_limit: int = EXACT_LIMIT,
    p: int = HLL_PRECISION,
) -> ExternalReach:
    """The :class:`ExternalReach` of the employees' accounts (of ``owners`` only, when given), every platform together.

    It is the ``all`` row of :func:`reach_summary`, so the platform table and this figure always agree.

    Examples
    --------
    ``a`` and ``b`` share one of their four follower ids; ``c`` and ``d`` are known only by counts of 10 and 30:

    >>> import pandas as pd
    >>> from orgnet.model import AUDIENCE_COLUMNS, FOLLOWER_COLUMNS
    >>> followers = pd.DataFrame([("person", o, "li", f) for o, fs in {"a": "wxy", "b": "yz"}.items() for f in fs], columns=FOLLOWER_COLUMNS)
    >>> audiences = pd.DataFrame([("person", o, "li", n) for o, n in {"a": 3, "b": 2, "c": 10, "d": 30}.items()], columns=AUDIENCE_COLUMNS)
    >>> found = external_reach(audiences, followers)
    >>> found.known, found.count_only_low, found.count_only_high
    (4.0, 30.0, 40.0)
    >>> found.sentence()
    "4 distinct followers of employees' accounts with known follower ids, plus between 30 and 40 followers of accounts known only by a count"
    """
    every = reach_summary(audiences, followers, owners=owners, exact_limit=exact_limit, p=p).iloc[-1]
    return ExternalReach(
        known=float(every["unique_followers"]),
        method=str(every["method"]),
        relative_error=float(every["relative_error"]),
        count_only_low=float(every["count_only_largest"]),
        count_only_high=float(every["count_only_followers"]),
        accounts=int(every["accounts"]),
        accounts_with_ids=int(every["accounts_with_ids"]),
        follower_sum=float(every["follower_sum"]),
    )


def reach_summary(
    audiences: pd.DataFrame | None,
    followers: pd.DataFrame | None = None,
    *,
    owner_type: str = "person",
    owners: Collection[Hashable] | None = None,
    exact_limit: int = EXACT_LIMIT,
    p: int = HLL_PRECISION,
) -> pd.DataFrame:
    """Sum of follower counts against the number of distinct followers, per platform and overall.

    For accounts ``a`` of ``owner_type`` with follower sets ``F_a`` and counts ``c_a``:
    ``follower_sum = sum_a c_a`` and ``unique_followers = |U_a F_a|`` over the
    accounts with hashes; ``overlap = follower_sum_with_ids - unique_followers``
    is what double counting adds. The accounts without hashes are kept apart:
    ``count_only_followers`` is the sum of their counts, ``count_only_largest``
    the largest of them (in the ``all`` row, the platforms' largest added up:
    platforms never share followers). Their distinct followers lie between the
    two (:class:`ExternalReach`).

    Parameters
    ----------
    audiences, followers : the model tables.
    owner_type : ``"person"`` (employees, default) or ``"brand"``.
    owners : only the accounts of these owners (default every owner of ``owner_type``).
    exact_limit : follower rows above which unions are estimated with
        HyperLogLog sketches instead of counted exactly.
    p : sketch precision (relative standard error ``1.04 / sqrt(2**p)``).

    Returns
    -------
    DataFrame with :data:`REACH_SUMMARY_COLUMNS`: one row per platform, then
    ``platform == "all"``. ``method`` is ``"exact"`` or ``"hll"``;
    ``relative_error`` is 0 or the sketch's relative standard error.

    Notes
    -----
    O(R) for R follower rows.

    Examples
    --------
    Three people on one platform, ``a`` followed by f1-f4, ``b`` by f3-f5, ``c``
    by f5 and f6: nine followers summed, six distinct people, so three counted
    twice:

    >>> import pandas as pd
    >>> from orgnet.model import FOLLOWER_COLUMNS
    >>> audiences = {"a": ["f1", "f2", "f3", "f4"], "b": ["f3", "f4", "f5"], "c": ["f5", "f6"]}
    >>> followers = pd.DataFrame([("person", o, "li", f) for o, fs in audiences.items() for f in fs], columns=FOLLOWER_COLUMNS)
    >>> li = reach_summary(None, followers).set_index("platform").loc["li"]
    >>> li[["follower_sum", "unique_followers", "overlap"]].astype(float).tolist(), li["method"]
    ([9.0, 6.0, 3.0], 'exact')
    """
    accounts = _accounts(audiences, followers)
    table = accounts.table
    mine = (table["owner_type"] == owner_type).to_numpy()
    if owners is not None:
        mine = mine & table["owner"].isin(list(owners)).to_numpy()
    rows = int(accounts.ids[np.flatnonzero(mine)].nnz)
    method = _method(rows, exact_limit)
    covered = _columns_of(accounts.ids, np.flatnonzero(mine))
    records = []
    platforms = sorted(table.loc[mine, "platform"].dropna().unique(), key=str)
    largest = 0.0
    for platform in [*platforms, "all"]:
        here = mine if platform == "all" else mine & (table["platform"] == platform).to_numpy()
        columns = covered if platform == "all" else covered & (accounts.follower_platform == platform)
        counts = table["follower_count"].to_numpy(dtype=float)[here]
        has_ids = table["has_ids"].to_numpy()[here]
        unique = _union_size(accounts, columns, method, p)
        with_ids = float(counts[has_ids].sum())
        count_only = float(counts[~has_ids].sum())
        single = float(counts[~has_ids].max(initial=0.0))
        largest += single if platform != "all" else 0.0
        records.append(
            {
                "platform": platform,
                "accounts": int(here.sum()),
                "accounts_with_ids": int(has_ids.sum()),
                "follower_sum": float(counts.sum()),
                "follower_sum_with_ids": with_ids,
                "unique_followers": unique,
                "overlap": with_ids - unique,
                "count_only_followers": count_only,
                "count_only_largest": largest if platform == "all" else single,
                "method": method,
                "relative_error": 0.0 if method == "exact" else hll_error(p),
            }
        )
    return pd.DataFrame(records, columns=REACH_SUMMARY_COLUMNS)


def marginal_reach(reach: OwnerAudiences) -> pd.DataFrame:
    """What the union of all audiences loses without each owner.

    ``marginal_i = |F_i \\ U_{j != i} F_j| + c_i``: followers nobody else
    reaches, plus the owner's count-only followers (assumed unshared).

    Parameters
    ----------
    reach : :class:`OwnerAudiences` (see :func:`owner_audiences`).

    Returns
    -------
    DataFrame indexed by owner with ``followers`` (summed counts),
    ``unique_reach`` (own distinct followers) and ``marginal_reach``.

    Notes
    -----
    One sparse column sum and one masked row sum: O(nnz).

    Examples
    --------
    Three people on one platform, ``a`` followed by f1-f4, ``b`` by f3-f5, ``c``
    by f5 and f6: only ``a`` reaches f1 and f2, only ``c`` f6, and everyone
    ``b`` reaches someone else does:

    >>> import pandas as pd
    >>> from orgnet.model import FOLLOWER_COLUMNS
    >>> audiences = {"a": ["f1", "f2", "f3", "f4"], "b": ["f3", "f4", "f5"], "c": ["f5", "f6"]}
    >>> followers = pd.DataFrame([("person", o, "li", f) for o, fs in audiences.items() for f in fs], columns=FOLLOWER_COLUMNS)
    >>> marginal_reach(owner_audiences(None, followers))["marginal_reach"].to_dict()
    {'a': 2.0, 'b': 0.0, 'c': 1.0}
    """
    owners_per_follower = np.bincount(reach.matrix.indices, minlength=reach.matrix.shape[1])
    exclusive = reach.matrix @ (owners_per_follower == 1).astype(np.int64)
    return pd.DataFrame(
        {
            "followers": reach.follower_sum,
            "unique_reach": reach.unique_reach,
            "marginal_reach": exclusive + reach.count_only,
        },
        index=pd.Index(reach.owners, name="owner"),
    )


def ranked_marginal_reach(reach: OwnerAudiences, order: Sequence[Hashable]) -> np.ndarray:
    """Followers of each owner that no owner earlier in ``order`` reaches.

    ``new_k = |F_{o_k} \\ U_{j<k} F_{o_j}| + c_{o_k}``, so that the values
    sum to the upper bound of the union of ``order``'s audiences.

    Parameters
    ----------
    reach : :class:`OwnerAudiences`.
    order : owners in rank order (owners missing from ``reach`` reach nobody).

    Returns
    -------
    float array aligned with ``order``.

    Notes
    -----
    Vectorised: each follower is credited to the first owner (lowest rank)
    who reaches it, via a minimum over its owners' ranks. O(nnz).

    Examples
    --------
    Three people on one platform, ``a`` followed by f1-f4, ``b`` by f3-f5, ``c``
    by f5 and f6, ranked ``b``, ``a``, ``c``: ``b`` adds its 3, ``a`` f1 and f2,
    ``c`` f6:

    >>> import pandas as pd
    >>> from orgnet.model import FOLLOWER_COLUMNS
    >>> audiences = {"a": ["f1", "f2", "f3", "f4"], "b": ["f3", "f4", "f5"], "c": ["f5", "f6"]}
    >>> followers = pd.DataFrame([("person", o, "li", f) for o, fs in audiences.items() for f in fs], columns=FOLLOWER_COLUMNS)
    >>> ranked_marginal_reach(owner_audiences(None, followers), ["b", "a", "c"]).tolist()
    [3.0, 2.0, 1.0]
    """
    positions = np.array([reach.index.get(owner, -1) for owner in order], dtype=np.int64)
    known = positions >= 0
    rank_of_row = np.full(len(reach.owners), np.iinfo(np.int64).max, dtype=np.int64)
    rank_of_row[positions[known]] = np.flatnonzero(known)
    matrix = reach.matrix
    row_of_entry = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    entry_rank = rank_of_row[row_of_entry]
    first = np.full(matrix.shape[1], np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, matrix.indices, entry_rank)
    credited = first[first < np.iinfo(np.int64).max]
    new = np.bincount(credited, minlength=len(order)).astype(float)
    new[known] += reach.count_only[positions[known]]
    return new


def jaccard_matrix(reach: OwnerAudiences, owners: Sequence[Hashable] | None = None) -> pd.DataFrame:
    """Pairwise Jaccard overlap of audiences: ``J(i, j) = |F_i & F_j| / |F_i | F_j|``.

    Parameters
    ----------
    reach : :class:`OwnerAudiences`.
    owners : owners to compare (e.g. the top-k advocates); default all.

    Returns
    -------
    Square DataFrame indexed and labelled by owner; 1 on the diagonal of an
    owner with followers, NaN where both audiences are unknown (no hashes).

    Notes
    -----
    Intersections come from one sparse product ``M_k M_k^T``: O(k * nnz_k)
    at worst; meant for the top tens or hundreds, not for everyone.
    Count-only followers are left out (their overlap is unknown).

    Examples
    --------
    Three people on one platform, ``a`` followed by f1-f4, ``b`` by f3-f5, ``c``
    by f5 and f6: ``a`` and ``b`` share f3 and f4 of f1-f5, ``b`` and ``c`` f5
    of f3-f6:

    >>> import pandas as pd
    >>> from orgnet.model import FOLLOWER_COLUMNS
    >>> audiences = {"a": ["f1", "f2", "f3", "f4"], "b": ["f3", "f4", "f5"], "c": ["f5", "f6"]}
    >>> followers = pd.DataFrame([("person", o, "li", f) for o, fs in audiences.items() for f in fs], columns=FOLLOWER_COLUMNS)
    >>> jaccard_matrix(owner_audiences(None, followers)).to_dict("index")
    {'a': {'a': 1.0, 'b': 0.4, 'c': 0.0}, 'b': {'a': 0.4, 'b': 1.0, 'c': 0.25}, 'c': {'a': 0.0, 'b': 0.25, 'c': 1.0}}
    """
    owners = list(reach.owners) if owners is None else list(owners)
    rows = np.array([reach.index[owner] for owner in owners], dtype=np.int64)
    sub = reach.matrix[rows].astype(np.int64)
    intersection = (sub @ sub.T).toarray().astype(float)
    sizes = np.diff(sub.indptr).astype(float)
    union = sizes[:, None] + sizes[None, :] - intersection
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(union > 0, intersection / union, np.nan)
    return pd.DataFrame(values, index=pd.Index(owners), columns=pd.Index(owners))


# --------------------------------------------------------------------------- greedy squad


@dataclass
class Squad:
    """A greedy maximum-coverage squad (see :func:`max_coverage`).

    Attributes
    ----------
    members : chosen owners, in greedy order.
    curve : DataFrame, one row per squad size ``k``: ``k``, ``person_id``,
        ``gain`` (new followers, count-only included), ``gain_ids``,
        ``unique_reach`` (joint reach of the first k), ``unique_reach_ids``,
        ``count_only_reach`` (the first k's count-only followers, summed), ``count_only_low`` (the lower bound of those:
        the largest count-only audience per platform, summed), ``follower_sum`` (their summed follower counts).
    unique_reach : joint reach of the whole squad (count-only followers included).
    upper_bound : data-dependent bound on the best possible ``k``-squad's
        reach: ``f(S) + sum of the k largest marginal gains w.r.t. S``.
    ratio : ``1 - 1/e``, the worst-case share of the optimum greedy achieves.
    guarantee : that statement in words.
    """

    members: list[Hashable]
    curve: pd.DataFrame
    unique_reach: float
    upper_bound: float
    ratio: float = GREEDY_RATIO
    guarantee: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "members": list(self.members),
            "curve": self.curve.to_dict("records"),
            "unique_reach": self.unique_reach,
            "upper_bound": self.upper_bound,
            "ratio": self.ratio,
            "guarantee": self.guarantee,
        }


def max_coverage(
    reach: OwnerAudiences,
    k: int | None = None,
    *,
    candidates: Collection[Hashable] | None = None,
) -> Squad:
    """Greedy maximum-coverage squad: ``k`` owners whose audiences together reach the most people.

    Starting from the empty set, repeatedly add the owner with the largest
    marginal gain ``f(S + i) - f(S)`` where ``f(S) = |U_{i in S} F_i| + sum_{i in S} c_i``.
    ``f`` is monotone and submodular, so gains only shrink as ``S`` grows and
    stale gains are upper bounds: lazy evaluation (CELF) re-evaluates only
    the owner at the top of a max-heap until its gain is fresh.

    Parameters
    ----------
    reach : :class:`OwnerAudiences` (see :func:`owner_audiences`).
    k : squad size; default every owner who adds reach (the full reach curve).
    candidates : owners allowed in the squad (default all).

    Returns
    -------
    :class:`Squad` with the members in greedy order and the reach curve
    ``k -> unique reach``.

    Notes
    -----
    The greedy squad reaches at least ``1 - 1/e ~ 63.2 %`` of the best
    possible ``k``-squad (Nemhauser, Wolsey & Fisher 1978); ``upper_bound``
    is usually much tighter. Each evaluation costs O(row length); CELF needs
    few evaluations per step in practice, so the whole curve of 50,000 people
    takes seconds. Ties go to the owner listed first. The squad stops early
    once nobody adds reach. Count-only followers are assumed unshared.

    References
    ----------
    Nemhauser, Wolsey & Fisher (1978). An analysis of approximations for
    maximizing submodular set functions. Mathematical Programming 14.
    Leskovec, Krause, Guestrin, Faloutsos, VanBriesen & Glance (2007).
    Cost-effective outbreak detection in networks. KDD.

    Examples
    --------
    Three people on one platform, ``a`` followed by f1-f4, ``b`` by f3-f5, ``c``
    by f5 and f6: greedy takes ``a`` (4), then ``c`` (f5, f6); ``b`` then adds
    nobody:

    >>> import pandas as pd
    >>> from orgnet.model import FOLLOWER_COLUMNS
    >>> audiences = {"a": ["f1", "f2", "f3", "f4"], "b": ["f3", "f4", "f5"], "c": ["f5", "f6"]}
    >>> followers = pd.DataFrame([("person", o, "li", f) for o, fs in audiences.items() for f in fs], columns=FOLLOWER_COLUMNS)
    >>> squad = max_coverage(owner_audiences(None, followers))
    >>> squad.members, squad.curve["unique_reach"].tolist(), squad.unique_reach
    (['a', 'c'], [4.0, 6.0], 6.0)
    """
    matrix = reach.matrix
    indptr, indices = matrix.indptr, matrix.indices
    extra = reach.count_only.astype(float)
    n = len(reach.owners)
    allowed = (
        np.arange(n) if candidates is None else np.array(sorted(reach.index[c] for c in candidates if c in reach.index), dtype=np.int64)
    )
    k = len(allowed) if k is None else min(int(k), len(allowed))
    covered = np.zeros(matrix.shape[1], dtype=bool)
    sizes = np.diff(indptr)
    heap = [(-(float(sizes[i]) + extra[i]), int(i)) for i in allowed]
    heapq.heapify(heap)
    fresh_at = np.zeros(n, dtype=np.int64)
    chosen: list[int] = []
    gains: list[float] = []
    gains_ids: list[int] = []
    while heap and len(chosen) < k:
        negative, i = heapq.heappop(heap)
        step = len(chosen)
        if fresh_at[i] == step:
            if -negative <= 0:
                break
            row = indices[indptr[i] : indptr[i + 1]]
            new_ids = int((~covered[row]).sum())
            covered[row] = True
            chosen.append(i)
            gains.append(-negative)
            gains_ids.append(new_ids)
            continue
        gain = float((~covered[indices[indptr[i] : indptr[i + 1]]]).sum()) + extra[i]
        fresh_at[i] = step
        heapq.heappush(heap, (-gain, i))
    chosen_array = np.array(chosen, dtype=np.int64)
    gains_array = np.array(gains, dtype=float)
    count_only = extra[chosen_array] if len(chosen) else np.zeros(0)
    curve = pd.DataFrame(
        {
            "k": np.arange(1, len(chosen) + 1),
            "person_id": [reach.owners[i] for i in chosen],
            "gain": gains_array,
            "gain_ids": np.array(gains_ids, dtype=np.int64),
            "unique_reach": np.cumsum(gains_array),
            "unique_reach_ids": np.cumsum(np.array(gains_ids, dtype=np.int64)),
            "count_only_reach": np.cumsum(count_only),
            # The first k's count-only followers are at least the largest such audience on each platform, summed.
            "count_only_low": _prefix_largest(reach.count_only_largest, chosen_array),
            "follower_sum": np.cumsum(reach.follower_sum[chosen_array]) if len(chosen) else np.zeros(0),
        }
    )
    total = float(gains_array.sum())
    # Any k-set T: f(T) <= f(S) + sum_{t in T} gain(t | S) <= f(S) + top-k gains (submodularity).
    remaining = np.setdiff1d(allowed, chosen_array)
    current = (sizes[remaining] - matrix[remaining] @ covered.astype(np.int64)) + extra[remaining]
    top = np.sort(current)[::-1][: max(k, 1)]
    upper = total + float(top.sum()) if len(top) else total
    return Squad([reach.owners[i] for i in chosen], curve, total, upper, GREEDY_RATIO, guarantee_sentence(len(chosen), total, upper))


def _prefix_largest(largest: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """For each prefix of ``chosen`` (rows of ``largest``, owners x platforms), the sum over platforms of the largest
    count-only audience among the prefix's owners."""
    if not len(chosen) or not largest.shape[1]:
        return np.zeros(len(chosen))
    summed: np.ndarray = np.maximum.accumulate(largest[chosen], axis=0).sum(axis=1)
    return summed


def guarantee_sentence(size: int, reach: float, upper: float | None = None) -> str:
    """What greedy maximum coverage guarantees for its squad of ``size`` reaching ``reach``, in words.

    Every prefix of the greedy order is the greedy squad of its size, so the ``1 - 1/e`` guarantee holds for each;
    ``upper`` (the data-dependent bound of :func:`max_coverage`) is known for the squad it was computed for only.

    Examples
    --------
    >>> guarantee_sentence(3, 120.0)
    'Greedy squad of 3: 120 unique followers, at least 63.2% of the best possible squad of that size (Nemhauser, Wolsey & Fisher 1978).'
    """
    text = (
        f"Greedy squad of {size}: {reach:,.0f} unique followers, at least {GREEDY_RATIO:.1%} of the best possible "
        "squad of that size (Nemhauser, Wolsey & Fisher 1978)"
    )
    return text + (f"; no squad of {size} can exceed {upper:,.0f}." if upper is not None else ".")


def squad_reach_at(curve: pd.DataFrame, k: int, whole: ExternalReach) -> ExternalReach:
    """The :class:`ExternalReach` of the first ``k`` members of a stored greedy squad, read from its curve.

    Parameters
    ----------
    curve : the squad's curve (:attr:`Squad.curve`): ``unique_reach_ids``, ``count_only_reach``, ``count_only_low``
        and ``follower_sum`` after each member, in greedy order.
    k : squad size, 1 to ``len(curve)``.
    whole : the external reach of the whole squad (:func:`external_reach` of its accounts), returned for ``k = len(curve)``
        (an empty squad's too).

    Returns
    -------
    For a smaller squad: ``known`` is the exact number of distinct followers with known ids of the first ``k``
    (the greedy counts them exactly); the count-only followers lie between ``count_only_low``, the largest count-only
    audience on each platform among the first ``k``, summed over platforms (which share no followers), as
    :func:`external_reach` bounds them, and ``count_only_high``, their sum; ``accounts`` and ``accounts_with_ids`` are not on the curve (``None``).

    Raises
    ------
    ValueError : ``k`` outside 1 to ``len(curve)`` (and not ``len(curve)``).

    Examples
    --------
    >>> curve = pd.DataFrame(
    ...     {"unique_reach_ids": [5, 8], "count_only_reach": [0.0, 10.0], "count_only_low": [0.0, 10.0], "follower_sum": [6.0, 19.0]}
    ... )
    >>> first = squad_reach_at(curve, 1, external_reach(None))
    >>> first.known, first.count_only_low, first.count_only_high, first.follower_sum
    (5.0, 0.0, 0.0, 6.0)
    """
    if k == len(curve):
        return whole
    if not 1 <= k < len(curve):
        raise ValueError(f"the stored squad curve has sizes 1 to {len(curve)}, not {k}")
    return ExternalReach(
        known=float(curve["unique_reach_ids"].iloc[k - 1]),
        method="exact",
        relative_error=0.0,
        count_only_low=float(curve["count_only_low"].iloc[k - 1]),
        count_only_high=float(curve["count_only_reach"].iloc[k - 1]),
        accounts=None,
        accounts_with_ids=None,
        follower_sum=float(curve["follower_sum"].iloc[k - 1]),
    )


# --------------------------------------------------------------------------- brand


def brand_overlap(
    audiences: pd.DataFrame | None,
    followers: pd.DataFrame | None = None,
    *,
    exact_limit: int = EXACT_LIMIT,
    p: int = HLL_PRECISION,
) -> pd.DataFrame:
    """The brand accounts' audience against the employees' audiences, per platform and overall.

    With ``E`` the union of employees' followers and ``B`` the brand's:
    ``union = |E | B|``, ``overlap = |E & B| = |E| + |B| - |E | B|``,
    ``employees_only = |E \\ B|`` (people only employees reach) and
    ``employees_only_share = |E \\ B| / |E|``.

    Parameters
    ----------
    audiences, followers : the model tables.
    exact_limit : follower rows above which sketches replace exact counts.
    p : sketch precision.

    Returns
    -------
    DataFrame with :data:`BRAND_OVERLAP_COLUMNS`, one row per platform then
    ``"all"``. ``employees_count_only`` are employees' followers without
    hashes, outside every figure but this one.

    Notes
    -----
    O(R). With sketches, ``overlap`` comes from inclusion-exclusion, so its
    absolute error is about ``relative_error * (|E| + |B| + |E | B|)``,
    large when the overlap is small.

    Examples
    --------
    Three people on one platform, ``a`` followed by f1-f4, ``b`` by f3-f5, ``c``
    by f5 and f6; the brand account is followed by f1, f6 and f7. Together seven
    people, two of them following both, four reached by the employees only:

    >>> import pandas as pd
    >>> from orgnet.model import FOLLOWER_COLUMNS
    >>> audiences = {"a": ["f1", "f2", "f3", "f4"], "b": ["f3", "f4", "f5"], "c": ["f5", "f6"]}
    >>> followers = pd.DataFrame([("person", o, "li", f) for o, fs in audiences.items() for f in fs], columns=FOLLOWER_COLUMNS)
    >>> brand = pd.DataFrame({"owner_type": "brand", "owner": "Acme", "platform": "li", "follower_hash": ["f1", "f6", "f7"]})
    >>> li = brand_overlap(None, pd.concat([followers, brand])).set_index("platform").loc["li"]
    >>> li[["union", "overlap", "employees_only", "brand_only"]].astype(float).tolist()
    [7.0, 2.0, 4.0, 1.0]
    """
    accounts = _accounts(audiences, followers)
    table = accounts.table
    person = (table["owner_type"] == "person").to_numpy()
    brand = (table["owner_type"] == "brand").to_numpy()
    method = _method(int(accounts.ids.nnz), exact_limit)
    employees_columns = _columns_of(accounts.ids, np.flatnonzero(person))
    brand_columns = _columns_of(accounts.ids, np.flatnonzero(brand))
    count_only = np.where(table["has_ids"].to_numpy(), 0.0, table["follower_count"].to_numpy(dtype=float))
    records = []
    platforms = sorted(table.loc[person | brand, "platform"].dropna().unique(), key=str)
    for platform in [*platforms, "all"]:
        on = np.ones(len(accounts.follower_platform), dtype=bool) if platform == "all" else accounts.follower_platform == platform
        e_cols, b_cols = employees_columns & on, brand_columns & on
        e = _union_size(accounts, e_cols, method, p)
        b = _union_size(accounts, b_cols, method, p)
        u = _union_size(accounts, e_cols | b_cols, method, p)
        overlap = e + b - u
        here = person if platform == "all" else person & (table["platform"] == platform).to_numpy()
        records.append(
            {
                "platform": platform,
                "employees_unique": e,
                "brand_unique": b,
                "union": u,
                "overlap": overlap,
                "employees_only": e - overlap,
                "brand_only": b - overlap,
                "employees_only_share": (e - overlap) / e if e else 0.0,
                "employees_count_only": float(count_only[here].sum()),
                "method": method,
                "relative_error": 0.0 if method == "exact" else hll_error(p),
            }
        )
    return pd.DataFrame(records, columns=BRAND_OVERLAP_COLUMNS)


# --------------------------------------------------------------------------- campaigns


def leaders(people: pd.DataFrame | nx.Graph[Any]) -> set[Hashable]:
    """People with direct reports: everyone some person's ``manager_id`` names.

    Parameters
    ----------
    people : people table with ``person_id`` and ``manager_id``, or a people
        graph whose nodes carry ``manager_id``.

    Returns
    -------
    set of person ids (managers outside the table included).

    Examples
    --------
    >>> import pandas as pd
    >>> leaders(pd.DataFrame({"person_id": ["a", "b", "c"], "manager_id": [None, "a", "b"]})) == {"a", "b"}
    True
    """
    managers: Iterable[Any]
    if isinstance(people, pd.DataFrame):
        managers = people.get("manager_id", [])
    else:
        managers = (data.get("manager_id") for _, data in people.nodes(data=True))
    return {m for m in managers if m is not None and m == m and m != ""}


def campaigns(
    engagement: pd.DataFrame,
    audiences: pd.DataFrame | None,
    followers: pd.DataFrame | None = None,
    people: pd.DataFrame | nx.Graph[Any] | None = None,
    *,
    share_actions: Collection[str] = SHARE_ACTIONS,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """One row per piece of content: who shared it, how far it could travel, and the leaders' part.

    A *share* is an engagement row whose action is in ``share_actions``; it
    puts the content in front of the followers of the sharer's account on
    that platform (all the sharer's accounts when the platform is missing).
    For content ``c`` with shared accounts ``A_c``:
    ``unique_reach = |U_{a in A_c} F_a| + sum of count-only accounts``,
    ``leader_reach`` and ``others_reach`` are the same over the accounts of
    leaders (:func:`leaders`) and of everyone else,
    ``leader_marginal_reach = unique_reach - others_reach`` (what the
    content would lose without its leaders) and
    ``leader_share = leader_marginal_reach / unique_reach``.
    Engagement per share is ``(clicks + impressions) / shares``; other
    actions on the content (likes, comments...) are ``reactions``.

    Parameters
    ----------
    engagement : :data:`orgnet.model.ENGAGEMENT_COLUMNS` table.
    audiences, followers : the model tables.
    people : people table or graph with ``manager_id`` (no leaders when ``None``).
    share_actions : actions that count as shares.
    start, end : optional ``YYYY-MM`` bounds (inclusive) on the engagement date.

    Returns
    -------
    DataFrame with :data:`CAMPAIGN_COLUMNS`, sorted by ``unique_reach``
    (largest first). ``platforms`` is a comma-separated string.

    Notes
    -----
    Vectorised: a sparse content x account incidence times the account x
    follower matrix; O(nnz of the product). Count-only accounts are assumed
    unshared, so reaches that include them are upper bounds
    (``count_only_reach`` says how much).

    Examples
    --------
    Three people on one platform, ``a`` followed by f1-f4, ``b`` by f3-f5, ``c``
    by f5 and f6; ``a`` (who manages ``b`` and ``c``) and ``b`` share one post
    in March, ``c`` posts it too: six people reached, two of them (f1, f2) by
    the leader alone:

    >>> import pandas as pd
    >>> from orgnet.model import FOLLOWER_COLUMNS
    >>> audiences = {"a": ["f1", "f2", "f3", "f4"], "b": ["f3", "f4", "f5"], "c": ["f5", "f6"]}
    >>> followers = pd.DataFrame([("person", o, "li", f) for o, fs in audiences.items() for f in fs], columns=FOLLOWER_COLUMNS)
    >>> engagement = pd.DataFrame(
    ...     {
    ...         "person_id": ["a", "b", "c"],
    ...         "date": ["2026-03-01", "2026-03-02", "2026-03-05"],
    ...         "action": ["share", "share", "post"],
    ...         "content_id": "k1",
    ...         "platform": "li",
    ...         "clicks": [1, 2, 0],
    ...         "impressions": [10, 20, 5],
    ...     }
    ... )
    >>> people = pd.DataFrame({"person_id": ["a", "b", "c"], "manager_id": [None, "a", "a"]})
    >>> row = campaigns(engagement, None, followers, people).iloc[0]
    >>> row[["sharers", "unique_reach", "leaders", "leader_marginal_reach", "leader_share"]].astype(float).round(4).tolist()
    [3.0, 6.0, 1.0, 2.0, 0.3333]
    """
    frame = engagement_window(engagement, start, end)
    if frame.empty:
        return pd.DataFrame(columns=CAMPAIGN_COLUMNS)
    frame = frame.assign(
        clicks=pd.to_numeric(frame["clicks"], errors="coerce").fillna(0.0),
        impressions=pd.to_numeric(frame["impressions"], errors="coerce").fillna(0.0),
        is_share=frame["action"].isin(list(share_actions)),
    )
    contents = pd.Index(pd.unique(frame["content_id"]))
    shares = frame[frame["is_share"]]
    summary = frame.groupby("content_id", sort=False).agg(
        first_date=("date", "min"), last_date=("date", "max"), reactions=("is_share", lambda s: int((~s).sum()))
    )
    share_stats = shares.groupby("content_id", sort=False).agg(
        sharers=("person_id", "nunique"),
        shares=("person_id", "size"),
        clicks=("clicks", "sum"),
        impressions=("impressions", "sum"),
        platforms=("platform", lambda s: ",".join(sorted({str(v) for v in s.dropna()}))),
    )
    result = summary.join(share_stats).reindex(contents)

    accounts = _accounts(audiences, followers)
    table = accounts.table[accounts.table["owner_type"] == "person"]
    account_rows = table.reset_index().rename(columns={"index": "account", "owner": "person_id"})
    exact = shares[shares["platform"].notna()].merge(account_rows[["account", "person_id", "platform"]], on=["person_id", "platform"])
    loose = shares[shares["platform"].isna()].drop(columns="platform").merge(account_rows[["account", "person_id"]], on="person_id")
    pairs = pd.concat([exact[["content_id", "account", "person_id"]], loose[["content_id", "account", "person_id"]]], ignore_index=True)
    pairs = pairs.drop_duplicates(["content_id", "account"])
    content_rows = contents.get_indexer(pd.Index(pairs["content_id"]))
    account_index = pairs["account"].to_numpy(dtype=np.int64)
    is_leader = pairs["person_id"].isin(leaders(people) if people is not None else set()).to_numpy()
    counts = accounts.table["follower_count"].to_numpy(dtype=float)
    count_only = np.where(accounts.table["has_ids"].to_numpy(), 0.0, counts)

    def reach_of(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        incidence = sp.csr_matrix(
            (np.ones(int(mask.sum()), dtype=np.int32), (content_rows[mask], account_index[mask])),
            shape=(len(contents), len(accounts.table)),
        )
        unique_ids = np.diff((incidence @ accounts.ids).tocsr().indptr).astype(float)
        assumed = np.bincount(content_rows[mask], weights=count_only[account_index[mask]], minlength=len(contents))
        summed = np.bincount(content_rows[mask], weights=counts[account_index[mask]], minlength=len(contents))
        return unique_ids + assumed, assumed, summed

    everyone = np.ones(len(pairs), dtype=bool)
    unique, assumed, summed = reach_of(everyone)
    leader_reach = reach_of(is_leader)[0]
    others_reach = reach_of(~is_leader)[0]
    leader_count = pd.Series(pairs.loc[is_leader, "person_id"].to_numpy()).groupby(content_rows[is_leader]).nunique()
    result = result.assign(
        sharers=result["sharers"].fillna(0).astype(np.int64),
        shares=result["shares"].fillna(0).astype(np.int64),
        clicks=result["clicks"].fillna(0.0),
        impressions=result["impressions"].fillna(0.0),
        platforms=result["platforms"].fillna(""),
        follower_sum=summed,
        unique_reach=unique,
        count_only_reach=assumed,
        leaders=leader_count.reindex(np.arange(len(contents)), fill_value=0).to_numpy(dtype=np.int64),
        leader_reach=leader_reach,
        others_reach=others_reach,
        leader_marginal_reach=unique - others_reach,
    )
    per_share = np.maximum(result["shares"].to_numpy(dtype=float), 1.0)
    has_shares = result["shares"].to_numpy() > 0
    result["clicks_per_share"] = np.where(has_shares, result["clicks"] / per_share, 0.0)
    result["impressions_per_share"] = np.where(has_shares, result["impressions"] / per_share, 0.0)
    result["engagement_per_share"] = np.where(has_shares, (result["clicks"] + result["impressions"]) / per_share, 0.0)
    result["reactions_per_share"] = np.where(has_shares, result["reactions"] / per_share, 0.0)
    result["leader_share"] = np.where(unique > 0, (unique - others_reach) / np.maximum(unique, 1.0), 0.0)
    result = result.rename_axis("content_id").reset_index()
    return (
        result[CAMPAIGN_COLUMNS].sort_values(["unique_reach", "content_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    )


def engagement_window(engagement: pd.DataFrame, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Engagement rows whose ``date`` falls in the months ``start``..``end`` (``YYYY-MM``, inclusive; ``None``: open).

    Examples
    --------
    >>> import pandas as pd
    >>> engagement = pd.DataFrame({"person_id": ["a", "b", "c"], "date": ["2026-02-28", "2026-03-01", "2026-04-01"]})
    >>> engagement_window(engagement, "2026-03", "2026-03")["person_id"].tolist()
    ['b']
    """
    months = engagement["date"].astype(str).str[:7]
    keep = np.ones(len(engagement), dtype=bool)
    if start is not None:
        keep &= (months >= start).to_numpy()
    if end is not None:
        keep &= (months <= end).to_numpy()
    return engagement[keep]
