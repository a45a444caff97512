"""Benchmark-scale inputs: store-shaped frames of a large organisation, and CSV files for the ingest benchmark.

Every function here is vectorised (NumPy, pyarrow): no Python loop runs per
person, tie or row, so millions of rows take seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from orgnet.model import AUDIENCE_COLUMNS, CORE_PERSON_FIELDS, ENGAGEMENT_COLUMNS, FOLLOWER_COLUMNS, TIE_COLUMNS, IngestBatch
from orgnet.synth.org import DEPARTMENTS, OFFICES, ORG_DOMAIN

__all__ = ["benchmark_batch", "benchmark_org", "write_interactions_csv", "write_roster_csv"]


def _objects(columns: dict[str, np.ndarray | pd.api.extensions.ExtensionArray]) -> pd.DataFrame:
    """A frame whose text columns are plain objects, as stores return them (pandas would infer its string dtype)."""
    return pd.DataFrame(
        {name: pd.Series(values, dtype=object) if values.dtype.kind in "OUS" else values for name, values in columns.items()}
    )


def _person_ids(n_people: int) -> np.ndarray:
    return np.char.add("P", np.char.zfill(np.arange(n_people).astype(str), 6)).astype(object)


def _benchmark_people(n_people: int, rng: np.random.Generator) -> pd.DataFrame:
    """People sorted by department, each department an 8-ary reporting tree under the CEO (person 0)."""
    names = np.array(list(DEPARTMENTS), dtype=object)
    weights = np.array(list(DEPARTMENTS.values()), dtype=float)
    sizes = np.floor(weights / weights.sum() * (n_people - 1)).astype(int)
    sizes[0] += n_people - 1 - sizes.sum()
    starts = 1 + np.concatenate([[0], np.cumsum(sizes)[:-1]])
    dept = np.concatenate([[0], np.repeat(np.arange(names.size), sizes)])
    offset = np.concatenate([[0], np.repeat(starts, sizes)])
    position = np.arange(n_people) - offset
    manager = np.where(position == 0, 0, offset + (position - 1) // 8)
    manager[0] = -1
    ids = _person_ids(n_people)
    level = np.where(position == 0, "L6", np.where(position < 9, "L5", "L3")).astype(object)
    level[0] = "L7"
    manager_id = ids[np.maximum(manager, 0)]
    manager_id[0] = None
    return _objects(
        {
            "person_id": ids,
            "name": np.char.add("Person ", np.arange(n_people).astype(str)),
            "email": np.char.add(np.char.lower(ids.astype(str)), "@" + ORG_DOMAIN),
            "department": names[dept],
            "title": np.where(level == "L3", "Specialist", "Manager"),
            "manager_id": manager_id,
            "location": np.array(OFFICES, dtype=object)[rng.integers(0, len(OFFICES), n_people)],
            "hire_date": (np.datetime64("2015-01-01") + rng.integers(0, 4000, n_people)).astype(str),
            "level": level,
        }
    )


def _weighted_pick(cumulative: np.ndarray, low: np.ndarray, high: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices drawn by weight, each from the index range whose cumulative weights span [low, high)."""
    picked: np.ndarray = np.minimum(
        np.searchsorted(cumulative, low + rng.random(low.size) * (high - low), side="right"), cumulative.size - 1
    )
    return picked


def benchmark_org(
    n_people: int = 50_000,
    n_ties: int = 800_000,
    periods: Sequence[str] = ("2026-10",),
    seed: int = 7,
) -> dict[str, pd.DataFrame]:
    """Store-shaped frames of a large synthetic organisation, for benchmarks.

    Parameters
    ----------
    n_people : number of people (8 departments, 8-ary reporting trees under one CEO).
    n_ties : exact number of tie rows (distinct source, target, period, channel).
    periods : periods the ties are spread over.
    seed : random seed.

    Returns
    -------
    ``people`` (core fields then ``level``, as stores return people),
    ``ties`` (:data:`~orgnet.model.TIE_COLUMNS`, timestamps datetime64[ns, UTC],
    sorted by key), ``audiences``, ``followers`` (hashed ids) and ``engagement``.

    Notes
    -----
    Activity is heavy tailed (Pareto weights) and 85% of ties stay inside a
    department, so community detection has structure to find. Fully vectorised.
    """
    channels = np.array(["chat", "email", "meeting", "slack"], dtype=object)
    periods = sorted(periods)
    if n_ties > n_people * (n_people - 1) * len(periods) * channels.size // 4:
        raise ValueError(f"{n_ties} ties is too many for {n_people} people")
    rng = np.random.default_rng(seed)
    people = _benchmark_people(n_people, rng)
    dept = pd.factorize(people["department"])[0]
    activity = rng.pareto(1.6, n_people) + 1.0
    cumulative = np.cumsum(activity)
    # People are sorted by department, so each department is one range of cumulative weight.
    dept_low = pd.Series(cumulative - activity).groupby(dept).min().to_numpy()
    dept_high = pd.Series(cumulative).groupby(dept).max().to_numpy()

    # One integer per tie key; zero-padded ids and sorted periods and channels make its order the key's text order.
    radix = np.array([n_people * len(periods) * channels.size, len(periods) * channels.size, channels.size, 1])
    codes = np.empty(0, dtype=np.int64)
    while codes.size < n_ties:
        m = int((n_ties - codes.size) * 1.3) + 1000
        source = _weighted_pick(cumulative, np.zeros(m), np.full(m, cumulative[-1]), rng)
        inside = rng.random(m) < 0.85
        target = _weighted_pick(
            cumulative, np.where(inside, dept_low[dept[source]], 0.0), np.where(inside, dept_high[dept[source]], cumulative[-1]), rng
        )
        drawn = np.column_stack([source, target, rng.integers(0, len(periods), m), rng.choice(channels.size, m, p=[0.3, 0.4, 0.15, 0.15])])
        codes = np.sort(np.concatenate([codes, drawn[source != target] @ radix]))
        codes = codes[np.concatenate([[True], codes[1:] != codes[:-1]])]
    codes = np.sort(rng.choice(codes, n_ties, replace=False))
    keys = np.column_stack([codes // radix[0], codes // radix[1] % n_people, codes // radix[2] % len(periods), codes % channels.size])
    ids = people["person_id"].to_numpy()
    count = rng.geometric(0.35, n_ties)
    starts = np.array([np.datetime64(f"{p}-01", "ns") for p in periods])[keys[:, 2]]
    span = rng.integers(0, 27 * 86_400, (2, n_ties)) * 1_000_000_000  # whole seconds, as stores keep them
    ties = _objects(
        {
            "source": ids[keys[:, 0]],
            "target": ids[keys[:, 1]],
            "period": np.array(periods, dtype=object)[keys[:, 2]],
            "channel": channels[keys[:, 3]],
            "count": count.astype("int64"),
            "weight": count * rng.uniform(0.2, 1.0, n_ties),
            "first_seen": starts + span.min(axis=0).astype("timedelta64[ns]"),
            "last_seen": starts + span.max(axis=0).astype("timedelta64[ns]"),
        }
    )
    for column in ("first_seen", "last_seen"):
        ties[column] = ties[column].dt.tz_localize("UTC")

    has_account = np.flatnonzero(rng.random(n_people) < 0.2)
    follower_count = np.maximum(1, rng.lognormal(5.0, 1.2, has_account.size).astype("int64"))
    audiences = _objects(
        {
            "owner_type": np.array(["person"] * has_account.size + ["brand"], dtype=object),
            "owner": np.concatenate([ids[has_account], ["Acme"]]).astype(object),
            "platform": np.full(has_account.size + 1, "linkedin", dtype=object),
            "follower_count": np.concatenate([follower_count, [50_000]]).astype("int64"),
        }
    )
    listed = has_account[: max(1, has_account.size // 4)]
    per_account = np.minimum(follower_count[: listed.size], 400)
    universe = max(10 * n_people, 1000)
    # A multiplicative hash spreads follower numbers over 64 bits, like the store's keyed hashes.
    hashed = np.char.mod("%016x", rng.integers(0, universe, per_account.sum(), dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    followers = _objects(
        {
            "owner_type": np.full(hashed.size, "person", dtype=object),
            "owner": np.repeat(ids[listed], per_account),
            "platform": np.full(hashed.size, "linkedin", dtype=object),
            "follower_hash": hashed.astype(object),
        }
    ).drop_duplicates(ignore_index=True)

    n_actions = 2 * n_people
    actor = _weighted_pick(cumulative, np.zeros(n_actions), np.full(n_actions, cumulative[-1]), rng)
    action = np.array(["share", "post", "like", "comment"], dtype=object)[rng.choice(4, n_actions, p=[0.35, 0.15, 0.35, 0.15])]
    shared = np.isin(action, ["share", "post"])
    impressions = rng.integers(10, 5000, n_actions)
    engagement = _objects(
        {
            "person_id": ids[actor],
            "date": (np.datetime64(f"{periods[-1]}-01") + rng.integers(0, 28, n_actions)).astype(str),
            "action": action,
            "content_id": np.char.add("c", rng.integers(0, 500, n_actions).astype(str)),
            "platform": np.full(n_actions, "linkedin", dtype=object),
            "clicks": pd.array(np.where(shared, impressions // 50, 0), dtype="Int64"),
            "impressions": pd.array(impressions, dtype="Int64"),
        }
    )
    engagement.loc[~shared, ["clicks", "impressions"]] = pd.NA
    return {
        "people": people,
        "ties": ties[TIE_COLUMNS],
        "audiences": audiences[AUDIENCE_COLUMNS],
        "followers": followers[FOLLOWER_COLUMNS],
        "engagement": engagement[ENGAGEMENT_COLUMNS],
    }


def benchmark_batch(org: dict[str, pd.DataFrame]) -> IngestBatch:
    """The frames of :func:`benchmark_org` as one ingest batch, to put the benchmark organisation in a store.

    HR attributes beyond the core fields (``level``) go into each person's
    ``attributes``, as ingesters hand them over.
    """
    people = org["people"]
    extra = [name for name in people.columns if name not in CORE_PERSON_FIELDS]
    attributes = people[extra].astype(object).to_dict("records") if extra else [{} for _ in range(len(people))]
    return IngestBatch(
        people=people[list(CORE_PERSON_FIELDS)].assign(attributes=pd.Series(attributes, index=people.index, dtype=object)),
        ties=org["ties"],
        audiences=org["audiences"],
        followers=org["followers"],
        engagement=org["engagement"],
    )


def _write_csv(table: pa.Table, path: Path) -> None:
    """CSV without quotes (no benchmark value holds a comma), header included."""
    with path.open("wb") as sink:
        sink.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False, quoting_style="none"))


def write_roster_csv(path: Path | str, n_people: int, seed: int = 7) -> Path:
    """Write the roster of :func:`benchmark_org`'s people (same ids and seed) to ``path``; returns the path."""
    path = Path(path)
    people = _benchmark_people(n_people, np.random.default_rng(seed))
    _write_csv(pa.Table.from_pandas(people, preserve_index=False), path)
    return path


def write_interactions_csv(
    path: Path | str,
    n_rows: int,
    n_people: int,
    seed: int = 7,
    *,
    threads: int | None = None,
    months: int = 6,
) -> Path:
    """Write an interactions table of ``n_rows`` rows among the people of :func:`write_roster_csv`.

    Rows repeat a pool of ``threads`` conversations (a sender and one to three
    recipients, default ``n_rows // 8``), as real logs do: most messages go
    to people one wrote to before. Senders and recipients are person ids or
    addresses (half each), timestamps spread over ``months`` months from
    2026-05, channels chat, email, call and meeting. The number of ties is
    about 1.4 x ``threads`` x ``months``, at most. Vectorised: millions of
    rows in seconds. Returns the path.
    """
    rng = np.random.default_rng(seed)
    threads = threads or max(n_rows // 8, 1)
    ids = _person_ids(n_people).astype(str)
    names: pa.StringArray = pa.array(np.concatenate([ids, np.char.add(np.char.lower(ids), "@" + ORG_DOMAIN)]))
    activity = np.cumsum(rng.pareto(1.6, n_people) + 1.0)

    def people(size: int) -> pa.Array[Any]:
        person = np.minimum(np.searchsorted(activity, rng.random(size) * activity[-1]), n_people - 1)
        return names.take(person + n_people * rng.integers(0, 2, size))

    n_recipients = rng.choice([1, 2, 3], threads, p=[0.7, 0.2, 0.1])
    second = pc.if_else(pa.array(n_recipients >= 2), people(threads), pa.nulls(threads, pa.string()))
    third = pc.if_else(pa.array(n_recipients >= 3), people(threads), pa.nulls(threads, pa.string()))
    pool_recipients = pc.binary_join_element_wise(people(threads), second, third, ";", null_handling="skip")
    pool_senders = people(threads)
    pool_channel = np.array(["chat", "email", "call", "meeting"], dtype=object)[rng.choice(4, threads, p=[0.5, 0.3, 0.1, 0.1])]
    thread = rng.integers(0, threads, n_rows)
    channel = pool_channel[thread]
    seconds = np.datetime64("2026-05-01T00:00:00", "s") + rng.integers(0, months * 30 * 86_400, n_rows)
    duration = np.where(np.isin(channel, ["call", "meeting"]), rng.choice([0.5, 1.0], n_rows), np.nan)
    table = pa.table(
        {
            "sender": pool_senders.take(thread),
            "recipients": pool_recipients.take(thread),
            "timestamp": pa.array(np.datetime_as_string(seconds, unit="s", timezone="UTC")),
            "channel": pa.array(channel),
            "duration_hours": pa.array(duration, from_pandas=True),
        }
    )
    path = Path(path)
    _write_csv(table, path)
    return path
