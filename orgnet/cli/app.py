"""The ``orgnet`` command: one Typer app, with shared options and error handling.

Each module of :mod:`orgnet.cli` registers its commands on :data:`app`; each
command is a thin shell over one library call.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from orgnet.errors import OrgnetError
from orgnet.store import Store, open_store

__all__ = [
    "JsonOption",
    "StoreOption",
    "app",
    "cell",
    "console",
    "emit_json",
    "friendly_errors",
    "print_records",
    "store_from",
]

app = typer.Typer(
    name="orgnet",
    help=(
        "Organizational network analysis from interaction metadata: ingest logs into a people graph, "
        "find advocates, bridges across silos and the reach of employee social graphs."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
console = Console()
error_console = Console(stderr=True)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Store location: an SQLite file or a bolt:// / neo4j:// URI (default ORGNET_STORE, else ./orgnet.db).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]

Command = TypeVar("Command", bound=Callable[..., Any])


def friendly_errors(command: Command) -> Command:
    """Turn :class:`~orgnet.errors.OrgnetError` into one clear message on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except OrgnetError as error:
            # The message may quote input (a column name such as "[/bold]"): escaped, it is printed as written.
            error_console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, markup=True, soft_wrap=True)
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


def emit_json(data: Any) -> None:
    """Write ``data`` as indented JSON to standard output."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def store_from(location: str | None) -> Store:
    """Open the store the ``--store`` option (or ``ORGNET_STORE``) names."""
    return open_store(location)


def print_records(
    records: list[dict[str, Any]],
    columns: list[str],
    title: str | None = None,
    limit: int | None = None,
    names: dict[str, str] | None = None,
) -> None:
    """Print records as a table of ``columns``, each value as a person reads it (:func:`cell`).

    Headers are the column names in words (``vertical_share``: "vertical share"); with ``names`` (person id ->
    name), ids in the id columns (``person_id``, ``carrier_ids``...) get the name beside them.
    """
    from rich.table import Table

    table = Table(*(column.replace("_", " ") for column in columns), title=title, title_justify="left")
    for record in records[:limit] if limit else records:
        table.add_row(*(cell(column, record.get(column), names or {}) for column in columns))
    console.print(table)


#: Columns that hold person ids, written with the person's name beside them when it is known.
ID_COLUMNS = frozenset({"person_id", "person", "carrier_ids", "articulation_points"})


def cell(column: str, value: Any, names: dict[str, str] | None = None) -> str:
    """A value of ``column`` as a person reads it.

    Counts (whole numbers, even stored as floats) as integers with thousands separators; shares (a column named
    ``*_share`` or ``share``) as percentages; ``ratio`` as a multiple ("0.41" and the multiplication sign); the E-I index signed; other
    other numbers with the decimals their size needs (none from 100, one from 10, three below, four below 0.1 as
    densities are); lists joined; ids with the name beside them.
    """
    names = names or {}
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, list):
        return ", ".join(cell(column, item, names) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if column in ID_COLUMNS and isinstance(value, str) and value in names:
        return f"{names[value]} ({value})"
    if isinstance(value, (int, float)):
        if column.endswith("share") or column.endswith("shares"):
            return f"{100 * value:.0f}%"
        if column == "ratio":
            return f"{value:.2f}×"
        if column.startswith("ei_index"):
            return f"{value:+.2f}"
        if float(value).is_integer() and (isinstance(value, int) or abs(value) >= 1):
            return f"{int(value):,}"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.4f}" if abs(value) < 0.1 else f"{value:.3f}"
    return str(value)
