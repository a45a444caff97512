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
people appear by ``person_id`` with their name beside it where the store
holds one (a pseudonymised store holds none, so there the pseudonym is all
that is printed). Each report is written twice: in full (``report.html``)
for the roles that see people, and in its aggregate form
(``aggregate.html``: no person named, no advocate movers) for the roles
that see group figures only (:func:`served_page`). The record of a report
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
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go

from orgnet.access import DEFAULT_MIN_GROUP_SIZE, suppressed_communities, suppressed_groups
from orgnet.api.grouping import DEFAULT_BY
from orgnet.api.suppression import stored_composition
from orgnet.choices import check_choice, grouping_attributes
from orgnet.compare import Comparison, compare_snapshots, summary_sentences
from orgnet.jobs import COMMUNITIES, FRAGILITY, GROUP_MATRIX, REACH, SUMMARY, GroupMatrixResult, ReachResult
from orgnet.model import person_names
from orgnet.results import document_keys, find, get, load_document, save_document
from orgnet.snapshots import find_snapshot, list_snapshots
from orgnet.store import Store
from orgnet.viz.growth import growth_panels, movers_chart
from orgnet.viz.reach import reach_curve
from orgnet.viz.report import ReportDocument, ReportSection, render_report
from orgnet.viz.silos import matrix_change_heatmap

__all__ = [
    "COLUMN_WORDS",
    "GROWTH_WORDS",
    "REPORT_DOCUMENT",
    "Report",
    "build_report",
    "growth_table",
    "list_reports",
    "regenerate_command",
    "report_id",
    "servable",
    "served_page",
    "write_report",
]

#: Kind of the stored documents that register written reports (keyed by :func:`report_id`).
REPORT_DOCUMENT = "report"

#: The columns of :func:`growth_table` in words, for the charts and the table of a report and the overview.
GROWTH_WORDS = {
    "period": "period",
    "people_with_ties": "people with ties",
    "ties": "ties",
    "cross_group_ties": "ties across groups",
    "density": "density",
    "reciprocity": "reciprocity",
    "average_clustering": "clustering",
    "fragile_bridges": "fragile bridges",
    "single_points_of_failure": "single points of failure",
}

#: The other columns of a report's tables in words (the CSV files keep the column names).
COLUMN_WORDS = {
    **GROWTH_WORDS,
    "kind": "ties",
    "all": "all",
    "same_people": "among the same people",
    "involving": "involving joiners or leavers",
    "measure": "measure",
    "before": "before",
    "after": "after",
    "change": "change",
    "before_common": "before, same people",
    "after_common": "after, same people",
    "change_common": "change, same people",
    "group_a": "group",
    "group_b": "and group",
    "ties_before": "ties before",
    "ties_after": "ties after",
    "gained": "new",
    "lost": "lost",
    "net": "net change",
    "ratio_after": "against sizes, after",
    "silo_after": "silo after",
    "bridged": "newly bridged",
    "status": "status",
    "carriers_before": "carried by, before",
    "carriers_after": "carried by, after",
    "carrier_ids_after": "carriers now",
    "person_id": "person",
    "before_rank": "rank before",
    "after_rank": "rank after",
    "rank_change": "places moved",
    "score_before": "score before",
    "score_after": "score after",
    "overlap": "members kept",
    "size_before": "members before, in both",
}

#: Columns of the comparison's group pairs table shown in a report (the CSV has them all).
_PAIR_COLUMNS = ["group_a", "group_b", "ties_before", "ties_after", "gained", "lost", "net", "ratio_after", "silo_after", "bridged"]
_MOVER_COLUMNS = ["person_id", "before_rank", "after_rank", "rank_change", "score_before", "score_after"]


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
    aggregate_html: str


def report_id(before: str, after: str, by: str = DEFAULT_BY) -> str:
    """The id of the report comparing ``before`` with ``after`` by the groups of ``by`` (safe in a URL path):
    ``2026-09_2026-10``, ``2026-09_2026-10_by_location`` for another grouping than departments."""
    return f"{before}_{after}" if by == DEFAULT_BY else f"{before}_{after}_by_{quote(by, safe='')}"


def growth_table(store: Store, by: str = DEFAULT_BY) -> pd.DataFrame:
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


def _shown(table: pd.DataFrame, names: dict[str, str], columns: list[str] | None = None) -> pd.DataFrame:
    """``table`` as a report shows it: the chosen columns, people's names beside their ids, column names in words."""
    shown = table[[c for c in columns if c in table.columns]] if columns else table.copy()

    def named(value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(named(v) for v in value)
        return f"{names[value]} ({value})" if isinstance(value, str) and value in names else value

    for column in ("person_id", "carrier_ids_after"):
        if column in shown.columns:
            shown[column] = shown[column].map(named)
    return shown.rename(columns=COLUMN_WORDS)


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
    by: str = DEFAULT_BY,
) -> Report:
    """Compare the analysed snapshots ``before`` and ``after`` of ``store`` and build the report, in full and in its
    aggregate form.

    ``by`` is the grouping of every group-level table, figure and sentence (departments by default); both snapshots
    must have been analysed with it (``orgnet analyze --by``).

    Raises
    ------
    OrgnetError
        When ``by`` is not an attribute of the store's people (the message lists them), or either snapshot was not
        analysed (with ``by``).
    """
    by = check_choice(by, grouping_attributes(store.people()), "attribute")
    before_info, after_info = find_snapshot(store, before), find_snapshot(store, after)
    comparison = compare_snapshots(store, before, after, by=by)
    hidden = _hidden_groups(store, (before, after), min_group_size, by)
    names = person_names(store.people())
    communities = (
        _hidden_communities(store, before, hidden, min_group_size, by),
        _hidden_communities(store, after, hidden, min_group_size, by),
    )
    tables = _private_tables(comparison, hidden, communities)
    growth = growth_table(store, by)
    tables["growth"] = growth
    figures: dict[str, go.Figure] = {}
    if len(growth):
        for name, metrics, title in (
            ("growth_size", ["people_with_ties", "ties", "cross_group_ties"], "People and ties per period"),
            ("growth_cohesion", ["density", "reciprocity", "average_clustering"], "Cohesion per period"),
            ("growth_fragility", ["fragile_bridges", "single_points_of_failure"], "Fragile bridges and single points of failure"),
        ):
            figures[name] = growth_panels(growth, metrics, GROWTH_WORDS, title=title)
    matrices = [get(store, GROUP_MATRIX, label, by) for label in (before, after)]
    figures["silo_change"] = matrix_change_heatmap(
        _matrix(matrices[0]), _matrix(matrices[1]), "ties", suppressed=hidden, title=f"Change in ties between {by}s, {before} to {after}"
    )
    if len(comparison.movers):
        figures["advocate_movers"] = movers_chart(
            comparison.movers.assign(label=[f"{names[p]} ({p})" if p in names else p for p in comparison.movers["person_id"]]),
            title="Advocate rank movers (among people present in both)",
        )
    reach = _reach_figure(comparison, get(store, REACH, after))
    if reach is not None:
        figures["reach_curve"] = reach
    sentences = summary_sentences(comparison, hidden=hidden, names=names, communities=communities)
    full, aggregate = (
        _document(comparison, before_info.computed_at, after_info.computed_at, sentences, figures, tables, names, min_group_size, by),
        _document(
            comparison,
            before_info.computed_at,
            after_info.computed_at,
            summary_sentences(comparison, hidden=hidden, people=False, communities=communities),
            figures,
            tables,
            None,
            min_group_size,
            by,
        ),
    )
    return Report(
        report_id(before, after, by), before, after, comparison, sentences, figures, tables, render_report(full), render_report(aggregate)
    )


def _document(
    comparison: Comparison,
    before_at: str,
    after_at: str,
    sentences: list[str],
    figures: dict[str, go.Figure],
    tables: dict[str, pd.DataFrame],
    names: dict[str, str] | None,
    min_group_size: int,
    by: str,
) -> ReportDocument:
    """The report's page; ``names is None`` gives the aggregate form, which names nobody."""
    before, after = comparison.before, comparison.after
    growth = tables["growth"]
    people = comparison.people
    full = names is not None
    known = names or {}
    fragile = ["status", "group_a", "group_b", "carriers_before", "carriers_after"] + (["carrier_ids_after"] if full else [])
    sections = [
        ReportSection(
            "Growth over every period",
            [
                f"Every analysed period of the store, {growth['period'].iloc[0]} to {growth['period'].iloc[-1]}; each chart has its own scale."
                if len(growth)
                else "No single period is analysed yet."
            ],
            [figures[name] for name in ("growth_size", "growth_cohesion", "growth_fragility") if name in figures],
            _shown(growth, known),
        ),
        ReportSection(
            "People and ties",
            [
                f"{people['before']} people were active in {before}, {people['after']} in {after}; {people['common']} in both, "
                f"{len(people['joined'])} joined and {len(people['left'])} left. Tie changes are split between ties among the same "
                "people and ties that involve a joiner or a leaver; density and reciprocity are given for everyone active and "
                "among the same people."
            ],
            [],
            _shown(tables["tie_changes"], known),
            [_shown(tables["network"], known)],
        ),
        ReportSection(
            f"Silos: ties between {by}s",
            [
                f"Cells show the change in ties from each sending {by} to each receiving {by}; groups under {min_group_size} people, "
                "and the smallest others with them so that no difference isolates one, are hidden."
            ],
            [figures["silo_change"]],
            _shown(tables["group_pairs"], known, _PAIR_COLUMNS),
        ),
        ReportSection(
            "Fragile bridges",
            ["Group pairs whose ties run through one or two people."]
            + ([] if full else ["This is the report's aggregate form: who carries each bridge is left out."]),
            [],
            _shown(tables["fragile_bridges"], known, fragile),
        ),
    ]
    if full:
        sections.append(
            ReportSection(
                "Advocate movers",
                [
                    "Ranks are recomputed among the people active in both snapshots, so joiners entering the ranking do not push anyone down."
                ],
                [figures["advocate_movers"]] if "advocate_movers" in figures else [],
                _shown(tables["advocate_movers"], known, _MOVER_COLUMNS),
            )
        )
    reach = figures.get("reach_curve")
    k = comparison.communities
    sections += [
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
                f"{k['changed']} of the {k['common']} people active in both changed community. Each community before is matched "
                "with the community after that took most of its members (the table); a community after that is the match of "
                "several before took them in (they merged), and one that is no one's match is new."
            ],
            [],
            _shown(tables["community_moves"], known),
        ),
    ]
    return ReportDocument(
        title=f"How the network changed: {before} to {after}" + ("" if full else " (aggregate form)"),
        subtitle=f"Snapshots {before} (analysed {before_at}) and {after} (analysed {after_at}); report written {_now()}.",
        summary=sentences,
        sections=sections,
        notes=[
            *comparison.notes,
            f"Groups and communities with fewer than {min_group_size} members are left out, with the smallest others so that no "
            "difference of the figures shown isolates one, and so are communities with members in a group left out.",
            "People are named by their id, with their name beside it where the store holds names."
            if full
            else "The aggregate form names no one: it is what every role that sees group figures may open.",
        ],
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_files(report: Report, folder: Path) -> None:
    (folder / "figures").mkdir(parents=True)  # the folder itself is new: a leftover would mix two reports
    (folder / "tables").mkdir()
    (folder / "report.html").write_text(report.html, encoding="utf-8")
    (folder / "aggregate.html").write_text(report.aggregate_html, encoding="utf-8")
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
    by: str = DEFAULT_BY,
) -> dict[str, Any]:
    """Build the report comparing ``before`` with ``after`` and write it to the folder ``out``.

    ``out`` receives ``report.html``, ``aggregate.html``, ``figures/NAME.json`` and
    ``tables/NAME.csv``; an earlier report there is replaced only once the
    new one is fully written. The report is registered in the store.

    Returns
    -------
    The stored record: ``id``, ``before``, ``after``, ``path``, ``html``, ``aggregate_html``,
    ``created_at``, ``min_group_size`` and ``by`` (what it was written with),
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
        "aggregate_html": str(folder / "aggregate.html"),
        "created_at": _now(),
        "min_group_size": min_group_size,
        "by": by,
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


def served_page(record: Mapping[str, Any], people: bool) -> Path | None:
    """The page of the report of ``record`` that a role may open: the full one when it may see ``people``, else the
    aggregate form (``None`` for a report written before reports had one)."""
    page = record.get("html") if people else record.get("aggregate_html")
    return Path(page) if page else None


def regenerate_command(record: Mapping[str, Any], min_group_size: int, store: str) -> str:
    """The ``orgnet report`` command that writes the report of ``record`` (in the store at ``store``) again under ``min_group_size``."""
    return (
        f"orgnet report --store {shlex.quote(store)} --from {record['before']} --to {record['after']} "
        f"--out {shlex.quote(str(record['path']))} --min-group-size {min_group_size}"
        + (f" --by {shlex.quote(record['by'])}" if record.get("by", DEFAULT_BY) != DEFAULT_BY else "")
    )
