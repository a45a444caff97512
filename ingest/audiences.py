"""External audiences ingester.

One row per social account (``person``, ``owner_type``, ``platform``,
``follower_count``), or one row per follower of it when the source lists
``follower_id``s (columns in ``docs/formats.md``). Follower identifiers are
stored only as keyed hashes (:meth:`orgnet.privacy.HashKey.followers`), so
that overlaps between audiences can be measured exactly but no follower can be
named, not even by someone holding the store without the hashing key.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from orgnet.ingest.base import IngestContext, TableColumns, map_columns, read_table
from orgnet.ingest.checks import flag_rows, parse_counts, resolve_people, unknown_person_reasons
from orgnet.model import AUDIENCE_COLUMNS, FOLLOWER_COLUMNS, IngestBatch

__all__ = ["COLUMNS", "OWNER_TYPES", "read"]

COLUMNS = TableColumns(
    fields={
        "person": ("person", "person_id", "owner", "account"),
        "owner_type": ("owner_type",),
        "platform": ("platform", "network"),
        "follower_count": ("follower_count",),
        "follower_id": ("follower_id",),
    },
    required=("person", "platform"),
)

#: What owns an account: a person of the organisation, or the organisation's brand.
OWNER_TYPES = ("person", "brand")

_ACCOUNT = ["owner_type", "owner", "platform"]


def read(path: Path, context: IngestContext) -> IngestBatch:
    """Read an external audiences table.

    Parameters
    ----------
    path : CSV, TSV, JSON Lines or Parquet file.
    context : the ingest context (resolver, hashing key).

    Returns
    -------
    :class:`~orgnet.model.IngestBatch` with ``audiences`` (one row per
    account) and ``followers`` (keyed hashes of the follower ids given).

    Notes
    -----
    A person account's ``person`` must name a person (id, e-mail or alias); a
    brand account keeps its name as owner. An account's follower count is the
    largest one its rows give; an account that gives none counts its distinct
    listed followers, and one with neither is an error.
    """
    frame, lines = read_table(path, context.problems)
    columns = map_columns(list(frame.columns), COLUMNS, context.options, path, context.problems)
    absent = pd.Series(None, index=frame.index, dtype=object)
    raw_owner = frame[columns["person"]]
    owner_type = frame[columns["owner_type"]].str.lower().fillna("person") if "owner_type" in columns else absent.fillna("person")
    platform = frame[columns["platform"]].str.lower()
    follower_count, count_check = parse_counts(
        frame[columns["follower_count"]] if "follower_count" in columns else absent, "follower_count"
    )
    follower_id = frame[columns["follower_id"]] if "follower_id" in columns else absent
    is_person = (owner_type == "person").to_numpy()
    person = resolve_people(raw_owner.where(is_person, None), context)

    bad = flag_rows(
        [
            (raw_owner.isna(), "missing person (the account's owner)"),
            (~owner_type.isin(OWNER_TYPES), "owner_type " + owner_type.map(repr) + " is not person or brand"),
            (platform.isna(), "missing platform"),
            (is_person & person.isna().to_numpy(), unknown_person_reasons(raw_owner, "person")),
            count_check,
        ],
        lines,
        path,
        context.problems,
    )
    context.report.add("rows", len(frame))
    rows = pd.DataFrame(
        {
            "owner_type": owner_type,
            "owner": person.where(is_person, raw_owner),
            "platform": platform,
            "follower_count": follower_count,
            "follower_id": follower_id,
        }
    )[~bad]
    accounts = rows.groupby(_ACCOUNT, sort=True).agg(given=("follower_count", "max"), listed=("follower_id", "nunique"))
    accounts["follower_count"] = accounts["given"].fillna(accounts["listed"]).astype("int64")
    uncounted = accounts.index[accounts["given"].isna() & (accounts["listed"] == 0)]
    row_keys = pd.MultiIndex.from_frame(rows[_ACCOUNT])
    uncounted_rows = row_keys.isin(uncounted)
    context.problems.add_lines(
        path, lines[~bad][uncounted_rows], "missing follower_count (give it, or list the account's follower_id rows)"
    )
    accounts = accounts.drop(uncounted).reset_index()
    rows = rows[~uncounted_rows]

    batch = IngestBatch()
    batch.audiences = accounts[AUDIENCE_COLUMNS]
    listed = rows[rows["follower_id"].notna()]
    hashes = context.hash_key().followers(listed["follower_id"]) if len(listed) else pd.Series(index=listed.index, dtype=object)
    followers = listed[_ACCOUNT].assign(follower_hash=hashes)
    batch.followers = followers.drop_duplicates()[FOLLOWER_COLUMNS].reset_index(drop=True)
    context.report.add("accounts", len(accounts))
    context.report.add("brand_accounts", int((accounts["owner_type"] == "brand").sum()))
    context.report.add("followers", len(batch.followers))
    return batch
