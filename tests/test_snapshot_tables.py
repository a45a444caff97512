"""orgnet.analysis.snapshot_from_tables with its default (absent) audience, follower and engagement tables."""

from __future__ import annotations

import pandas as pd

from orgnet.analysis import AnalysisOptions, run_jobs, snapshot_from_tables
from orgnet.jobs import ADVOCATES
from orgnet.model import AUDIENCE_COLUMNS, ENGAGEMENT_COLUMNS, FOLLOWER_COLUMNS


def test_the_advocates_job_runs_on_a_snapshot_without_engagement():
    people = pd.DataFrame({"person_id": ["a", "b", "c"], "department": ["x", "x", "y"]})
    ties = pd.DataFrame(
        {
            "source": ["a", "b", "a"],
            "target": ["b", "c", "c"],
            "period": ["2026-10"] * 3,
            "channel": ["email"] * 3,
            "count": [2, 1, 1],
            "weight": [2.0, 1.0, 1.0],
            "first_seen": ["2026-10-01"] * 3,
            "last_seen": ["2026-10-02"] * 3,
        }
    )
    data = snapshot_from_tables("2026-10", "2026-10", "2026-10", people, ties)
    assert list(data.engagement.columns) == ENGAGEMENT_COLUMNS
    assert (list(data.audiences.columns), list(data.followers.columns)) == (AUDIENCE_COLUMNS, FOLLOWER_COLUMNS)
    results, _ = run_jobs(data, AnalysisOptions(workers=1, layout=False))
    table = results[ADVOCATES.name].table.to_pandas().set_index("person_id")
    # Nobody acts and nobody follows: the ranking rests on the graph alone.
    assert (table["actions_per_month"] == 0).all() and (table["followers"] == 0).all()
    assert set(table.index) == {"a", "b", "c"}
