"""A real Neo4j for the tests: the local Neo4j Community with GDS (orgnet.graph_server), once per session.

``neo4j_server`` fetches it with Maven (a no-op once cached) and starts it on a free loopback port with
a random password, in the session's temporary folder, and stops it at the end; pytest's own teardown
covers failures and Ctrl-C, and a worker that dies takes its server with it (the server stops when its
parent's pipe closes). The tests that use it are marked ``xdist_group("neo4j")``, so under
``-n 2 --dist loadgroup`` one worker starts one server. ``bolt_location`` gives each test that server's
database emptied.

With ``ORGNET_TEST_NEO4J_URI`` (and ``ORGNET_TEST_NEO4J_USER``, ``ORGNET_TEST_NEO4J_PASSWORD``,
optionally ``ORGNET_TEST_NEO4J_DATABASE``) the tests use that server instead, emptied before each test:
give them a scratch database.

When the local server cannot be had (no Java or Maven, Maven cannot reach its repository, the JVM does
not start), its tests are skipped with the exact reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import neo4j
import pytest

from orgnet.graph_server import ServerError, start

__all__ = ["BoltLocation", "bolt_location", "empty_database", "neo4j_server"]


@dataclass(frozen=True)
class BoltLocation:
    """Where a test's graph lives: URI, credentials and database."""

    uri: str
    user: str
    password: str
    database: str


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltLocation]:
    """The session's Neo4j: the one ``ORGNET_TEST_NEO4J_URI`` names, or the local one, started here."""
    uri = os.environ.get("ORGNET_TEST_NEO4J_URI")
    if uri:
        yield BoltLocation(
            uri,
            os.environ.get("ORGNET_TEST_NEO4J_USER", "neo4j"),
            os.environ.get("ORGNET_TEST_NEO4J_PASSWORD", ""),
            os.environ.get("ORGNET_TEST_NEO4J_DATABASE") or "neo4j",
        )
        return
    try:
        server = start(tmp_path_factory.mktemp("neo4j"))
    except ServerError as error:
        pytest.skip(f"Neo4j tests skipped: {error}")
    try:
        yield BoltLocation(server.uri, server.user, server.password, server.database)
    finally:
        server.stop()


def empty_database(where: BoltLocation) -> BoltLocation:
    """Remove every node and relationship of ``where``'s database (the schema stays); returns ``where``."""
    with (
        neo4j.GraphDatabase.driver(where.uri, auth=(where.user, where.password)) as driver,
        driver.session(database=where.database) as session,
    ):
        # Relationships first: 10,000 people of the benchmark org detached at once hold 320,000 relationships, past
        # the transaction memory pool of the tests' 1 GiB heap.
        session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 50000 ROWS").consume()
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    return where


@pytest.fixture
def bolt_location(neo4j_server: BoltLocation) -> BoltLocation:
    """The session's Neo4j with its database emptied (nodes, relationships and GDS graphs; the schema stays)."""
    return empty_database(neo4j_server)
