"""Export the people graph for other tools: GraphML and GEXF (Gephi), and neo4j-admin CSV.

Every export reads people and ties through the :class:`~orgnet.store.Store`
protocol, so it works on any store. Nodes are people (those a roster listed,
with their HR attributes, plus anyone a tie names); edges are ties, one per
(``source``, ``target``, ``period``, ``channel``), carrying ``count``,
``weight``, ``first_seen`` and ``last_seen``.

The ``neo4j-csv`` format writes header and data files for
``neo4j-admin database import full`` in the graph model of
:mod:`orgnet.store.neo4j`, so that the imported database can be opened
again as an orgnet store (people, departments, reporting lines and ties).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path

import networkx as nx
import pandas as pd

from orgnet.errors import OrgnetError
from orgnet.model import CORE_PERSON_FIELDS
from orgnet.store import Store
from orgnet.store.frames import timestamps_to_seconds, timestamps_to_text

__all__ = ["EXPORT_FORMATS", "export_frames", "export_store", "format_for", "tie_graph", "write_neo4j_csv"]

EXPORT_FORMATS = ("graphml", "gexf", "neo4j-csv")
_SUFFIXES = {".graphml": "graphml", ".gexf": "gexf"}


def format_for(path: Path, fmt: str | None) -> str:
    """The export format: ``fmt`` when given, else guessed from the suffix of ``path``."""
    if fmt is None:
        fmt = _SUFFIXES.get(path.suffix.lower())
        if fmt is None:
            raise OrgnetError(f"cannot tell the format of {path}: pass --format ({', '.join(EXPORT_FORMATS)})")
    if fmt not in EXPORT_FORMATS:
        raise OrgnetError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    return fmt


def export_store(
    store: Store,
    path: Path,
    fmt: str,
    start: str | None = None,
    end: str | None = None,
    channels: Sequence[str] | None = None,
) -> list[Path]:
    """Export the ties of periods ``start`` to ``end`` (inclusive, open when ``None``) and the people.

    Parameters
    ----------
    store : any store.
    path : the file to write (``graphml``, ``gexf``) or the folder (``neo4j-csv``).
    fmt : one of :data:`EXPORT_FORMATS`.
    start, end, channels : as in :meth:`orgnet.store.Store.ties`.

    Returns
    -------
    The files written.
    """
    return export_frames(store.people(), store.ties(start, end, channels), path, fmt)


def export_frames(people: pd.DataFrame, ties: pd.DataFrame, path: Path, fmt: str) -> list[Path]:
    """Write ``people`` (as stores return them) and ``ties`` in format ``fmt``; returns the files written."""
    if fmt == "neo4j-csv":
        return write_neo4j_csv(people, ties, path)
    graph = tie_graph(people, ties)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "graphml":
        nx.write_graphml(graph, path)
    elif fmt == "gexf":
        nx.write_gexf(graph, path)
    else:
        raise OrgnetError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    return [path]


def tie_graph(people: pd.DataFrame, ties: pd.DataFrame) -> nx.MultiDiGraph[str]:
    """A directed multigraph: people with their non-empty fields, one edge per tie keyed ``period/channel``.

    Timestamps become ISO-8601 UTC strings and empty fields are left out, since
    GraphML and GEXF have no null.
    """
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for record in people.to_dict("records"):
        graph.add_node(record["person_id"], **{str(k): _plain(v) for k, v in record.items() if k != "person_id" and _plain(v) is not None})
    if ties.empty:
        return graph
    columns = zip(
        *(ties[name].tolist() for name in ("source", "target", "period", "channel")),
        ties["count"].astype("int64").tolist(),
        ties["weight"].astype(float).tolist(),
        timestamps_to_text(ties["first_seen"]),
        timestamps_to_text(ties["last_seen"]),
    )
    for source, target, period, channel, count, weight, first_seen, last_seen in columns:
        graph.add_edge(
            source,
            target,
            key=f"{period}/{channel}",
            period=period,
            channel=channel,
            count=count,
            weight=weight,
            first_seen=first_seen,
            last_seen=last_seen,
        )
    return graph


def write_neo4j_csv(people: pd.DataFrame, ties: pd.DataFrame, folder: Path) -> list[Path]:
    """Header and data files for ``neo4j-admin database import full``, and the command in ``import.sh``.

    Nodes: ``Person`` (``person_id:ID(Person)``, core fields, HR attributes,
    ``in_roster:boolean``), ``Department`` (``name:ID(Department)``).
    Relationships: ``MEMBER_OF``, ``REPORTS_TO`` and ``INTERACTED``
    (``period``, ``channel``, ``count:long``, ``weight:double``,
    ``first_seen:long``, ``last_seen:long``: seconds since 1970 UTC, as the
    Neo4j store writes them).
    """
    folder.mkdir(parents=True, exist_ok=True)
    person_ids = set(people["person_id"])
    # People only ties name are nodes too, or the import would drop their ties.
    strangers = sorted((set(ties["source"]) | set(ties["target"])) - person_ids) if len(ties) else []
    nodes = pd.concat(
        [people.assign(in_roster="true"), pd.DataFrame({"person_id": strangers, "in_roster": "false"})],
        ignore_index=True,
    )
    nodes[":LABEL"] = "Person"
    attributes = [c for c in people.columns if c not in CORE_PERSON_FIELDS]
    nodes = nodes[[*CORE_PERSON_FIELDS, *attributes, "in_roster", ":LABEL"]]
    node_header = ["person_id:ID(Person)", *CORE_PERSON_FIELDS[1:], *attributes, "in_roster:boolean", ":LABEL"]

    departments = sorted(people["department"].dropna().unique())
    members = people.loc[people["department"].notna(), ["person_id", "department"]]
    reports = people.loc[people["manager_id"].isin(person_ids), ["person_id", "manager_id"]]
    interacted = pd.DataFrame(
        {
            "source": ties["source"],
            "target": ties["target"],
            ":TYPE": "INTERACTED",
            "period": ties["period"],
            "channel": ties["channel"],
            "count": ties["count"],
            "weight": ties["weight"],
            # As the Neo4j store writes them: whole seconds since 1970 (pd.array keeps missing ones empty, not 1.0e9 floats).
            "first_seen": pd.array(timestamps_to_seconds(ties["first_seen"]), dtype="Int64") if len(ties) else [],
            "last_seen": pd.array(timestamps_to_seconds(ties["last_seen"]), dtype="Int64") if len(ties) else [],
        }
    )
    tables = {
        "people": (node_header, nodes),
        "departments": (["name:ID(Department)", ":LABEL"], pd.DataFrame({"name": departments, ":LABEL": "Department"})),
        "member_of": ([":START_ID(Person)", ":END_ID(Department)", ":TYPE"], members.assign(type="MEMBER_OF")),
        "reports_to": ([":START_ID(Person)", ":END_ID(Person)", ":TYPE"], reports.assign(type="REPORTS_TO")),
        "interacted": (
            [
                ":START_ID(Person)",
                ":END_ID(Person)",
                ":TYPE",
                "period",
                "channel",
                "count:long",
                "weight:double",
                "first_seen:long",
                "last_seen:long",
            ],
            interacted,
        ),
    }
    written: list[Path] = []
    arguments = []
    for name, (header, frame) in tables.items():
        header_path, data_path = folder / f"{name}_header.csv", folder / f"{name}.csv"
        pd.DataFrame(columns=header).to_csv(header_path, index=False)
        frame.to_csv(data_path, index=False, header=False)
        written += [header_path, data_path]
        kind = "nodes" if name in ("people", "departments") else "relationships"
        arguments.append(f"--{kind}={shlex.quote(header_path.name)},{shlex.quote(data_path.name)}")
    script = folder / "import.sh"
    script.write_text(
        "#!/bin/sh\n# Bulk-load into a new, stopped database (default name: neo4j); run from this folder.\n"
        'cd "$(dirname "$0")" && neo4j-admin database import full \\\n  ' + " \\\n  ".join(arguments) + ' \\\n  "${1:-neo4j}"\n',
        encoding="utf-8",
    )
    written.append(script)
    return written


def _plain(value: object) -> object:
    """A GraphML/GEXF-ready scalar, or ``None`` for missing values."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value
