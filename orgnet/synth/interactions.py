"""The generic interactions table: chat, call and collaboration rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from orgnet.synth.activity import Event, iso
from orgnet.synth.org import Org

__all__ = ["write_interactions"]


def write_interactions(org: Org, found: list[Event], rng: np.random.Generator, out: Path) -> dict[str, Any]:
    """Write ``interactions.csv``: the chat, call and collab events, people named by id, address, alias handle or ``Name <address>``.

    Returns
    -------
    ``rows``, ``rows_by_channel`` and ``references_by_form`` (how often each way of naming a person was used).
    """
    forms = {"id": 0, "email": 0, "alias": 0, "angle": 0}

    def ref(person: int) -> str:
        form = str(rng.choice(["id", "email", "alias", "angle"], p=[0.35, 0.4, 0.17, 0.08]))
        forms[form] += 1
        if form == "id":
            return org.ids[person]
        if form == "alias":
            return str(rng.choice(org.aliases[person]))
        if form == "angle":
            return f"{org.names[person]} <{org.emails[person]}>"
        return org.emails[person]

    rows = []
    for event in found:
        if event.channel in ("chat", "call", "collab"):
            duration = f"{event.duration:g}" if event.channel == "call" else ""
            rows.append((ref(event.sender), ";".join(ref(k) for k in event.recipients), iso(event.time), event.channel, duration))
    frame = pd.DataFrame(rows, columns=["sender", "recipients", "timestamp", "channel", "duration_hours"])
    frame.to_csv(out / "interactions.csv", index=False, lineterminator="\n")
    return {
        "rows": len(frame),
        "rows_by_channel": {k: int(v) for k, v in frame["channel"].value_counts().sort_index().items()},
        "references_by_form": forms,
    }
