"""``orgnet info``: what the store holds."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from orgnet.cli.app import JsonOption, StoreOption, app, console, emit_json, friendly_errors, store_from
from orgnet.store import SETTING_DOMAINS, SETTING_PERIOD_UNIT, SETTING_PSEUDONYM, Store

__all__ = ["info_command", "store_info"]


def store_info(store: Store) -> dict[str, Any]:
    """A summary of a store: row counts, periods, channels, ingested sources and rejects.

    Returns
    -------
    dict with ``store``, ``counts`` (people, ties, ...), ``periods`` (sorted
    labels), ``channels`` (channel -> tie count), ``settings`` (period unit,
    domains, whether pseudonymised) and ``ingests`` (one entry per ledger
    line: source, path, finished_at, counts, rejects).
    """
    import numpy as np

    settings = store.settings()
    ties = store.tie_columns()
    per_channel = np.bincount(ties.channel, minlength=len(ties.channels))
    return {
        "store": store.location,
        "counts": store.counts(),
        "periods": store.periods(),
        "channels": {str(channel): int(n) for channel, n in zip(ties.channels, per_channel) if n},
        "settings": {
            "period_unit": settings.get(SETTING_PERIOD_UNIT, "month"),
            "domains": [d for d in settings.get(SETTING_DOMAINS, "").split(",") if d],
            "pseudonymised": SETTING_PSEUDONYM in settings,
        },
        "ingests": [
            {
                "source": record.source,
                "path": record.path,
                "finished_at": record.finished_at,
                "counts": record.report.get("counts", {}),
                "rejects": record.report.get("rejects", 0),
                "unknown_internal": sum(record.report.get("unknown_internal", {}).values()),
            }
            for record in store.ingests()
        ],
    }


def print_info(info: dict[str, Any]) -> None:
    """Print :func:`store_info` as readable tables."""
    counts = info["counts"]
    console.print(
        f"[bold]store[/] {info['store']}  ({'pseudonymised' if info['settings']['pseudonymised'] else 'named'} identities, ties by {info['settings']['period_unit']})"
    )
    summary = Table(show_header=False)
    for name in ("people", "ties", "periods", "external_contacts", "audiences", "followers", "engagement", "ingests", "results"):
        summary.add_row(name.replace("_", " "), f"{counts.get(name, 0):,}")
    console.print(summary)
    if info["periods"]:
        console.print(f"periods: {info['periods'][0]} .. {info['periods'][-1]}")
    if info["channels"]:
        console.print("channels: " + ", ".join(f"{k} ({v:,} ties)" for k, v in sorted(info["channels"].items())))
    if info["ingests"]:
        ledger = Table("source", "path", "finished", "records read", "rejects", title="sources ingested", title_justify="left")
        for entry in info["ingests"]:
            counts = entry["counts"]
            read = counts.get("rows", counts.get("interactions", 0))
            ledger.add_row(entry["source"], entry["path"], entry["finished_at"][:19], f"{read:,}", str(entry["rejects"]))
        console.print(ledger)


@app.command("info")
@friendly_errors
def info_command(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Show what the store holds: people, ties, periods, channels, sources ingested and rejects."""
    with store_from(store) as opened:
        info = store_info(opened)
    if as_json:
        emit_json(info)
    else:
        print_info(info)
