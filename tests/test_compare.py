"""Comparing snapshots: the planted changes of the samples are found, and joiners are kept apart from the same people."""

from __future__ import annotations

import pandas as pd
import pytest

from orgnet.compare import (
    community_changes,
    community_counts,
    compare_snapshots,
    fragility_changes,
    rank_movers,
    summary_sentences,
    tie_changes,
)
from orgnet.errors import OrgnetError
from orgnet.snapshots import list_snapshots, previous_period, rolling_windows


def test_snapshots_are_listed_by_period(analysed):
    listed = list_snapshots(analysed)
    assert [info.label for info in listed] == analysed.periods()
    assert all(info.people == 300 and info.ties > 0 and info.computed_at for info in listed)


def test_rolling_windows_and_previous_period():
    periods = ["2026-05", "2026-06", "2026-07"]
    assert rolling_windows(periods, 2) == ["2026-05..2026-06", "2026-06..2026-07"]
    assert previous_period(periods, "2026-07") == "2026-06" and previous_period(periods, "2026-05") is None


def test_the_bridged_silo_is_found_and_said(analysed, truths):
    planted = truths["silo_bridged"]
    first = planted["first_period"]
    comparison = compare_snapshots(analysed, previous_period(analysed.periods(), first), first)
    a, b = sorted(planted["departments"])
    pair = comparison.group_pairs.set_index(["group_a", "group_b"]).loc[(a, b)]
    assert pair["ties_before"] == 0 and pair["gained"] > 0 and pair["bridged"]
    assert pair["gained"] == pair["gained_same_people"]
    sentences = summary_sentences(comparison)
    assert f"{a} and {b} gained {pair['gained']} cross-department ties, from none before: the silo between them is bridged." in sentences


def test_the_fragile_bridge_is_still_fragile(analysed, truths):
    bridge = truths["fragile_bridge"]
    comparison = compare_snapshots(analysed, "2026-07", "2026-08")
    a, b = sorted(bridge["departments"])
    assert f"The {a}-{b} bridge still runs through one person ({bridge['person']})." in summary_sentences(comparison)


def test_emerging_advocates_climb(analysed, truths):
    comparison = compare_snapshots(analysed, "2026-06", "2026-10")
    climbers = comparison.movers[comparison.movers["rank_change"] > 0]
    # 15 of 300 people: the top 5 per cent of climbs among the top-50 tier.
    assert set(truths["emerging_advocates"]) <= set(climbers["person_id"].head(15))


def test_joiners_are_not_same_people_changes(analysed, truths):
    comparison = compare_snapshots(analysed, "2026-06", "2026-10")
    hired = {person for person, date in truths["new_hires"].items() if "2026-07" <= date[:7] <= "2026-10"}
    assert hired <= set(comparison.people["joined"])
    assert comparison.people["common"] + len(comparison.people["joined"]) == comparison.people["after"]
    assert not set(comparison.movers["person_id"]) & set(comparison.people["joined"])
    new = comparison.ties["new"]
    assert new["involving"] > 0 and new["all"] == new["same_people"] + new["involving"]


def test_audience_data_shared_by_both_snapshots_is_said(analysed):
    comparison = compare_snapshots(analysed, "2026-09", "2026-10")
    assert comparison.reach["same_audience"] and comparison.reach["unique_growth"] == 0
    assert any("not dated" in note for note in comparison.notes)


def test_unanalysed_snapshot_is_a_clear_error(analysed):
    with pytest.raises(OrgnetError, match="run orgnet analyze --from 2026-05 --to 2026-06"):
        compare_snapshots(analysed, "2026-05..2026-06", "2026-10")


def _weights(pairs: dict[tuple[str, str], float]) -> pd.Series:
    return pd.Series(pairs, dtype=float).rename_axis(["source", "target"])


def test_tie_changes_by_hand():
    before = _weights({("a", "b"): 1.0, ("b", "a"): 4.0, ("a", "c"): 2.0, ("c", "x"): 1.0})
    after = _weights({("a", "b"): 2.0, ("b", "a"): 1.0, ("a", "c"): 2.5, ("a", "j"): 1.0})
    table = tie_changes(before, after, common={"a", "b", "c"}).set_index(["source", "target"])
    assert table["kind"].to_dict() == {
        ("a", "b"): "strengthened",
        ("b", "a"): "weakened",
        ("a", "c"): "steady",
        ("c", "x"): "lost",
        ("a", "j"): "new",
    }
    assert table.loc[("a", "j"), "same_people"] == False  # noqa: E712 (numpy bool)


def test_movers_are_ranked_among_the_same_people():
    before = pd.DataFrame({"person_id": ["a", "b", "c"], "rank": [1, 2, 3], "score": [0.9, 0.5, 0.1]})
    after = pd.DataFrame({"person_id": ["j", "c", "a", "b"], "rank": [1, 2, 3, 4], "score": [0.99, 0.8, 0.7, 0.4]})
    movers = rank_movers(before, after, common={"a", "b", "c"}).set_index("person_id")
    # The joiner j on top does not push a, b or c down.
    assert movers["rank_change"].to_dict() == {"c": 2, "a": -1, "b": -1}


def test_community_merges_splits_and_moves_by_hand():
    before = {"a": 0, "b": 0, "c": 1, "d": 1, "e": 2, "f": 2, "g": 2, "h": 2}
    after = {"a": 5, "b": 5, "c": 5, "d": 5, "e": 6, "f": 6, "g": 7, "h": 7}
    found = community_changes(before, after, common=set(before))
    assert found["merges"] == [{"after": 5, "from": [0, 1]}]
    assert found["splits"] == [{"before": 2, "into": [6, 7]}]
    assert found["changed"] == 2  # g and h left the best match (6) of their community 2
    # 3 before -> 3 after: 0 and 1 both go mostly to 5 (one continues, one merged), 2 to 6; 7 is no one's best match.
    counts = community_counts(found)
    assert (counts["before"], counts["after"]) == (3, 3)
    assert (counts["continuing"], counts["merged"], counts["other"], counts["new"]) == (2, 1, 0, 1)
    # A community whose members all left has no row: it is neither continuing nor merged.
    gone = community_counts(community_changes({**before, "x": 9}, after, common=set(before)))
    assert (gone["before"], gone["continuing"], gone["merged"], gone["other"]) == (4, 2, 1, 1)
    # Suppressed communities are left out on both sides, and the counts still add up.
    hidden = community_counts(found, ({2}, {7}))
    assert (hidden["before"], hidden["after"], hidden["continuing"], hidden["merged"], hidden["other"], hidden["new"]) == (2, 2, 1, 1, 0, 1)


def test_fragility_changes_by_hand():
    before = {
        "carriers": [{"group_a": "A", "group_b": "B", "carriers": 1, "carrier_ids": ["p"], "fragile": True}],
        "articulation_points": ["p"],
    }
    after = {
        "carriers": [
            {"group_a": "B", "group_b": "A", "carriers": 3, "carrier_ids": ["p", "q", "r"], "fragile": False},
            {"group_a": "A", "group_b": "C", "carriers": 1, "carrier_ids": ["j"], "fragile": True},
        ],
        "articulation_points": ["j"],
    }
    found = fragility_changes(before, after, joined={"j"})
    assert [(r["group_a"], r["group_b"], r["carriers_after"]) for r in found["fixed_fragile"]] == [("A", "B", 3)]
    assert [(r["group_a"], r["group_b"]) for r in found["new_fragile"]] == [("A", "C")]
    assert found["new_single_points"] == [{"person_id": "j", "joined": True}] and found["gone_single_points"] == ["p"]
