"""Compare two snapshots: how the network changed, and how much of the change comes from the same people.

A raw difference of two snapshots mixes two stories: the organisation's
people changing how they work together, and people joining or leaving. Every
comparison here keeps them apart. A person is *present* in a snapshot when
they hold at least one tie in it (the roster is not dated, so presence in the
ties is what tells a joiner from a colleague); the *common* people are those
present in both snapshots. Tie changes, density and reciprocity are given
for everyone and for the common people alone; advocate movers are ranked
among the common people only, so a joiner entering the top does not push
everyone else down; community moves are counted on the common people.

The entry point is :func:`compare_snapshots` (stored results and ties of a
store in, :class:`Comparison` out); the pieces are pure functions of tables
so they can be checked by hand. :func:`summary_sentences` writes the
comparison in words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from orgnet.jobs import ADVOCATES, COMMUNITIES, FRAGILITY, REACH, SILO_PAIRS, SUMMARY, ReachResult, SummaryResult, record_fields
from orgnet.periods import periods_between
from orgnet.results import get, to_jsonable
from orgnet.snapshots import find_snapshot
from orgnet.store import Store

__all__ = [
    "DEFAULT_FACTOR",
    "DEFAULT_SHARE",
    "DEFAULT_TIER",
    "Comparison",
    "community_changes",
    "community_counts",
    "compare_snapshots",
    "fragility_changes",
    "group_pair_changes",
    "network_change",
    "pair_weights",
    "present_people",
    "rank_movers",
    "reach_change",
    "summary_sentences",
    "tie_changes",
]

#: A tie is strengthened (weakened) when its weight per period grew (shrank) by at least this factor.
DEFAULT_FACTOR = 1.5
#: Advocate movers are people ranked within this many places of the top in either snapshot: climbs
#: deep in the ranking (rank 250 -> 140 of 300) are mostly noise in small scores that nobody acts on.
DEFAULT_TIER = 50
#: Share of a community's common members another community must take for a merge or a split to count.
DEFAULT_SHARE = 0.25

_PAIR = ["source", "target"]
_TIE_KINDS = ("new", "lost", "strengthened", "weakened", "steady")


@dataclass
class Comparison:
    """Everything that changed between the snapshots ``before`` and ``after``.

    Attributes
    ----------
    before, after : snapshot labels.
    people : counts (``before``, ``after``, ``common``, ``joined``, ``left``) and the ids joined and left.
    ties : counts per kind (new, lost, strengthened, weakened, steady), each for
        ``all`` ties, ties between ``same_people`` and ties ``involving`` joiners or leavers.
    network : density and reciprocity before and after: of each whole snapshot (its stored summary's) and among the common people.
    group_pairs : one row per pair of groups: directed ties before and after,
        gained and lost (and how many of those are between the same people),
        and the silo metrics of both snapshots (``ratio``, ``silo``).
    fragility : fragile bridges fixed, new and still fragile; single points of failure new and gone.
    movers : advocates present in both, ranked among themselves before and after, biggest climb first.
    entrants : joiners among the top of the after snapshot's advocate ranking.
    communities : best-match mapping, people who changed community, merges and splits.
    reach : combined unique reach and summed follower counts before and after.
    notes : caveats a reader must know (shared audience data...).
    by : the grouping attribute.
    """

    before: str
    after: str
    people: dict[str, Any]
    ties: dict[str, dict[str, int]]
    network: dict[str, dict[str, float]]
    group_pairs: pd.DataFrame
    fragility: dict[str, Any]
    movers: pd.DataFrame
    entrants: pd.DataFrame
    communities: dict[str, Any]
    reach: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    by: str = "department"

    def tables(self) -> dict[str, pd.DataFrame]:
        """The comparison as tables, by name (what a report writes as CSV)."""
        people = pd.DataFrame(
            [{"person_id": p, "change": "joined"} for p in self.people["joined"]]
            + [{"person_id": p, "change": "left"} for p in self.people["left"]],
            columns=["person_id", "change"],
        )
        ties = pd.DataFrame(
            [{"kind": kind, **counts} for kind, counts in self.ties.items()], columns=["kind", "all", "same_people", "involving"]
        )
        network = pd.DataFrame([{"measure": name, **values} for name, values in self.network.items()])
        fragile = pd.DataFrame(
            [{"status": status, **row} for status in ("fixed", "new", "still") for row in self.fragility[f"{status}_fragile"]],
            columns=["status", "group_a", "group_b", "carriers_before", "carriers_after", "carrier_ids_before", "carrier_ids_after"],
        )
        return {
            "people_changes": people,
            "tie_changes": ties,
            "network": network,
            "group_pairs": self.group_pairs,
            "fragile_bridges": fragile,
            "advocate_movers": self.movers,
            "community_moves": pd.DataFrame(self.communities["mapping"]),
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return to_jsonable(
            {
                "before": self.before,
                "after": self.after,
                "by": self.by,
                "people": self.people,
                "ties": self.ties,
                "network": self.network,
                "group_pairs": self.group_pairs,
                "fragility": self.fragility,
                "movers": self.movers,
                "entrants": self.entrants,
                "communities": self.communities,
                "reach": {k: v for k, v in self.reach.items() if k != "curves"},
                "notes": self.notes,
            }
        )


def present_people(ties: pd.DataFrame) -> set[str]:
    """People holding at least one tie (as source or target) in ``ties``."""
    return set(ties["source"]).union(ties["target"]) if len(ties) else set()


def pair_weights(ties: pd.DataFrame, periods: int = 1) -> pd.Series:
    """Weight per period of each directed person pair, summed over channels.

    Parameters
    ----------
    ties : ties as a store returns them (``source``, ``target``, ``weight``...).
    periods : how many periods the ties span; dividing by it lets a
        one-month snapshot be compared with a three-month window.

    Returns
    -------
    Series indexed by (``source``, ``target``).
    """
    if not len(ties):
        return pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=_PAIR))
    return ties.groupby(_PAIR)["weight"].sum() / max(periods, 1)


def _same_people(index: pd.MultiIndex, common: Collection[str]) -> pd.Series:
    """Whether both ends of each pair are common people."""
    frame = index.to_frame(index=False)
    return pd.Series(frame["source"].isin(common).to_numpy() & frame["target"].isin(common).to_numpy(), index=index)


def tie_changes(before: pd.Series, after: pd.Series, common: Collection[str], factor: float = DEFAULT_FACTOR) -> pd.DataFrame:
    """Classify every directed person pair tied in either snapshot.

    A pair is ``new`` (tied only after), ``lost`` (only before),
    ``strengthened`` (``after >= factor * before``), ``weakened``
    (``before >= factor * after``) or ``steady``.

    Parameters
    ----------
    before, after : weights per period by (``source``, ``target``), as :func:`pair_weights` gives.
    common : people present in both snapshots.
    factor : the ratio of weights that counts as a change (> 1).

    Returns
    -------
    DataFrame with ``source``, ``target``, ``before``, ``after`` (0 when
    absent), ``kind`` and ``same_people`` (both ends common).
    """
    joined = pd.concat({"before": before, "after": after}, axis=1).fillna(0.0)
    b, a = joined["before"], joined["after"]
    kind = pd.Series("steady", index=joined.index)
    kind[(b > 0) & (a >= factor * b)] = "strengthened"
    kind[(a > 0) & (b >= factor * a)] = "weakened"
    kind[b == 0] = "new"
    kind[a == 0] = "lost"
    joined["kind"] = kind
    joined["same_people"] = _same_people(joined.index, set(common))
    return joined.rename_axis(_PAIR).reset_index()


def _tie_counts(changes: pd.DataFrame) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for kind in _TIE_KINDS:
        rows = changes[changes["kind"] == kind]
        same = int(rows["same_people"].sum())
        counts[kind] = {"all": len(rows), "same_people": same, "involving": len(rows) - same}
    return counts


def _density_reciprocity(weights: pd.Series, people: Collection[str]) -> tuple[float, float]:
    """Density ``m / (n (n - 1))`` and reciprocity (share of ties whose reverse exists) of the pairs among ``people``."""
    inside = weights[_same_people(weights.index, set(people)).to_numpy()] if len(weights) else weights
    pairs = set(inside.index)
    n, m = len(people), len(pairs)
    density = m / (n * (n - 1)) if n > 1 else 0.0
    reciprocity = sum((t, s) in pairs for s, t in pairs) / m if m else 0.0
    return density, reciprocity


def network_change(
    before: pd.Series, after: pd.Series, before_people: Collection[str], after_people: Collection[str], common: Collection[str]
) -> dict[str, dict[str, float]]:
    """Density and reciprocity of both snapshots, over the people present in each and over the common people.

    Parameters
    ----------
    before, after : weights by directed pair (:func:`pair_weights`).
    before_people, after_people : people present in each snapshot.
    common : people present in both.

    Returns
    -------
    ``{"density": {...}, "reciprocity": {...}}``, each with ``before``,
    ``after``, ``change`` (over everyone present) and ``before_common``,
    ``after_common``, ``change_common`` (over the common people: the same
    denominator on both sides, so joiners cannot dilute it).
    """
    d_b, r_b = _density_reciprocity(before, before_people)
    d_a, r_a = _density_reciprocity(after, after_people)
    dc_b, rc_b = _density_reciprocity(before, common)
    dc_a, rc_a = _density_reciprocity(after, common)

    def measure(b: float, a: float, bc: float, ac: float) -> dict[str, float]:
        return {"before": b, "after": a, "change": a - b, "before_common": bc, "after_common": ac, "change_common": ac - bc}

    return {"density": measure(d_b, d_a, dc_b, dc_a), "reciprocity": measure(r_b, r_a, rc_b, rc_a)}


def group_pair_changes(
    changes: pd.DataFrame, group_of: Mapping[str, Any], silo_before: Iterable[Mapping[str, Any]], silo_after: Iterable[Mapping[str, Any]]
) -> pd.DataFrame:
    """Cross-group ties gained and lost per unordered pair of groups, with the silo metrics of both snapshots.

    Parameters
    ----------
    changes : :func:`tie_changes`' table.
    group_of : person -> group (department...); people without one are left out.
    silo_before, silo_after : the stored ``silo_pairs`` rows (``group_a``,
        ``group_b``, ``ratio``, ``silo``...) of each snapshot.

    Returns
    -------
    DataFrame, one row per pair (``group_a < group_b``) that has ties in
    either snapshot or a silo row: ``ties_before``, ``ties_after``,
    ``gained``, ``lost``, ``gained_same_people``, ``lost_same_people``,
    ``net``, ``ratio_before``, ``ratio_after``, ``silo_before``,
    ``silo_after``, ``bridged`` (a silo pair with no tie before that has
    ties after); largest net gain first.
    """
    rows = changes.assign(group_source=changes["source"].map(group_of), group_target=changes["target"].map(group_of)).dropna(
        subset=["group_source", "group_target"]
    )
    rows = rows[rows["group_source"] != rows["group_target"]]
    ordered = rows[["group_source", "group_target"]].astype(str)
    rows = rows.assign(group_a=ordered.min(axis=1), group_b=ordered.max(axis=1))
    rows = rows.assign(
        tied_before=rows["kind"] != "new",
        tied_after=rows["kind"] != "lost",
        gained=rows["kind"] == "new",
        lost=rows["kind"] == "lost",
    )
    rows = rows.assign(gained_same_people=rows["gained"] & rows["same_people"], lost_same_people=rows["lost"] & rows["same_people"])
    sums = ["tied_before", "tied_after", "gained", "lost", "gained_same_people", "lost_same_people"]
    table = (
        rows.groupby(["group_a", "group_b"])[sums]
        .sum()
        .astype(int)
        .rename(columns={"tied_before": "ties_before", "tied_after": "ties_after"})
    )
    silos = {}
    for when, records in (("before", silo_before), ("after", silo_after)):
        for record in records:
            key = tuple(sorted((str(record["group_a"]), str(record["group_b"]))))
            silos.setdefault(key, {})[f"ratio_{when}"] = record.get("ratio")
            silos[key][f"silo_{when}"] = bool(record.get("silo"))
    silo_frame = pd.DataFrame.from_dict(silos, orient="index")
    if len(silo_frame):
        silo_frame.index = pd.MultiIndex.from_tuples(silo_frame.index, names=["group_a", "group_b"])
    table = table.join(silo_frame, how="outer") if len(silo_frame) else table
    for column in ("ties_before", "ties_after", "gained", "lost", "gained_same_people", "lost_same_people"):
        table[column] = table[column].fillna(0).astype(int) if column in table else 0
    for column in ("ratio_before", "ratio_after", "silo_before", "silo_after"):
        if column not in table:
            table[column] = None
    table["net"] = table["gained"] - table["lost"]
    table["bridged"] = table["silo_before"].fillna(False).astype(bool) & (table["ties_before"] == 0) & (table["ties_after"] > 0)
    table = table.reset_index().sort_values(["net", "group_a", "group_b"], ascending=[False, True, True], kind="stable")
    return table.reset_index(drop=True)


def fragility_changes(before: Mapping[str, Any], after: Mapping[str, Any], joined: Collection[str] = ()) -> dict[str, Any]:
    """Fragile bridges fixed, new and still fragile, and single points of failure that appeared or went.

    Parameters
    ----------
    before, after : the stored ``fragility`` results (``carriers`` rows with
        ``group_a``, ``group_b``, ``carriers``, ``carrier_ids``, ``fragile``;
        ``articulation_points``).
    joined : people who joined between the snapshots (a new single point of
        failure who is a joiner is marked so).

    Returns
    -------
    dict with ``fixed_fragile``, ``new_fragile``, ``still_fragile`` (rows
    with both snapshots' carriers), ``new_single_points`` (each
    ``{person_id, joined}``) and ``gone_single_points``.
    """

    def pairs(result: Mapping[str, Any]) -> dict[tuple[str, str], Mapping[str, Any]]:
        return {tuple(sorted((str(r["group_a"]), str(r["group_b"])))): r for r in result.get("carriers", [])}

    b, a = pairs(before), pairs(after)

    def row(key: tuple[str, str]) -> dict[str, Any]:
        old, new = b.get(key, {}), a.get(key, {})
        return {
            "group_a": key[0],
            "group_b": key[1],
            "carriers_before": old.get("carriers", 0),
            "carriers_after": new.get("carriers", 0),
            "carrier_ids_before": list(old.get("carrier_ids", [])),
            "carrier_ids_after": list(new.get("carrier_ids", [])),
        }

    fragile_before = {k for k, r in b.items() if r.get("fragile")}
    fragile_after = {k for k, r in a.items() if r.get("fragile")}
    points_before = set(map(str, before.get("articulation_points", [])))
    points_after = set(map(str, after.get("articulation_points", [])))
    joiners = set(joined)
    return {
        # A pair whose ties all disappeared is not "fixed": it has no bridge left.
        "fixed_fragile": [row(k) for k in sorted(fragile_before - fragile_after) if k in a],
        "broken": [row(k) for k in sorted(fragile_before) if k not in a],
        "new_fragile": [row(k) for k in sorted(fragile_after - fragile_before)],
        "still_fragile": [row(k) for k in sorted(fragile_before & fragile_after)],
        "new_single_points": [{"person_id": p, "joined": p in joiners} for p in sorted(points_after - points_before)],
        "gone_single_points": sorted(points_before - points_after),
    }


def rank_movers(before: pd.DataFrame, after: pd.DataFrame, common: Collection[str], tier: int | None = DEFAULT_TIER) -> pd.DataFrame:
    """Advocate rank changes among the people present and ranked in both snapshots.

    Each snapshot's ranking is restricted to those people and renumbered
    1, 2, ... in its stored order, so ``rank_change = before_rank -
    after_rank`` (positive: moved up) is not inflated by joiners entering
    above or leavers dropping out.

    Parameters
    ----------
    before, after : stored ``advocates`` tables (``person_id``, ``rank``, ``score``).
    common : people present in both snapshots.
    tier : keep only people ranked ``tier`` or better (among the common
        people) in at least one snapshot; ``None`` keeps everyone.

    Returns
    -------
    DataFrame with ``person_id``, ``before_rank``, ``after_rank``,
    ``rank_change``, ``score_before``, ``score_after``, ``stored_rank_before``,
    ``stored_rank_after``; biggest climb first.
    """
    keep = set(common) & set(before["person_id"]) & set(after["person_id"])

    def ranked(table: pd.DataFrame) -> pd.DataFrame:
        rows = table[table["person_id"].isin(keep)].sort_values("rank", kind="stable")
        return pd.DataFrame(
            {
                "person_id": rows["person_id"].to_numpy(),
                "rank": range(1, len(rows) + 1),
                "score": rows["score"].to_numpy(),
                "stored_rank": rows["rank"].to_numpy(),
            }
        )

    merged = ranked(before).merge(ranked(after), on="person_id", suffixes=("_before", "_after"))
    merged = merged.rename(columns={"rank_before": "before_rank", "rank_after": "after_rank"})
    merged["rank_change"] = merged["before_rank"] - merged["after_rank"]
    if tier is not None:
        merged = merged[(merged["before_rank"] <= tier) | (merged["after_rank"] <= tier)]
    columns = [
        "person_id",
        "before_rank",
        "after_rank",
        "rank_change",
        "score_before",
        "score_after",
        "stored_rank_before",
        "stored_rank_after",
    ]
    return merged[columns].sort_values(["rank_change", "after_rank"], ascending=[False, True], kind="stable").reset_index(drop=True)


def community_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], common: Collection[str], share: float = DEFAULT_SHARE
) -> dict[str, Any]:
    """How the communities of the common people changed: best-match mapping, moves, merges and splits.

    Each community before is mapped to the community after that holds most of
    its common members (maximum overlap; ties broken by the lower id). A
    person *changed community* when their community after is not the match
    of their community before. A community before *split* when at least two
    communities after each hold ``share`` or more of its common members; a
    community after is a *merge* when it holds ``share`` or more of the
    common members of at least two communities before.

    Parameters
    ----------
    before, after : person -> community id of each snapshot.
    common : people present in both.
    share : the smallest share of a community that counts for a merge or split.

    Returns
    -------
    dict with ``mapping`` (rows ``before``, ``after``, ``overlap``,
    ``size_before``), ``changed`` (count of people), ``changed_share``,
    ``merges`` (rows ``after``, ``from``) and ``splits`` (rows ``before``, ``into``),
    ``count_before`` and ``count_after`` (communities of each snapshot, as
    lists ``communities_before`` and ``communities_after``); :func:`community_counts`
    tells them apart through the mapping.
    """
    people = [p for p in sorted(common) if p in before and p in after]
    overlap = Counter((before[p], after[p]) for p in people)
    size_before = Counter(before[p] for p in people)
    size_after = Counter(after[p] for p in people)
    best: dict[Any, tuple[Any, int]] = {}
    for (b, a), n in sorted(overlap.items(), key=lambda item: (str(item[0][0]), str(item[0][1]))):
        if b not in best or n > best[b][1]:
            best[b] = (a, n)
    changed = sum(after[p] != best[before[p]][0] for p in people)
    splits = []
    for b, size in sorted(size_before.items(), key=lambda item: str(item[0])):
        into = sorted((a for (bb, a), n in overlap.items() if bb == b and n >= share * size), key=str)
        if len(into) >= 2:
            splits.append({"before": b, "into": into})
    merges = []
    for a in sorted(size_after, key=str):
        sources = sorted((b for (b, aa), n in overlap.items() if aa == a and n >= share * size_before[b]), key=str)
        if len(sources) >= 2:
            merges.append({"after": a, "from": sources})
    mapping = [
        {"before": b, "after": a, "overlap": n, "size_before": size_before[b]}
        for b, (a, n) in sorted(best.items(), key=lambda item: str(item[0]))
    ]
    return {
        "mapping": mapping,
        "changed": int(changed),
        "changed_share": changed / len(people) if people else 0.0,
        "common": len(people),
        "merges": merges,
        "splits": splits,
        "count_before": len(set(before.values())),
        "count_after": len(set(after.values())),
        "communities_before": sorted(set(before.values()), key=str),
        "communities_after": sorted(set(after.values()), key=str),
    }


def community_counts(changes: Mapping[str, Any], hidden: tuple[Collection[Any], Collection[Any]] = ((), ())) -> dict[str, int]:
    """How the communities before became those after, in counts that add up, leaving out the suppressed ones.

    Through the best-match ``mapping`` of :func:`community_changes`, with the rows of a suppressed community (before
    or after) left out as a report leaves them out of its table: ``before`` and ``after`` count the communities shown
    of each snapshot; ``continuing`` the communities after that are a shown row's match; ``merged`` the rows whose
    match is also another row's (``rows - continuing``); ``other`` the communities before with no row (every member
    left, or most went to a community not shown: ``before - rows``); ``new`` the communities after that are no row's
    match (``after - continuing``). So ``before = continuing + merged + other`` and ``after = continuing + new``.

    Parameters
    ----------
    changes : :func:`community_changes` output.
    hidden : the suppressed communities of the snapshot before and of the one after.
    """
    hidden_before, hidden_after = set(hidden[0]), set(hidden[1])
    rows = [r for r in changes["mapping"] if r["before"] not in hidden_before and r["after"] not in hidden_after]
    before = len(set(changes["communities_before"]) - hidden_before)
    after = len(set(changes["communities_after"]) - hidden_after)
    continuing = len({r["after"] for r in rows})
    return {
        "before": before,
        "after": after,
        "rows": len(rows),
        "continuing": continuing,
        "merged": len(rows) - continuing,
        "other": before - len(rows),
        "new": after - continuing,
    }


def reach_change(before: ReachResult, after: ReachResult) -> dict[str, Any]:
    """The employees' external reach (:class:`orgnet.reach.ExternalReach`) against the summed follower counts, before and after.

    Parameters
    ----------
    before, after : the stored reach results (:class:`~orgnet.jobs.ReachResult`).

    Returns
    -------
    dict with ``unique_before``, ``unique_after``, ``unique_growth`` (the
    distinct followers with known ids), ``external_after`` (the whole figure
    after), ``sum_before``, ``sum_after``, ``sum_growth``, ``same_audience``
    (both snapshots read identical audience data: the store does not date
    audiences, so reach can only change when new audience files were
    ingested between the two analyses) and ``curves`` (the squad curves).
    """
    b, a = before.employees, after.employees
    return {
        "unique_before": b.known,
        "unique_after": a.known,
        "unique_growth": a.known - b.known,
        "external_after": a,
        "sum_before": b.follower_sum,
        "sum_after": a.follower_sum,
        "sum_growth": a.follower_sum - b.follower_sum,
        "same_audience": before.platforms.equals(after.platforms),
        "curves": {"before": before.squad_curve.to_pylist(), "after": after.squad_curve.to_pylist()},
    }


def _whole_snapshots(network: dict[str, dict[str, float]], summaries: list[SummaryResult]) -> dict[str, dict[str, float]]:
    """``network`` with each snapshot's own density and reciprocity, as its stored summary gives them.

    A snapshot's density has one definition everywhere, the summary's (over everyone in the snapshot's graph, tie-less
    people of the roster included), so that a report's sentences and its growth table agree; the figures among the
    same people keep their own, common, denominator.
    """
    for measure in ("density", "reciprocity"):
        before, after = (float(getattr(summary, measure)) for summary in summaries)
        network[measure].update(before=before, after=after, change=after - before)
    return network


def compare_snapshots(
    store: Store,
    before_label: str,
    after_label: str,
    *,
    by: str = "department",
    factor: float = DEFAULT_FACTOR,
    share: float = DEFAULT_SHARE,
    tier: int | None = DEFAULT_TIER,
    top: int = 10,
) -> Comparison:
    """Compare the analysed snapshots ``before_label`` and ``after_label`` of ``store``.

    Parameters
    ----------
    store : the store holding both snapshots' results and ties.
    before_label, after_label : snapshot labels (periods or ranges), both analysed.
    by : grouping attribute of the group-level results (department by default).
    factor : weight ratio that counts a tie as strengthened or weakened (see :func:`tie_changes`).
    share : community share that counts for a merge or a split (see :func:`community_changes`).
    tier : advocate movers are people ranked this high in either snapshot (see :func:`rank_movers`).
    top : how many of the after snapshot's top advocates are checked for joiners.

    Returns
    -------
    :class:`Comparison`

    Raises
    ------
    OrgnetError
        When either snapshot was not analysed.
    """
    infos = [find_snapshot(store, label) for label in (before_label, after_label)]
    periods = store.periods()
    ties = [store.ties(info.start, info.end) for info in infos]
    weights = [pair_weights(t, len(periods_between(periods, info.start, info.end))) for t, info in zip(ties, infos)]
    present = [present_people(t) for t in ties]
    common = present[0] & present[1]
    joined, left = sorted(present[1] - present[0]), sorted(present[0] - present[1])
    changes = tie_changes(weights[0], weights[1], common, factor)
    people = store.people()
    group_of = dict(zip(people["person_id"], people[by])) if by in people.columns else {}
    silos = [get(store, SILO_PAIRS, label, by).table.to_pylist() for label in (before_label, after_label)]
    pairs = group_pair_changes(changes, group_of, silos[0], silos[1])
    fragility = [get(store, FRAGILITY, label, by) for label in (before_label, after_label)]
    fragile = fragility_changes(*(record_fields(stored) | {"carriers": stored.carriers.to_pylist()} for stored in fragility), joined=joined)
    advocates = [get(store, ADVOCATES, label).table.to_pandas() for label in (before_label, after_label)]
    movers = rank_movers(advocates[0], advocates[1], common, tier)
    top_after = advocates[1].sort_values("rank", kind="stable").head(top)
    entrants = top_after[top_after["person_id"].isin(joined)][["person_id", "rank", "score"]].reset_index(drop=True)
    communities = community_changes(
        get(store, COMMUNITIES, before_label).membership_map(), get(store, COMMUNITIES, after_label).membership_map(), common, share
    )
    reach = reach_change(get(store, REACH, before_label), get(store, REACH, after_label))
    notes = []
    if reach["same_audience"]:
        notes.append(
            "Audiences are not dated in the store: both snapshots read the same follower data, "
            "so reach shows no growth unless new audience files were ingested between the two analyses."
        )
    if by in people.columns:
        notes.append(
            f"Each person's {by} is the current roster's; a person who moved between groups counts in the new one for both snapshots."
        )
    return Comparison(
        before=before_label,
        after=after_label,
        people={"before": len(present[0]), "after": len(present[1]), "common": len(common), "joined": joined, "left": left},
        ties=_tie_counts(changes),
        network=_whole_snapshots(
            network_change(weights[0], weights[1], present[0], present[1], common),
            [get(store, SUMMARY, label, by) for label in (before_label, after_label)],
        ),
        group_pairs=pairs,
        fragility=fragile,
        movers=movers,
        entrants=entrants,
        communities=communities,
        reach=reach,
        notes=notes,
        by=by,
    )


def _person(ident: str, names: Mapping[str, str]) -> str:
    name = names.get(ident)
    return f"{name} ({ident})" if name else ident


def _people_list(ids: list[str], names: Mapping[str, str], limit: int = 3) -> str:
    shown = ", ".join(_person(i, names) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _carried_by(ids: list[str]) -> str:
    return "one person" if len(ids) == 1 else ("two people" if len(ids) == 2 else f"{len(ids)} people")


def _change(value: float, digits: int = 3) -> str:
    return f"{'rose' if value > 0 else 'fell'} by {abs(value):.{digits}f}" if value else "did not change"


def _mover_sentences(c: Comparison, movers: int, names: Mapping[str, str]) -> list[str]:
    """The sentences that name the advocates who climbed or fell most, and the joiners among the top."""
    sentences = []
    climbers = c.movers[c.movers["rank_change"] > 0].head(movers)
    if len(climbers):
        named = ", ".join(
            f"{_person(row.person_id, names)} (+{row.rank_change}, to rank {row.after_rank})" for row in climbers.itertuples()
        )
        sentences.append(f"Advocates who climbed most, ranked among the people present in both: {named}.")
    fallers = c.movers[c.movers["rank_change"] < 0].sort_values("rank_change", kind="stable").head(movers)
    if len(fallers):
        named = ", ".join(f"{_person(row.person_id, names)} ({row.rank_change}, to rank {row.after_rank})" for row in fallers.itertuples())
        sentences.append(f"Advocates who fell most: {named}.")
    if len(c.entrants):
        sentences.append(f"Joiners already among the top advocates: {_people_list(list(c.entrants['person_id']), names)}.")
    return sentences


def summary_sentences(
    comparison: Comparison,
    hidden: Collection[str] = (),
    pairs: int = 3,
    movers: int = 3,
    *,
    names: Mapping[str, str] | None = None,
    people: bool = True,
    communities: tuple[Collection[Any], Collection[Any]] = ((), ()),
) -> list[str]:
    """The comparison in a few plain sentences, most telling first.

    Every number a sentence gives is in one of the comparison's tables (:meth:`Comparison.tables`) as it stands:
    density and reciprocity are the ``network`` table's, for all people active and (the change) among the same
    people; the community counts are :func:`community_counts` of the ``community_moves`` table as a report shows it
    (suppressed communities left out), and add up.

    Parameters
    ----------
    comparison : a :class:`Comparison`.
    hidden : groups too small to report on; no sentence names them.
    pairs : how many group pairs with the largest gains (and losses) are named.
    movers : how many advocates who climbed most are named.
    names : person id -> name, written beside the id ("Carla Olsen (E0187)"); ids alone without it.
    people : ``False`` for the aggregate form: no sentence names a person (bridges say how many people carry them,
        advocate movers are left out).
    communities : the suppressed communities of each snapshot, left out of the community counts.

    Returns
    -------
    list of sentences, e.g. "Legal and Marketing gained 12 cross-department
    ties, from none before: the silo between them is bridged."
    """
    names = names or {}
    c = comparison
    kind = "department" if c.by == "department" else c.by
    sentences = []
    p = c.people
    sentences.append(
        f"From {c.before} to {c.after}, {len(p['joined'])} people joined and {len(p['left'])} left; "
        f"{p['common']} people were active in both, and the changes below separate them from joiners and leavers."
    )
    t = c.ties
    sentences.append(
        f"Among the same people, {t['new']['same_people']} ties are new, {t['lost']['same_people']} were lost, "
        f"{t['strengthened']['same_people']} strengthened and {t['weakened']['same_people']} weakened; "
        f"another {t['new']['involving']} new ties involve joiners and {t['lost']['involving']} lost ones involve leavers."
    )
    density, reciprocity = c.network["density"], c.network["reciprocity"]
    sentences.append(
        f"Density went from {density['before']:.4f} to {density['after']:.4f} and reciprocity from "
        f"{reciprocity['before']:.3f} to {reciprocity['after']:.3f}; among the same people, density "
        f"{_change(density['change_common'], 4)} and reciprocity {_change(reciprocity['change_common'])}."
    )
    visible = c.group_pairs[~c.group_pairs["group_a"].isin(hidden) & ~c.group_pairs["group_b"].isin(hidden)]
    bridged = visible[visible["bridged"]]
    for row in bridged.itertuples():
        sentences.append(
            f"{row.group_a} and {row.group_b} gained {_plural(row.gained, f'cross-{kind} tie', f'cross-{kind} ties')}, from none "
            "before: the silo between them is bridged."
        )
    for row in visible[~visible["bridged"] & (visible["net"] > 0)].head(pairs).itertuples():
        sentences.append(
            f"{row.group_a} and {row.group_b} gained {_plural(row.net, f'cross-{kind} tie', f'cross-{kind} ties')} on balance "
            f"({row.gained} new, {row.lost} lost)."
        )
    for row in visible[visible["net"] < 0].sort_values("net", kind="stable").head(pairs).itertuples():
        sentences.append(
            f"{row.group_a} and {row.group_b} lost {_plural(-row.net, f'cross-{kind} tie', f'cross-{kind} ties')} on balance "
            f"({row.gained} new, {row.lost} lost)."
        )
    became = visible[visible["silo_after"].fillna(False).astype(bool) & ~visible["silo_before"].fillna(False).astype(bool)]
    for row in became.itertuples():
        sentences.append(f"{row.group_a} and {row.group_b} now talk far less than their sizes predict: a new silo.")
    f = c.fragility

    def shown(row: Mapping[str, Any]) -> bool:
        return row["group_a"] not in hidden and row["group_b"] not in hidden

    def carriers(ids: list[str]) -> str:
        return f"{_carried_by(ids)} ({_people_list(ids, names)})" if people else _carried_by(ids)

    for row in filter(shown, f["still_fragile"]):
        sentences.append(f"The {row['group_a']}-{row['group_b']} bridge still runs through {carriers(row['carrier_ids_after'])}.")
    for row in filter(shown, f["fixed_fragile"]):
        sentences.append(
            f"The {row['group_a']}-{row['group_b']} bridge was fixed: {row['carriers_after']} people now carry it (was {row['carriers_before']})."
        )
    for row in filter(shown, f["new_fragile"]):
        sentences.append(f"New fragile bridge: {row['group_a']}-{row['group_b']} runs through {carriers(row['carrier_ids_after'])}.")
    points = f["new_single_points"]
    if points:
        joiners = sum(point["joined"] for point in points)
        who = f": {_people_list([point['person_id'] for point in points], names)}" if people else ""
        sentences.append(
            f"{len(points)} new single points of failure (people whose departure splits the network){who}"
            + (f", {joiners} of them joiners." if joiners else ".")
        )
    if people:
        sentences.extend(_mover_sentences(c, movers, names))
    r = c.reach
    if r["same_audience"]:
        sentences.append(
            f"External reach: {r['external_after'].sentence()}, against {r['sum_after']:,.0f} summed follower counts; "
            "unchanged: audiences are not dated, so both snapshots use the same audience data."
        )
    else:
        sentences.append(
            f"External reach: {r['external_after'].sentence()}; the distinct followers with known ids grew by "
            f"{r['unique_growth']:+,.0f}, while the summed follower counts grew by {r['sum_growth']:+,.0f} (to {r['sum_after']:,.0f})."
        )
    k, n = c.communities, community_counts(c.communities, communities)
    other = f", {n['other']} went to communities not shown or left" if n["other"] else ""
    shown = " shown" if communities[0] or communities[1] else ""
    sentences.append(
        f"{k['changed']} of the {k['common']} people present in both changed community. The {n['before']} communities{shown} "
        f"of {c.before} became {n['after']} in {c.after}: matching each with the community that took most of its "
        f"members, {n['continuing']} continue, {n['merged']} merged into another{other}, and {n['new']} "
        f"{'is' if n['new'] == 1 else 'are'} new."
    )
    return sentences
