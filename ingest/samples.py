"""The bundled sample organisation: where its files are and how to ingest them all."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from orgnet.errors import OrgnetError
from orgnet.ingest.base import IngestOptions
from orgnet.ingest.pipeline import ingest_path
from orgnet.model import IngestReport
from orgnet.store import Store

__all__ = ["SAMPLES_DIR", "SAMPLE_SOURCES", "ingest_samples"]

#: The bundled samples: package data of ``orgnet.samples`` (``data/samples`` of a checkout, installed inside the package).
#: Installed packages live on the file system, so this is a real folder that the folder ingesters can walk.
SAMPLES_DIR = Path(str(files("orgnet.samples")))

#: (source, path inside the samples folder), in the order they must go in: the roster first.
SAMPLE_SOURCES: list[tuple[str, str]] = [
    ("roster", "roster.csv"),
    ("interactions", "interactions.csv"),
    ("email", "email"),
    ("slack", "slack"),
    ("ics", "calendar"),
    ("viva", "viva/person_to_person.csv"),
    ("audiences", "audiences.csv"),
    ("engagement", "engagement.csv"),
]


def ingest_samples(
    store: Store,
    samples: Path = SAMPLES_DIR,
    options: IngestOptions | None = None,
    progress: Callable[[int, str, str], None] | None = None,
) -> list[IngestReport]:
    """Ingest every sample source into ``store``, roster first.

    Parameters
    ----------
    store : the store to fill.
    samples : the samples folder (default: the bundled ones, :data:`SAMPLES_DIR`).
    options : ingest options shared by every source.
    progress : called with (index, source, path) before each source.

    Returns
    -------
    One :class:`~orgnet.model.IngestReport` per source; sources ingested
    before are reported as skipped.
    """
    if not samples.is_dir():
        raise OrgnetError(f"sample data not found at {samples}; pass --samples DIR")
    reports = []
    for index, (source, relative) in enumerate(SAMPLE_SOURCES):
        path = samples / relative
        if progress is not None:
            progress(index, source, str(path))
        reports.append(ingest_path(store, source, path, options))
    return reports
