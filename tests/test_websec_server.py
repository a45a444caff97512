"""``orgnet serve`` as a real process on a loopback port: its answers name no server software and carry the
security headers, and clients that trickle their requests (slowloris) are cut off while other clients are served."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx2
import pytest
from api_fixtures import free_port, samples_store  # noqa: F401

from orgnet.api.server import REQUEST_TIMEOUT
from orgnet.api.websec import SECURITY_HEADERS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("api")]

#: The most a slow client may stay connected before the test calls the cut-off missing (uvicorn alone never cuts).
GIVE_UP = 6 * REQUEST_TIMEOUT


@pytest.fixture(scope="module")
def served(samples_store, tmp_path_factory):  # noqa: F811
    """``orgnet serve`` on the samples store: (base URL, port)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGNET_")} | {"ORGNET_PORT": str(port)}
    command = [sys.executable, "-m", "orgnet", "serve", "--store", str(samples_store)]
    process = subprocess.Popen(
        command, cwd=tmp_path_factory.mktemp("serve"), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            try:
                if httpx2.get(url + "/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.3)
        assert process.poll() is None, process.stdout.read() if process.stdout else "the server stopped"
        yield url, port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_answers_name_no_server_software_and_carry_the_security_headers(served):
    url, _ = served
    for path in ("/api/v1/health", "/login", "/static/pages.js", "/nothing-here"):
        answer = httpx2.get(url + path, timeout=10)
        assert "server" not in answer.headers, path
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers[name] == value, (path, name)


def _connect(port: int, sent: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(sent)
    sock.setblocking(False)
    return sock


def _answered_once(port: int, then: bytes) -> socket.socket:
    """A keep-alive connection that has had one request answered in full, then sent ``then``."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
        answer += sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 200")
    sock.sendall(then)
    sock.setblocking(False)
    return sock


def test_clients_that_trickle_their_requests_are_cut_off_while_others_are_served(served):
    url, port = served
    head = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
    body = b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4096\r\n\r\nkey="
    trickling = {f"headers {i}": _connect(port, head) for i in range(40)}
    trickling["body"] = _connect(port, body)
    trickling["headers after an answer"] = _answered_once(port, then=head)
    idle = {"nothing sent": _connect(port, b"")}
    connected = {**trickling, **idle}
    received = dict.fromkeys(connected, b"")
    still_open: set[str] = set(connected)
    served_while_all_connected = served_meanwhile = 0
    started = time.monotonic()
    try:
        while still_open and time.monotonic() - started < GIVE_UP:
            for name in sorted(still_open):
                sock = connected[name]
                try:
                    data = sock.recv(65536)
                except BlockingIOError:
                    if name in trickling:
                        try:
                            sock.send(b"a")  # one more byte of a header value or of the body, never the end of either
                        except OSError:
                            still_open.discard(name)
                    continue
                except OSError:
                    still_open.discard(name)
                    continue
                if data:
                    received[name] += data
                else:
                    still_open.discard(name)
            # Meanwhile another client is answered as usual.
            assert httpx2.get(url + "/api/v1/health", timeout=5).status_code == 200
            served_meanwhile += 1
            served_while_all_connected += len(still_open) == len(connected)
            time.sleep(0.5)
    finally:
        for sock in connected.values():
            sock.close()
    assert not still_open, f"still connected after {GIVE_UP:.0f} s: {sorted(still_open)}"
    # Cut off, not answered: none of them ever completed a request.
    assert received == dict.fromkeys(connected, b"")
    assert served_while_all_connected >= 1 and served_meanwhile > served_while_all_connected
    assert httpx2.get(url + "/api/v1/health", timeout=5).status_code == 200


def test_a_keep_alive_client_that_keeps_asking_is_not_cut_off(served):
    """Requests sent whole, one after another on one connection, are all answered, past the request deadline."""
    _, port = served
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        asked = 0
        started = time.monotonic()
        while time.monotonic() - started < REQUEST_TIMEOUT * 1.5:
            sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = b""
            while not answer.rstrip().endswith(b"}"):
                chunk = sock.recv(65536)
                assert chunk, "the server closed a connection whose every request came whole"
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200")
            asked += 1
            time.sleep(1)
        assert asked > REQUEST_TIMEOUT
    finally:
        sock.close()
