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

Whatever the number of workers, uvicorn runs with :data:`UVICORN_OPTIONS`: no
``Server`` header naming the software, a request-head size limit, a short
keep-alive, and :class:`TimedHTTPProtocol`, which disconnects a client that
has not sent a whole request within :data:`REQUEST_TIMEOUT` seconds (uvicorn
itself waits for a request's headers for ever, so a client trickling them a
byte at a time, slowloris, would hold its connection as long as it liked).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from orgnet.api.app import create_app
from orgnet.api.settings import WORKER_SETTINGS_ENV, Settings, worker_settings

__all__ = ["REQUEST_TIMEOUT", "UVICORN_OPTIONS", "TimedHTTPProtocol", "serve", "settings_file", "url_of", "worker_app"]

#: Seconds a client has to send a whole request (headers and body), from the moment its connection opens or its
#: previous answer was sent; then it is disconnected. orgnet's requests are a few kilobytes at most.
REQUEST_TIMEOUT = 10.0


class TimedHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
    """uvicorn's HTTP/1.1 protocol (h11, or httptools when installed) with a deadline for receiving each request.

    The deadline is armed while the connection waits for request bytes (after
    it opens, after each answer, while a body is still coming) and disarmed
    once a whole request has arrived, so a slow answer is never cut. At the
    deadline the connection is closed, whatever the client has sent so far.
    It reads the state uvicorn keeps for each connection: ``cycle`` (the
    request being answered), its ``more_body`` and ``response_complete``.
    """

    _deadline: asyncio.TimerHandle | None = None

    def _receiving(self) -> bool:
        cycle = self.cycle
        return cycle is None or cycle.response_complete or cycle.more_body

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(REQUEST_TIMEOUT, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if self._receiving() and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._receiving():
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # A pipelined request already read is being answered now; otherwise the next one has REQUEST_TIMEOUT seconds.
        if self._receiving() and not self.transport.is_closing():
            self._arm()


#: How `orgnet serve` runs uvicorn: no `Server` header naming the software; request heads of at most 16 KiB (h11;
#: httptools has its own limit); idle keep-alive connections closed after 5 s; each request received within
#: REQUEST_TIMEOUT. `limit_concurrency` stays unset: uvicorn counts open connections against it, so a cap would let
#: slow clients lock everyone else out with 503s sooner, while the deadline already bounds how long each one lasts.
UVICORN_OPTIONS: dict[str, Any] = {
    "http": TimedHTTPProtocol,
    "server_header": False,
    "h11_max_incomplete_event_size": 16 * 1024,
    "timeout_keep_alive": 5,
    "log_level": "warning",
}


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
            # Paths (the JDK, the caches, the hashing key's file) are written as text; the worker reads them back as paths.
            json.dump(values, out, default=os.fspath)
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
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, **UVICORN_OPTIONS)
        return
    with settings_file(settings) as path, _worker_settings_path(path):
        uvicorn.run(
            "orgnet.api.server:worker_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            access_log=False,
            **UVICORN_OPTIONS,
        )
