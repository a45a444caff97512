"""From interactions and their participants to ties: the one path every log-like source takes.

Ingesters of interaction logs (the interactions table, e-mail, Slack,
calendars) only parse their format into two long tables and hand them to
:func:`add_interactions`:

``interactions``
    one row per interaction: ``interaction`` (int id), ``timestamp``
    (datetime64 UTC), ``channel``, ``kind`` (``message`` or ``meeting``),
    ``duration_hours`` (meetings; NaN elsewhere).
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

from ingest.base import IngestContext
from orgnet.aggregate import aggregate_edges, pair_weights, split_weights
from orgnet.identity import EXTERNAL, PERSON, UNKNOWN_INTERNAL
from orgnet.model import EDGE_COLUMNS, EXTERNAL_CONTACT_COLUMNS, IngestBatch
from orgnet.periods import period_labels

__all__ = ["INTERACTION_COLUMNS", "PARTICIPANT_COLUMNS", "add_interactions"]

INTERACTION_COLUMNS = ["interaction", "timestamp", "channel", "kind", "duration_hours"]
PARTICIPANT_COLUMNS = ["interaction", "role", "raw"]
_UNKNOWN_LISTED = 50


def add_interactions(interactions: pd.DataFrame, participants: pd.DataFrame, context: IngestContext, batch: IngestBatch) -> None:
    """Resolve participants, apply the size cutoffs, weight and aggregate into ``batch.ties``.

    Parameters
    ----------
    interactions, participants : the two tables described in the module docstring.
    context : the ingest context (resolver, options, report).
    batch : receives ``ties`` and ``external_contacts``.

    Notes
    -----
    Messages with more than ``broadcast_cutoff`` recipients and meetings with
    more than ``meeting_cutoff`` attendees are dropped and counted
    (``broadcasts_dropped``, ``large_meetings_dropped``). Vectorised: no
    Python loop per interaction.
    """
    report, options = context.report, context.options
    interactions = interactions.set_index("interaction", drop=False)
    participants = participants[participants["raw"].notna()]
    listed = participants.groupby("interaction", sort=False).size()
    recipients = participants[participants["role"] == "recipient"].groupby("interaction", sort=False).size()
    is_meeting = interactions["kind"] == "meeting"
    too_many_recipients = recipients.reindex(interactions.index, fill_value=0) > options.broadcast_cutoff
    too_many_attendees = listed.reindex(interactions.index, fill_value=0) > options.meeting_cutoff
    dropped_broadcasts = too_many_recipients & ~is_meeting
    dropped_meetings = too_many_attendees & is_meeting
    report.add("interactions", len(interactions))
    report.add("broadcasts_dropped", int(dropped_broadcasts.sum()))
    report.add("large_meetings_dropped", int(dropped_meetings.sum()))
    kept = interactions[~(dropped_broadcasts | dropped_meetings)]
    participants = participants[participants["interaction"].isin(kept.index)]

    resolution = context.resolver.resolve(participants["raw"])
    participants = participants.assign(person_id=resolution.person_id.to_numpy(), kind=resolution.kind.to_numpy())
    _report_unplaced(participants, resolution.identity, context)

    meta = kept[["timestamp", "channel"]]
    message_edges, message_external = _message_edges(participants, kept, meta)
    meeting_edges, meeting_external = _meeting_edges(participants, kept, meta)
    edges = pd.concat([message_edges, meeting_edges], ignore_index=True)
    report.add("edges", len(edges))
    ties = aggregate_edges(edges, options.period_unit)
    report.add("ties", len(ties))
    batch.ties = pd.concat([batch.ties, ties], ignore_index=True) if len(batch.ties) else ties
    external = pd.concat([message_external, meeting_external], ignore_index=True)
    report.add("external_interactions", len(external))
    if len(external):
        external = external.assign(period=period_labels(external["timestamp"], options.period_unit))
        counts = external.groupby(["person_id", "period", "channel"], sort=True).size().rename("count").reset_index()
        batch.external_contacts = counts[EXTERNAL_CONTACT_COLUMNS]


def _report_unplaced(participants: pd.DataFrame, identity: pd.Series, context: IngestContext) -> None:
    unknown = identity[participants["kind"].to_numpy() == UNKNOWN_INTERNAL]
    if unknown.empty:
        return
    shown = context.resolver.key(unknown) if context.pseudonymiser else unknown
    counts = shown.value_counts()
    context.report.add("unknown_internal", int(counts.sum()))
    context.report.unknown_internal.update({str(k): int(v) for k, v in counts.head(_UNKNOWN_LISTED).items()})


def _message_edges(participants: pd.DataFrame, kept: pd.DataFrame, meta: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    messages = kept.index[kept["kind"] != "meeting"]
    rows = participants[participants["interaction"].isin(messages)]
    senders = rows[rows["role"] == "sender"].drop_duplicates("interaction").set_index("interaction")
    recipients = rows[rows["role"] == "recipient"]
    n_recipients = recipients.groupby("interaction").size()
    pairs = recipients.merge(
        senders[["person_id", "kind"]].add_suffix("_sender"), left_on="interaction", right_index=True, how="inner"
    )
    weights = split_weights(n_recipients.reindex(pairs["interaction"]).to_numpy())
    internal = (pairs["kind_sender"] == PERSON).to_numpy() & (pairs["kind"] == PERSON).to_numpy()
    stamps = meta.loc[pairs["interaction"]]
    edges = pd.DataFrame(
        {
            "source": pairs["person_id_sender"].to_numpy()[internal],
            "target": pairs["person_id"].to_numpy()[internal],
            "timestamp": stamps["timestamp"].to_numpy()[internal],
            "channel": stamps["channel"].to_numpy()[internal],
            "weight": weights[internal],
        }
    )
    edges["timestamp"] = pd.to_datetime(edges["timestamp"], utc=True)
    # An internal person writing to, or written to by, an outside address: kept only as a count.
    outward = (pairs["kind_sender"] == PERSON).to_numpy() & (pairs["kind"] == EXTERNAL).to_numpy()
    inward = (pairs["kind_sender"] == EXTERNAL).to_numpy() & (pairs["kind"] == PERSON).to_numpy()
    external = pd.DataFrame(
        {
            "person_id": np.concatenate([pairs["person_id_sender"].to_numpy()[outward], pairs["person_id"].to_numpy()[inward]]),
            "timestamp": np.concatenate([stamps["timestamp"].to_numpy()[outward], stamps["timestamp"].to_numpy()[inward]]),
            "channel": np.concatenate([stamps["channel"].to_numpy()[outward], stamps["channel"].to_numpy()[inward]]),
        }
    )
    external["timestamp"] = pd.to_datetime(external["timestamp"], utc=True)
    return edges[EDGE_COLUMNS], external


def _meeting_edges(participants: pd.DataFrame, kept: pd.DataFrame, meta: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    meetings = kept[kept["kind"] == "meeting"]
    rows = participants[participants["interaction"].isin(meetings.index)]
    # One attendee appears once per meeting, whichever way the source listed them.
    rows = rows.drop_duplicates(["interaction", "raw"])
    n_attendees = rows.groupby("interaction").size()
    people = rows[rows["kind"] == PERSON].drop_duplicates(["interaction", "person_id"])[["interaction", "person_id"]]
    pairs = people.merge(people, on="interaction", suffixes=("_source", "_target"))
    pairs = pairs[pairs["person_id_source"] != pairs["person_id_target"]]
    hours = meetings["duration_hours"].astype(float).fillna(1.0)
    stamps = meta.loc[pairs["interaction"]]
    edges = pd.DataFrame(
        {
            "source": pairs["person_id_source"].to_numpy(),
            "target": pairs["person_id_target"].to_numpy(),
            "timestamp": pd.to_datetime(stamps["timestamp"].to_numpy(), utc=True),
            "channel": stamps["channel"].to_numpy(),
            "weight": pair_weights(hours.reindex(pairs["interaction"]).to_numpy(), n_attendees.reindex(pairs["interaction"]).to_numpy()),
        }
    )
    externals = rows[rows["kind"] == EXTERNAL].groupby("interaction").size()
    hosts = people[people["interaction"].isin(externals.index)]
    repeat = externals.reindex(hosts["interaction"]).to_numpy()
    host_stamps = meta.loc[hosts["interaction"]]
    external = pd.DataFrame(
        {
            "person_id": np.repeat(hosts["person_id"].to_numpy(), repeat),
            "timestamp": pd.to_datetime(np.repeat(host_stamps["timestamp"].to_numpy(), repeat), utc=True),
            "channel": np.repeat(host_stamps["channel"].to_numpy(), repeat),
        }
    )
    return edges[EDGE_COLUMNS], external
