"""``orgnet serve`` and ``orgnet demo``: the commands that start the service.

They live above ``orgnet/`` (the service imports ``viz/``) and join the
``orgnet`` command through the ``orgnet.cli`` entry point group
(``serve = "orgnet.api.cli"`` in ``pyproject.toml``), so the core never imports
``api/``. Both are thin shells: ``serve`` calls :func:`orgnet.api.server.serve`;
``demo`` ingests the samples, analyses every period, creates an admin key,
prints the summary, the address and the key, then serves. Options left out
fall back to the settings (:mod:`orgnet.settings`), which read the environment.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from orgnet.cli.app import JsonOption, StoreOption, app, console, emit_json, friendly_errors
from orgnet.cli.info import print_info, store_info

__all__ = ["DEMO_KEY_NAME", "demo_command", "serve_command"]

#: The name of the admin key ``orgnet demo`` hands out; each run revokes the previous one.
DEMO_KEY_NAME = "orgnet demo"

HostOption = Annotated[
    str | None, typer.Option("--host", help="Interface to listen on (default ORGNET_HOST, else 127.0.0.1).", show_default=False)
]
PortOption = Annotated[int | None, typer.Option("--port", help="Port to listen on (default ORGNET_PORT, else 8000).", show_default=False)]


@app.command("serve")
@friendly_errors
def serve_command(
    store: StoreOption = None,
    host: HostOption = None,
    port: PortOption = None,
    min_group_size: Annotated[
        int | None,
        typer.Option(
            "--min-group-size", help="Suppress figures of smaller groups (default ORGNET_MIN_GROUP_SIZE, else 5).", show_default=False
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Worker processes, one per core under load (default ORGNET_WORKERS, else 1).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the JSON API (/api/v1, docs at /docs) and the browser pages until interrupted."""
    from orgnet.api.server import serve, url_of
    from orgnet.api.settings import Settings
    from orgnet.settings import load_settings

    settings = load_settings(Settings, store=store, host=host, port=port, min_group_size=min_group_size, workers=workers)
    url = url_of(settings.host, settings.port)
    console.print(f"serving {settings.store} at {url} (API docs at {url}docs); Ctrl-C stops", highlight=False, soft_wrap=True)
    sys.stdout.flush()
    serve(settings)


def _default_samples() -> Path:
    from orgnet.ingest.samples import SAMPLES_DIR

    return SAMPLES_DIR


@app.command("demo")
@friendly_errors
def demo_command(
    store: Annotated[
        str | None, typer.Option("--store", help="Store to fill (default ORGNET_STORE, else ./orgnet.db).", show_default=False)
    ] = None,
    samples: Annotated[Path | None, typer.Option("--samples", help="Folder of sample sources (default: the bundled data/samples).")] = None,
    host: HostOption = None,
    port: PortOption = None,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the analysed samples afterwards (until Ctrl-C).")] = True,
    as_json: JsonOption = False,
) -> None:
    """Ingest every bundled sample source into the store, analyse every period, print the summary, then serve it.

    Prints the address to open and an admin key to log in with: a new one each run, and the previous demo key is
    revoked (and said so), so the store never holds more than one. Running it again is safe: sources already ingested
    are skipped. `--no-serve` stops after the summary (for scripts).
    """
    from rich.progress import Progress

    from orgnet.access import replace_key
    from orgnet.analysis import analyze_periods
    from orgnet.api.server import serve as serve_app
    from orgnet.api.server import url_of
    from orgnet.api.settings import Settings
    from orgnet.ingest.samples import SAMPLE_SOURCES, ingest_samples
    from orgnet.settings import load_settings
    from orgnet.store import open_store

    settings = load_settings(Settings, store=store, host=host, port=port)
    with open_store(settings=settings) as opened:
        with Progress(console=console, transient=True, disable=as_json) as progress:
            task = progress.add_task("ingesting samples", total=len(SAMPLE_SOURCES))

            def advance(index: int, source: str, path: str) -> None:
                progress.update(task, description=f"ingesting {source}", completed=index)

            reports = ingest_samples(opened, samples or _default_samples(), progress=advance)
            progress.update(task, description="analysing every period", completed=len(SAMPLE_SOURCES))
            runs = analyze_periods(opened)
        info = store_info(opened)
        key_id, key, revoked = replace_key(opened, "admin", DEMO_KEY_NAME)
    url = url_of(settings.host, settings.port)
    if as_json:
        emit_json(
            {
                "ingests": [r.to_dict() for r in reports],
                "analyses": [run.to_dict() for run in runs],
                "summary": info,
                "url": url,
                "key_id": key_id,
                "key": key,
                "revoked_keys": revoked,
            }
        )
    else:
        for report in reports:
            state = "skipped (already ingested)" if report.skipped else ", ".join(f"{k} {v:,}" for k, v in list(report.counts.items())[:4])
            console.print(f"[green]✓[/] {report.source:<13} {state}")
        console.print(f"[green]✓[/] analysed {len(runs)} periods: {runs[0].label} .. {runs[-1].label}")
        print_info(info)
        if serve:
            console.print("\nopen this address and log in with the admin key below (API docs under /docs; Ctrl-C stops):")
            console.print(url, highlight=False, soft_wrap=True)
        else:
            console.print(f"\nadmin key for `orgnet serve` ({key_id}):")
        console.print(key, highlight=False, soft_wrap=True)
        if revoked:
            console.print(f"(the previous demo key {', '.join(revoked)} is revoked: only this one works now)", highlight=False)
    # The caller (a terminal, a script, a test) reads the address and key before the server blocks.
    sys.stdout.flush()
    if serve:
        serve_app(settings)
