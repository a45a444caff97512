"""The README's first two commands, as a newcomer would run them: ``orgnet demo`` serves the samples; CI runs the second."""

from __future__ import annotations

import os
import queue
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("readme")]


def _quickstart_commands() -> list[str]:
    """The commands of the README's Quickstart code blocks, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_second_command_is_what_ci_runs():
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    commands = [line for line in ci if line and not line.startswith("#") and not line.startswith(("set ", "cd "))]
    assert commands == [_quickstart_commands()[1]]


def test_first_command_serves_the_analysed_samples(tmp_path, truths):
    first = _quickstart_commands()[0]
    [invocation] = [part.strip() for part in first.split("&&") if re.search(r"\borgnet demo\b", part)]
    words = shlex.split(invocation)
    arguments = words[words.index("demo") + 1 :]
    port = _free_port()
    command = [sys.executable, "-m", "orgnet", "demo", *arguments, "--port", str(port), "--samples", str(SAMPLES)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGNET_")}
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        url = key = None
        seen: list[str] = []
        deadline = time.monotonic() + 120
        while key is None and time.monotonic() < deadline and process.poll() is None:
            try:
                line = lines.get(timeout=1).strip()
            except queue.Empty:
                continue
            seen.append(line)
            if re.fullmatch(r"http://\S+/", line) and url is None:
                url = line
            elif line.startswith("orgnet_") and url is not None:
                key = line
        assert url == f"http://127.0.0.1:{port}/" and key, "\n".join(seen)
        assert (tmp_path / "orgnet.db").exists()
        while time.monotonic() < deadline:
            try:
                health = httpx2.get(url + "api/v1/health", timeout=2)
                break
            except httpx2.TransportError:
                time.sleep(0.2)
        assert health.status_code == 200 and health.json()["people"] == 300
        top = httpx2.get(url + "api/v1/advocates", params={"top": 5}, headers={"X-API-Key": key}, timeout=10)
        assert top.status_code == 200
        assert {row["person_id"] for row in top.json()["items"]} == set(truths["advocates"])
    finally:
        process.terminate()
        process.wait(timeout=20)
