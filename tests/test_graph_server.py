"""``orgnet graph-server``: the local Neo4j with GDS, as a person starts and stops it, and what it says without Java."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import neo4j
import pytest
from typer.testing import CliRunner

from orgnet.cli import app
from orgnet.graph_server import GDS_VERSION, NEO4J_VERSION, ServerError, fetch, free_port


def test_without_java_it_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(app, ["graph-server", "--root", str(tmp_path / "graph")])
    assert result.exit_code == 1
    assert "needs 'java', which is not installed" in result.output and "apt-get install default-jdk-headless maven" in result.output
    assert "Traceback" not in result.output


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.slow
@pytest.mark.xdist_group("graph-server")
def test_start_serve_gds_and_stop_on_ctrl_c(tmp_path):
    try:
        fetch()
    except ServerError as error:
        pytest.skip(f"graph-server test skipped: {error}")
    port, password = free_port(), "a-test-password"
    command = [sys.executable, "-m", "orgnet", "graph-server", "--root", str(tmp_path / "graph"), "--port", str(port)]
    cli = subprocess.Popen(
        [*command, "--password", password, "--heap", "1g", "--pagecache", "256m"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        for line in cli.stdout:
            lines.append(line)
            if line.startswith("READY"):
                break
        assert lines and lines[-1].startswith(f"READY bolt://127.0.0.1:{port} user neo4j"), "".join(lines)
        assert f"Neo4j {NEO4J_VERSION} with Graph Data Science {GDS_VERSION}" in lines[0]
        (jvm,) = _children(cli.pid)
        with neo4j.GraphDatabase.driver(f"bolt://127.0.0.1:{port}", auth=("neo4j", password)) as driver:
            assert driver.execute_query("RETURN gds.version() AS version").records[0]["version"] == GDS_VERSION
            edition = driver.execute_query("CALL dbms.components() YIELD versions, edition RETURN versions[0], edition").records[0]
            assert list(edition.values()) == [NEO4J_VERSION, "community"]
        cli.send_signal(signal.SIGINT)
        assert cli.wait(timeout=120) == 0
        # The JVM went with it: no orphan server keeps the port.
        deadline = time.monotonic() + 60
        while os.path.exists(f"/proc/{jvm}") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not os.path.exists(f"/proc/{jvm}")
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
