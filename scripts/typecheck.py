"""Type-check orgnet as it is installed: mypy over a mirror of the installed layout.

mypy finds modules on the file system, where ``orgnet.ingest`` is the folder
``ingest/`` of the checkout (setuptools' ``package-dir`` maps it at install
time). This script builds ``build/typecheck/orgnet`` out of symbolic links,
following the ``[tool.setuptools.package-dir]`` table of ``pyproject.toml``,
and runs mypy on it with the configuration of ``pyproject.toml``; the paths
mypy prints are translated back to the checkout's.

Usage: ``python scripts/typecheck.py [mypy options]``; exits with mypy's status.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIRROR = ROOT / "build" / "typecheck"


def build_mirror() -> dict[str, str]:
    """Link the installed layout under :data:`MIRROR`; returns mirror path prefix -> checkout path prefix."""
    mapping = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-dir"]
    shutil.rmtree(MIRROR, ignore_errors=True)
    top = MIRROR / "orgnet"
    top.mkdir(parents=True)
    for child in (ROOT / mapping["orgnet"]).iterdir():
        if child.name != "__pycache__":
            (top / child.name).symlink_to(child)
    translate = {}
    for package, folder in mapping.items():
        if package == "orgnet" or not (ROOT / folder / "__init__.py").exists():
            continue
        link = MIRROR.joinpath(*package.split("."))
        link.symlink_to(ROOT / folder, target_is_directory=True)
        translate[str(link.relative_to(ROOT))] = folder
    translate[str(top.relative_to(ROOT))] = mapping["orgnet"]
    return translate


def main(arguments: list[str]) -> int:
    translate = build_mirror()
    command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), *arguments, str(MIRROR / "orgnet")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    # Longest prefixes first, so build/typecheck/orgnet/ingest becomes ingest, not orgnet/ingest.
    prefixes = sorted(translate.items(), key=lambda item: -len(item[0]))
    for line in (done.stdout + done.stderr).splitlines():
        for mirrored, real in prefixes:
            if line.startswith(mirrored + "/"):
                line = real + line[len(mirrored) :]
                break
        print(line)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
