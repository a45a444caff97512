"""``orgnet export``: the people graph as GraphML, GEXF (Gephi) or neo4j-admin import CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orgnet.cli.app import JsonOption, StoreOption, app, console, emit_json, friendly_errors, store_from
from orgnet.errors import OrgnetError

__all__ = ["export_command"]


@app.command("export")
@friendly_errors
def export_command(
    output: Annotated[Path, typer.Argument(help="File to write (graphml, gexf) or folder (neo4j-csv).", show_default=False)],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            # The formats are named in the description above: listing orgnet.export.EXPORT_FORMATS here would load
            # NetworkX and pandas for every --help (tests/test_cli.py checks that the description names them all).
            help="One of the formats above; guessed from a .graphml or .gexf suffix when left out.",
            show_default=False,
        ),
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="Only ties of this period (2026-10 or 2026-W41).", show_default=False)
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="Ties from this period on.", show_default=False)] = None,
    end: Annotated[str | None, typer.Option("--to", help="Ties up to this period, inclusive.", show_default=False)] = None,
    channels: Annotated[
        list[str] | None, typer.Option("--channel", help="Only ties of this channel (repeat for several).", show_default=False)
    ] = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export people and ties so analysts can open the graph in Gephi or bulk-load it into Neo4j.

    graphml and gexf write one file: people with their HR attributes, one edge
    per tie (period, channel, count, weight, first_seen, last_seen). neo4j-csv
    writes header and data files plus import.sh for `neo4j-admin database
    import full`. Works on any store.
    """
    from orgnet.export import export_store, format_for

    if period and (start or end):
        raise OrgnetError("give either --period or --from/--to, not both")
    if period:
        start = end = period
    fmt = format_for(output, fmt)
    with store_from(store) as opened:
        written = export_store(opened, output, fmt, start, end, channels)
    if as_json:
        emit_json({"format": fmt, "files": [str(path) for path in written]})
    else:
        console.print(f"wrote {fmt}: " + ", ".join(str(path) for path in written), highlight=False)
