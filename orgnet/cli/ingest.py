"""``orgnet ingest SOURCE PATH``: load one source file into the store."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from orgnet.cli.app import JsonOption, StoreOption, app, console, emit_json, friendly_errors, store_from
from orgnet.defaults import (
    DEFAULT_BROADCAST_CUTOFF,
    DEFAULT_MAX_EVENT_HOURS,
    DEFAULT_MEETING_CUTOFF,
    MAX_BROADCAST_CUTOFF,
    MAX_EVENT_HOURS,
    MAX_MEETING_CUTOFF,
)
from orgnet.errors import OrgnetError
from orgnet.ingest import SOURCES
from orgnet.model import IngestReport

__all__ = ["ingest_command", "parse_mapping", "print_report"]

_SOURCE_HELP = "\n".join(f"{name}: {what}" for name, (_, what) in SOURCES.items())


def parse_mapping(pairs: list[str], mapping_file: Path | None) -> dict[str, str]:
    """Field -> column overrides from ``FIELD=COLUMN`` pairs and an optional JSON file (pairs win)."""
    mapping: dict[str, str] = {}
    if mapping_file is not None:
        try:
            loaded = json.loads(mapping_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise OrgnetError(f"cannot read the mapping file {mapping_file}: {error}") from None
        if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
            raise OrgnetError(f"{mapping_file}: a mapping file is a JSON object of FIELD: COLUMN strings")
        mapping.update(loaded)
    for pair in pairs:
        field, separator, column = pair.partition("=")
        if not separator or not field.strip() or not column.strip():
            raise OrgnetError(f"--map takes FIELD=COLUMN, not {pair!r}")
        mapping[field.strip()] = column.strip()
    return mapping


def print_report(report: IngestReport) -> None:
    """Print an ingest report as a short table."""
    if report.skipped:
        console.print(f"[yellow]{report.source}[/] {report.path}: {report.notes[0]}")
        return
    table = Table(title=f"{report.source}: {report.path}", show_header=False, title_justify="left")
    for name, value in report.counts.items():
        table.add_row(name.replace("_", " "), f"{value:,}")
    if report.first_date:
        table.add_row("dates", f"{report.first_date} to {report.last_date}")
    console.print(table)
    if report.unknown_internal:
        listed = ", ".join(f"{k} ({v})" for k, v in list(report.unknown_internal.items())[:10])
        console.print(f"[yellow]unknown internal addresses[/]: {listed}")
    for note in report.notes:
        console.print(f"note: {note}")


@app.command("ingest", help=f"Ingest one source file or folder into the store.\n\nSources:\n\n{_SOURCE_HELP}")
@friendly_errors
def ingest_command(
    source: Annotated[str, typer.Argument(help="Source format: " + ", ".join(SOURCES), show_default=False)],
    path: Annotated[Path, typer.Argument(help="The file or folder to ingest.", show_default=False)],
    store: StoreOption = None,
    skip_bad_rows: Annotated[
        bool, typer.Option("--skip-bad-rows", help="Ingest the good rows; write the bad ones to a rejects file.")
    ] = False,
    rejects: Annotated[Path | None, typer.Option("--rejects", help="Rejects file (default: PATH.rejects.csv).")] = None,
    period_unit: Annotated[
        str, typer.Option("--period-unit", help="Aggregate ties by calendar 'month' (YYYY-MM) or ISO 'week' (YYYY-Www).")
    ] = "month",
    column_map: Annotated[list[str] | None, typer.Option("--map", help="Read FIELD from column COLUMN (FIELD=COLUMN; repeatable).")] = None,
    mapping_file: Annotated[Path | None, typer.Option("--mapping", help="JSON file of FIELD: COLUMN pairs.")] = None,
    ignore_column: Annotated[
        list[str] | None, typer.Option("--ignore-column", help="A column orgnet may skip without reading (repeatable).")
    ] = None,
    channel: Annotated[str | None, typer.Option("--channel", help="Channel of every row when the file has no channel column.")] = None,
    broadcast_cutoff: Annotated[
        int, typer.Option("--broadcast-cutoff", min=1, max=MAX_BROADCAST_CUTOFF, help="Drop e-mails to more recipients (counted).")
    ] = DEFAULT_BROADCAST_CUTOFF,
    meeting_cutoff: Annotated[
        int, typer.Option("--meeting-cutoff", min=2, max=MAX_MEETING_CUTOFF, help="Drop meetings with more attendees (counted).")
    ] = DEFAULT_MEETING_CUTOFF,
    accept_dates_from: Annotated[
        dt.datetime | None,
        typer.Option("--accept-dates-from", formats=["%Y-%m-%d"], help="Accept instants from this day on (default: 1990-01-01)."),
    ] = None,
    accept_dates_to: Annotated[
        dt.datetime | None,
        typer.Option("--accept-dates-to", formats=["%Y-%m-%d"], help="Accept instants up to this day (default: a year from today)."),
    ] = None,
    until: Annotated[
        dt.datetime | None,
        typer.Option(
            "--until",
            formats=["%Y-%m-%d"],
            help="Expand recurring calendar events up to this day (default: the end of the last period in the files).",
        ),
    ] = None,
    max_event_hours: Annotated[
        float, typer.Option("--max-event-hours", min=0.0, max=MAX_EVENT_HOURS, help="Drop calendar events longer than this (counted).")
    ] = DEFAULT_MAX_EVENT_HOURS,
    score: Annotated[str, typer.Option("--score", help="Viva Insights tie score column.")] = "StrongTieScore",
    domain: Annotated[
        list[str] | None, typer.Option("--domain", help="The organisation's e-mail domain (repeatable; default: the roster's).")
    ] = None,
    pseudonymise: Annotated[
        bool,
        typer.Option("--pseudonymise", help="Replace identifiers by keyed hashes (key in ORGNET_PSEUDONYM_KEY); names are not stored."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    from orgnet.ingest import check_source
    from orgnet.ingest.base import IngestOptions
    from orgnet.ingest.pipeline import ingest_path

    # The source and the options are checked before the store is opened, so bad arguments leave no store behind.
    check_source(source)
    options = IngestOptions(
        skip_bad_rows=skip_bad_rows,
        rejects_path=rejects,
        period_unit=period_unit,  # type: ignore[arg-type]
        mapping=parse_mapping(column_map or [], mapping_file),
        ignore_columns=list(ignore_column or []),
        channel=channel,
        broadcast_cutoff=broadcast_cutoff,
        meeting_cutoff=meeting_cutoff,
        accept_dates_from=accept_dates_from.date() if accept_dates_from else None,
        accept_dates_to=accept_dates_to.date() if accept_dates_to else None,
        until=until.date() if until else None,
        max_event_hours=max_event_hours,
        score_column=score,
        domains=list(domain or []),
        pseudonymise=pseudonymise,
    )
    with store_from(store) as opened, console.status(f"ingesting {path} ...", spinner="dots"):
        report = ingest_path(opened, source, path, options)
    if as_json:
        emit_json(report.to_dict())
    else:
        print_report(report)
