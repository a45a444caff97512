"""Which groups and communities of a snapshot are suppressed: read here, once, by the routers, the pages and the graph views.

The rules are :func:`orgnet.access.suppressed_groups` (small groups and their
complement) and :func:`orgnet.access.suppressed_communities` (small
communities, those holding members of a suppressed group, and their
complement); what is here reads their inputs from a snapshot's stored results.
The minimum group size is the one in force now (the service's setting), so a
new setting applies to every answer at once.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from orgnet.access import suppressed_communities, suppressed_groups
from orgnet.api.snapshots import Snapshots
from orgnet.communities import community_composition
from orgnet.jobs import COMMUNITIES, SUMMARY, CommunitiesResult

__all__ = ["community_members", "group_sizes", "hidden_communities", "hidden_groups", "shown_groups", "stored_composition"]


def group_sizes(snapshots: Snapshots, label: str, by: str = "department") -> dict[str, int]:
    """Members per group of a snapshot, from its stored summary of the grouping ``by``."""
    groups = snapshots.result(SUMMARY, label, by=by).groups
    return {str(group): int(size) for group, size in zip(groups.column("group").to_pylist(), groups.column("size").to_pylist())}


def hidden_groups(snapshots: Snapshots, label: str, min_size: int, among: Iterable[str] = (), by: str = "department") -> set[str]:
    """The groups of snapshot ``label`` (grouped by ``by``) whose figures are suppressed (see
    :func:`orgnet.access.suppressed_groups`): suppression applies per grouping.

    ``among`` names the groups of another table of the snapshot (the matrix, the layout); those the stored summary
    does not list have no known size and are suppressed too.
    """
    sizes = group_sizes(snapshots, label, by)
    return suppressed_groups(sizes, min_size) | ({str(group) for group in among} - set(sizes))


def shown_groups(snapshots: Snapshots, label: str, min_size: int, by: str = "department") -> list[str]:
    """The groups of snapshot ``label`` (grouped by ``by``) whose figures are shown, sorted: the ones the group view
    draws and the Network page offers to open."""
    return sorted(set(group_sizes(snapshots, label, by)) - hidden_groups(snapshots, label, min_size, by=by))


def community_members(snapshots: Snapshots, label: str, by: str = "department") -> pd.DataFrame:
    """Members per community (rows) and group of ``by`` (columns) of snapshot ``label``, built once per stored partition.

    The partition is the one analysed with the grouping ``by``; groups are read from the people table as the
    snapshot's graph reads them.
    """

    def build() -> pd.DataFrame:
        return stored_composition(snapshots.result(COMMUNITIES, label, by=by), snapshots.people(), by)

    return snapshots.derived(f"community_members:{by}", label, build, source=COMMUNITIES)


def stored_composition(communities: CommunitiesResult, people: pd.DataFrame, by: str) -> pd.DataFrame:
    """Members per community and group of a stored communities result, the groups read from the people table.

    ``people`` is indexed by ``person_id``; people it lacks, or without ``by``, are in the group ``(unknown)``, as in
    the snapshot's graph.
    """
    groups = people[by] if by in people.columns else pd.Series(dtype=object)
    return community_composition(communities.membership_map(), groups)


def hidden_communities(snapshots: Snapshots, label: str, min_size: int, by: str = "department") -> set[int]:
    """The communities of snapshot ``label`` (analysed with the grouping ``by``) whose figures are suppressed (see
    :func:`orgnet.access.suppressed_communities`): suppression applies per grouping."""
    members = community_members(snapshots, label, by)
    return suppressed_communities(members, hidden_groups(snapshots, label, min_size, by=by), min_size)
