"""A real Bolt server for the tests: ArcadeDB's Neo4j plugin, started once per session.

:func:`start_bolt_server` runs ``orgnet graph-server`` (ArcadeDB embedded,
bundled JRE) as a subprocess on free loopback ports with a random password and
waits for it to serve; the JVM takes a few seconds to start, so the
``bolt_server`` fixture shares one server across the session and each test
gets a fresh database through ArcadeDB's HTTP API (``bolt_location``).

When ``ORGNET_TEST_NEO4J_URI`` (with ``ORGNET_TEST_NEO4J_USER`` and
``ORGNET_TEST_NEO4J_PASSWORD``, optionally ``ORGNET_TEST_NEO4J_DATABASE``)
names a real Neo4j, ``neo4j_location`` yields it too, emptied before each test
(Neo4j Community has a single user database, so it is wiped, not recreated).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["BoltLocation", "BoltServer", "bolt_location", "bolt_server", "neo4j_location", "start_bolt_server"]

#: How long the JVM may take to start and serve before the Bolt leg is skipped.
START_TIMEOUT_S = 90.0


@dataclass
class BoltLocation:
    """Where a test's graph lives: URI, credentials and database."""

    uri: str
    user: str
    password: str
    database: str | None


@dataclass
class BoltServer:
    """A running bundled Bolt server: its process, ports, root password and log file."""

    process: subprocess.Popen
    bolt_port: int
    http_port: int
    password: str
    log: Path

    @property
    def uri(self) -> str:
        """The ``bolt://`` URI of the server."""
        return f"bolt://127.0.0.1:{self.bolt_port}"

    def create_database(self, name: str) -> None:
        """Create an empty database through ArcadeDB's HTTP API (Bolt cannot)."""
        self._command(f"create database {name}")

    def drop_database(self, name: str) -> None:
        """Drop a database created by :meth:`create_database`."""
        self._command(f"drop database {name}")

    def _command(self, command: str) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.http_port}/api/v1/server",
            data=json.dumps({"command": command}).encode(),
            headers={
                "Authorization": "Basic " + base64.b64encode(f"root:{self.password}".encode()).decode(),
                "Content-Type": "application/json",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()

    def stop(self) -> None:
        """Stop the server (closing its stdin stops it) and wait for it."""
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_bolt_server(root: Path, timeout: float = START_TIMEOUT_S) -> BoltServer:
    """Start ``orgnet graph-server`` under ``root`` and wait until it serves Bolt.

    Raises
    ------
    RuntimeError : the server exited or did not serve within ``timeout``; the
        message carries the end of its log.
    """
    root.mkdir(parents=True, exist_ok=True)
    log = root / "server.log"
    password = secrets.token_urlsafe(16)
    bolt_port, http_port = _free_port(), _free_port()
    command = [
        sys.executable,
        "-m",
        "orgnet",
        "graph-server",
        "--root",
        str(root / "server"),
        "--port",
        str(bolt_port),
        "--http-port",
        str(http_port),
        "--password",
        password,
        "--until-stdin-closes",
    ]
    with open(log, "wb") as sink:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=sink, stderr=subprocess.STDOUT)
    server = BoltServer(process, bolt_port, http_port, password, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if b"READY bolt://" in log.read_bytes():
            return server
        time.sleep(0.2)
    server.stop()
    tail = log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"the bundled Bolt server did not start within {timeout:.0f}s: {tail}")


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltServer]:
    """One bundled Bolt server for the whole session; skips its tests when it cannot start."""
    try:
        import arcadedb_embedded  # noqa: F401
    except ImportError as error:
        pytest.skip(f"Bolt leg skipped: arcadedb-embedded is not installed ({error})")
    try:
        server = start_bolt_server(tmp_path_factory.mktemp("bolt"))
    except (RuntimeError, OSError) as error:
        pytest.skip(f"Bolt leg skipped: {error}")
    yield server
    server.stop()


@pytest.fixture
def bolt_location(bolt_server: BoltServer) -> Iterator[BoltLocation]:
    """A fresh, empty database on the session's Bolt server, dropped after the test."""
    name = f"t{uuid.uuid4().hex[:12]}"
    bolt_server.create_database(name)
    yield BoltLocation(bolt_server.uri, "root", bolt_server.password, name)
    bolt_server.drop_database(name)


@pytest.fixture
def neo4j_location() -> Iterator[BoltLocation]:
    """The real Neo4j named by ``ORGNET_TEST_NEO4J_URI``, emptied first; skipped when unset."""
    uri = os.environ.get("ORGNET_TEST_NEO4J_URI")
    if not uri:
        pytest.skip("real Neo4j leg skipped: ORGNET_TEST_NEO4J_URI is not set")
    import neo4j

    location = BoltLocation(
        uri,
        os.environ.get("ORGNET_TEST_NEO4J_USER", "neo4j"),
        os.environ.get("ORGNET_TEST_NEO4J_PASSWORD", ""),
        os.environ.get("ORGNET_TEST_NEO4J_DATABASE") or None,
    )
    with neo4j.GraphDatabase.driver(uri, auth=(location.user, location.password)) as driver:
        # Batched so a large leftover graph does not need one huge transaction.
        while driver.execute_query(
            "MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS deleted", database_=location.database
        ).records[0]["deleted"]:
            pass
    yield location
