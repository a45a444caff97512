"""One real embedded store built from the bundled samples and analysed, shared by the API, schema and browser tests."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from orgnet.access import ROLES, create_key
from orgnet.analysis import analyze_periods
from orgnet.api.app import create_app
from orgnet.api.settings import Settings
from orgnet.ingest.samples import ingest_samples
from orgnet.store.sqlite import SQLiteStore

__all__ = ["free_port", "make_app", "role_keys", "samples_store"]


@pytest.fixture(scope="session")
def samples_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of an SQLite store holding every sample source, each period analysed."""
    path = tmp_path_factory.mktemp("api") / "orgnet.db"
    with SQLiteStore(path) as store:
        ingest_samples(store)
        analyze_periods(store)
    return path


@pytest.fixture(scope="session")
def role_keys(samples_store: Path) -> dict[str, str]:
    """One live API key per role: role -> plaintext key."""
    with SQLiteStore(samples_store) as store:
        return {role: create_key(store, role, f"test {role}")[1] for role in ROLES}


def make_app(store: Path, **settings: object):
    """The real app on ``store`` (session cookies signed with a fixed test secret)."""
    return create_app(Settings(store=str(store), session_secret="test-secret", **settings))


def free_port() -> int:
    """A loopback port free right now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
