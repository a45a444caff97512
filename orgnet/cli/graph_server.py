"""``orgnet graph-server``: a local Bolt server for browsing the graph with Cypher, no Neo4j needed.

It runs ArcadeDB's Neo4j Bolt plugin from the ``arcadedb-embedded`` wheel
(bundled JRE), which speaks Bolt 4/5 and reports itself as "Neo4j/5.26.0
compatible": the official driver, ``cypher-shell`` and orgnet's
:class:`~orgnet.store.neo4j.Neo4jStore` connect to it as user ``root``.
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from orgnet.cli.app import app, console, friendly_errors
from orgnet.errors import StoreError

__all__ = ["BOLT_PLUGIN", "graph_server_command", "serve"]

#: ArcadeDB's plugin setting that turns on the Bolt listener.
BOLT_PLUGIN = "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"


def serve(
    root: Path,
    password: str,
    port: int = 7687,
    http_port: int = 2480,
    database: str = "orgnet",
    until_stdin_closes: bool = False,
) -> None:
    """Run the bundled Bolt server in the foreground until interrupted.

    Parameters
    ----------
    root : folder for the server's configuration and databases (created).
    password : the ``root`` user's password (ArcadeDB wants 8 characters or more).
    port, http_port : Bolt and HTTP ports, bound to 127.0.0.1 only.
    database : created when missing, so ``NEO4J_DATABASE`` can name it.
    until_stdin_closes : also stop when standard input closes, so a parent
        process (the test suite) that dies takes the server with it.

    Notes
    -----
    Prints one ``READY bolt://127.0.0.1:<port>`` line once the database
    accepts connections.
    """
    try:
        import arcadedb_embedded
    except ImportError as error:
        raise StoreError("graph-server needs the arcadedb-embedded package: pip install arcadedb-embedded") from error
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    # ArcadeDB writes its logs to ./log; keep them with the server's files, not wherever it was started.
    os.chdir(root)
    server = arcadedb_embedded.create_server(
        str(root),
        root_password=password,
        config={"server_plugins": BOLT_PLUGIN, "bolt_port": port, "http_port": http_port, "host": "127.0.0.1"},
    )
    server.start()
    try:
        if not (root / "databases" / database).exists():
            server.create_database(database)
        print(f"READY bolt://127.0.0.1:{port} database={database} user=root", flush=True)
        stop = threading.Event()
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: stop.set())
        if until_stdin_closes:
            threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()


@app.command("graph-server")
@friendly_errors
def graph_server_command(
    root: Annotated[Path, typer.Option("--root", help="Folder for the server's databases (kept between runs).")] = Path("orgnet-graph"),
    port: Annotated[int, typer.Option("--port", help="Bolt port on 127.0.0.1.")] = 7687,
    http_port: Annotated[int, typer.Option("--http-port", help="HTTP port of ArcadeDB's API and Studio on 127.0.0.1.")] = 2480,
    database: Annotated[str, typer.Option("--database", help="Database to create and serve; point NEO4J_DATABASE at it.")] = "orgnet",
    password: Annotated[
        str,
        typer.Option(
            "--password",
            help="Password of user root (default NEO4J_PASSWORD); a random one is printed when neither is given.",
            show_default=False,
        ),
    ] = "",
    until_stdin_closes: Annotated[bool, typer.Option("--until-stdin-closes", hidden=True)] = False,
) -> None:
    """Start a local Bolt server (ArcadeDB's Neo4j-compatible plugin) to browse the graph with Cypher.

    Then, in another shell: NEO4J_USER=root NEO4J_PASSWORD=... NEO4J_DATABASE=orgnet
    orgnet ingest roster people.csv --store bolt://127.0.0.1:7687. Stop it with Ctrl-C.
    """
    from orgnet.settings import load_settings

    password = password or load_settings().neo4j_password.get_secret_value()
    if not password:
        password = secrets.token_urlsafe(12)
        console.print(f"user root, password {password}", highlight=False)
    serve(root, password, port, http_port, database, until_stdin_closes)
