"""External reach: unions, marginal reach, Jaccard, greedy coverage, sketches, brand overlap and campaigns by hand."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from orgnet.model import FOLLOWER_COLUMNS
from orgnet.reach import (
    BRAND_OVERLAP_COLUMNS,
    CAMPAIGN_COLUMNS,
    GREEDY_RATIO,
    REACH_SUMMARY_COLUMNS,
    brand_overlap,
    campaigns,
    external_reach,
    follower_sketch,
    hll_error,
    jaccard_matrix,
    leaders,
    marginal_reach,
    max_coverage,
    owner_audiences,
    ranked_marginal_reach,
    reach_summary,
)


def tables(sets: dict[tuple[str, str, str], str], counts: dict[tuple[str, str, str], int] | None = None):
    """Audiences and followers from {(owner_type, owner, platform): "follower letters"} plus count-only accounts."""
    counts = counts or {}
    audiences = pd.DataFrame(
        [(*key, len(value)) for key, value in sets.items()] + [(*key, c) for key, c in counts.items()],
        columns=["owner_type", "owner", "platform", "follower_count"],
    )
    followers = pd.DataFrame(
        [(*key, h) for key, value in sets.items() for h in value], columns=["owner_type", "owner", "platform", "follower_hash"]
    )
    return audiences, followers


SETS = {
    ("person", "a", "li"): "abcd",
    ("person", "b", "li"): "cdef",
    ("person", "c", "li"): "fg",
    ("person", "a", "x"): "ab",  # same hashes on another platform: other people
    ("brand", "Acme", "li"): "aghij",
}
COUNTS = {("person", "d", "li"): 100}


def test_summary_sum_versus_union():
    audiences, followers = tables(SETS, COUNTS)
    summary = reach_summary(audiences, followers).set_index("platform")
    assert list(summary.reset_index().columns) == REACH_SUMMARY_COLUMNS
    li = summary.loc["li"]
    assert li["follower_sum"] == 4 + 4 + 2 + 100
    assert li["follower_sum_with_ids"] == 10
    assert li["unique_followers"] == 7  # a..g
    assert li["overlap"] == 3
    assert li["count_only_followers"] == 100 and li["count_only_largest"] == 100
    assert summary.loc["x", "unique_followers"] == 2
    assert summary.loc["all", "unique_followers"] == 9
    assert (summary["method"] == "exact").all() and (summary["relative_error"] == 0).all()


def test_external_reach_keeps_count_only_followers_apart_as_a_range():
    counts = {**COUNTS, ("person", "e", "li"): 30, ("person", "e", "x"): 20, ("person", "f", "x"): 5}
    audiences, followers = tables(SETS, counts)
    found = external_reach(audiences, followers)
    # a..g on li and a, b on x: known by id, counted once each.
    assert found.known == 9 and found.method == "exact"
    # Count-only: li 100 and 30, x 20 and 5. At least the largest on each platform (platforms share no one), at most all.
    assert (found.count_only_low, found.count_only_high) == (100 + 20, 100 + 30 + 20 + 5)
    assert found.follower_sum == 4 + 4 + 2 + 2 + 155 and (found.accounts, found.accounts_with_ids) == (8, 4)
    squad = external_reach(audiences, followers, owners=["a", "e"])
    assert squad.known == 6 and (squad.count_only_low, squad.count_only_high) == (30 + 20, 50)
    assert "6 distinct followers" in squad.sentence() and "between 50 and 50" not in squad.sentence()
    assert squad.sentence().endswith("plus 50 followers of accounts known only by a count")
    assert external_reach(audiences, followers, owners=["c"]).sentence() == (
        "2 distinct followers of employees' accounts with known follower ids"
    )


def test_marginal_ranked_and_jaccard_by_hand():
    audiences, followers = tables(SETS, COUNTS)
    reach = owner_audiences(audiences, followers)
    assert reach.owners == ["a", "b", "c", "d"]
    table = marginal_reach(reach)
    # a: li a,b + x a,b (nobody else); b: e; c: g; d: 100 assumed unshared.
    assert table["marginal_reach"].tolist() == [4, 1, 1, 100]
    assert table["unique_reach"].tolist() == [6, 4, 2, 100]
    assert table["followers"].tolist() == [6, 4, 2, 100]
    assert ranked_marginal_reach(reach, ["b", "a", "c", "d", "nobody"]).tolist() == [4, 4, 1, 100, 0]
    jaccard = jaccard_matrix(reach, ["a", "b", "c"])
    assert jaccard.loc["a", "b"] == pytest.approx(2 / 8)  # {c, d} of {a..f on li, a, b on x}
    assert jaccard.loc["b", "c"] == pytest.approx(1 / 5)
    assert jaccard.loc["a", "c"] == 0 and jaccard.loc["a", "a"] == 1
    assert math.isnan(jaccard_matrix(reach, ["d"]).loc["d", "d"])


def coverage(rows: list[set[int]], chosen) -> int:
    return len(set().union(*(rows[i] for i in chosen))) if chosen else 0


def reach_of(rows: list[set[int]]):
    sets = {("person", f"p{i}", "li"): [str(x) for x in row] for i, row in enumerate(rows)}
    audiences = pd.DataFrame([(*k, len(v)) for k, v in sets.items()], columns=["owner_type", "owner", "platform", "follower_count"])
    followers = pd.DataFrame([(*k, h) for k, v in sets.items() for h in v], columns=["owner_type", "owner", "platform", "follower_hash"])
    return owner_audiences(audiences, followers)


def test_greedy_by_hand():
    audiences, followers = tables(SETS, COUNTS)
    squad = max_coverage(owner_audiences(audiences, followers))
    # d's 100 first, then a (6), then b adds e, f (2), then c adds g (1).
    assert squad.members == ["d", "a", "b", "c"]
    assert squad.curve["gain"].tolist() == [100, 6, 2, 1]
    assert squad.curve["unique_reach"].tolist() == [100, 106, 108, 109]
    assert squad.curve["unique_reach_ids"].tolist() == [0, 6, 8, 9]
    assert squad.curve["count_only_reach"].tolist() == [100, 100, 100, 100]
    assert squad.curve["follower_sum"].tolist() == [100, 106, 110, 112]
    assert squad.ratio == pytest.approx(1 - 1 / math.e)
    assert "Nemhauser" in squad.guarantee
    assert max_coverage(owner_audiences(audiences, followers), 2, candidates=["b", "c"]).members == ["b", "c"]


def test_greedy_suboptimal_but_within_guarantee():
    # Classic: greedy takes the big middle set, the optimum takes the two halves.
    rows = [set(range(0, 4)) | set(range(8, 10)), set(range(4, 8)) | set(range(10, 12)), set(range(1, 8))]
    squad = max_coverage(reach_of(rows), 2)
    best = max(coverage(rows, pair) for pair in itertools.combinations(range(3), 2))
    assert squad.unique_reach < best == 12
    assert squad.unique_reach >= GREEDY_RATIO * best
    assert squad.upper_bound >= best


@pytest.mark.parametrize("seed", range(5))
def test_greedy_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    rows = [set(rng.choice(30, size=int(rng.integers(2, 10)), replace=False).tolist()) for _ in range(9)]
    reach = reach_of(rows)
    for k in (2, 3):
        squad = max_coverage(reach, k)
        best = max(coverage(rows, combo) for combo in itertools.combinations(range(len(rows)), k))
        assert GREEDY_RATIO * best <= squad.unique_reach <= best <= squad.upper_bound
        # Lazy evaluation picks exactly what plain greedy picks.
        chosen: list[int] = []
        for _ in range(k):
            gains = [coverage(rows, [*chosen, i]) - coverage(rows, chosen) if i not in chosen else -1 for i in range(len(rows))]
            chosen.append(int(np.argmax(gains)))
        assert squad.unique_reach == coverage(rows, chosen)


def test_hll_union_within_three_standard_errors():
    rng = np.random.default_rng(3)
    ids = np.array([f"h{v}" for v in rng.choice(10_000_000, size=100_000, replace=False)], dtype=object)
    first, second = ids[:70_000], ids[40_000:]
    union = follower_sketch(first)
    union.merge(follower_sketch(second))
    assert abs(union.count() - 100_000) <= 3 * hll_error() * 100_000
    assert hll_error(14) == pytest.approx(1.04 / 128)
    sets = {("person", "a", "li"): list(first), ("person", "b", "li"): list(second)}
    audiences, followers = tables(sets)
    sketched = reach_summary(audiences, followers, exact_limit=1000).set_index("platform")
    assert sketched.loc["all", "method"] == "hll"
    assert sketched.loc["all", "relative_error"] == pytest.approx(hll_error())
    assert abs(sketched.loc["all", "unique_followers"] - 100_000) <= 3 * hll_error() * 100_000
    exact = reach_summary(audiences, followers).set_index("platform")
    assert exact.loc["all", "unique_followers"] == 100_000 and exact.loc["all", "overlap"] == 30_000


def test_brand_overlap_by_hand():
    audiences, followers = tables(SETS, COUNTS)
    table = brand_overlap(audiences, followers).set_index("platform")
    assert list(table.reset_index().columns) == BRAND_OVERLAP_COLUMNS
    li = table.loc["li"]
    # employees a..g, brand a g h i j
    assert (li["employees_unique"], li["brand_unique"], li["union"], li["overlap"]) == (7, 5, 10, 2)
    assert (li["employees_only"], li["brand_only"]) == (5, 3)
    assert li["employees_only_share"] == pytest.approx(5 / 7)
    assert li["employees_count_only"] == 100
    assert table.loc["x", "brand_unique"] == 0 and table.loc["all", "union"] == 12


def test_campaign_leaders_versus_others_by_hand():
    audiences, followers = tables(SETS, COUNTS)
    people = pd.DataFrame({"person_id": ["a", "b", "c", "d"], "manager_id": [None, "a", "a", "b"]})
    assert leaders(people) == {"a", "b"}
    engagement = pd.DataFrame(
        [
            ("a", "2026-03-01", "share", "k1", "li", 2, 40),
            ("b", "2026-03-02", "share", "k1", "li", 1, 20),
            ("c", "2026-03-02", "post", "k1", "li", 0, 10),
            ("c", "2026-03-03", "like", "k1", "li", None, None),
            ("a", "2026-03-03", "share", "k1", "li", 1, 10),  # a second share by a
            ("d", "2026-03-04", "share", "k2", "li", 3, 30),
            ("a", "2026-04-04", "share", "k2", None, 0, 0),  # no platform: all of a's accounts
            ("c", "2026-01-01", "share", "old", "li", 0, 0),
        ],
        columns=["person_id", "date", "action", "content_id", "platform", "clicks", "impressions"],
    )
    table = campaigns(engagement, audiences, followers, people, start="2026-03").set_index("content_id")
    assert list(table.reset_index().columns) == CAMPAIGN_COLUMNS
    assert "old" not in table.index
    k1 = table.loc["k1"]
    assert (k1["sharers"], k1["shares"], k1["reactions"], k1["leaders"]) == (3, 4, 1, 2)
    # a..d (a), c..f (b), f g (c): union a..g
    assert k1["unique_reach"] == 7 and k1["follower_sum"] == 10
    assert k1["leader_reach"] == 6  # a..f
    assert k1["others_reach"] == 2  # f g
    assert k1["leader_marginal_reach"] == 5 and k1["leader_share"] == pytest.approx(5 / 7)
    assert k1["clicks_per_share"] == pytest.approx(4 / 4)
    assert k1["engagement_per_share"] == pytest.approx((4 + 80) / 4)
    assert k1["reactions_per_share"] == pytest.approx(1 / 4)
    k2 = table.loc["k2"]
    # d: 100 count-only (assumed unshared) + a on li (a..d) and x (a, b).
    assert k2["unique_reach"] == 106 and k2["count_only_reach"] == 100
    assert k2["leader_reach"] == 6 and k2["others_reach"] == 100 and k2["leader_marginal_reach"] == 6
    assert k2["platforms"] == "li"
    assert table.index.tolist() == ["k2", "k1"]


def test_a_thousand_audiences_against_python_sets():
    """Zipf-shared followers (as bench/reach.py draws them, which times 50,000 people): matrix, marginal reach, squad."""
    rng = np.random.default_rng(0)
    sizes = rng.integers(1, 40, size=1000)
    owners = np.repeat(np.arange(1000), sizes)
    hashes = rng.zipf(1.3, size=len(owners)) % 5000
    followers = pd.DataFrame({"owner_type": "person", "owner": owners, "platform": "li", "follower_hash": hashes})
    rows = [set() for _ in range(1000)]
    for owner, follower in zip(owners.tolist(), hashes.tolist()):
        rows[owner].add(follower)
    reach = owner_audiences(None, followers)
    table = marginal_reach(reach)
    assert table["unique_reach"].tolist() == [len(row) for row in rows]
    everyone_else = [set().union(*rows[:i], *rows[i + 1 :]) for i in range(0, 1000, 97)]
    assert table["marginal_reach"].tolist()[::97] == [len(rows[i] - others) for i, others in zip(range(0, 1000, 97), everyone_else)]
    squad = max_coverage(reach, 20)
    assert squad.members[0] == int(np.argmax([len(row) for row in rows]))
    assert squad.curve["unique_reach"].tolist() == [coverage(rows, squad.members[: k + 1]) for k in range(20)]


def test_a_smaller_squad_bounds_its_count_only_followers_per_platform_as_the_full_definition():
    from orgnet.reach import external_reach, squad_reach_at

    # Known only by counts: a has 10 on li and 5 on x, b 30 on li, c 3 on x; d has three known followers on li.
    audiences = pd.DataFrame(
        [("person", o, p, n) for o, p, n in [("a", "li", 10), ("a", "x", 5), ("b", "li", 30), ("c", "x", 3), ("d", "li", 3)]],
        columns=["owner_type", "owner", "platform", "follower_count"],
    )
    followers = pd.DataFrame([("person", "d", "li", h) for h in "uvw"], columns=["owner_type", "owner", "platform", "follower_hash"])
    squad = max_coverage(owner_audiences(audiences, followers))
    # Greedy: b (30), a (15), c (3), d (3; the tie with c broken by order).
    assert squad.members[:2] == ["b", "a"]
    whole = external_reach(audiences, followers, owners=squad.members)
    two = squad_reach_at(squad.curve, 2, whole)
    # The first two by hand: li at least max(30, 10) = 30 and x at least 5, so 35 (one member's largest, 30, is less
    # than the definition gives); at most 30 + 10 + 5 = 45.
    assert (two.count_only_low, two.count_only_high, two.known) == (35.0, 45.0, 0.0)
    # The full squad's own figure follows the same definition: li max(30, 10) + x max(5, 3) = 35, sum 48.
    assert (whole.count_only_low, whole.count_only_high) == (35.0, 48.0)
    assert squad.curve["count_only_low"].tolist() == [30.0, 35.0, 35.0, 35.0]
    # Every smaller squad read from the curve is the figure external_reach gives its members: one definition.
    for k in range(1, len(squad.members)):
        prefix = external_reach(audiences, followers, owners=squad.members[:k])
        at = squad_reach_at(squad.curve, k, whole)
        assert (at.known, at.count_only_low, at.count_only_high) == (prefix.known, prefix.count_only_low, prefix.count_only_high)


def test_the_kept_follower_encoding_never_answers_for_other_tables_and_goes_with_its_own():
    import gc

    from orgnet import reach

    def followers_of(audiences: dict[str, str]) -> pd.DataFrame:
        return pd.DataFrame([("person", o, "li", f) for o, fs in audiences.items() for f in fs], columns=FOLLOWER_COLUMNS)

    first, second = followers_of({"a": "wxyz"}), followers_of({"a": "wx"})
    assert external_reach(None, first).known == 4 and external_reach(None, first).known == 4
    # Another table (same owner, fewer followers) is encoded afresh, not answered from the kept encoding.
    assert external_reach(None, second).known == 2
    assert reach._last_encoded
    del second
    gc.collect()
    assert reach._last_encoded == []


def test_exact_counts_never_hash_the_followers_for_sketches():
    """The sketch keys are hashed on first use (0.4 s at 300k followers): exact summaries and overlaps never ask."""
    from orgnet.reach import _accounts

    audiences, followers = tables(SETS, COUNTS)
    reach_summary(audiences, followers)
    brand_overlap(audiences, followers)
    owner_audiences(audiences, followers)
    encoded = _accounts(audiences, followers)
    assert "follower_keys" not in vars(encoded)
    assert reach_summary(audiences, followers, exact_limit=1).set_index("platform").loc["all", "method"] == "hll"
    assert len(vars(encoded)["follower_keys"]) == encoded.ids.shape[1]
