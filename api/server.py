"""Run the service with uvicorn: what ``orgnet serve`` and ``orgnet demo`` call.

With one worker, uvicorn runs the app built here. With several, uvicorn
starts that many processes, each building the app itself
(:func:`worker_app`); they must share the parent's settings, the session
secret above all (a session signed by one worker is checked by another), and
the secret may be one the parent drew at random. The parent writes its
settings to a file only its user can read (mode 0600, in a fresh private
temporary folder) and removes the folder when the server stops; the workers
find the file through ``ORGNET_WORKER_SETTINGS``, which holds its path and
nothing else: no setting, and no secret, is written into the environment.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from orgnet.api.app import create_app
from orgnet.api.settings import WORKER_SETTINGS_ENV, Settings, worker_settings

__all__ = ["serve", "settings_file", "url_of", "worker_app"]


def url_of(host: str, port: int) -> str:
    """The address a browser opens for a server on ``host``:``port``."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


@contextmanager
def settings_file(settings: Settings) -> Iterator[Path]:
    """A file holding every value of ``settings``, secrets included, that only this user can read; removed on exit.

    The folder is made by :func:`tempfile.mkdtemp` (mode 0700, a name nobody
    else can predict or claim) and the file is created with mode 0600 before a
    byte is written, so the secrets are never readable by anyone else.
    """
    values = {name: value.get_secret_value() if isinstance(value, SecretStr) else value for name, value in settings}
    folder = Path(tempfile.mkdtemp(prefix="orgnet-serve-"))
    try:
        path = folder / "settings.json"
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as out:
            json.dump(values, out)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _worker_settings_path(path: Path) -> Iterator[None]:
    """``ORGNET_WORKER_SETTINGS`` names ``path`` while uvicorn starts (and restarts) workers, as it was afterwards."""
    before = os.environ.get(WORKER_SETTINGS_ENV)
    os.environ[WORKER_SETTINGS_ENV] = str(path)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(WORKER_SETTINGS_ENV, None)
        else:
            os.environ[WORKER_SETTINGS_ENV] = before


def worker_app() -> FastAPI:
    """The app of one worker of ``orgnet serve --workers N``, on the settings its parent wrote for it."""
    return create_app(worker_settings())


def serve(settings: Settings) -> None:
    """Serve the API and pages on ``settings.store`` until interrupted.

    Parameters
    ----------
    settings : the service's settings (build them with
        :func:`orgnet.settings.load_settings`); ``host``, ``port`` and
        ``workers`` say how uvicorn runs.

    Notes
    -----
    With ``workers`` above 1, every worker gets the same settings, the session
    secret included, through :func:`settings_file` (see the module's notes).
    """
    if settings.workers == 1:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")
        return
    with settings_file(settings) as path, _worker_settings_path(path):
        uvicorn.run(
            "orgnet.api.server:worker_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level="warning",
            access_log=False,
        )
