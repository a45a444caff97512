"""Advocacy engagement of the sample organisation: shares, posts, likes and comments on campaigns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from orgnet.synth.activity import Clock
from orgnet.synth.org import SAMPLE_PERIODS, Org, month_of

__all__ = ["write_engagement"]


@dataclass(frozen=True)
class _Campaign:
    """A campaign: its content id, the index of its month in SAMPLE_PERIODS, its launch day, whether leaders lead it."""

    content_id: str
    month: int
    launch: date
    leader_led: bool


def write_engagement(org: Org, audience_sizes: dict[str, int], rng: np.random.Generator, out: Path) -> dict[str, Any]:
    """Write ``engagement.csv``: advocates act every month, emerging ones from 2026-08, leaders on leader-led campaigns.

    Three campaigns a month (``acme-YYYY-MM-a`` is leader-led); shares and
    posts get impressions in proportion to the person's audience
    (``audience_sizes``: person id -> followers over all platforms, 60 when
    unknown) and clicks. 75 casual people act now and then, at most once a
    campaign.

    Returns
    -------
    ``rows``, ``rows_by_action`` and the campaigns with the leaders who shared each.
    """
    clock = Clock(rng)
    campaigns: list[_Campaign] = []
    for month, label in enumerate(SAMPLE_PERIODS):
        for k in range(3):
            launch = clock.days[month][2 + 5 * k]
            campaigns.append(_Campaign(f"acme-{label}-{'abc'[k]}", month, launch, leader_led=k == 0))
    rows: list[tuple[Any, ...]] = []

    def act(person: int, month: int, action: str, content: str, platform: str, earliest: date) -> None:
        day = clock.time(month, max(earliest, org.hire[person])).date()
        impressions = clicks = None
        if action in ("share", "post"):
            reach = audience_sizes.get(org.ids[person], 60)
            impressions = int(reach * rng.uniform(0.15, 0.45)) + int(rng.integers(5, 40))
            clicks = int(impressions * rng.uniform(0.01, 0.04))
        rows.append((org.ids[person], day.isoformat(), action, content, platform, clicks, impressions))

    advocates, emerging = org.roles["advocates"], org.roles["emerging"]
    leaders = [k for k in org.roles["leaders"] if org.hire[k] < date(2026, 5, 1)]
    special = set(advocates) | set(emerging) | set(org.roles["leaders"])
    casual = sorted(int(k) for k in rng.choice([k for k in range(org.size) if k not in special], size=75, replace=False))
    leader_participants: dict[str, list[str]] = {}
    for month in range(len(SAMPLE_PERIODS)):
        start = clock.days[month][0]
        month_campaigns = [c for c in campaigns if c.month == month]
        for k in advocates:
            for c in month_campaigns:
                act(k, month, "share", c.content_id, "linkedin", c.launch)
                if rng.random() < 0.7:
                    act(k, month, "share", c.content_id, "x", c.launch)
            for n in range(int(rng.integers(2, 5))):
                act(k, month, "post", f"{org.ids[k].lower()}-{SAMPLE_PERIODS[month]}-{n}", "linkedin", start)
        for k in emerging:
            if month < 3:
                if month == 2 and rng.random() < 0.5:  # at most a stray like before the rise
                    act(k, month, "like", month_campaigns[0].content_id, "linkedin", month_campaigns[0].launch)
                continue
            for c in month_campaigns[: month - 2]:
                act(k, month, "share", c.content_id, "linkedin", c.launch)
            for n in range(2 * (month - 2)):
                act(k, month, "post", f"{org.ids[k].lower()}-{SAMPLE_PERIODS[month]}-{n}", "linkedin", start)
        for c in month_campaigns:
            if c.leader_led:
                sharing = sorted(int(k) for k in rng.choice(leaders, size=len(leaders) // 2, replace=False))
                leader_participants[c.content_id] = [org.ids[k] for k in sharing]
                for k in sharing:
                    act(k, month, "share", c.content_id, "linkedin", c.launch)
        for k in casual:
            if month_of(org.hire[k]) > month and org.hire[k] >= date(2026, 5, 1):
                continue
            # At most one action per campaign, so no row repeats another.
            picked = rng.choice(len(month_campaigns), size=min(len(month_campaigns), int(rng.poisson(0.8))), replace=False)
            for c in (month_campaigns[int(i)] for i in sorted(picked)):
                action = str(rng.choice(["like", "comment", "share"], p=[0.6, 0.2, 0.2]))
                act(k, month, action, c.content_id, "linkedin", c.launch)
    frame = pd.DataFrame(rows, columns=["person", "date", "action", "content_id", "platform", "clicks", "impressions"])
    frame["clicks"] = frame["clicks"].astype("Int64")
    frame["impressions"] = frame["impressions"].astype("Int64")
    frame = frame.sort_values(["date", "person", "content_id", "platform", "action"], kind="stable", ignore_index=True)
    frame.to_csv(out / "engagement.csv", index=False, lineterminator="\n")
    return {
        "rows": len(frame),
        "rows_by_action": {k: int(v) for k, v in frame["action"].value_counts().sort_index().items()},
        "campaigns": [
            {
                "content_id": c.content_id,
                "launch": c.launch.isoformat(),
                "leader_led": c.leader_led,
                "leaders": leader_participants.get(c.content_id, []),
            }
            for c in campaigns
        ],
    }
