"""Aggregation of edges into ties, checked against hand-computed weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from orgnet.aggregate import aggregate_edges, merge_ties, pair_weights, split_weights
from orgnet.periods import is_period_label, period_codes, period_dates, period_labels


def edges(rows):
    frame = pd.DataFrame(rows, columns=["source", "target", "timestamp", "channel", "weight"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return frame


def test_split_and_pair_weights_by_hand():
    assert split_weights([1, 2, 4]).tolist() == [1.0, 0.5, 0.25]
    # A 3-hour meeting of 4 attendees: each ordered pair gets 3 / (4 - 1) = 1 hour.
    assert pair_weights([3.0, 2.0], [4, 2]).tolist() == [1.0, 2.0]
    # A "meeting" of one person has no pairs: no division by zero.
    assert pair_weights([1.0], [1]).tolist() == [0.0]


def test_ties_sum_per_source_target_period_channel():
    ties = aggregate_edges(
        edges(
            [
                ("a", "b", "2026-01-03T09:00:00Z", "email", 0.5),
                ("a", "b", "2026-01-20T09:00:00Z", "email", 1 / 3),
                ("a", "b", "2026-01-21T09:00:00Z", "chat", 1.0),
                ("a", "b", "2026-02-01T00:00:00Z", "email", 1.0),
                ("b", "a", "2026-01-05T09:00:00Z", "email", 1.0),
                ("a", "a", "2026-01-05T09:00:00Z", "email", 1.0),
            ]
        )
    )
    assert list(zip(ties["source"], ties["target"], ties["period"], ties["channel"])) == [
        ("a", "b", "2026-01", "chat"),
        ("a", "b", "2026-01", "email"),
        ("a", "b", "2026-02", "email"),
        ("b", "a", "2026-01", "email"),
    ]
    january_email = ties.iloc[1]
    assert january_email["count"] == 2
    assert january_email["weight"] == pytest.approx(0.5 + 1 / 3)
    assert january_email["first_seen"] == pd.Timestamp("2026-01-03T09:00:00Z")
    assert january_email["last_seen"] == pd.Timestamp("2026-01-20T09:00:00Z")
    # The self-edge a -> a is gone.
    assert not ((ties["source"] == "a") & (ties["target"] == "a")).any()


def test_iso_weeks():
    stamps = pd.Series(pd.to_datetime(["2026-01-01T12:00:00Z", "2025-12-29T00:00:00Z", "2026-01-05T00:00:00Z"], utc=True))
    # 1 January 2026 is a Thursday of ISO week 2026-W01, which starts on Monday 29 December 2025.
    assert period_labels(stamps, "week").tolist() == ["2026-W01", "2026-W01", "2026-W02"]
    assert period_dates("2026-W01") == ("2025-12-29", "2026-01-04")
    assert period_dates("2024-02") == ("2024-02-01", "2024-02-29")
    assert is_period_label("2026-W53") and not is_period_label("2026-13")


def test_merge_ties_adds_counts_and_widens_dates():
    first = aggregate_edges(edges([("a", "b", "2026-01-10T00:00:00Z", "email", 1.0)]))
    second = aggregate_edges(edges([("a", "b", "2026-01-02T00:00:00Z", "email", 0.5), ("a", "b", "2026-01-30T00:00:00Z", "email", 0.5)]))
    merged = merge_ties(pd.concat([first, second]))
    assert merged["count"].tolist() == [3]
    assert merged["weight"].tolist() == [2.0]
    assert merged["first_seen"].iloc[0] == pd.Timestamp("2026-01-02T00:00:00Z")
    assert merged["last_seen"].iloc[0] == pd.Timestamp("2026-01-30T00:00:00Z")


def test_aggregation_matches_a_plain_groupby_on_random_edges():
    rng = np.random.default_rng(3)
    n = 5000
    frame = pd.DataFrame(
        {
            "source": rng.choice(list("abcdefgh"), n),
            "target": rng.choice(list("abcdefgh"), n),
            "timestamp": pd.to_datetime(rng.integers(1.70e9, 1.72e9, n), unit="s", utc=True),
            "channel": rng.choice(["email", "chat"], n),
            "weight": rng.random(n),
        }
    )
    ties = aggregate_edges(frame)
    reference = frame[frame["source"] != frame["target"]].assign(period=lambda f: f["timestamp"].dt.strftime("%Y-%m"))
    expected = (
        reference.groupby(["source", "target", "period", "channel"]).agg(count=("weight", "size"), weight=("weight", "sum")).reset_index()
    )
    assert ties["count"].tolist() == expected["count"].tolist()
    np.testing.assert_allclose(ties["weight"], expected["weight"])


@pytest.mark.parametrize("unit", ["month", "week"])
def test_period_labels_match_pandas_over_the_whole_nanosecond_range(unit):
    rng = np.random.default_rng(5)
    # Before and after 1970, first and last instants of a day, both units of storage.
    instants = rng.integers(pd.Timestamp("1678-01-02").value, pd.Timestamp("2261-12-30").value, 20_000)
    instants = np.concatenate([instants, [0, -1, 86_400 * 10**9 - 1, pd.Timestamp("2026-01-01").value - 1]])
    stamps = pd.Series(pd.to_datetime(instants, unit="ns", utc=True))
    if unit == "month":
        expected = stamps.dt.strftime("%Y-%m")
    else:
        iso = stamps.dt.isocalendar()
        expected = iso["year"].astype(str).str.zfill(4) + "-W" + iso["week"].astype(str).str.zfill(2)
    assert period_labels(stamps, unit).tolist() == expected.tolist()
    seconds = stamps.dt.tz_localize(None).to_numpy().astype("datetime64[s]")
    codes, labels = period_codes(seconds, unit)
    assert labels[codes].tolist() == expected.tolist()
