"""orgnet installed the ordinary way: a wheel (built from the sdist) in a fresh virtual environment, run from an empty folder."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """(wheel, sdist) built by ``python -m build``, which builds the wheel from the unpacked sdist: both must be complete."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], check=True, capture_output=True, text=True)
    [wheel], [sdist] = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
    return wheel, sdist


def test_the_wheel_installs_one_top_level_package_with_its_samples(built):
    wheel, _ = built
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/", 1)[0] for name in names} == {"orgnet", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    for expected in (
        "orgnet/ingest/roster.py",
        "orgnet/api/app.py",
        "orgnet/api/templates/base.html",
        "orgnet/api/static/pages.js",
        "orgnet/viz/network.py",
    ):
        assert expected in names
    samples = [name for name in names if name.startswith("orgnet/samples/")]
    assert "orgnet/samples/roster.csv" in samples and "orgnet/samples/truths.json" in samples
    # Every format travels: a file of each sample source.
    for folder in ("email/", "slack/", "calendar/", "viva/"):
        assert any(name.startswith(f"orgnet/samples/{folder}") for name in samples), folder
    metadata = zipfile.ZipFile(wheel).read(f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info/METADATA").decode()
    assert "License-Expression: Apache-2.0" in metadata
    assert "Classifier: " in metadata and "Project-URL: " in metadata


def test_the_sdist_carries_the_sources_the_tests_and_the_changelog(built):
    import tarfile

    _, sdist = built
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for expected in (
        "pyproject.toml",
        "README.md",
        "CHANGELOG.md",
        "ingest/roster.py",
        "data/samples/roster.csv",
        "tests/conftest.py",
        "docs/formats.md",
    ):
        assert expected in names, expected


def test_an_installed_wheel_runs_the_demo_from_an_empty_folder(built, tmp_path):
    wheel, _ = built
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True, text=True)
    empty = tmp_path / "somewhere"
    empty.mkdir()
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([str(venv / "bin" / "orgnet"), "demo", "--no-serve"], cwd=empty, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (empty / "orgnet.db").is_file()
    assert "sample data not found" not in done.stdout + done.stderr
    # Nothing generic was installed beside orgnet.
    for name in ("ingest", "api", "viz", "samples"):
        probe = subprocess.run([str(python), "-c", f"import {name}"], cwd=empty, env=env, capture_output=True, text=True)
        assert probe.returncode != 0, f"a top-level package {name!r} is installed"
