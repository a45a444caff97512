"""Growth reports on the analysed samples: the words name the planted changes, files and API, privacy, and a real browser."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from orgnet.access import create_key
from orgnet.api.app import create_app
from orgnet.api.reports import list_reports, write_report
from orgnet.api.routers import reports as reports_router
from orgnet.api.settings import Settings
from orgnet.cli import app as cli

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def written(analysed, tmp_path_factory, truths) -> dict:
    """The report of the month the silo was bridged, against the month before."""
    first = truths["silo_bridged"]["first_period"]
    before = max(p for p in analysed.periods() if p < first)
    return write_report(analysed, before, first, tmp_path_factory.mktemp("out") / "report")


def test_the_report_says_the_silo_was_bridged(written, truths):
    a, b = sorted(truths["silo_bridged"]["departments"])
    page = Path(written["html"]).read_text(encoding="utf-8")
    bridged = next(s for s in written["summary"] if s.startswith(f"{a} and {b} gained") and "bridged" in s)
    assert bridged in page
    fragile = truths["fragile_bridge"]
    assert f"still runs through one person ({fragile['person']})" in page


def test_figures_and_tables_are_written(written):
    folder = Path(written["path"])
    for name in written["figures"]:
        figure = json.loads((folder / "figures" / f"{name}.json").read_text())
        assert figure["data"]
    assert {"growth_size", "silo_change", "advocate_movers", "reach_curve"} <= set(written["figures"])
    growth = pd.read_csv(folder / "tables" / "growth.csv")
    assert list(growth["period"]) == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert (growth["ties"].diff().dropna() > 0).all()
    assert set(written["tables"]) == {p.stem for p in (folder / "tables").glob("*.csv")}


def test_reports_are_registered_and_replaced(analysed, written):
    assert written["id"] in [r["id"] for r in list_reports(analysed)]
    again = write_report(analysed, written["before"], written["after"], written["path"])
    assert again["path"] == written["path"] and not [p for p in Path(written["path"]).parent.iterdir() if p.name.startswith(".")]


def test_small_groups_are_left_out(analysed, tmp_path, truths):
    small = min(truths["departments"], key=truths["departments"].get)  # Legal, 14 people
    record = write_report(analysed, "2026-07", "2026-08", tmp_path / "private", min_group_size=truths["departments"][small] + 1)
    assert not any(small in sentence for sentence in record["summary"])
    pairs = pd.read_csv(tmp_path / "private" / "tables" / "group_pairs.csv")
    assert small not in set(pairs["group_a"]) | set(pairs["group_b"])
    assert "Carla Hansen" not in (tmp_path / "private" / "report.html").read_text(encoding="utf-8")


def test_the_api_lists_and_serves_reports(analysed, written):
    viewer, analyst = create_key(analysed, "viewer")[1], create_key(analysed, "analyst")[1]
    app = create_app(Settings(store=analysed.location, session_secret="test-secret"))
    app.include_router(reports_router.router, prefix="/api/v1")
    with TestClient(app) as client:
        listed = client.get("/api/v1/reports", headers={"X-API-Key": viewer}).json()["reports"]
        url = next(r["url"] for r in listed if r["id"] == written["id"])
        assert client.get(url, headers={"X-API-Key": viewer}).status_code == 403
        served = client.get(url, headers={"X-API-Key": analyst})
        assert served.status_code == 200 and served.headers["content-type"].startswith("text/html")
        assert client.get("/api/v1/reports/2020-01_2020-02", headers={"X-API-Key": analyst}).status_code == 404
        assert client.get("/api/v1/reports").status_code == 401


def test_cli_report(analysed, tmp_path):
    result = CliRunner().invoke(
        cli, ["report", "--store", analysed.location, "--from", "2026-09", "--to", "2026-10", "--out", str(tmp_path / "r"), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["id"] == "2026-09_2026-10" and (tmp_path / "r" / "report.html").is_file()
    missing = CliRunner().invoke(
        cli, ["report", "--store", analysed.location, "--from", "2026-05..2026-06", "--to", "2026-10", "--out", str(tmp_path / "x")]
    )
    assert missing.exit_code == 1 and "not analysed" in missing.output


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")
def test_the_report_renders_offline_in_chromium(written):
    from playwright.sync_api import sync_playwright

    page_url = Path(written["html"]).as_uri()
    errors, outside = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(
                "request", lambda request: outside.append(request.url) if not request.url.startswith(("file:", "data:", "blob:")) else None
            )
            page.goto(page_url, wait_until="load")
            page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4", timeout=20_000)
            drawn = page.eval_on_selector_all(".js-plotly-plot", "plots => plots.filter(p => p.querySelector('svg, canvas')).length")
            assert drawn == len(written["figures"])
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        finally:
            browser.close()
    assert errors == [] and outside == []
