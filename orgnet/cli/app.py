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

__all__ = ["JsonOption", "StoreOption", "app", "console", "emit_json", "friendly_errors", "print_records", "store_from"]

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


def print_records(records: list[dict[str, Any]], columns: list[str], title: str | None = None, limit: int | None = None) -> None:
    """Print records as a table of ``columns``; floats get 3 significant decimals, lists are joined."""
    from rich.table import Table

    table = Table(*columns, title=title, title_justify="left")
    for record in records[:limit] if limit else records:
        table.add_row(*(_cell(record.get(column)) for column in columns))
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(_cell(item) for item in value)
    return str(value)
