"""The ``orgnet`` command: one Typer app, with shared options and error handling.

Each module of :mod:`orgnet.cli` registers its commands on :data:`app`; each
command is a thin shell over one library call.
"""

from __future__ import annotations

import functools
import json
import sys
from typing import Annotated, Any, Callable, Optional, TypeVar

import typer
from rich.console import Console

from orgnet.errors import OrgnetError
from orgnet.store import STORE_ENV, Store, open_store

__all__ = ["app", "console", "StoreOption", "JsonOption", "friendly_errors", "emit_json", "store_from"]

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
    Optional[str],
    typer.Option(
        "--store",
        envvar=STORE_ENV,
        help="Store location: an SQLite file (default ./orgnet.db) or a bolt:// / neo4j:// URI.",
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
            error_console.print(f"[bold red]error:[/] {error}", highlight=False, markup=True, soft_wrap=True)
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


def emit_json(data: Any) -> None:
    """Write ``data`` as indented JSON to standard output."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def store_from(location: str | None) -> Store:
    """Open the store the ``--store`` option (or ``ORGNET_STORE``) names."""
    return open_store(location)
