"""Growth reports: compare two snapshots of a store and write the report, its figures and its tables to a folder.

:func:`build_report` reads the stored analysis (every analysed single period
for the growth charts, the two snapshots for the comparison), applies the
service's privacy rules and returns a :class:`Report`; :func:`write_report`
writes it as ``report.html`` (self-contained, see :mod:`orgnet.viz.report`),
``figures/*.json`` (plotly figure JSON) and ``tables/*.csv``, then registers
it in the store as the result ``report`` so the API can list and serve it.

Privacy: the groups the service would suppress in either snapshot (smaller
than the minimum group size, or suppressed with such a group so that no
difference isolates one: :func:`orgnet.access.suppressed_groups`) are left
out of every group-level figure, table and sentence, and so are the
communities it would suppress (:func:`orgnet.access.suppressed_communities`);
people appear only by ``person_id``, which is the pseudonym in a
pseudonymised store, so no name is ever printed. The record of a report
keeps the minimum group size it was written with: the service serves it only
while its own minimum is not larger (:func:`servable`).

A report is written to a temporary folder beside ``out`` and moved into
place only once complete, so a failure leaves the previous report as it was.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shlex
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from orgnet.access import DEFAULT_MIN_GROUP_SIZE, suppressed_communities, suppressed_groups
from orgnet.api.suppression import stored_composition
from orgnet.compare import Comparison, compare_snapshots, summary_sentences
from orgnet.jobs import COMMUNITIES, FRAGILITY, GROUP_MATRIX, REACH, SUMMARY, GroupMatrixResult, ReachResult
from orgnet.results import document_keys, find, get, load_document, save_document
from orgnet.snapshots import find_snapshot, list_snapshots
from orgnet.store import Store
from orgnet.viz.growth import growth_chart, movers_chart
from orgnet.viz.reach import reach_curve
from orgnet.viz.report import ReportDocument, ReportSection, render_report
from orgnet.viz.silos import matrix_change_heatmap

__all__ = [
    "REPORT_DOCUMENT",
    "Report",
    "build_report",
    "growth_table",
    "list_reports",
    "regenerate_command",
    "report_id",
    "servable",
    "write_report",
]

#: Kind of the stored documents that register written reports (keyed by :func:`report_id`).
REPORT_DOCUMENT = "report"


@dataclass
class Report:
    """A built report: the comparison, its sentences, figures and tables, and the HTML page."""

    id: str
    before: str
    after: str
    comparison: Comparison
    sentences: list[str]
    figures: dict[str, go.Figure]
    tables: dict[str, pd.DataFrame]
    html: str


def report_id(before: str, after: str) -> str:
    """The id of the report comparing ``before`` with ``after`` (safe in a URL path)."""
    return f"{before}_{after}"


def growth_table(store: Store, by: str = "department") -> pd.DataFrame:
    """Headline figures of every analysed single period, oldest first.

    Columns: ``period``, ``people_with_ties``, ``ties``, ``cross_group_ties``
    (ties between different groups), ``density``, ``reciprocity``,
    ``average_clustering``, ``fragile_bridges``, ``single_points_of_failure``.
    """
    rows = []
    for info in list_snapshots(store):
        if info.is_range:
            continue
        summary = find(store, SUMMARY, info.label, by)
        matrix = find(store, GROUP_MATRIX, info.label, by)
        fragility = find(store, FRAGILITY, info.label, by)
        if summary is None or matrix is None or fragility is None:
            continue
        ties = matrix.ties
        rows.append(
            {
                "period": info.label,
                "people_with_ties": summary.people_with_ties,
                "ties": summary.ties,
                "cross_group_ties": sum(v for i, row in enumerate(ties) for j, v in enumerate(row) if i != j),
                "density": summary.density,
                "reciprocity": summary.reciprocity,
                "average_clustering": summary.average_clustering,
                "fragile_bridges": sum(bool(fragile) for fragile in fragility.carriers.column("fragile").to_pylist()),
                "single_points_of_failure": len(fragility.articulation_points),
            }
        )
    return pd.DataFrame(rows)


def _matrix(stored: GroupMatrixResult) -> pd.DataFrame:
    groups = stored.groups
    return pd.DataFrame(
        stored.ties, index=pd.Index(groups, name=f"sending {stored.by}"), columns=pd.Index(groups, name=f"receiving {stored.by}")
    )


def _hidden_groups(store: Store, labels: tuple[str, str], min_group_size: int, by: str) -> set[str]:
    """Groups below the minimum size in either snapshot."""
    hidden: set[str] = set()
    for label in labels:
        summary = find(store, SUMMARY, label, by)
        if summary is not None:
            groups = summary.groups
            hidden |= suppressed_groups(dict(zip(groups.column("group").to_pylist(), groups.column("size").to_pylist())), min_group_size)
    return hidden


def _hidden_communities(store: Store, label: str, hidden: set[str], min_group_size: int, by: str) -> set[int]:
    """Communities of snapshot ``label`` the service would suppress, given the groups suppressed in either snapshot."""
    stored = get(store, COMMUNITIES, label)
    people = store.people().set_index("person_id", drop=False)
    return suppressed_communities(stored_composition(stored, people, by), hidden, min_group_size)


def _private_tables(comparison: Comparison, hidden: set[str], communities: tuple[set[int], set[int]]) -> dict[str, pd.DataFrame]:
    tables = comparison.tables()
    pairs = tables["group_pairs"]
    tables["group_pairs"] = pairs[~pairs["group_a"].isin(hidden) & ~pairs["group_b"].isin(hidden)].reset_index(drop=True)
    fragile = tables["fragile_bridges"]
    tables["fragile_bridges"] = fragile[~fragile["group_a"].isin(hidden) & ~fragile["group_b"].isin(hidden)].reset_index(drop=True)
    moves = tables["community_moves"]
    if len(moves):
        shown = ~moves["before"].isin(communities[0]) & ~moves["after"].isin(communities[1])
        tables["community_moves"] = moves[shown].reset_index(drop=True)
    return tables


def _reach_figure(comparison: Comparison, reach_after: ReachResult) -> go.Figure | None:
    curves = comparison.reach["curves"]
    if not curves["after"]:
        return None
    # The curves show the external reach (followers with known ids), as the figures beside them do.
    known = {"unique_reach_ids": "unique_reach", "unique_reach": "objective"}
    after = pd.DataFrame(curves["after"]).rename(columns=known)
    before = pd.DataFrame(curves["before"]).rename(columns=known) if curves["before"] and not comparison.reach["same_audience"] else None
    brand = next((float(row["brand_unique"] or 0.0) for row in reach_after.brand.to_pylist() if row["platform"] == "all"), 0.0)
    return reach_curve(
        after,
        float(after["follower_sum"].iloc[-1]),
        brand or None,
        before=before,
        labels=(comparison.before, comparison.after),
        title="Unique reach of the best squad of advocates",
    )


def build_report(
    store: Store,
    before: str,
    after: str,
    *,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    by: str = "department",
) -> Report:
    """Compare the analysed snapshots ``before`` and ``after`` of ``store`` and build the report.

    Raises
    ------
    OrgnetError
        When either snapshot was not analysed.
    """
    before_info, after_info = find_snapshot(store, before), find_snapshot(store, after)
    comparison = compare_snapshots(store, before, after, by=by)
    hidden = _hidden_groups(store, (before, after), min_group_size, by)
    sentences = summary_sentences(comparison, hidden=hidden)
    communities = (
        _hidden_communities(store, before, hidden, min_group_size, by),
        _hidden_communities(store, after, hidden, min_group_size, by),
    )
    tables = _private_tables(comparison, hidden, communities)
    growth = growth_table(store, by)
    tables["growth"] = growth
    figures: dict[str, go.Figure] = {}
    if len(growth):
        figures["growth_size"] = growth_chart(
            growth, ["people_with_ties", "ties", "cross_group_ties"], title="People, ties and cross-group ties per period"
        )
        figures["growth_cohesion"] = growth_chart(
            growth, ["density", "reciprocity", "average_clustering"], secondary=None, title="Cohesion per period"
        )
        figures["growth_fragility"] = growth_chart(
            growth,
            ["fragile_bridges", "single_points_of_failure"],
            secondary=None,
            title="Fragile bridges and single points of failure per period",
        )
    matrices = [get(store, GROUP_MATRIX, label, by) for label in (before, after)]
    figures["silo_change"] = matrix_change_heatmap(
        _matrix(matrices[0]), _matrix(matrices[1]), "ties", suppressed=hidden, title=f"Change in ties between {by}s, {before} to {after}"
    )
    if len(comparison.movers):
        figures["advocate_movers"] = movers_chart(comparison.movers, title="Advocate rank movers (among people present in both)")
    reach = _reach_figure(comparison, get(store, REACH, after))
    if reach is not None:
        figures["reach_curve"] = reach
    people = comparison.people
    sections = [
        ReportSection(
            "Growth over every period",
            [
                f"Every analysed period of the store, {growth['period'].iloc[0]} to {growth['period'].iloc[-1]}."
                if len(growth)
                else "No single period is analysed yet."
            ],
            [figures[name] for name in ("growth_size", "growth_cohesion", "growth_fragility") if name in figures],
            growth,
        ),
        ReportSection(
            "People and ties",
            [
                f"{people['before']} people were active in {before}, {people['after']} in {after}; {people['common']} in both, "
                f"{len(people['joined'])} joined and {len(people['left'])} left. Tie changes are split between ties among the same "
                "people and ties that involve a joiner or a leaver."
            ],
            [],
            tables["tie_changes"],
        ),
        ReportSection(
            f"Silos: ties between {by}s",
            [
                f"Cells show the change in ties from each sending {by} to each receiving {by}; groups under {min_group_size} people, "
                "and the smallest others with them so that no difference isolates one, are hidden."
            ],
            [figures["silo_change"]],
            tables["group_pairs"],
        ),
        ReportSection("Fragile bridges", ["Group pairs whose ties run through one or two people."], [], tables["fragile_bridges"]),
        ReportSection(
            "Advocate movers",
            ["Ranks are recomputed among the people active in both snapshots, so joiners entering the ranking do not push anyone down."],
            [figures["advocate_movers"]] if "advocate_movers" in figures else [],
            tables["advocate_movers"],
        ),
        ReportSection(
            "Reach",
            [
                f"External reach in {comparison.after}: {comparison.reach['external_after'].sentence()}.",
                f"Distinct followers with known ids {comparison.reach['unique_before']:,.0f} -> {comparison.reach['unique_after']:,.0f}; "
                f"summed follower counts {comparison.reach['sum_before']:,.0f} -> {comparison.reach['sum_after']:,.0f}.",
            ],
            [reach] if reach is not None else [],
        ),
        ReportSection(
            "Communities",
            [
                f"{comparison.communities['changed']} of the {comparison.communities['common']} people active in both changed community; "
                "each community before is matched with the community after that took most of its members."
            ],
            [],
            tables["community_moves"],
        ),
    ]
    document = ReportDocument(
        title=f"How the network changed: {before} to {after}",
        subtitle=(
            f"Snapshots {before} (analysed {before_info.computed_at}) and {after} (analysed {after_info.computed_at}); "
            f"report written {_now()}."
        ),
        summary=sentences,
        sections=sections,
        notes=[
            *comparison.notes,
            f"Groups and communities with fewer than {min_group_size} members are left out, with the smallest others so that no "
            "difference of the figures shown isolates one, and so are communities with members in a group left out.",
            "People are named by their id only.",
        ],
    )
    return Report(report_id(before, after), before, after, comparison, sentences, figures, tables, render_report(document))


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_files(report: Report, folder: Path) -> None:
    (folder / "figures").mkdir(parents=True)  # the folder itself is new: a leftover would mix two reports
    (folder / "tables").mkdir()
    (folder / "report.html").write_text(report.html, encoding="utf-8")
    for name, figure in report.figures.items():
        (folder / "figures" / f"{name}.json").write_text(figure.to_json(), encoding="utf-8")
    for name, table in report.tables.items():
        table.to_csv(folder / "tables" / f"{name}.csv", index=False)


def _replace(folder: Path, staged: Path) -> None:
    """Move ``staged`` to ``folder``, replacing what is there only once ``staged`` is complete."""
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old-{secrets.token_hex(4)}")
        folder.rename(old)
    staged.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_report(
    store: Store,
    before: str,
    after: str,
    out: str | Path,
    *,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    by: str = "department",
) -> dict[str, Any]:
    """Build the report comparing ``before`` with ``after`` and write it to the folder ``out``.

    ``out`` receives ``report.html``, ``figures/NAME.json`` and
    ``tables/NAME.csv``; an earlier report there is replaced only once the
    new one is fully written. The report is registered in the store.

    Returns
    -------
    The stored record: ``id``, ``before``, ``after``, ``path``, ``html``,
    ``created_at``, ``min_group_size`` (what it was written with),
    ``summary`` (the sentences), ``figures``, ``tables``.
    """
    report = build_report(store, before, after, min_group_size=min_group_size, by=by)
    folder = Path(out).resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    staged = folder.with_name(f".{folder.name}.new-{secrets.token_hex(4)}")
    try:
        _write_files(report, staged)
        _replace(folder, staged)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    record = {
        "id": report.id,
        "before": before,
        "after": after,
        "path": str(folder),
        "html": str(folder / "report.html"),
        "created_at": _now(),
        "min_group_size": min_group_size,
        "summary": report.sentences,
        "figures": sorted(report.figures),
        "tables": sorted(report.tables),
    }
    save_document(store, REPORT_DOCUMENT, report.id, record)
    return record


def list_reports(store: Store) -> list[dict[str, Any]]:
    """Every registered report, newest first."""
    records = [load_document(store, REPORT_DOCUMENT, rid) for rid in document_keys(store, REPORT_DOCUMENT)]
    return sorted((r for r in records if r is not None), key=lambda r: r["created_at"], reverse=True)


def servable(record: Mapping[str, Any], min_group_size: int) -> bool:
    """Whether the report of ``record`` may be served where groups under ``min_group_size`` are suppressed.

    A report suppressed what its own minimum said when it was written; one written under a smaller minimum (or
    before the minimum was recorded) shows groups the service now suppresses, so it is not served.
    """
    written = record.get("min_group_size")
    return isinstance(written, int) and written >= min_group_size


def regenerate_command(record: Mapping[str, Any], min_group_size: int, store: str) -> str:
    """The ``orgnet report`` command that writes the report of ``record`` (in the store at ``store``) again under ``min_group_size``."""
    return (
        f"orgnet report --store {shlex.quote(store)} --from {record['before']} --to {record['after']} "
        f"--out {shlex.quote(str(record['path']))} --min-group-size {min_group_size}"
    )
