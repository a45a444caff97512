"""Growth reports on the analysed samples: the words name the planted changes, files and API, privacy, and a real browser."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from orgnet.access import create_key
from orgnet.api.app import create_app
from orgnet.api.reports import REPORT_DOCUMENT, list_reports, write_report
from orgnet.api.routers import reports as reports_router
from orgnet.api.settings import Settings
from orgnet.cli import app as cli
from orgnet.jobs import COMMUNITIES
from orgnet.results import get, load_document, save_document

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


@pytest.fixture(scope="module")
def written_by_level(analysed, written, tmp_path_factory) -> dict:
    """The same two months compared by level (both analysed by level first), the report registered beside ``written``."""
    from orgnet.analysis import AnalysisOptions, analyze

    for label in (written["before"], written["after"]):
        analyze(analysed, label, options=AnalysisOptions(by="level"))
    return write_report(analysed, written["before"], written["after"], tmp_path_factory.mktemp("out") / "by-level", by="level")


def test_the_report_says_the_silo_was_bridged(written, truths):
    a, b = sorted(truths["silo_bridged"]["departments"])
    page = Path(written["html"]).read_text(encoding="utf-8")
    bridged = next(s for s in written["summary"] if s.startswith(f"{a} and {b} gained") and "bridged" in s)
    assert bridged in page
    fragile = truths["fragile_bridge"]
    # The carrier is named beside their id.
    name = analysed_names(written)[fragile["person"]]
    assert f"still runs through one person ({name} ({fragile['person']}))" in page


def analysed_names(record: dict) -> dict[str, str]:
    """Person id -> name as the report's tables give them ("Ben Patel (E0208)")."""
    movers = pd.read_csv(Path(record["path"]) / "tables" / "fragile_bridges.csv")
    ids = {i for cell in movers["carrier_ids_after"] for i in re.findall(r"E\d{4}", cell)}
    page = Path(record["html"]).read_text(encoding="utf-8")
    return {i: found.group(1) for i in ids if (found := re.search(rf"([A-Z][a-z]+ [A-Z][a-z]+) \({i}\)", page))}


def _number(text: str) -> float:
    return float(text.replace(",", ""))


@pytest.mark.parametrize("grouping", ["written", "written_by_level"])
def test_the_words_say_the_numbers_of_the_tables_beside_them(grouping, request):
    """Each number of the density, tie, community and group sentences is in a table of the report, as the table shows
    it, whether its groups are departments or levels."""
    written = request.getfixturevalue(grouping)
    report = Path(written["html"]).read_text(encoding="utf-8")
    tables = {name: pd.read_csv(Path(written["path"]) / "tables" / f"{name}.csv") for name in written["tables"]}
    summary = " ".join(written["summary"])
    network = tables["network"].set_index("measure")
    growth = tables["growth"].set_index("period")
    found = re.search(r"Density went from ([\d.]+) to ([\d.]+) and reciprocity from ([\d.]+) to ([\d.]+)", summary)
    assert found, summary
    density_before, density_after, reciprocity_before, reciprocity_after = found.groups()
    # The same figures, at the same precision, as the network table and the growth table (all people active).
    assert density_before == f"{network.loc['density', 'before']:.4f}" == f"{growth.loc[written['before'], 'density']:.4f}"
    assert density_after == f"{network.loc['density', 'after']:.4f}" == f"{growth.loc[written['after'], 'density']:.4f}"
    assert reciprocity_after == f"{network.loc['reciprocity', 'after']:.3f}" == f"{growth.loc[written['after'], 'reciprocity']:.3f}"
    assert reciprocity_before == f"{network.loc['reciprocity', 'before']:.3f}"
    for shown in (density_before, density_after, reciprocity_before, reciprocity_after):
        assert f"<td>{shown}</td>" in report, shown
    ties = tables["tie_changes"].set_index("kind")["same_people"]
    found = re.search(r"(\d+) ties are new, (\d+) were lost, (\d+) strengthened and (\d+) weakened", summary)
    assert found and [int(n) for n in found.groups()] == [ties["new"], ties["lost"], ties["strengthened"], ties["weakened"]]
    # The communities: before = continuing + merged + gone, after = continuing + new, each read off the matching table.
    found = re.search(
        r"The (\d+) communities(?: shown)? of \S+ became (\d+) in \S+: .* (\d+) continue, (\d+) merged into another"
        r"(?:, (\d+) went to communities not shown or left)?, and (\d+) (?:is|are) new",
        summary,
    )
    assert found, summary
    before, after, continuing, merged, other, new = (int(n or 0) for n in found.groups())
    moves = tables["community_moves"]
    assert continuing == moves["after"].nunique() and merged == len(moves) - moves["after"].nunique()
    assert before == continuing + merged + other and after == continuing + new
    assert "merged and" not in summary and " split (" not in summary
    # The group sentences name pairs of the report's own grouping, with the counts of its silo table.
    kind = "department" if grouping == "written" else "level"
    pairs = tables["group_pairs"]
    for a, b, gained, net, new, lost in re.findall(
        rf"(\S+) and (\S+) gained (?:(\d+) cross-{kind} ties?, from none|(\d+) cross-{kind} ties? on balance \((\d+) new, (\d+) lost\))",
        summary,
    ):
        row = pairs[((pairs["group_a"] == a) & (pairs["group_b"] == b)) | ((pairs["group_a"] == b) & (pairs["group_b"] == a))]
        assert len(row) == 1, (a, b)
        assert int(gained or new) == int(row["gained"].iloc[0]) and (not net or int(net) == int(row["net"].iloc[0]))
        assert not lost or int(lost) == int(row["lost"].iloc[0])
    assert re.search(rf"gained \d+ cross-{kind} tie", summary), summary


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
    # The aggregate form names no one: no id, no name.
    aggregate = (tmp_path / "private" / "aggregate.html").read_text(encoding="utf-8")
    assert not re.search(r"E\d{4}", aggregate) and "Carla Hansen" not in aggregate and "Advocate movers" not in aggregate


def test_the_api_lists_and_serves_reports(analysed, written):
    viewer, analyst = create_key(analysed, "viewer")[1], create_key(analysed, "analyst")[1]
    app = create_app(Settings(store=analysed.location, session_secret="test-secret"))
    app.include_router(reports_router.router, prefix="/api/v1")
    with TestClient(app) as client:
        listed = client.get("/api/v1/reports", headers={"X-API-Key": viewer}).json()["reports"]
        url = next(r["url"] for r in listed if r["id"] == written["id"])
        # A viewer opens the aggregate form: group figures, nobody named.
        aggregate = client.get(url, headers={"X-API-Key": viewer})
        assert aggregate.status_code == 200 and "(aggregate form)" in aggregate.text
        assert not re.search(r"E\d{4}", aggregate.text.split("<body>", 1)[1]) and "Fragile bridges" in aggregate.text
        served = client.get(url, headers={"X-API-Key": analyst})
        assert served.status_code == 200 and served.headers["content-type"].startswith("text/html")
        assert "(aggregate form)" not in served.text and re.search(r"E\d{4}", served.text)
        assert client.get("/api/v1/reports/2020-01_2020-02", headers={"X-API-Key": analyst}).status_code == 404
        assert client.get("/api/v1/reports").status_code == 401


def test_a_report_is_served_only_under_a_minimum_no_larger_than_it_was_written_with(analysed, tmp_path, truths):
    """Written at 5 and served at 20, a report would show Legal (14) and HR (18): refused, with the command that writes
    it again; written again with that command, it is served and names neither."""
    small = {g for g, n in truths["departments"].items() if n < 20}
    assert small == {"Legal", "HR"}
    loose = write_report(analysed, "2026-09", "2026-10", tmp_path / "loose")
    assert loose["min_group_size"] == 5
    assert any(g in sentence for sentence in loose["summary"] for g in small), "at 5 the report does speak of them"
    headers = {"X-API-Key": create_key(analysed, "analyst")[1]}
    with TestClient(create_app(Settings(store=analysed.location, session_secret="test-secret", min_group_size=20))) as client:
        entry = next(r for r in client.get("/api/v1/reports", headers=headers).json()["reports"] if r["id"] == loose["id"])
        assert entry["min_group_size"] == 5 and entry["servable"] is False
        refused = client.get(entry["url"], headers=headers)
        assert refused.status_code == 409 and refused.json()["error"] == "conflict"
        detail = refused.json()["detail"]
        assert "minimum group size 5" in detail and "under 20" in detail
        command = shlex.split(detail.split("Write it again with: ")[1])
        assert command[:2] == ["orgnet", "report"] and command[-2:] == ["--min-group-size", "20"]
        again = CliRunner().invoke(cli, command[1:])
        assert again.exit_code == 0, again.output
        entry = next(r for r in client.get("/api/v1/reports", headers=headers).json()["reports"] if r["id"] == loose["id"])
        assert entry["min_group_size"] == 20 and entry["servable"] is True
        assert client.get(entry["url"], headers=headers).status_code == 200
    record = load_document(analysed, REPORT_DOCUMENT, loose["id"])
    assert not any(g in sentence for sentence in record["summary"] for g in small)
    folder = Path(record["path"])
    for table in ("group_pairs", "fragile_bridges"):
        rows = pd.read_csv(folder / "tables" / f"{table}.csv")
        assert not small & (set(rows["group_a"]) | set(rows["group_b"])), table
    heatmap = json.loads((folder / "figures" / "silo_change.json").read_text())["data"][0]
    for i, row in enumerate(heatmap["z"]):
        for j, value in enumerate(row):
            if heatmap["y"][i] in small or heatmap["x"][j] in small:
                assert value is None
    # No community shown holds anyone of Legal or HR, in either snapshot.
    department = analysed.people().set_index("person_id")["department"]
    moves = pd.read_csv(folder / "tables" / "community_moves.csv")
    for label, column in (("2026-09", "before"), ("2026-10", "after")):
        membership = pd.Series(get(analysed, COMMUNITIES, label).membership_map())
        holding = set(membership[membership.index.map(department).isin(small)].unique())
        assert holding and not holding & set(moves[column]), label


def test_a_report_written_before_its_minimum_was_recorded_is_refused(analysed, tmp_path):
    record = write_report(analysed, "2026-08", "2026-09", tmp_path / "old")
    save_document(analysed, REPORT_DOCUMENT, record["id"], {k: v for k, v in record.items() if k != "min_group_size"})
    headers = {"X-API-Key": create_key(analysed, "analyst")[1]}
    with TestClient(create_app(Settings(store=analysed.location, session_secret="test-secret"))) as client:
        refused = client.get(f"/api/v1/reports/{record['id']}", headers=headers)
    assert refused.status_code == 409 and "unrecorded" in refused.json()["detail"]


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
    hobby = CliRunner().invoke(
        cli, ["report", "--store", analysed.location, "--from", "2026-09", "--to", "2026-10", "--out", str(tmp_path / "h"), "--by", "hobby"]
    )
    assert hobby.exit_code == 1 and "no attribute 'hobby'" in hobby.output and "level" in hobby.output


def test_cli_report_by_another_grouping(analysed, written_by_level, tmp_path):
    before, after = written_by_level["before"], written_by_level["after"]
    result = CliRunner().invoke(
        cli,
        ["report", "--store", analysed.location, "--from", before, "--to", after, "--out", str(tmp_path / "r"), "--by", "level", "--json"],
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["id"] == f"{before}_{after}_by_level" and record["by"] == "level"
    assert "between levels" in (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    # Both reports are registered, each under its own id.
    assert {f"{before}_{after}", f"{before}_{after}_by_level"} <= {r["id"] for r in list_reports(analysed)}


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
