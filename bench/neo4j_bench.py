"""The Neo4j the Neo4j benchmarks write into: the local Neo4j Community with GDS, or a server given by ``--uri``.

Shared by ``bench/neo4j_ingest.py`` and ``bench/gds_agreement.py``.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from orgnet.graph_server import start
from orgnet.store.neo4j import Neo4jStore

__all__ = ["empty", "neo4j_store"]


@contextlib.contextmanager
def neo4j_store(uri: str | None, heap: str, pagecache: str) -> Iterator[Neo4jStore]:
    """An open store on ``uri`` (credentials from ``NEO4J_USER``/``NEO4J_PASSWORD``/``NEO4J_DATABASE``), or on
    the local Neo4j started in a temporary folder with ``heap`` and ``pagecache``, stopped when the block ends."""
    server = None
    with tempfile.TemporaryDirectory() as folder:
        try:
            if uri:
                store = Neo4jStore.connect(uri)
            else:
                started = time.perf_counter()
                server = start(Path(folder), heap=heap, pagecache=pagecache)
                print(f"local Neo4j up in {time.perf_counter() - started:.1f} s ({server.uri})", flush=True)
                store = Neo4jStore(server.uri, server.user, server.password, server.database)
            with store:
                print(f"server: {store._driver.get_server_info().agent}", flush=True)
                yield store
        finally:
            if server is not None:
                server.stop()


def empty(store: Neo4jStore) -> None:
    """Delete everything in the store's database."""
    with store._driver.session(database=store.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
