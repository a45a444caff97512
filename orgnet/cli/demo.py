"""``orgnet demo``: the main job on the bundled samples, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import Progress

from ingest.samples import SAMPLE_SOURCES, SAMPLES_DIR, ingest_samples
from orgnet.analysis import analyze_periods
from orgnet.cli.app import JsonOption, app, console, emit_json, friendly_errors, store_from
from orgnet.cli.info import print_info, store_info

__all__ = ["demo_command"]


@app.command("demo")
@friendly_errors
def demo_command(
    store: Annotated[
        Optional[str],
        typer.Option("--store", envvar="ORGNET_STORE", help="Store to fill (default ./orgnet.db)."),
    ] = None,
    samples: Annotated[Path, typer.Option("--samples", help="Folder of sample sources.")] = SAMPLES_DIR,
    as_json: JsonOption = False,
) -> None:
    """Ingest every bundled sample source into the store, analyse every period, then print the summary.

    Running it again is safe: sources already ingested are skipped.
    """
    opened = store_from(store)
    try:
        with Progress(console=console, transient=True, disable=as_json) as progress:
            task = progress.add_task("ingesting samples", total=len(SAMPLE_SOURCES))

            def advance(index: int, source: str, path: str) -> None:
                progress.update(task, description=f"ingesting {source}", completed=index)

            reports = ingest_samples(opened, samples, progress=advance)
            progress.update(task, description="analysing every period", completed=len(SAMPLE_SOURCES))
            runs = analyze_periods(opened)
        info = store_info(opened)
    finally:
        opened.close()
    if as_json:
        emit_json({"ingests": [r.to_dict() for r in reports], "analyses": [run.to_dict() for run in runs], "summary": info})
        return
    for report in reports:
        state = "skipped (already ingested)" if report.skipped else ", ".join(f"{k} {v:,}" for k, v in list(report.counts.items())[:4])
        console.print(f"[green]✓[/] {report.source:<13} {state}")
    console.print(f"[green]✓[/] analysed {len(runs)} periods: {runs[0].label} .. {runs[-1].label}")
    print_info(info)
