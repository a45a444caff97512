"""Reach benchmark: the audience matrix, marginal reach and a greedy squad for 50,000 people.

    python bench/reach.py                    # 50,000 people, about a million follower rows
    python bench/reach.py --people 5000      # a quick run

Generates each person's audience (1 to 39 followers, hashes drawn from a
Zipf law over 400,000 followers, so that popular followers are shared by
many), then times the three steps the analysis runs on it:
:func:`orgnet.reach.owner_audiences` (the sparse owner x follower matrix),
:func:`orgnet.reach.marginal_reach` and :func:`orgnet.reach.max_coverage`
for a squad of ``--squad``. Prints seconds per step and their total against
the target; ``tests/test_reach.py`` checks the answers against Python sets.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from orgnet.reach import marginal_reach, max_coverage, owner_audiences

#: Target: the three steps for 50,000 people in well under 15 s (the bound the test suite once timed).
TARGET_SECONDS = 15.0


def followers_table(people: int, seed: int = 0) -> pd.DataFrame:
    """Follower rows of ``people`` person accounts on one platform (see the module docstring)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 40, size=people)
    owners = np.repeat(np.arange(people), sizes)
    hashes = rng.zipf(1.3, size=len(owners)) % 400_000
    return pd.DataFrame({"owner_type": "person", "owner": owners, "platform": "li", "follower_hash": hashes})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--squad", type=int, default=100)
    args = parser.parse_args()
    followers = followers_table(args.people)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    reach = owner_audiences(None, followers)
    timings["owner_audiences"] = time.perf_counter() - started
    started = time.perf_counter()
    marginal = marginal_reach(reach)
    timings["marginal_reach"] = time.perf_counter() - started
    started = time.perf_counter()
    squad = max_coverage(reach, args.squad)
    timings[f"max_coverage (k={args.squad})"] = time.perf_counter() - started
    print(f"{args.people:,} people, {len(followers):,} follower rows, {reach.matrix.shape[1]:,} distinct followers")
    for name, seconds in timings.items():
        print(f"{name:<24} {seconds:7.2f} s")
    total = sum(timings.values())
    print(f"{'total':<24} {total:7.2f} s (target {TARGET_SECONDS:.0f} s)")
    print(
        f"squad of {len(squad.members)} reaches {squad.unique_reach:,.0f}; {int((marginal['marginal_reach'] > 0).sum()):,} people add reach alone"
    )


if __name__ == "__main__":
    main()
