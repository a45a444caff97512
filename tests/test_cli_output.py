"""The command line as people read it: the demo's key, errors that list valid values, numbers fit to read.

Every test runs the real ``orgnet`` app (Typer's runner) on a real SQLite store of the analysed samples.
"""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from orgnet.access import authenticate
from orgnet.cli import app
from orgnet.store.sqlite import SQLiteStore

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_the_demo_revokes_its_previous_key_and_says_so(analysed_path, tmp_path):
    db = tmp_path / "demo.db"
    shutil.copy(analysed_path, db)
    first = invoke("demo", "--store", str(db), "--no-serve", "--json")
    assert first.exit_code == 0, first.output
    first = json.loads(first.output)
    assert first["revoked_keys"] == []
    again = invoke("demo", "--store", str(db), "--no-serve")
    assert again.exit_code == 0, again.output
    assert f"the previous demo key {first['key_id']} is revoked" in again.output
    with SQLiteStore(db) as store:
        live = [k for k in store.api_keys() if k.revoked_at is None and k.name == "orgnet demo"]
        assert len(live) == 1 and live[0].key_id != first["key_id"]
        assert authenticate(store, first["key"]) is None


def test_an_unknown_value_is_an_error_listing_the_valid_ones(analysed_path):
    store = str(analysed_path)
    wrong = runner.invoke(app, ["advocates", "--store", store, "--department", "legal"])
    assert wrong.exit_code == 1
    assert "no department 'legal'; the departments are Design, Engineering, Finance, HR, Legal" in wrong.output
    assert "did you mean 'Legal'?" in wrong.output
    assert "no location 'Mars'; the locations are" in runner.invoke(app, ["advocates", "--store", store, "--location", "Mars"]).output
    by = runner.invoke(app, ["silos", "--store", store, "--by", "hobby"])
    assert by.exit_code == 1 and "no attribute 'hobby'; the attributes are" in by.output and "location" in by.output
    month = runner.invoke(app, ["silos", "--store", store, "--period", "2026-13"])
    assert month.exit_code == 1 and "'2026-13' is not a period" in month.output
    empty = runner.invoke(app, ["bridges", "--store", store, "--period", "2026-01"])
    assert empty.exit_code == 1 and "no ties in 2026-01; the store's periods are 2026-05 to 2026-10" in empty.output


def test_summary_prints_the_network_summary(analysed_path):
    from orgnet import jobs
    from orgnet.results import get

    with SQLiteStore(analysed_path) as store:
        stored = get(store, jobs.SUMMARY, "2026-10")
        communities = get(store, jobs.COMMUNITIES, "2026-10").labels.num_rows
    shown = invoke("summary", "--store", str(analysed_path), "--period", "2026-10", "--json")
    figures = json.loads(shown.output)
    assert (figures["density"], figures["ties"], figures["communities"]) == (stored.density, stored.ties, communities)
    text = invoke("summary", "--store", str(analysed_path), "--period", "2026-10").output
    assert f"│ density            │ {stored.density:.4f} │" in text and f"│ ties               │ {stored.ties:,} " in text
    assert f"{communities} communities" in text


def test_tables_read_as_counts_shares_and_names(analysed_path):
    from orgnet.cli.app import cell

    # Counts stored as floats are integers; shares are percentages; densities keep four decimals.
    assert (cell("ties", 16.0), cell("vertical_share", 0.1875), cell("density", 0.031549), cell("ratio", 0.0603)) == (
        "16",
        "19%",
        "0.0315",
        "0.06×",
    )
    assert cell("carrier_ids", ["E1", "E2"], {"E1": "Ann Lee"}) == "Ann Lee (E1), E2"
    bridges = runner.invoke(app, ["bridges", "--store", str(analysed_path), "--top", "5"])
    assert bridges.exit_code == 0, bridges.output
    # Brokers carry their names and their Cross & Prusak roles, each role defined below the table.
    # (The table wraps its cells at the runner's 80 columns.)
    assert "Hana" in bridges.output and "(E0093)" in bridges.output and "inform" in bridges.output
    assert "central connector: links many people directly" in bridges.output
    assert "single points of failure:" in bridges.output
    vertical = runner.invoke(app, ["silos", "--store", str(analysed_path)]).output
    assert "%" in vertical and ".000" not in vertical


def test_communities_compares_the_communities_with_the_groups(analysed_path):
    import math

    from orgnet import jobs
    from orgnet.results import get

    answer = invoke("communities", "--store", str(analysed_path), "--period", "2026-10", "--json")
    assert answer.exit_code == 0, answer.output
    found = json.loads(answer.output)
    # NMI and ARI recomputed by hand from the members of each department in each community the command prints.
    table = found["composition"]["members"]
    n = sum(map(sum, table))
    rows, cols = [sum(r) for r in table], [sum(c) for c in zip(*table)]
    mutual = sum(v / n * math.log(n * v / (rows[i] * cols[j])) for i, r in enumerate(table) for j, v in enumerate(r) if v)
    entropy = lambda counts: -sum(c / n * math.log(c / n) for c in counts if c)  # noqa: E731
    assert math.isclose(found["nmi"], mutual / ((entropy(rows) + entropy(cols)) / 2), rel_tol=1e-9)
    pairs = lambda counts: sum(c * (c - 1) / 2 for c in counts)  # noqa: E731
    expected = pairs(rows) * pairs(cols) / (n * (n - 1) / 2)
    together = sum(pairs(r) for r in table)
    assert math.isclose(found["ari"], (together - expected) / ((pairs(rows) + pairs(cols)) / 2 - expected), rel_tol=1e-9)
    assert found["by"] == "department" and found["sentence"].startswith("The communities follow the department lines closely")
    # Each community's connectors are its members of highest betweenness, best first.
    with SQLiteStore(analysed_path) as store:
        stored = get(store, jobs.COMMUNITIES, "2026-10")
        brokers = get(store, jobs.BROKERS, "2026-10").table.to_pandas().set_index("person_id")["betweenness"]
    membership = stored.membership_map()
    for community in found["communities"]:
        members = brokers[[p for p, c in membership.items() if c == community["community"]]]
        assert list(brokers[community["connectors"]]) == sorted(members, reverse=True)[:3]
    text = invoke("communities", "--store", str(analysed_path), "--period", "2026-10")
    assert f"NMI {found['nmi']:.2f}, ARI {found['ari']:.2f}" in text.output.replace("\n", " ")
    wrong = runner.invoke(app, ["communities", "--store", str(analysed_path), "--by", "hobby"])
    assert wrong.exit_code == 1 and "no attribute 'hobby'; the attributes are" in wrong.output
