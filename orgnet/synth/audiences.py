"""Social audiences of the sample organisation: follower lists, count-only accounts and the brand's accounts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from orgnet.synth.org import Org

__all__ = ["write_audiences"]


def write_audiences(org: Org, rng: np.random.Generator, out: Path) -> dict[str, Any]:
    """Write ``audiences.csv``: follower ids (with deliberate overlap), count-only accounts and the two ``Acme`` brand accounts.

    Advocates and the brand draw part of their followers from one small core
    of ids, leaders and a few others from a wider pool, so unions are much
    smaller than sums.

    Returns
    -------
    Row and account counts, every account's follower count, and the exact
    unions (per platform, people, brand, advocates) that reach figures must equal.
    """
    pools = {"linkedin": ("li", 16_000), "x": ("x", 6_000)}
    ids = {p: [f"{prefix}:{v}" for v in (rng.choice(90_000, size=n, replace=False) + 10_000)] for p, (prefix, n) in pools.items()}
    core, general = 500, 3_000  # ids[:core] are followed by advocates and the brand, ids[core:general] by everyone
    cursor = dict.fromkeys(pools, general)
    followers: dict[tuple[str, str, str], list[str]] = {}

    def account(owner_type: str, owner: str, platform: str, size: int, shared: float, region: tuple[int, int]) -> None:
        n_shared = int(size * shared)
        lo, hi = region
        chosen = list(rng.choice(ids[platform][lo:hi], size=n_shared, replace=False))
        own = ids[platform][cursor[platform] : cursor[platform] + size - n_shared]
        cursor[platform] += size - n_shared
        followers[(owner_type, owner, platform)] = sorted(set(chosen) | set(own))

    for k in org.roles["advocates"]:
        account("person", org.ids[k], "linkedin", int(rng.integers(250, 350)), 0.35, (0, core))
        account("person", org.ids[k], "x", int(rng.integers(90, 150)), 0.35, (0, core))
    for k in org.roles["emerging"]:
        account("person", org.ids[k], "linkedin", int(rng.integers(50, 90)), 0.3, (0, general))
    heads = [k for k in org.roles["leaders"] if org.levels[k] in ("L6", "L7")]
    for k in heads:
        account("person", org.ids[k], "linkedin", 200 if k == 0 else int(rng.integers(50, 140)), 0.3, (core, general))
    special = set(org.roles["advocates"]) | set(org.roles["emerging"]) | set(org.roles["leaders"])
    rest = [k for k in range(org.size) if k not in special]
    with_ids = sorted(int(k) for k in rng.choice(rest, size=12, replace=False))
    for k in with_ids:
        account("person", org.ids[k], "linkedin", int(rng.integers(12, 50)), 0.3, (core, general))
    account("brand", "Acme", "linkedin", 700, 0.6, (0, general))
    account("brand", "Acme", "x", 300, 0.6, (0, general))

    leads = [k for k in org.roles["leaders"] if org.levels[k] == "L5"]
    count_only_people = sorted(set(leads) | {int(k) for k in rng.choice([k for k in rest if k not in with_ids], size=40, replace=False)})
    count_only = {}
    for k in count_only_people:
        count_only[(org.ids[k], "linkedin")] = int(rng.integers(30, 100) if k in leads else rng.integers(4, 80))
        if rng.random() < 0.25:
            count_only[(org.ids[k], "instagram")] = int(rng.integers(10, 150))

    lines = ["person,owner_type,platform,follower_count,follower_id"]
    for (owner_type, owner, platform), follower_ids in sorted(followers.items()):
        lines += [f"{owner},{owner_type},{platform},{len(follower_ids)},{f}" for f in follower_ids]
    for (person, platform), count in sorted(count_only.items()):
        # Count-only people are named by address, as comms tools export them.
        lines.append(f"{org.emails[org.ids.index(person)]},person,{platform},{count},")
    (out / "audiences.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    people_ids = {p: set().union(*(set(v) for (t, _, q), v in followers.items() if t == "person" and q == p)) for p in pools}
    brand_ids = {p: set(followers[("brand", "Acme", p)]) for p in pools}
    advocate_ids = set().union(*(set(followers[("person", org.ids[k], "linkedin")]) for k in org.roles["advocates"]))
    return {
        "rows": len(lines) - 1,
        "accounts": len(followers) + len(count_only),
        "person_accounts": len(followers) - 2 + len(count_only),
        "brand_accounts": 2,
        "accounts_with_follower_ids": len(followers),
        "count_only_accounts": len(count_only),
        "follower_rows": sum(len(v) for v in followers.values()),
        "follower_count": {f"{t}:{o}:{p}": len(v) for (t, o, p), v in sorted(followers.items())}
        | {f"person:{o}:{p}": c for (o, p), c in sorted(count_only.items())},
        "unique_person_followers": {p: len(v) for p, v in people_ids.items()},
        "unique_brand_followers": {p: len(v) for p, v in brand_ids.items()},
        "unique_all_followers": {p: len(people_ids[p] | brand_ids[p]) for p in pools},
        "person_followers_not_following_brand": {p: len(people_ids[p] - brand_ids[p]) for p in pools},
        "advocates_unique_linkedin_followers": len(advocate_ids),
        "advocates_summed_linkedin_followers": sum(len(followers[("person", org.ids[k], "linkedin")]) for k in org.roles["advocates"]),
        "count_only_follower_sum": sum(count_only.values()),
    }
