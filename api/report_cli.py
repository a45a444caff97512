"""``orgnet report``, ``orgnet reports`` and ``orgnet schedule``: growth reports, written now or on a schedule.

Registered on the ``orgnet`` app through the ``orgnet.cli`` entry point
group, because reports draw figures (``viz/``) the core must not import.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from orgnet.cli.app import JsonOption, StoreOption, app, console, emit_json, friendly_errors, print_records, store_from

if TYPE_CHECKING:
    from orgnet.schedule import Steps
    from orgnet.store import Store

__all__ = ["report_command", "reports_command", "schedule_command", "schedule_steps"]

# Reports draw figures (plotly) and read settings (pydantic): each command imports them when it runs, so that
# registering these commands costs `orgnet --help` nothing.


def _report_step(min_group_size: int):
    from orgnet.api.reports import write_report

    def report(store: Store, before: str, after: str, out: Path, by: str) -> dict[str, Any]:
        return write_report(store, before, after, out, min_group_size=min_group_size, by=by)

    return report


def schedule_steps(min_group_size: int) -> Steps:
    """The steps of a scheduled run: orgnet's ingesters and :func:`orgnet.api.reports.write_report`."""
    from orgnet.ingest.pipeline import ingest_path
    from orgnet.schedule import Steps

    return Steps(ingest=ingest_path, report=_report_step(min_group_size))


@app.command("report")
@friendly_errors
def report_command(
    start: Annotated[str, typer.Option("--from", help="Snapshot to compare from: a period (2026-09) or a range (2026-07..2026-09).")],
    end: Annotated[str, typer.Option("--to", help="Snapshot to compare with it.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for report.html, figures/*.json and tables/*.csv (replaced when complete).")],
    store: StoreOption = None,
    min_group_size: Annotated[
        int | None, typer.Option("--min-group-size", min=1, help="Smallest group shown (default ORGNET_MIN_GROUP_SIZE or 5).")
    ] = None,
    by: Annotated[
        str,
        typer.Option("--by", help="HR attribute the groups of the report are made of (analysed with `orgnet analyze --by` first)."),
    ] = "department",
    as_json: JsonOption = False,
) -> None:
    """Write the growth report comparing two analysed snapshots: summary in words, growth charts, silo change, advocate movers, reach."""
    from orgnet.api.reports import write_report
    from orgnet.api.settings import Settings
    from orgnet.settings import load_settings

    with store_from(store) as opened:
        minimum = load_settings(Settings, min_group_size=min_group_size).min_group_size
        record = write_report(opened, start, end, out, min_group_size=minimum, by=by)
    if as_json:
        emit_json(record)
        return
    for sentence in record["summary"]:
        console.print(f"• {sentence}", highlight=False)
    console.print(f"[green]✓[/] report {record['id']} written to {record['html']}")


@app.command("reports")
@friendly_errors
def reports_command(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """List the reports written, newest first."""
    from orgnet.api.reports import list_reports

    with store_from(store) as opened:
        records = list_reports(opened)
    if as_json:
        emit_json(records)
        return
    print_records(records, ["id", "before", "after", "created_at", "html"], "Reports")


@app.command("schedule")
@friendly_errors
def schedule_command(
    config: Annotated[Path, typer.Option("--config", help="Schedule file (TOML, or JSON by its suffix).")] = Path("orgnet-schedule.toml"),
    store: StoreOption = None,
    once: Annotated[bool, typer.Option("--once", help="Catch up missed runs, then exit instead of waiting for the next ones.")] = False,
    history: Annotated[bool, typer.Option("--history", help="Print the run history and exit.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Run the scheduled jobs of a config file (ingest dropped files, analyse, write the report), catching up a missed run once."""
    from orgnet.api.settings import Settings
    from orgnet.schedule import Scheduler, load_config
    from orgnet.settings import load_settings

    schedule = load_config(config)
    with store_from(store or schedule.store) as opened:
        if history:
            runs = [vars(run) for run in opened.runs()]
            emit_json(runs) if as_json else print_records(
                runs, ["job", "scheduled_for", "started_at", "finished_at", "status", "detail"], "Scheduled runs"
            )
            return
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        scheduler = Scheduler(opened, schedule, schedule_steps(load_settings(Settings).min_group_size))
        if once:
            runs = [vars(run) for run in scheduler.catch_up()]
            emit_json(runs) if as_json else print_records(runs, ["job", "scheduled_for", "status", "detail"], "Runs caught up")
            return
        console.print(f"scheduling {', '.join(f'{job.name} ({job.cron})' for job in schedule.jobs)}; Ctrl-C stops")
        scheduler.start()
