"""The ``orgnet`` command line: thin shells over the library, clear errors, JSON for scripts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import write
from typer.testing import CliRunner

from orgnet.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_ingest_and_info_as_json(tmp_path, roster_file):
    db = str(tmp_path / "cli.db")
    result = invoke("ingest", "roster", str(roster_file), "--store", db, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["counts"]["people"] == 4
    log = write(tmp_path / "log.csv", "sender,recipients,timestamp,channel\nE1,E2;E3,2026-05-04T09:00:00Z,email\n")
    assert invoke("ingest", "interactions", str(log), "--store", db).exit_code == 0
    again = invoke("ingest", "interactions", str(log), "--store", db, "--json")
    assert json.loads(again.output)["skipped"] is True
    info = json.loads(invoke("info", "--store", db, "--json").output)
    assert info["counts"]["people"] == 4
    assert info["counts"]["ties"] == 2
    assert info["periods"] == ["2026-05"]
    assert info["channels"] == {"email": 2}
    assert [entry["source"] for entry in info["ingests"]] == ["roster", "interactions"]


def test_store_from_environment(tmp_path, roster_file, monkeypatch):
    monkeypatch.setenv("ORGNET_STORE", str(tmp_path / "env.db"))
    assert invoke("ingest", "roster", str(roster_file)).exit_code == 0
    assert (tmp_path / "env.db").exists()


def test_bad_input_is_one_clear_error_without_traceback(tmp_path):
    bad = write(tmp_path / "roster.csv", "person_id,name\nE1,Ann\nE1,Again\n")
    process = subprocess.run(
        [sys.executable, "-m", "orgnet", "ingest", "roster", str(bad), "--store", str(tmp_path / "x.db")],
        capture_output=True,
        text=True,
    )
    assert process.returncode == 1
    assert "Traceback" not in process.stderr
    assert f"{bad}:3: duplicate person_id 'E1'" in process.stderr.replace("\n", "")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["tweets"], "unknown source 'tweets'; use one of roster, interactions"),
        (["roster", "--map", "nonsense"], "--map takes FIELD=COLUMN, not 'nonsense'"),
        (["roster", "--period-unit", "day"], "the period unit is one of month, week, not 'day'"),
    ],
    ids=["unknown source", "bad mapping", "bad period unit"],
)
def test_bad_ingest_arguments_are_one_clear_error_and_leave_no_store(tmp_path, roster_file, arguments, message):
    source, *options = arguments
    result = runner.invoke(app, ["ingest", source, str(roster_file), "--store", str(tmp_path / "x.db"), *options])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "x.db").exists()


def test_a_default_channel_is_lower_case_like_a_channel_column(tmp_path, roster_file):
    db = str(tmp_path / "cli.db")
    invoke("ingest", "roster", str(roster_file), "--store", db)
    log = write(tmp_path / "log.csv", "sender,recipients,timestamp\nE1,E2,2026-05-04T09:00:00Z\n")
    assert invoke("ingest", "interactions", str(log), "--store", db, "--channel", "Email").exit_code == 0
    assert json.loads(invoke("info", "--store", db, "--json").output)["channels"] == {"email": 1}


def test_help_explains_every_command():
    result = invoke("--help")
    for command in ("demo", "ingest", "info"):
        assert command in result.output
    assert "--skip-bad-rows" in invoke("ingest", "--help").output


def test_export_help_names_every_format():
    from orgnet.export import EXPORT_FORMATS

    # The --format help points at the description, which spells the formats out (see orgnet/cli/export.py).
    text = " ".join(invoke("export", "--help").output.split())
    assert all(fmt in text for fmt in EXPORT_FORMATS)


#: Libraries a command imports only when it runs, never to print its help.
HEAVY = ("pandas", "numpy", "pyarrow", "scipy", "networkx", "igraph", "plotly", "fastapi", "neo4j")
# Prints help for each command line given as JSON, then the heavy libraries loaded and the commands reached.
_HELP_PROBE = """
import json, sys
import typer.main
from orgnet.cli import app

def paths(command, prefix=()):
    yield prefix
    for name, sub in getattr(command, "commands", {}).items():
        yield from paths(sub, (*prefix, name))

lines = json.loads(sys.argv[1]) or [list(p) for p in paths(typer.main.get_command(app))]
for line in lines:
    try:
        app([*line, "--help"], prog_name="orgnet")
    except SystemExit as exit:
        assert exit.code == 0, (line, exit.code)
heavy = [name for name in json.loads(sys.argv[2]) if name in sys.modules]
sys.stderr.write(json.dumps({"heavy": heavy, "lines": lines}) + "\\n")
"""


def help_imports(lines: list[list[str]]) -> dict:
    """Run ``orgnet LINE --help`` for each line (every command when empty) in a fresh interpreter; what it imported."""
    process = subprocess.run(
        [sys.executable, "-c", _HELP_PROBE, json.dumps(lines), json.dumps(HEAVY)], capture_output=True, text=True, check=True
    )
    return json.loads(process.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("line", [[], ["ingest"]], ids=["orgnet --help", "orgnet ingest --help"])
def test_help_imports_no_heavy_library(line):
    assert help_imports([line])["heavy"] == []


def test_no_command_imports_a_heavy_library_for_its_help():
    probed = help_imports([])
    # Every command is reached, those of the layers above (serve, report) and sub-commands (keys create) too.
    assert {"ingest", "analyze", "serve", "report", "keys create"} <= {" ".join(line) for line in probed["lines"]}
    assert probed["heavy"] == []


def test_analysis_commands_print_json(sample_store_path, tmp_path, truths):
    import shutil

    db = str(tmp_path / "analysed.db")
    shutil.copy(sample_store_path, db)
    runs = json.loads(invoke("analyze", "--store", db, "--period", "2026-10", "--json").output)
    assert runs[0]["label"] == "2026-10" and "advocates" in runs[0]["stored"]
    assert runs[0]["seconds"] >= max(runs[0]["timings"].values())
    top = json.loads(invoke("advocates", "--store", db, "--top", "5", "--json").output)["advocates"]
    assert {row["person_id"] for row in top} == set(truths["advocates"])
    engineering = json.loads(invoke("advocates", "--store", db, "--department", "Engineering", "--json").output)["advocates"]
    assert engineering and all(row["department"] == "Engineering" for row in engineering)
    everyone = json.loads(invoke("advocates", "--store", db, "--top", "100000", "--json").output)["advocates"]
    # --min-actions counts actions a month, the actions_per_month the ranking shows; ranks stay the whole organisation's.
    active = json.loads(invoke("advocates", "--store", db, "--min-actions", "2", "--top", "100000", "--json").output)["advocates"]
    expected = [row for row in everyone if (row["actions_per_month"] or 0) >= 2]
    assert 0 < len(active) < len(everyone)
    assert [(row["person_id"], row["rank"]) for row in active] == [(row["person_id"], row["rank"]) for row in expected]
    bridges = json.loads(invoke("bridges", "--store", db, "--json").output)
    assert [truths["fragile_bridge"]["person"]] in [row["carrier_ids"] for row in bridges["fragile_bridges"]]
    betweenness = [row["betweenness"] for row in bridges["brokers"]]
    assert len(betweenness) == 15 and betweenness == sorted(betweenness, reverse=True)
    silos = json.loads(invoke("silos", "--store", db, "--by", "location", "--json").output)
    assert silos["by"] == "location" and len(silos["silos"]) == truths["counts"]["locations"]
    reach = json.loads(invoke("reach", "--store", db, "--squad", "3", "--json").output)
    assert [row["k"] for row in reach["squad"]] == [1, 2, 3]
    campaigns = json.loads(invoke("campaigns", "--store", db, "--json").output)["campaigns"]
    assert {row["content_id"] for row in campaigns} >= {"acme-2026-10-a"}


def test_analysis_commands_explain_bad_periods(tmp_path, roster_file):
    db = str(tmp_path / "x.db")
    invoke("ingest", "roster", str(roster_file), "--store", db)
    result = runner.invoke(app, ["analyze", "--store", db])
    assert result.exit_code == 1
    result = runner.invoke(app, ["advocates", "--store", db, "--period", "October"])
    assert result.exit_code == 1


def test_internal_reach_from_people(sample_store_path):
    import networkx as nx

    from orgnet.analysis import load_snapshot
    from orgnet.defaults import DEFAULT_RUNS
    from orgnet.spread import internal_reach
    from orgnet.store.sqlite import SQLiteStore

    db = str(sample_store_path)
    result = json.loads(invoke("reach", "--store", db, "--from-person", "E0093", "--hops", "2", "--json").output)
    with SQLiteStore(db) as store:
        graph = load_snapshot(store, "2026-10").graph
    # NetworkX as the reference: people within two directed hops.
    within = nx.single_source_shortest_path_length(graph, "E0093", cutoff=2)
    assert result["snapshot"] == "2026-10"
    assert result["per_hop"][-1]["reached"] == result["reached"] == len(within)
    # The command is the library's one call, with the defaults the API reads too.
    assert result["expected_spread"] == internal_reach(graph, ["E0093"], 2).spread.to_dict()
    assert result["expected_spread"]["runs"] == DEFAULT_RUNS
    tuned = json.loads(invoke("reach", "--store", db, "--from-person", "E0093", "--runs", "50", "--seed", "3", "--json").output)
    assert tuned["expected_spread"] == internal_reach(graph, ["E0093"], runs=50, seed=3).spread.to_dict()
    unknown = runner.invoke(app, ["reach", "--store", db, "--from-person", "nobody", "--from-person", "E0093"])
    assert unknown.exit_code == 1
    assert "not in the 2026-10 graph: nobody" in unknown.output


def test_reach_seeds_are_the_greedy_celf_seeds_each_with_the_expected_spread_so_far(sample_store_path):
    from orgnet.analysis import load_snapshot
    from orgnet.spread import celf_seeds, expected_spread
    from orgnet.store.sqlite import SQLiteStore

    db = str(sample_store_path)
    result = json.loads(invoke("reach", "--store", db, "--seeds", "3", "--runs", "200", "--json").output)
    with SQLiteStore(db) as store:
        data = load_snapshot(store, "2026-10")
    chosen = celf_seeds(data.graph, 3, runs=200, seed=0)["person_id"].tolist()
    assert result["snapshot"] == "2026-10" and result["engine"] == "local" and result["runs"] == 200
    assert [row["person_id"] for row in result["seeds"]] == chosen and [row["rank"] for row in result["seeds"]] == [1, 2, 3]
    # Each row's spread is the expected spread of the seeds up to it, the one definition both engines are scored by.
    for row in result["seeds"]:
        truth = expected_spread(data.graph, chosen[: row["rank"]], runs=200, seed=0)
        assert row["spread"] == pytest.approx(truth.mean) and row["stderr"] == pytest.approx(truth.stderr)
    # The sentence says the last row's figure.
    printed = invoke("reach", "--store", db, "--seeds", "3", "--runs", "200").output
    assert f"Starting from these 3, a message reaches {result['seeds'][-1]['spread']:,.1f} people" in " ".join(printed.split())
    both = runner.invoke(app, ["reach", "--store", db, "--seeds", "2", "--from-person", "E0093"])
    assert both.exit_code == 1 and "give one of them" in both.output


def test_an_error_quoting_markup_is_printed_as_written(tmp_path):
    # A column named like rich markup crashed the error printer, or vanished from the message.
    log = tmp_path / "log.csv"
    log.write_text("sender,recipients,timestamp,[/bold],[red]x\na,b,2026-05-04T09:00:00Z,1,2\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "orgnet", "ingest", "interactions", str(log), "--store", str(tmp_path / "s.db")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "'[/bold]'" in done.stderr and "'[red]x'" in done.stderr


def test_the_console_script_freezes_what_it_leaves_out_of_the_last_collection(monkeypatch):
    import gc

    from orgnet.cli import main

    monkeypatch.setattr(sys, "argv", ["orgnet", "--help"])
    gc.unfreeze()
    try:
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == 0
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
