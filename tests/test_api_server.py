"""``orgnet serve``: its workers share the parent's settings through a private file, never through the environment."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from api_fixtures import free_port, log_in, role_keys, samples_store  # noqa: F401

from orgnet.api.deps import SESSION_COOKIE
from orgnet.api.server import settings_file
from orgnet.api.settings import WORKER_SETTINGS_ENV, Settings, worker_settings
from orgnet.settings import SettingsError, load_settings

pytestmark = pytest.mark.xdist_group("api")


def test_the_settings_file_is_private_complete_and_removed(tmp_path, monkeypatch):
    settings = load_settings(
        Settings,
        store=str(tmp_path / "org.db"),
        min_group_size=9,
        neo4j_password="pw",
        workers=3,
        hash_key="the hashing key, long enough",
        java_home=tmp_path / "jdk",
        hash_key_file=tmp_path / "hash.key",
    )
    with settings_file(settings) as path:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        monkeypatch.setenv(WORKER_SETTINGS_ENV, str(path))
        monkeypatch.setenv("ORGNET_MIN_GROUP_SIZE", "2")  # what the parent resolved wins over the worker's environment
        again = worker_settings()
    assert again == settings
    assert again.session_secret.get_secret_value() == settings.session_secret.get_secret_value()
    assert again.hash_key is not None and again.hash_key.get_secret_value() == "the hashing key, long enough"
    assert again.java_home == tmp_path / "jdk" and again.hash_key_file == tmp_path / "hash.key"
    assert not path.parent.exists()


def test_worker_settings_outside_a_worker_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv(WORKER_SETTINGS_ENV, raising=False)
    with pytest.raises(SettingsError, match=WORKER_SETTINGS_ENV):
        worker_settings()
    monkeypatch.setenv(WORKER_SETTINGS_ENV, str(tmp_path / "gone.json"))
    with pytest.raises(SettingsError, match="cannot read the worker settings"):
        worker_settings()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The parent pid is the second field after the command name, which may hold spaces.
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _proc(pid: int, name: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except OSError:  # the process ended meanwhile
        return b""


def _environment(pid: int) -> dict[str, str]:
    return dict(item.decode(errors="replace").split("=", 1) for item in _proc(pid, "environ").split(b"\0") if b"=" in item)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads the workers' environment from /proc")
def test_workers_share_one_random_session_secret_that_no_environment_holds(samples_store, role_keys, tmp_path):  # noqa: F811
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGNET_")}
    env["ORGNET_PORT"] = str(port)  # read by the settings; the store comes from the command line
    command = [sys.executable, "-m", "orgnet", "serve", "--workers", "2", "--store", str(samples_store)]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    folder = None
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith(f"serving {samples_store} at {url}")
        deadline, health, children, workers = time.monotonic() + 120, None, [], []
        while time.monotonic() < deadline and process.poll() is None and (health is None or len(workers) < 2):
            try:
                health = httpx2.get(url + "api/v1/health", timeout=2)
            except httpx2.TransportError:
                time.sleep(0.3)
            children = _children(process.pid)
            # uvicorn's workers, not multiprocessing's resource tracker beside them.
            workers = [pid for pid in children if b"spawn_main" in _proc(pid, "cmdline")]
        assert health is not None and health.status_code == 200, "the server did not start"
        assert health.json()["people"] == 300, "the workers serve the store given on the command line"
        assert len(workers) == 2
        paths = {_environment(pid)[WORKER_SETTINGS_ENV] for pid in workers}
        assert len(paths) == 1
        handed = Path(paths.pop())
        folder = handed.parent
        assert stat.S_IMODE(handed.stat().st_mode) == 0o600
        secret = json.loads(handed.read_text(encoding="utf-8"))["session_secret"]
        assert len(secret) >= 32
        for pid in children:
            environment = _environment(pid)
            assert "ORGNET_SESSION_SECRET" not in environment and not any(secret in value for value in environment.values())

        with httpx2.Client(base_url=url, timeout=10) as browser:
            login = log_in(browser, role_keys["analyst"])
        assert login.status_code == 303
        cookie = {"Cookie": f"{SESSION_COOKIE}={login.cookies[SESSION_COOKIE]}"}
        # Each request on a new connection, answered by whichever worker accepts it.
        answers = [httpx2.get(url + "api/v1/me", headers=cookie, timeout=10) for _ in range(12)]
        assert [a.status_code for a in answers] == [200] * 12 and {a.json()["role"] for a in answers} == {"analyst"}
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert folder is not None and not folder.exists(), "the settings file is removed when the server stops"
