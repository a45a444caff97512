"""A local Neo4j: Neo4j Community 5.26 LTS with the Graph Data Science plugin, for people who have no server.

The test suite, ``bench/neo4j_ingest.py`` and ``orgnet graph-server`` run the same server. Maven fetches it
(``orgnet/java/pom.xml``: ``org.neo4j:neo4j`` and GDS's ``org.neo4j.gds:proc`` with its extension, cached in
``~/.m2``), and a few lines of Java (``orgnet/java/OrgnetNeo4j.java``) start it embedded, with Bolt on a
loopback port, GDS's procedures loaded and the password of user ``neo4j`` set at each start.

:func:`fetch` resolves the classpath once (then reads it from ``~/.cache/orgnet/neo4j``); :func:`start`
writes the server's ``conf/neo4j.conf`` under its home folder, starts it and waits until Bolt serves;
:meth:`Neo4jServer.stop` stops it. The server also stops by itself when the Python process that started it
exits, however it exits (its standard input is a pipe from that process), so no JVM outlives its parent.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from orgnet.errors import OrgnetError

__all__ = [
    "GDS_VERSION",
    "INSTALL_HINT",
    "NEO4J_VERSION",
    "Neo4jServer",
    "Runtime",
    "ServerError",
    "fetch",
    "free_port",
    "start",
]

_JAVA = resources.files("orgnet") / "java"
_POM = _JAVA / "pom.xml"
_LAUNCHER = _JAVA / "OrgnetNeo4j.java"


def _pom_property(name: str) -> str:
    match = re.search(rf"<{name}>([^<]+)</{name}>", _POM.read_text(encoding="utf-8"))
    assert match, f"orgnet/java/pom.xml has no <{name}>"
    return match.group(1)


#: The versions the pom names (read from it, so that they are written in one place).
NEO4J_VERSION = _pom_property("neo4j.version")
GDS_VERSION = _pom_property("gds.version")
#: What to install when Java or Maven is missing.
INSTALL_HINT = "install a Java 17 or 21 JDK and Maven (Debian: apt-get install default-jdk-headless maven)"
#: Where the resolved classpath, the GDS plugin folder and the compiled launcher are kept.
#: How long the JVM may take to start and serve Bolt.
START_TIMEOUT_S = 240.0


_MAVEN_ADVICE = re.compile(r"re-run Maven|-e switch|-X switch|For more information|cwiki\.apache\.org|^\[ERROR\] \[Help 1\]$")


class ServerError(OrgnetError):
    """The local Neo4j cannot be fetched or started; the message says what failed."""


@dataclass(frozen=True)
class Runtime:
    """What it takes to start the local Neo4j: the ``java`` to run, the classpath, the GDS plugin folder."""

    java: str
    classpath: str
    plugins: Path


@dataclass
class Neo4jServer:
    """A running local Neo4j: its process, home folder, Bolt port and the password of user ``neo4j``."""

    process: subprocess.Popen[bytes]
    home: Path
    port: int
    password: str
    user: str = "neo4j"
    #: Neo4j Community serves one user database, always named ``neo4j``.
    database: str = "neo4j"

    @property
    def uri(self) -> str:
        """The ``bolt://`` URI of the server."""
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        """The server's console output; Neo4j's own logs are in ``home/logs``."""
        return self.home / "console.log"

    def stop(self, timeout: float = 60.0) -> None:
        """Stop the server cleanly (closing its standard input stops it) and wait for it; kill it after ``timeout``."""
        if self.process.poll() is None:
            if self.process.stdin is not None:  # started with stdin=PIPE: closing it is the launcher's signal to stop
                self.process.stdin.close()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _cache_root() -> Path:
    from orgnet.settings import Settings, load_settings

    settings = load_settings(Settings)
    if settings.neo4j_cache:
        return settings.neo4j_cache
    return (settings.xdg_cache_home or Path.home() / ".cache") / "orgnet" / "neo4j"


def _tool(name: str) -> str:
    """The path of a JDK or Maven tool: under ``JAVA_HOME`` when it is set, else on ``PATH``."""
    from orgnet.settings import Settings, load_settings

    java_home = load_settings(Settings).java_home
    found = str(java_home / "bin" / name) if java_home and (java_home / "bin" / name).exists() else shutil.which(name)
    if not found:
        raise ServerError(f"the local Neo4j needs {name!r}, which is not installed: {INSTALL_HINT}")
    return found


def _run(command: list[str], what: str, timeout: float) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ServerError(f"{what} did not finish within {timeout:.0f}s") from None
    if done.returncode != 0:
        lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in (done.stdout + done.stderr).splitlines()]
        # Maven's own advice (-e, -X, its wiki) says nothing about what failed.
        lines = [line for line in lines if line.removeprefix("[ERROR]").strip() and not _MAVEN_ADVICE.search(line)]
        errors = [line for line in lines if "ERROR" in line or "error:" in line] or lines
        raise ServerError(f"{what} failed (exit {done.returncode}): " + " | ".join(errors[:4]))


def fetch(timeout: float = 900.0) -> Runtime:
    """Fetch Neo4j and GDS with Maven (once; later calls read the cache) and return what :func:`start` runs.

    Returns
    -------
    A :class:`Runtime`. The first call runs ``mvn dependency:build-classpath`` on ``orgnet/java/pom.xml``
    (jars cached in ``~/.m2``), compiles the launcher with ``javac`` and links the GDS jars into a plugin
    folder, all under ``~/.cache/orgnet/neo4j/<digest of the pom and the launcher>`` (``ORGNET_NEO4J_CACHE``
    moves it); later calls only check that every jar is still there.

    Raises
    ------
    ServerError : Java or Maven is missing, or Maven could not fetch (the message carries Maven's error
        lines: which artifact, which repository).
    """
    java = _tool("java")
    digest = hashlib.sha256(_POM.read_bytes() + _LAUNCHER.read_bytes()).hexdigest()[:16]
    folder = _cache_root() / digest
    ready = _cached(folder)
    if ready is not None:
        return Runtime(java, ready, folder / "plugins")
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Built beside, then renamed into place: a fetch that fails or races another leaves no half-made cache.
    work = Path(tempfile.mkdtemp(prefix=f"{digest}.", dir=folder.parent))
    try:
        classpath_file = work / "classpath.txt"
        with resources.as_file(_POM) as pom:
            _run(
                [
                    _tool("mvn"),
                    "-q",
                    "-B",
                    "-Dstyle.color=never",
                    "-f",
                    str(pom),
                    "dependency:build-classpath",
                    f"-Dmdep.outputFile={classpath_file}",
                ],
                f"fetching Neo4j {NEO4J_VERSION} and GDS {GDS_VERSION} with Maven",
                timeout,
            )
        jars = classpath_file.read_text(encoding="utf-8").strip()
        (work / "plugins").mkdir()
        for jar in jars.split(os.pathsep):
            # Neo4j looks for procedures only in the jars of its plugin folder, and loads every class of each:
            # linking just GDS's jars that declare procedures there halves the start (all GDS stays on the classpath).
            if _declares_procedures(Path(jar)):
                (work / "plugins" / Path(jar).name).symlink_to(jar)
        with resources.as_file(_LAUNCHER) as launcher:
            _run([_tool("javac"), "-proc:none", "-cp", jars, "-d", str(work / "classes"), str(launcher)], "compiling the launcher", timeout)
        (work / "jars.txt").write_text(f"{folder / 'classes'}{os.pathsep}{jars}", encoding="utf-8")
        with contextlib.suppress(OSError):  # another process finished the same fetch first
            work.rename(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ready = _cached(folder)
    if ready is None:
        raise ServerError(f"the local Neo4j's cache {folder} is incomplete; remove it and try again")
    return Runtime(java, ready, folder / "plugins")


def _declares_procedures(jar: Path) -> bool:
    """True for a GDS jar that lists procedures or functions for Neo4j (``META-INF/services/org.neo4j.procedure.*``)."""
    if f"{os.sep}org{os.sep}neo4j{os.sep}gds{os.sep}" not in str(jar):
        return False
    with zipfile.ZipFile(jar) as archive:
        return any(name.startswith("META-INF/services/org.neo4j.procedure.") for name in archive.namelist())


def _cached(folder: Path) -> str | None:
    """The classpath kept in ``folder`` when every entry on it still exists, else ``None``."""
    listing = folder / "jars.txt"
    if not listing.exists():
        return None
    classpath = listing.read_text(encoding="utf-8")
    return classpath if all(Path(entry).exists() for entry in classpath.split(os.pathsep)) else None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(
    home: Path,
    password: str | None = None,
    port: int | None = None,
    heap: str = "1g",
    pagecache: str = "512m",
    settings: Mapping[str, str] | None = None,
    timeout: float = START_TIMEOUT_S,
) -> Neo4jServer:
    """Start the local Neo4j with its data under ``home`` and wait until Bolt serves.

    Parameters
    ----------
    home : the server's folder (created): ``conf/neo4j.conf``, ``data/``, ``logs/``, ``console.log``.
        Data kept there survives restarts.
    password : of user ``neo4j``, at least 8 characters; a random one when ``None``.
    port : Bolt port on 127.0.0.1 (only loopback is ever bound); a free one when ``None``.
    heap, pagecache : JVM heap (GDS projections live there) and Neo4j's page cache, as ``512m``, ``2g``.
    settings : further ``neo4j.conf`` settings, which win over orgnet's.
    timeout : seconds to wait for the server to serve.

    Returns
    -------
    The running :class:`Neo4jServer`; the caller stops it.

    Raises
    ------
    ServerError : Java or Maven is missing, the fetch failed, or the server exited or did not serve in
        time (the message carries the end of its output).
    """
    runtime = fetch()
    password = password or secrets.token_urlsafe(18)
    if len(password) < 8:
        raise ServerError("the Neo4j password must be at least 8 characters")
    port = port or free_port()
    home = home.resolve()
    (home / "conf").mkdir(parents=True, exist_ok=True)
    config = {
        "server.bolt.enabled": "true",
        "server.bolt.listen_address": f"127.0.0.1:{port}",
        "server.bolt.advertised_address": f"127.0.0.1:{port}",
        "dbms.security.auth_enabled": "true",
        "server.directories.plugins": str(runtime.plugins),
        "dbms.security.procedures.unrestricted": "gds.*",
        "server.memory.pagecache.size": pagecache,
        # No usage reports: the server never calls out.
        "dbms.usage_report.enabled": "false",
        **(settings or {}),
    }
    (home / "conf" / "neo4j.conf").write_text("".join(f"{k}={v}\n" for k, v in config.items()), encoding="utf-8")
    command = [
        runtime.java,
        f"-Xms{heap}",
        f"-Xmx{heap}",
        "-XX:+ExitOnOutOfMemoryError",
        "-cp",
        runtime.classpath,
        "OrgnetNeo4j",
        str(home),
    ]
    log = home / "console.log"
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=sink,
            stderr=subprocess.STDOUT,
            # Its own session: a Ctrl-C meant for the parent reaches the parent, which then stops the server.
            start_new_session=True,
        )
    assert process.stdin is not None
    # The password's first line of the launcher's standard input, not its environment, which other processes can read.
    process.stdin.write(password.encode() + b"\n")
    process.stdin.flush()
    server = Neo4jServer(process, home, port, password)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if b"READY" in log.read_bytes():
            return server
        time.sleep(0.2)
    server.stop()
    tail = log.read_text(errors="replace").strip().splitlines()[-12:]
    state = f"exited with status {process.returncode}" if process.returncode is not None else f"did not serve within {timeout:.0f}s"
    raise ServerError(f"Neo4j {NEO4J_VERSION} {state}: " + " | ".join(tail))
