"""One real embedded store built from the bundled samples and analysed, shared by the API, schema and browser tests."""

from __future__ import annotations

import re
import shutil
import socket
from pathlib import Path

import pytest

from orgnet.access import ROLES, create_key
from orgnet.api.app import create_app
from orgnet.api.settings import Settings
from orgnet.store.sqlite import SQLiteStore

__all__ = ["form_token", "free_port", "log_in", "log_out", "make_app", "origin", "role_keys", "samples_store"]


@pytest.fixture(scope="session")
def samples_store(analysed_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of an SQLite store holding every sample source, each period analysed.

    A copy of the suite's one analysed store (``conftest.analysed_path``), which the service's tests add keys,
    reports and audit entries to.
    """
    path = tmp_path_factory.mktemp("api") / "orgnet.db"
    shutil.copy(analysed_path, path)
    return path


@pytest.fixture(scope="session")
def role_keys(samples_store: Path) -> dict[str, str]:
    """One live API key per role: role -> plaintext key."""
    with SQLiteStore(samples_store) as store:
        return {role: create_key(store, role, f"test {role}")[1] for role in ROLES}


def make_app(store: Path, **settings: object):
    """The real app on ``store`` (session cookies signed with a fixed test secret)."""
    return create_app(Settings(store=str(store), session_secret="test-secret", **settings))


def form_token(page: str) -> str:
    """The CSRF token of the (login or logout) form in the HTML ``page``."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def log_in(client, key: str, next: str = "/"):
    """Log ``client`` (a TestClient or an httpx2.Client, which keep cookies) in with ``key`` as a browser does.

    It opens the login form first, which gives the browser its CSRF cookie and the form its token; returns the
    answer to the form's POST (303 on success).
    """
    token = form_token(client.get("/login").text)
    return client.post("/login", data={"key": key, "next": next, "csrf_token": token}, follow_redirects=False)


def origin(client) -> dict[str, str]:
    """The ``Origin`` header a browser sends with a form or fetch of ``client``'s site."""
    return {"Origin": f"{client.base_url.scheme}://{client.base_url.netloc.decode()}"}


def log_out(client):
    """Log ``client`` out as a browser does: the logout form of a page, posted from the site; returns the answer."""
    token = form_token(client.get("/").text)
    return client.post("/logout", data={"csrf_token": token}, headers=origin(client), follow_redirects=False)


def free_port() -> int:
    """A loopback port free right now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
