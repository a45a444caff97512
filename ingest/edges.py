"""From interactions and their participants to ties: the one path every log-like source takes.

Ingesters of interaction logs (the interactions table, e-mail, Slack,
calendars) only parse their format into two long tables and hand them to
:func:`add_interactions`:

``interactions``
    one row per interaction: ``interaction`` (int id), ``timestamp``
    (datetime64 UTC), ``channel``, ``kind`` (``message`` or ``meeting``),
    ``duration_hours`` (meetings; NaN elsewhere); optionally ``count`` and
    ``last_timestamp``: a row may stand for ``count`` identical interactions
    (same participants, channel, kind, duration and period), from
    ``timestamp`` (the earliest) to ``last_timestamp`` (the latest).
``participants``
    one row per participant: ``interaction``, ``role`` (``sender`` or
    ``recipient`` for messages, ``attendee`` for meetings) and ``raw``, the
    address or handle as the source wrote it.

Weighting follows :mod:`orgnet.aggregate`: a message to ``n`` recipients adds
``1/n`` to each sender -> recipient tie; a meeting of ``n`` attendees adds
``duration_hours/(n-1)`` to each ordered pair of attendees.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from orgnet.aggregate import aggregate_coded_edges, pair_weights, split_weights
from orgnet.identity import EXTERNAL, MISSING, PERSON, UNKNOWN_INTERNAL
from orgnet.ingest.base import IngestContext
from orgnet.model import EXTERNAL_CONTACT_COLUMNS, IngestBatch
from orgnet.periods import PeriodUnit, period_codes, utc_datetime64

__all__ = ["INTERACTION_COLUMNS", "PARTICIPANT_COLUMNS", "add_interactions"]

INTERACTION_COLUMNS = ["interaction", "timestamp", "channel", "kind", "duration_hours"]
PARTICIPANT_COLUMNS = ["interaction", "role", "raw"]
_UNKNOWN_LISTED = 50
_KINDS = [PERSON, EXTERNAL, UNKNOWN_INTERNAL, MISSING]
_PERSON, _EXTERNAL, _UNKNOWN = (_KINDS.index(kind) for kind in (PERSON, EXTERNAL, UNKNOWN_INTERNAL))
#: What a kind of interaction adds: the edges (source, target, interaction, weight, as person codes and rows) and the
#: contacts with outside addresses (person, interaction).
_Edges = tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def add_interactions(interactions: pd.DataFrame, participants: pd.DataFrame, context: IngestContext, batch: IngestBatch) -> None:
    """Resolve participants, apply the size cutoffs, weight and aggregate into ``batch.ties``.

    Parameters
    ----------
    interactions, participants : the two tables described in the module
        docstring (``channel``, ``kind``, ``role`` and ``raw`` may be
        categoricals, which spares the factorising).
    context : the ingest context (resolver, options, report).
    batch : receives ``ties`` and ``external_contacts``.

    Notes
    -----
    Messages with more than ``broadcast_cutoff`` recipients and meetings with
    more than ``meeting_cutoff`` attendees are dropped and counted
    (``broadcasts_dropped``, ``large_meetings_dropped``). Every count of the
    report counts interactions, so a row that stands for ``count`` of them
    counts ``count`` times.

    Works on integer codes: identities are resolved once per distinct
    address, edges are built as person codes by index arithmetic on the
    interaction positions, and only the ties get their person ids back.
    O(P) for P participants plus the aggregation's O(E log E); no Python
    loop per interaction.
    """
    report, options = context.report, context.options
    n = len(interactions)
    count, timestamps, last_timestamps = _counts(interactions)
    position = _positions(interactions["interaction"].to_numpy(), participants["interaction"].to_numpy())
    raw, raw_values = _codes(participants["raw"])
    is_sender, is_recipient = _is(participants["role"], "sender"), _is(participants["role"], "recipient")
    present = (raw >= 0) & (position >= 0)
    listed = np.bincount(position[present], minlength=n)
    recipients = np.bincount(position[present & is_recipient], minlength=n)
    is_meeting = _is(interactions["kind"], "meeting")
    dropped_broadcasts = (recipients > options.broadcast_cutoff) & ~is_meeting
    dropped_meetings = (listed > options.meeting_cutoff) & is_meeting
    report.add("interactions", int(count.sum()))
    report.add("broadcasts_dropped", int(count[dropped_broadcasts].sum()))
    report.add("large_meetings_dropped", int(count[dropped_meetings].sum()))
    kept = present & ~(dropped_broadcasts | dropped_meetings)[np.maximum(position, 0)]

    resolution = context.resolver.resolve(pd.Series(raw_values, dtype=object))
    # Kinds as small integers (the index in _KINDS): comparing millions of Python strings is what made this slow.
    kind_of_value = np.append(pd.Index(_KINDS).get_indexer(pd.Index(resolution.kind, dtype=object)), _KINDS.index(MISSING)).astype(np.int8)
    kind = kind_of_value[np.where(kept, raw, -1)]
    unplaced = kind == _UNKNOWN
    _report_unplaced(resolution.identity.to_numpy(dtype=object)[raw[unplaced]], count[position[unplaced]], context)
    # Sorted person codes make the tie key sort like the person ids (see aggregate_coded_edges).
    person_of_value, people = pd.factorize(resolution.person_id.to_numpy(dtype=object), sort=True)
    people = np.asarray(people, dtype=object)
    person = np.append(person_of_value, -1)[raw]
    channel, channels = _codes(interactions["channel"], sort=True)

    parts = [
        _message_edges(position, is_sender, is_recipient, kind, person, kept & ~is_meeting[np.maximum(position, 0)], recipients),
        _meeting_edges(
            position, raw, kind, person, kept & is_meeting[np.maximum(position, 0)], interactions["duration_hours"].to_numpy(dtype=float)
        ),
    ]
    source, target, where, weight = (np.concatenate(columns) for columns in zip(*(edges for edges, _ in parts)))
    edge_count = count[where]
    report.add("edges", int(edge_count.sum()))
    ties = aggregate_coded_edges(
        source,
        target,
        people,
        timestamps[where],
        channel[where],
        channels,
        weight * edge_count,
        options.period_unit,
        count=edge_count,
        last_timestamps=last_timestamps[where],
    )
    report.add("ties", len(ties))
    batch.ties = pd.concat([batch.ties, ties], ignore_index=True) if len(batch.ties) else ties
    host, at = (np.concatenate(columns) for columns in zip(*(external for _, external in parts)))
    report.add("external_interactions", int(count[at].sum()))
    if len(host):
        batch.external_contacts = _external_counts(host, people, timestamps[at], channel[at], channels, count[at], options.period_unit)


def _positions(ids: np.ndarray, referenced: np.ndarray) -> np.ndarray:
    """Row of ``interactions`` each participant belongs to (-1 for none); ids numbered from 0 need no lookup."""
    if np.array_equal(ids, np.arange(len(ids))):
        referenced = referenced.astype(np.int64)
        return np.where((referenced >= 0) & (referenced < len(ids)), referenced, -1)
    positions: np.ndarray = pd.Index(ids).get_indexer(pd.Index(referenced))
    return positions


def _counts(interactions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(count, earliest, latest timestamp) of each row: 1 and its own timestamp twice unless it stands for several."""
    timestamps = utc_datetime64(interactions["timestamp"])
    if "count" not in interactions:
        return np.ones(len(interactions), dtype=np.int64), timestamps, timestamps
    return interactions["count"].to_numpy(dtype=np.int64), timestamps, utc_datetime64(interactions["last_timestamp"])


def _codes(values: pd.Series, sort: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 for missing) and distinct values of a column; a categorical one already has them."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(dtype=np.int64), values.cat.categories.to_numpy(dtype=object)
        if not sort:
            return codes, uniques
        order = np.argsort(uniques)
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return np.where(codes < 0, -1, np.append(rank, -1)[codes]), uniques[order]
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), sort=sort)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _is(values: pd.Series, label: str) -> np.ndarray:
    """Whether each value of a text column is ``label``, compared once per distinct value."""
    codes, uniques = _codes(values)
    matches: np.ndarray = np.append(uniques == label, False)[codes]
    return matches


def _first(rows: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """The rows (a subset of ``rows``, in their order) that are the first of their group."""
    if len(groups) < 2 or (groups[1:] > groups[:-1]).all():
        return rows
    _, first = np.unique(groups, return_index=True)
    return rows[np.sort(first)]


def _report_unplaced(unknown: np.ndarray, count: np.ndarray, context: IngestContext) -> None:
    """Count the unknown internal identities (each ``count`` times), the most frequent listed in the report."""
    if not len(unknown):
        return
    names = pd.Series(unknown, dtype=object)
    shown = context.resolver.key(names) if context.pseudonymiser else names
    # Most frequent first; equally frequent ones in the order they first appear.
    counts = pd.Series(count).groupby(shown.to_numpy(dtype=object), sort=False).sum().sort_values(ascending=False, kind="stable")
    context.report.add("unknown_internal", int(counts.sum()))
    context.report.unknown_internal.update({str(k): int(v) for k, v in counts.head(_UNKNOWN_LISTED).items()})


def _message_edges(
    position: np.ndarray,
    is_sender: np.ndarray,
    is_recipient: np.ndarray,
    kind: np.ndarray,
    person: np.ndarray,
    rows: np.ndarray,
    recipients: np.ndarray,
) -> _Edges:
    """Sender -> recipient edges of messages (1/n each) and the contacts with outside addresses.

    Returns ((source, target, interaction, weight), (person, interaction)).
    """
    senders = np.flatnonzero(rows & is_sender)
    senders = _first(senders, position[senders])
    sender_of = np.full(len(recipients), -1, dtype=np.int64)
    sender_of[position[senders]] = senders
    # Participant order, as a merge of recipients with their message's sender would give.
    to = np.flatnonzero(rows & is_recipient)
    by = sender_of[position[to]]
    to, by = to[by >= 0], by[by >= 0]
    where = position[to]
    weights = split_weights(recipients[where])
    kind_by, kind_to = kind[by], kind[to]
    internal = (kind_by == _PERSON) & (kind_to == _PERSON)
    # An internal person writing to, or written to by, an outside address: kept only as a count.
    outward = (kind_by == _PERSON) & (kind_to == _EXTERNAL)
    inward = (kind_by == _EXTERNAL) & (kind_to == _PERSON)
    edges = (person[by][internal], person[to][internal], where[internal], weights[internal])
    external = (np.concatenate([person[by][outward], person[to][inward]]), np.concatenate([where[outward], where[inward]]))
    return edges, external


def _meeting_edges(
    position: np.ndarray, raw: np.ndarray, kind: np.ndarray, person: np.ndarray, rows: np.ndarray, duration_hours: np.ndarray
) -> _Edges:
    """Edges between every ordered pair of a meeting's attendees (hours/(n-1) each) and the hosts of outside attendees.

    Returns ((source, target, interaction, weight), (person, interaction)).
    """
    n = len(duration_hours)
    attendees = np.flatnonzero(rows)
    # One attendee appears once per meeting, whichever way the source listed them.
    attendees = _first(attendees, position[attendees] * (raw.max(initial=0) + 1) + raw[attendees])
    n_attendees = np.bincount(position[attendees], minlength=n)
    people = attendees[kind[attendees] == _PERSON]
    people = _first(people, position[people] * (person.max(initial=0) + 1) + person[people])
    # Every person against every person of the same meeting, in participant order (as a self-merge gives).
    meeting = position[people]
    grouped = np.argsort(meeting, kind="stable")
    size = np.bincount(meeting, minlength=n)
    start = np.cumsum(size) - size
    repeat = size[meeting]
    left = np.repeat(np.arange(len(people)), repeat)
    right = grouped[np.repeat(start[meeting], repeat) + np.arange(len(left)) - np.repeat(np.cumsum(repeat) - repeat, repeat)]
    pair = left != right
    left, right = people[left[pair]], people[right[pair]]
    where = position[left]
    hours = np.where(np.isnan(duration_hours), 1.0, duration_hours)
    edges = (person[left], person[right], where, pair_weights(hours[where], n_attendees[where]))
    externals = np.bincount(position[attendees[kind[attendees] == _EXTERNAL]], minlength=n)
    hosts = people[externals[meeting] > 0]
    times = externals[position[hosts]]
    return edges, (np.repeat(person[hosts], times), np.repeat(position[hosts], times))


def _external_counts(
    host: np.ndarray,
    people: np.ndarray,
    timestamps: np.ndarray,
    channel: np.ndarray,
    channels: np.ndarray,
    count: np.ndarray,
    unit: PeriodUnit,
) -> pd.DataFrame:
    """Contacts with outside addresses (each ``count`` times) counted per (person, period, channel), sorted like the labels."""
    period, periods = period_codes(timestamps, unit)
    key = (host * len(periods) + period) * len(channels) + channel
    key, inverse = np.unique(key, return_inverse=True)
    contacts = np.zeros(len(key), dtype=np.int64)
    np.add.at(contacts, inverse, count)
    rest, channel_of = np.divmod(key, len(channels))
    person_of, period_of = np.divmod(rest, len(periods))
    return pd.DataFrame(
        {
            "person_id": pd.Series(people[person_of], dtype=object),
            "period": pd.Series(periods[period_of], dtype=object),
            "channel": pd.Series(channels[channel_of], dtype=object),
            "count": contacts,
        }
    )[EXTERNAL_CONTACT_COLUMNS]
