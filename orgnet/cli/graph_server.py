"""``orgnet graph-server``: a local Neo4j Community with Graph Data Science, for people who have no Neo4j.

A thin shell over :func:`orgnet.graph_server.start`: the same server the test suite runs (Neo4j 5.26 LTS
and GDS, fetched by Maven on first use), bound to 127.0.0.1, user ``neo4j``, data kept under ``--root``.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from orgnet.cli.app import app, console, friendly_errors
from orgnet.graph_server import GDS_VERSION, NEO4J_VERSION, start

__all__ = ["graph_server_command"]


@app.command("graph-server")
@friendly_errors
def graph_server_command(
    root: Annotated[Path, typer.Option("--root", help="Folder for the server's data, logs and configuration (kept between runs).")] = Path(
        "orgnet-graph"
    ),
    port: Annotated[int, typer.Option("--port", help="Bolt port on 127.0.0.1.")] = 7687,
    password: Annotated[
        str,
        typer.Option(
            "--password",
            help="Password of user neo4j (8 characters or more; default NEO4J_PASSWORD); a random one is printed when neither is given.",
            show_default=False,
        ),
    ] = "",
    heap: Annotated[str, typer.Option("--heap", help="JVM heap: GDS holds its projected graphs there.")] = "2g",
    pagecache: Annotated[str, typer.Option("--pagecache", help="Neo4j's page cache (the graph on disk, cached in memory).")] = "1g",
) -> None:
    """Start Neo4j Community with Graph Data Science on 127.0.0.1 until Ctrl-C.

    Needs a Java 17 or 21 JDK and Maven (Debian: apt-get install default-jdk-headless maven); the first
    start fetches Neo4j and GDS into ~/.m2. Then, in another shell: NEO4J_PASSWORD=... orgnet ingest
    roster people.csv --store bolt://127.0.0.1:7687
    """
    from orgnet.settings import load_settings

    password = password or load_settings().neo4j_password.get_secret_value()
    given = bool(password)
    console.print(f"starting Neo4j {NEO4J_VERSION} with Graph Data Science {GDS_VERSION} under {root} ...", highlight=False, soft_wrap=True)
    server = start(root, password or None, port, heap=heap, pagecache=pagecache)
    stop = threading.Event()
    try:
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: stop.set())
        secret = "" if given else f", password {server.password}"
        console.print(f"READY {server.uri} user {server.user}{secret} (Ctrl-C stops it)", highlight=False, soft_wrap=True)
        console.print(f"  NEO4J_PASSWORD=... orgnet info --store {server.uri}", highlight=False, soft_wrap=True)
        while not stop.wait(0.5) and server.process.poll() is None:
            pass
    finally:
        server.stop()
    if server.process.returncode not in (0, None) and not stop.is_set():
        console.print(
            f"the server stopped by itself (status {server.process.returncode}); see {server.log}", highlight=False, soft_wrap=True
        )
        raise typer.Exit(code=1)
