"""Ingesters: one module per source format, each turning a file into people, ties, audiences or engagement.

Every module exposes ``read(path, context) -> orgnet.model.IngestBatch``;
:func:`orgnet.ingest.pipeline.ingest_path` runs one and applies its batch to a store.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from orgnet.errors import OrgnetError

if TYPE_CHECKING:
    # Only for annotations: naming the sources must not import pandas and the ingesters.
    from orgnet.ingest.base import IngestContext
    from orgnet.model import IngestBatch

__all__ = ["SOURCES", "check_source", "reader"]

#: Source name (as typed after ``orgnet ingest``) -> module, with what the source is.
SOURCES: dict[str, tuple[str, str]] = {
    "roster": ("orgnet.ingest.roster", "HR roster (CSV or Excel)"),
    "interactions": ("orgnet.ingest.interactions", "interactions table (CSV, TSV, JSON Lines, Parquet)"),
    "email": ("orgnet.ingest.email", "e-mail headers (mbox file, Maildir folder, or a folder of them)"),
    "slack": ("orgnet.ingest.slack", "Slack export (zip or folder)"),
    "ics": ("orgnet.ingest.ics", "calendar (ICS file or folder)"),
    "viva": ("orgnet.ingest.viva", "Viva Insights person-to-person query export (CSV)"),
    "audiences": ("orgnet.ingest.audiences", "external audiences (CSV)"),
    "engagement": ("orgnet.ingest.engagement", "advocacy engagement (CSV)"),
}


def check_source(source: str) -> str:
    """``source``, when it names an ingester of :data:`SOURCES`.

    Raises
    ------
    OrgnetError
        Naming the sources there are, when it does not.
    """
    if source not in SOURCES:
        raise OrgnetError(f"unknown source {source!r}; use one of {', '.join(SOURCES)}")
    return source


def reader(source: str) -> Callable[[Path, IngestContext], IngestBatch]:
    """The ``read`` function of ingester ``source`` (see :func:`check_source` for an unknown one)."""
    read: Callable[[Path, IngestContext], IngestBatch] = importlib.import_module(SOURCES[check_source(source)][0]).read
    return read
