"""A Microsoft Viva Insights person-to-person export of the sample organisation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from orgnet.synth.org import SAMPLE_PERIODS, Org, Ties, month_bounds

__all__ = ["write_viva"]


def write_viva(org: Org, ties: Ties, rng: np.random.Generator, out: Path) -> tuple[dict[str, Any], list[tuple[str, int, int]]]:
    """Write ``viva/person_to_person.csv``: one row per month for a sixth of the pairs (both people employed all month).

    Returns
    -------
    (``{"rows": ...}``, the (period, primary, secondary) of every row).
    """
    rows, ties_out = [], []
    for month, label in enumerate(SAMPLE_PERIODS):
        start, _ = month_bounds(label)
        for (a, b), (rate, first) in sorted(ties.items()):
            if first > month or max(org.hire[a], org.hire[b]) > start or (a * 7919 + b * 104729) % 6:
                continue
            primary, secondary = (a, b) if rng.random() < 0.5 else (b, a)
            rows.append(
                {
                    "PrimaryCollaborator_PersonId": org.ids[primary],
                    "SecondaryCollaborator_PersonId": org.ids[secondary],
                    "PrimaryCollaborator_Organization": org.dept_name(primary),
                    "SecondaryCollaborator_Organization": org.dept_name(secondary),
                    "PrimaryCollaborator_LevelDesignation": org.levels[primary],
                    "SecondaryCollaborator_LevelDesignation": org.levels[secondary],
                    "StrongTieScore": round(min(1.0, 0.2 + 0.35 * rate + 0.1 * rng.random()), 2),
                    "MetricDate": start.isoformat(),
                }
            )
            ties_out.append((label, primary, secondary))
    (out / "viva").mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(out / "viva" / "person_to_person.csv", index=False, lineterminator="\n")
    return {"rows": len(rows)}, ties_out
