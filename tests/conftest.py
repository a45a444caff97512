"""Shared fixtures: real SQLite stores in temporary folders and tiny hand-made sources."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from neo4j_server import bolt_location, neo4j_server  # noqa: F401

from orgnet.store.sqlite import SQLiteStore

# Ingests that hash identifiers make their key file in a configuration folder of this test session's own, never the
# user's; the commands the tests start inherit it.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="orgnet-tests-config-")

ROSTER = """person_id,name,email,aliases,department,title,manager_id,location,hire_date,level
E1,Ann Lee,ann@acme.example,@ann,Engineering,CTO,,Paris,2020-01-06,5
E2,Bob Roy,bob@acme.example,@bob;bobby@acme.example,Engineering,Engineer,E1,Paris,2021-03-01,3
E3,Cy Tan,cy@acme.example,,Sales,Account manager,E1,Lyon,2022-09-12,3
E4,Di Fox,di@acme.example,,Sales,Sales lead,E1,Lyon,2019-05-20,4
"""


@pytest.fixture
def store(tmp_path: Path):
    """An empty embedded store in a temporary folder."""
    opened = SQLiteStore(tmp_path / "orgnet.db")
    yield opened
    opened.close()


@pytest.fixture
def roster_file(tmp_path: Path) -> Path:
    """A four-person roster: Ann manages Bob (Engineering), Cy and Di (Sales)."""
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (UTF-8) and return the path."""
    path.write_text(text, encoding="utf-8")
    return path


def tie_table(store) -> dict:
    """Every tie of ``store``: ``(source, target, period, channel) -> (count, weight rounded to 6 places)``."""
    return {(r.source, r.target, r.period, r.channel): (r.count, round(r.weight, 6)) for r in store.ties().itertuples()}


def database_bytes(folder: Path) -> bytes:
    """The bytes of the store ``orgnet.db`` in ``folder``, write-ahead log included."""
    return b"".join(p.read_bytes() for p in sorted(folder.glob("orgnet.db*")))


SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


@pytest.fixture(scope="session")
def sample_store_path(tmp_path_factory) -> Path:
    """A store holding every bundled sample source, built once per test session (and worker); treat it as read-only."""
    from orgnet.ingest.samples import ingest_samples

    path = tmp_path_factory.mktemp("samples") / "samples.db"
    opened = SQLiteStore(path)
    ingest_samples(opened, SAMPLES)
    opened.close()
    return path


@pytest.fixture(scope="session")
def analysed_path(sample_store_path: Path, tmp_path_factory) -> Path:
    """A copy of the sample store with every period analysed on its own, built once per test session (and worker).

    Read-only: a module that writes (reports, results computed on demand, more snapshots) uses :func:`analysed`.
    """
    from orgnet.analysis import analyze_periods

    path = tmp_path_factory.mktemp("analysed") / "analysed.db"
    shutil.copy(sample_store_path, path)
    with SQLiteStore(path) as opened:
        analyze_periods(opened)
    return path


@pytest.fixture(scope="module")
def analysed(analysed_path: Path, tmp_path_factory):
    """An open store on this test module's own copy of :func:`analysed_path`, free to write to."""
    path = tmp_path_factory.mktemp("analysed-copy") / "analysed.db"
    shutil.copy(analysed_path, path)
    with SQLiteStore(path) as opened:
        yield opened


@pytest.fixture(scope="session")
def truths() -> dict:
    """The planted truths of the bundled samples."""
    import json

    return json.loads((SAMPLES / "truths.json").read_text(encoding="utf-8"))
