"""``orgnet serve``: the JSON API and the browser pages on the configured store."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from orgnet.cli.app import StoreOption, app, console, friendly_errors

__all__ = ["serve_command"]


@app.command("serve")
@friendly_errors
def serve_command(
    store: StoreOption = None,
    host: Annotated[str, typer.Option("--host", envvar="ORGNET_HOST", help="Interface to listen on (localhost by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", envvar="ORGNET_PORT", help="Port to listen on.")] = 8000,
    min_group_size: Annotated[
        Optional[int], typer.Option("--min-group-size", envvar="ORGNET_MIN_GROUP_SIZE", help="Suppress figures of smaller groups (default 5).")
    ] = None,
) -> None:
    """Serve the JSON API (/api/v1, docs at /docs) and the browser pages until interrupted."""
    # The service lives above orgnet/ (it imports viz/ too); the command line is the one shell that starts it.
    from api.server import serve, url_of

    console.print(f"serving {store or 'the configured store'} at {url_of(host, port)} (API docs at {url_of(host, port)}docs); Ctrl-C stops")
    serve(store, host, port, min_group_size=min_group_size)
