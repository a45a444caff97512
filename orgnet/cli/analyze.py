"""``orgnet analyze`` and the commands that print its results: ``summary``, ``silos``, ``communities``, ``bridges``,
``advocates``, ``reach``, ``campaigns``.

A period, grouping attribute, department or location that the store does not hold is an error that lists those it
does (:mod:`orgnet.choices`), never an empty table.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import typer

from orgnet.cli.app import JsonOption, StoreOption, app, cell, console, emit_json, friendly_errors, print_records, store_from
from orgnet.defaults import DEFAULT_HOPS, DEFAULT_PROBABILITY, DEFAULT_RUNS
from orgnet.errors import OrgnetError

if TYPE_CHECKING:
    # Annotations only: the command line names its options without loading pandas and Arrow.
    from orgnet.jobs import Job

R = TypeVar("R")

__all__ = [
    "advocates_command",
    "analyze_command",
    "bridges_command",
    "campaigns_command",
    "communities_command",
    "reach_command",
    "silos_command",
    "summary_command",
]

PeriodOption = Annotated[str | None, typer.Option("--period", help="One period (YYYY-MM or YYYY-Www); default the latest.")]
FromOption = Annotated[str | None, typer.Option("--from", help="First period of a range.")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last period of a range.")]
ByOption = Annotated[str, typer.Option("--by", help="HR attribute defining the groups: department, location, level, any attribute.")]
EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Where the graph algorithms run: local (in this process) or gds (inside Neo4j Graph Data Science, on a "
        "Neo4j store; the results are stored as the local engine's). Default ORGNET_ENGINE, else local.",
    ),
]


def snapshot_of(period: str | None, start: str | None, end: str | None) -> str | None:
    """The snapshot label named by ``--period`` or ``--from``/``--to`` (``None``: the latest period)."""
    from orgnet.periods import is_period_label
    from orgnet.results import snapshot_label

    if period and (start or end):
        raise OrgnetError("give either --period or --from/--to, not both")
    for label in (period, start, end):
        if label and not is_period_label(label):
            raise OrgnetError(f"{label!r} is not a period (YYYY-MM or YYYY-Www)")
    if start or end:
        if not (start and end):
            raise OrgnetError("--from and --to go together")
        return snapshot_label(start, end)
    return period


@app.command("analyze")
@friendly_errors
def analyze_command(
    store: StoreOption = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    every_period: Annotated[bool, typer.Option("--every-period", help="Analyse each period of the store on its own.")] = False,
    by: ByOption = "department",
    resolution: Annotated[
        float, typer.Option("--resolution", min=0.01, help="Leiden resolution (1 = modularity; higher gives smaller communities).")
    ] = 1.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every randomised job.")] = 0,
    estimate: Annotated[
        bool,
        typer.Option(
            "--estimate",
            help="On a Neo4j store: print Graph Data Science's memory estimate for projecting the snapshot and running each "
            "algorithm on it, and analyse nothing (size the server's heap before a large run).",
        ),
    ] = False,
    engine: EngineOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compute and store every analysis of a snapshot: summary, silos, communities, brokers, fragility, advocates, reach, campaigns, layouts.

    A snapshot is one period (default: the latest), a range (--from/--to), or every period on its own (--every-period).
    """
    if estimate:
        _print_estimate(store, snapshot_of(period, start, end), as_json)
        return
    from rich.progress import Progress

    from orgnet.analysis import AnalysisOptions, analyze, analyze_periods
    from orgnet.results import parse_snapshot_label
    from orgnet.settings import load_settings

    options = AnalysisOptions(by=by, resolution=resolution, seed=seed, engine=load_settings(engine=engine).engine)
    label = snapshot_of(period, start, end)
    with store_from(store) as opened, Progress(console=console, transient=True, disable=as_json) as progress:
        task = progress.add_task("analysing", total=None)

        def step(name: str) -> None:
            progress.update(task, description=f"analysing: {name}")

        if every_period:
            runs = analyze_periods(opened, options, step)
        elif label:
            runs = [analyze(opened, *parse_snapshot_label(label), options, step)]
        else:
            runs = [analyze(opened, options=options, progress=step)]
    if as_json:
        emit_json([run.to_dict() for run in runs])
        return
    for run in runs:
        console.print(
            f"[green]✓[/] {run.label}: {run.people:,} people, {run.ties:,} ties, {len(run.stored)} results stored in {run.seconds:.1f} s"
        )


def _print_estimate(store: str | None, label: str | None, as_json: bool) -> None:
    """Print :func:`orgnet.gds.estimate` for the snapshot ``label`` (``None``: every period) of a Neo4j store."""
    import pyarrow as pa

    from orgnet import gds
    from orgnet.results import parse_snapshot_label
    from orgnet.store.neo4j import Neo4jStore

    with store_from(store) as opened:
        if not isinstance(opened, Neo4jStore):
            raise OrgnetError("--estimate asks Neo4j Graph Data Science; give a Neo4j store (--store bolt://HOST:7687)")
        start, end = parse_snapshot_label(label) if label else (None, None)
        sizes = gds.estimate(opened, start, end)
    if as_json:
        emit_json({"snapshot": label or "every period", "steps": sizes.to_dict("records")})
        return
    sizes = sizes.assign(mib_min=sizes["bytes_min"] / 2**20, mib_max=sizes["bytes_max"] / 2**20)
    print_records(
        pa.Table.from_pandas(sizes, preserve_index=False).to_pylist(),
        ["step", "mib_min", "mib_max", "required_memory"],
        f"Graph Data Science memory estimate, {label or 'every period'} (MiB; the heap must hold the projection and the largest step)",
    )


def _result(store: str | None, job: Job[R], label: str | None, by: str = "department") -> tuple[str, R]:
    from orgnet.analysis import AnalysisOptions, snapshot_result
    from orgnet.choices import check_choice, check_snapshot, grouping_attributes

    with store_from(store) as opened:
        if label is not None:
            check_snapshot(label, opened.periods())
        check_choice(by, grouping_attributes(opened.people()), "attribute")
        return snapshot_result(opened, job, label, AnalysisOptions(by=by))


def _names(store: str | None) -> dict[str, str]:
    from orgnet.model import person_names

    with store_from(store) as opened:
        return person_names(opened.people())


@app.command("summary")
@friendly_errors
def summary_command(
    store: StoreOption = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_json: JsonOption = False,
) -> None:
    """The network summary of a snapshot: people, ties, density, reciprocity, clustering, components and communities."""
    from orgnet.jobs import COMMUNITIES, SUMMARY

    label = snapshot_of(period, start, end)
    label, summary = _result(store, SUMMARY, label)
    _, communities = _result(store, COMMUNITIES, label)
    figures: dict[str, Any] = {
        "people": summary.people,
        "people_with_ties": summary.people_with_ties,
        "ties": summary.ties,
        "density": summary.density,
        "reciprocity": summary.reciprocity,
        "average_clustering": summary.average_clustering,
        "weak_components": summary.weak_components,
        "communities": communities.labels.num_rows,
        "modularity": communities.modularity,
    }
    if as_json:
        emit_json({"snapshot": label, **figures})
        return
    from rich.table import Table

    table = Table("measure", "value", title=f"Network summary, {label}", title_justify="left")
    for name, value in figures.items():
        table.add_row(name.replace("_", " "), cell(name, value))
    console.print(table)
    console.print(
        f"{figures['people_with_ties']:,} of {figures['people']:,} people have ties; {figures['density']:.2%} of possible ties exist, "
        f"{figures['reciprocity']:.0%} of ties are returned; {figures['weak_components']:,} connected "
        f"{'part' if figures['weak_components'] == 1 else 'parts'}, {figures['communities']:,} communities."
    )


@app.command("silos")
@friendly_errors
def silos_command(
    store: StoreOption = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    by: ByOption = "department",
    as_json: JsonOption = False,
) -> None:
    """Silo metrics per group (E-I index, external share, conductance), the weakest group pairs, and vertical-only groups."""
    from orgnet.jobs import SILO_PAIRS, SILOS, VERTICAL

    label = snapshot_of(period, start, end)
    label, stored = _result(store, SILOS, label, by)
    _, stored_pairs = _result(store, SILO_PAIRS, label, by)
    _, stored_vertical = _result(store, VERTICAL, label, by)
    silos, pairs, vertical = stored.table.to_pylist(), stored_pairs.table.to_pylist(), stored_vertical.groups.to_pylist()
    if as_json:
        emit_json({"snapshot": label, "by": by, "silos": silos, "silo_pairs": pairs, "vertical": vertical})
        return
    print_records(
        silos,
        ["group", "size", "ei_index", "external_share", "conductance", "internal_ties", "external_ties"],
        f"Silos by {by}, {label} (E-I: -1 all inside, +1 all outside)",
    )
    print_records(
        [p for p in pairs if p["silo"]],
        ["group_a", "group_b", "size_a", "size_b", "ties", "expected", "ratio"],
        "Silo pairs: far fewer ties than their sizes predict",
    )
    print_records(
        vertical,
        ["group", "size", "vertical_share", "lateral_within_share", "lateral_across_share", "vertical_only"],
        "Top down or side to side",
    )


@app.command("communities")
@friendly_errors
def communities_command(
    store: StoreOption = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    by: ByOption = "department",
    top: Annotated[int, typer.Option("--top", min=1, help="How many connectors to name per community.")] = 3,
    as_json: JsonOption = False,
) -> None:
    """Formal against informal: the communities people actually work in, against the groups of --by.

    NMI and ARI with a sentence that reads them, each community's size, dominant groups and top connectors (highest
    betweenness), and the members of each group in each community.
    """
    from orgnet.communities import agreement_sentence, community_composition, top_connectors
    from orgnet.jobs import BROKERS, COMMUNITIES
    from orgnet.model import person_names

    label = snapshot_of(period, start, end)
    label, stored = _result(store, COMMUNITIES, label, by)
    _, brokers = _result(store, BROKERS, label, by)
    with store_from(store) as opened:
        people = opened.people().set_index("person_id", drop=False)
    membership = cast(dict[Hashable, int], stored.membership_map())
    score = dict(zip(brokers.table.column("person_id").to_pylist(), brokers.table.column("betweenness").to_pylist()))
    connectors = top_connectors(membership, score, top)
    composition = community_composition(membership, people[by] if by in people.columns else {})
    nmi, ari = stored.agreement.get("nmi"), stored.agreement.get("ari")
    rows = [{**row, "connectors": connectors.get(row["community"], [])} for row in stored.labels.to_pylist()]
    sentence = agreement_sentence(nmi, ari, by)
    if as_json:
        emit_json(
            {
                "snapshot": label,
                "by": by,
                "method": stored.method,
                "modularity": stored.modularity,
                "nmi": nmi,
                "ari": ari,
                "sentence": sentence,
                "communities": rows,
                "composition": {
                    "groups": [str(g) for g in composition.columns],
                    "members": composition.to_numpy().tolist(),
                },
            }
        )
        return
    names = person_names(people)
    console.print(f"Communities against {by}, {label}: {sentence}", highlight=False)
    print_records(
        [{**row, "connectors": ", ".join(names.get(p) or p for p in row["connectors"])} for row in rows],
        ["community", "size", "label", "groups", "connectors"],
        f"{len(rows)} communities ({stored.method}, modularity {cell('modularity', stored.modularity)}), largest first",
    )
    groups = [str(g) for g in composition.columns]
    print_records(
        [{"community": c, **dict(zip(groups, counts))} for c, counts in zip(composition.index, composition.to_numpy().tolist())],
        ["community", *groups],
        f"Members of each {by} in each community",
    )


@app.command("bridges")
@friendly_errors
def bridges_command(
    store: StoreOption = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many brokers to list.")] = 15,
    as_json: JsonOption = False,
) -> None:
    """Brokers (betweenness, constraint, brokerage roles), single points of failure and fragile bridges between departments."""

    from orgnet.brokers import NETWORK_ROLES, network_roles, rank_brokers
    from orgnet.jobs import BROKERS, FRAGILITY
    from orgnet.results import to_jsonable

    label = snapshot_of(period, start, end)
    label, brokers = _result(store, BROKERS, label)
    _, fragility = _result(store, FRAGILITY, label)
    table = brokers.table.to_pandas().set_index("person_id")
    table["roles"] = network_roles(table)
    ranked = to_jsonable(rank_brokers(table).reset_index())
    fragile = [row for row in fragility.carriers.to_pylist() if row["fragile"]]
    names = _names(store)
    if as_json:
        emit_json(
            {
                "snapshot": label,
                "brokers": ranked[:top],
                "roles": NETWORK_ROLES,
                "articulation_points": fragility.articulation_points,
                "bridges": fragility.bridges,
                "fragile_bridges": fragile,
            }
        )
        return
    print_records(
        ranked,
        ["person_id", "group", "roles", "betweenness", "constraint", "effective_size", "brokerage", "participation"],
        f"Brokers, {label}",
        top,
        names,
    )
    for role, definition in NETWORK_ROLES.items():
        console.print(f"[bold]{role}[/]: {definition}", highlight=False)
    print_records(
        fragile,
        ["group_a", "group_b", "ties", "carriers", "carrier_ids", "top_shares"],
        "Fragile bridges: cross-group ties carried by one or two people",
        names=names,
    )
    points = fragility.articulation_points
    console.print(
        f"single points of failure: {len(points)} people whose departure splits the network"
        + (f": {', '.join(f'{names[p]} ({p})' if p in names else str(p) for p in points)}" if points else "")
        + f"; {len(fragility.bridges)} bridge ties",
        highlight=False,
    )


@app.command("advocates")
@friendly_errors
def advocates_command(
    store: StoreOption = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many advocates to list.")] = 10,
    department: Annotated[str | None, typer.Option("--department", help="Only people of this department.")] = None,
    location: Annotated[str | None, typer.Option("--location", help="Only people of this location.")] = None,
    min_actions: Annotated[
        float,
        typer.Option(
            "--min-actions", min=0, help="Only people with at least this many advocacy actions a month on average (actions_per_month)."
        ),
    ] = 0,
    as_json: JsonOption = False,
) -> None:
    """Top advocates: internal influence, engagement, unique external reach and bridging, with an explanation each.

    Ranks are those of the whole organisation; the filters only choose whom to list.
    """
    from orgnet.advocates import COMPONENTS, select_advocates
    from orgnet.choices import check_choice
    from orgnet.jobs import ADVOCATES
    from orgnet.results import to_jsonable

    label = snapshot_of(period, start, end)
    label, stored = _result(store, ADVOCATES, label)
    table = stored.table.to_pandas()
    for column, value in (("department", department), ("location", location)):
        if value is not None:
            check_choice(value, set(table[column].dropna()), column)
    filters = {column: value for column, value in (("department", department), ("location", location)) if value is not None}
    chosen = select_advocates(table, filters=filters, min_actions=min_actions, top=top)
    rows = to_jsonable(chosen)
    if as_json:
        emit_json({"snapshot": label, "advocates": rows})
        return
    print_records(
        rows,
        ["rank", "person_id", "name", "department", "score", *COMPONENTS],
        f"Top advocates, {label} (the score adds up its weighted components)",
    )
    for row in rows:
        console.print(f"{row['rank']}. {row.get('name') or row['person_id']}: {row['explain']}", highlight=False)


@app.command("reach")
@friendly_errors
def reach_command(
    store: StoreOption = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    squad: Annotated[
        int | None,
        typer.Option(
            "--squad",
            min=1,
            help="Squad size: the first k of the stored greedy squad, whose audiences together reach the most people "
            "(default: the whole stored squad).",
        ),
    ] = None,
    internal: Annotated[
        list[str] | None,
        typer.Option("--from-person", help="Internal reach instead: how far a message from these people travels inside (repeatable)."),
    ] = None,
    hops: Annotated[int, typer.Option("--hops", min=1, max=6, help="Hops of the internal k-hop reach.")] = DEFAULT_HOPS,
    probability: Annotated[
        float, typer.Option("--probability", min=0.0, max=1.0, help="Chance that a tie passes a message on (independent cascade).")
    ] = DEFAULT_PROBABILITY,
    runs: Annotated[int, typer.Option("--runs", min=1, help="Monte Carlo runs of the independent cascade.")] = DEFAULT_RUNS,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the cascade's runs: the same query gives the same answer.")] = 0,
    seeds: Annotated[
        int | None,
        typer.Option(
            "--seeds",
            min=1,
            help="Internal spread seeds instead: the K people to start a message from so that it travels furthest inside "
            "(CELF influence maximisation under the independent cascade; --engine gds runs GDS's CELF in Neo4j).",
        ),
    ] = None,
    engine: EngineOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reach of the combined employee social graphs: sum of followers vs unique followers, the brand accounts, and the best squad of k.

    With --from-person, the internal reach of those people instead: k-hop reach and the expected spread under the
    independent cascade model (seeded Monte Carlo runs, with a 95% confidence interval). With --seeds K, the K people
    from whom a message spreads furthest inside, chosen greedily (CELF), each with the expected spread so far.
    """
    label = snapshot_of(period, start, end)
    if internal and seeds:
        raise OrgnetError("--from-person and --seeds ask different questions; give one of them")
    if internal:
        _internal_reach(store, label, internal, hops, probability, runs, seed, as_json)
        return
    if seeds:
        _spread_seeds(store, label, seeds, engine, probability, runs, seed, as_json)
        return
    from dataclasses import asdict

    from orgnet.jobs import REACH
    from orgnet.reach import SQUAD_ACCOUNTS, guarantee_sentence, squad_reach_at

    label, reach = _result(store, REACH, label)
    curve = reach.squad_curve.to_pylist()
    platforms, brand = reach.platforms.to_pylist(), reach.brand.to_pylist()
    squad = len(curve) if squad is None else squad
    if squad > len(curve):
        raise OrgnetError(f"the stored reach curve goes to {len(curve)} people; analyse with a larger squad to see more")
    # The first `squad` of the stored greedy squad, read from its curve (the whole squad's figures when it is all of it).
    best = squad_reach_at(reach.squad_curve.to_pandas(), squad, reach.squad_reach)
    guarantee = reach.squad_guarantee if squad == len(curve) else guarantee_sentence(squad, curve[squad - 1]["unique_reach"])
    if as_json:
        emit_json(
            {
                "snapshot": label,
                "employees": asdict(reach.employees),
                "squad_reach": asdict(best),
                "summary": platforms,
                "brand": brand,
                "squad": curve[:squad],
                "guarantee": guarantee,
            }
        )
        return
    console.print(f"External reach, {label}: {reach.employees.sentence()}.")
    print_records(
        platforms,
        [
            "platform",
            "accounts",
            "follower_sum",
            "unique_followers",
            "overlap",
            "count_only_largest",
            "count_only_followers",
            "method",
            "relative_error",
        ],
        f"Combined reach of employees' audiences, {label}",
    )
    print_records(
        brand,
        ["platform", "employees_unique", "brand_unique", "union", "overlap", "employees_only"],
        "Employees versus the brand accounts",
    )
    print_records(
        curve[:squad], ["k", "person_id", "gain_ids", "unique_reach_ids", "count_only_reach", "follower_sum"], f"Greedy squad of {squad}"
    )
    console.print(f"The best {squad}: {best.sentence(SQUAD_ACCOUNTS)}.")
    console.print(guarantee)


def _internal_reach(
    store: str | None, label: str | None, people: list[str], hops: int, probability: float, runs: int, seed: int, as_json: bool
) -> None:
    from orgnet.analysis import snapshot_internal_reach

    with store_from(store) as opened:
        label, reach = snapshot_internal_reach(opened, people, label, hops=hops, probability=probability, runs=runs, seed=seed)
    if as_json:
        emit_json({"snapshot": label, **reach.to_dict()})
        return
    spread = reach.spread
    print_records(reach.to_dict()["per_hop"], ["hop", "new", "reached"], f"Internal reach of {', '.join(map(str, reach.people))}, {label}")
    console.print(
        f"expected spread (independent cascade, p = {probability}): {spread.mean:,.1f} people "
        f"(95% CI {spread.ci_low:,.1f} to {spread.ci_high:,.1f}, {spread.runs:,} runs)"
    )


def _spread_seeds(
    store: str | None, label: str | None, k: int, engine: str | None, probability: float, runs: int, seed: int, as_json: bool
) -> None:
    import pyarrow as pa

    from orgnet.analysis import snapshot_spread_seeds
    from orgnet.settings import load_settings

    chosen_engine: str = load_settings(engine=engine).engine
    with store_from(store) as opened:
        label, found = snapshot_spread_seeds(opened, k, label, engine=chosen_engine, probability=probability, runs=runs, seed=seed)
    rows = pa.Table.from_pandas(found, preserve_index=False).to_pylist()
    if as_json:
        emit_json({"snapshot": label, "engine": chosen_engine, "probability": probability, "runs": runs, "seeds": rows})
        return
    print_records(rows, ["rank", "person_id", "gain", "spread", "stderr"], f"Internal spread seeds, {label} ({chosen_engine} engine)")
    if rows:
        last = rows[-1]
        console.print(
            f"Starting from these {len(rows)}, a message reaches {last['spread']:,.1f} people on average "
            f"(95% CI {last['spread'] - 1.96 * last['stderr']:,.1f} to {last['spread'] + 1.96 * last['stderr']:,.1f}; "
            f"independent cascade, p = {probability}, {runs:,} runs)"
        )


@app.command("campaigns")
@friendly_errors
def campaigns_command(
    store: StoreOption = None,
    period: PeriodOption = None,
    start: FromOption = None,
    end: ToOption = None,
    as_json: JsonOption = False,
) -> None:
    """Campaigns: for each piece of content, who shared it, their combined unique reach, engagement per share and the leaders' part."""
    from orgnet.jobs import CAMPAIGNS

    label = snapshot_of(period, start, end)
    label, stored = _result(store, CAMPAIGNS, label)
    rows = stored.table.to_pylist()
    if as_json:
        emit_json({"snapshot": label, "campaigns": rows})
        return
    print_records(
        rows,
        ["content_id", "sharers", "unique_reach", "engagement_per_share", "leaders", "leader_reach", "leader_share"],
        f"Campaigns, {label}",
    )
