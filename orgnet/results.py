"""Stored results: each job's record kept per snapshot, tables as Arrow IPC and the rest as JSON.

A result is keyed by its job (:mod:`orgnet.jobs`), a *snapshot label* (one
period, ``2026-10``, or a range of periods, ``2026-08..2026-10``) and, for a
job that depends on the grouping attribute, that attribute (``by``). This
module is the only way results are written and read::

    from orgnet import results
    from orgnet.jobs import ADVOCATES, SILOS

    ranking = results.get(store, ADVOCATES, "2026-10")        # an AdvocatesResult
    silos = results.get(store, SILOS, "2026-10", by="location")  # a SilosResult
    frame = ranking.table.to_pandas()

Encoding: the record's table fields are written as Arrow IPC streams, one
after the other, each preceded by its length (8 bytes, little-endian);
its other fields as one JSON object (NaN and infinities as ``null``). Both
directions work on whole columns: no Python loop runs per row of a table.

Each stored result carries its job's ``version``. A result written by an
older orgnet (version 0: the JSON results of earlier releases, moved aside
when a store opens) or under an older layout of its record is not read:
:func:`get` raises :class:`OutdatedResult`, whose message names the
``orgnet analyze`` command that recomputes it.

Documents (a registered report, a schedule rule) are small JSON objects
keyed by a kind and a key (:func:`save_document`, :func:`load_document`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import math
import struct
import typing
from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

from orgnet.errors import OrgnetError
from orgnet.jobs import Job, ResultSchemaError, table_fields
from orgnet.model import StoredResult
from orgnet.store import Store

__all__ = [
    "NotAnalysed",
    "OutdatedResult",
    "analyze_command",
    "decode",
    "document_keys",
    "encode",
    "find",
    "get",
    "has",
    "load_document",
    "parse_snapshot_label",
    "put",
    "put_many",
    "save_document",
    "snapshot_label",
    "to_jsonable",
]

R = TypeVar("R")

_FRAME = struct.Struct("<Q")


def snapshot_label(start: str, end: str | None = None) -> str:
    """The label of the periods ``start`` to ``end``: ``start`` alone when they are the same."""
    return start if end is None or end == start else f"{start}..{end}"


def parse_snapshot_label(label: str) -> tuple[str, str]:
    """``(start, end)`` of a snapshot label."""
    start, _, end = label.partition("..")
    return start, end or start


def analyze_command(snapshot: str, by: str = "") -> str:
    """The ``orgnet analyze`` command that computes every result of ``snapshot`` (grouped by ``by`` when given)."""
    start, end = parse_snapshot_label(snapshot)
    command = f"orgnet analyze --period {start}" if start == end else f"orgnet analyze --from {start} --to {end}"
    return command + (f" --by {by}" if by and by != "department" else "")


class NotAnalysed(OrgnetError, LookupError):
    """The result asked for is not stored: its snapshot was not analysed (for this grouping attribute)."""

    def __init__(self, job: Job[Any], snapshot: str, by: str = "", reason: str = ""):
        grouping = f" by {by}" if by else ""
        super().__init__(reason or f"no stored {job.name} result for {snapshot}{grouping}; run {analyze_command(snapshot, by)}")
        self.job = job
        self.snapshot = snapshot
        self.by = by


class OutdatedResult(NotAnalysed):
    """The stored result was written by an older orgnet, in a layout this one does not read."""

    def __init__(self, job: Job[Any], snapshot: str, by: str, version: int):
        written = "an orgnet from before typed results" if version == 0 else f"layout version {version}"
        super().__init__(
            job,
            snapshot,
            by,
            f"the stored {job.name} result of {snapshot} was written by {written}; this orgnet reads version {job.version}. "
            f"Run {analyze_command(snapshot, by)} to compute it again.",
        )
        self.version = version


def _plain(value: Any) -> Any:
    """A small field's value as plain JSON values: records as objects, NumPy scalars unwrapped, tuples as lists, NaN and infinities as ``None``."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def encode(job: Job[R], snapshot: str, value: R, by: str | None = None) -> StoredResult:
    """``value``, a record of ``job``, as the store keeps it.

    Raises
    ------
    ResultSchemaError
        When ``value`` is not ``job``'s record or one of its tables is not of its declared schema.
    """
    if not isinstance(value, job.record):
        raise ResultSchemaError(f"a {job.name} result is a {job.record.__name__}, not a {type(value).__name__}")
    schemas = table_fields(job.record)
    small: dict[str, Any] = {}
    frames: list[bytes] = []
    for field in dataclasses.fields(job.record):  # type: ignore[arg-type]
        item = getattr(value, field.name)
        schema = schemas.get(field.name)
        if schema is None:
            small[field.name] = _plain(item)
            continue
        if not isinstance(item, pa.Table) or not item.schema.equals(schema):
            raise ResultSchemaError(f"the {field.name} table of a {job.name} result is not of its declared schema")
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, schema) as writer:
            writer.write_table(item)
        stream = sink.getvalue()
        frames += [_FRAME.pack(stream.size), stream.to_pybytes()]
    fields = json.dumps(small, separators=(",", ":"), allow_nan=False)
    return StoredResult(job.name, snapshot, job.key_by(by), job.version, fields, b"".join(frames))


def decode(job: Job[R], stored: StoredResult) -> R:
    """The record of ``job`` that ``stored`` holds.

    Raises
    ------
    OutdatedResult
        When ``stored`` was written under another version of the job's layout.
    """
    if stored.version != job.version:
        raise OutdatedResult(job, stored.snapshot, stored.by, stored.version)
    values: dict[str, Any] = json.loads(stored.fields)
    for name, kind in _nested_records(job).items():
        values[name] = kind(**values[name])
    buffer = pa.py_buffer(stored.tables)
    offset = 0
    for name in table_fields(job.record):
        (size,) = _FRAME.unpack_from(stored.tables, offset)
        offset += _FRAME.size
        values[name] = pa.ipc.open_stream(buffer.slice(offset, size)).read_all()
        offset += size
    return job.record(**values)


@functools.cache
def _nested_records(job: Job[Any]) -> dict[str, type[Any]]:
    """The fields of ``job``'s record that hold a record of their own (a frozen dataclass stored as a JSON object), and its class."""
    hints = typing.get_type_hints(job.record)
    return {f.name: hints[f.name] for f in dataclasses.fields(job.record) if dataclasses.is_dataclass(hints[f.name])}


def put(store: Store, job: Job[R], snapshot: str, value: R, by: str | None = None) -> None:
    """Store ``value`` as ``job``'s result of ``snapshot`` (for the grouping attribute ``by`` when the job is grouped)."""
    store.put_results([encode(job, snapshot, value, by)])


def put_many(store: Store, results: Sequence[StoredResult]) -> None:
    """Store results :func:`encode` made, in one transaction."""
    store.put_results(results)


def find(store: Store, job: Job[R], snapshot: str, by: str | None = None) -> R | None:
    """``job``'s stored result of ``snapshot`` (grouped by ``by``, default department), or ``None`` when it is not stored.

    ``by`` is ignored for a job that does not depend on the grouping.

    Raises
    ------
    OutdatedResult
        When the result stored was written in an older layout.
    """
    key = job.key_by(by)
    stored = store.get_result(job.name, snapshot, key)
    if stored is None:
        legacy = _legacy(store, job, snapshot, key)
        if legacy is not None:
            raise OutdatedResult(job, snapshot, key, legacy.version)
        return None
    return decode(job, stored)


def _legacy(store: Store, job: Job[Any], snapshot: str, by: str) -> StoredResult | None:
    """The marker a store leaves for a JSON result of an orgnet before typed results, if any.

    Those were stored under the job's name, with ``@`` and the attribute for
    a grouped job grouped by another attribute than department.
    """
    if by and by != "department":
        return store.get_result(f"{job.name}@{by}", snapshot, "")
    return store.get_result(job.name, snapshot, "") if by else None


def has(store: Store, job: Job[Any], snapshot: str, by: str | None = None) -> bool:
    """Whether ``job``'s result of ``snapshot`` is stored in this orgnet's layout (an outdated one does not count)."""
    stored = store.get_result(job.name, snapshot, job.key_by(by))
    return stored is not None and stored.version == job.version


def get(store: Store, job: Job[R], snapshot: str, by: str | None = None) -> R:
    """``job``'s stored result of ``snapshot`` (grouped by ``by``, default department).

    Raises
    ------
    NotAnalysed
        When it is not stored (the message names the command that computes it).
    OutdatedResult
        When it was stored in an older layout (the same).
    """
    value = find(store, job, snapshot, by)
    if value is None:
        raise NotAnalysed(job, snapshot, job.key_by(by))
    return value


def save_document(store: Store, kind: str, key: str, value: dict[str, Any]) -> None:
    """Store the JSON object ``value`` as document ``key`` of ``kind``."""
    store.put_document(kind, key, json.dumps(_plain(value), separators=(",", ":"), allow_nan=False))


def load_document(store: Store, kind: str, key: str) -> dict[str, Any] | None:
    """Document ``key`` of ``kind``, or ``None``."""
    payload = store.get_document(kind, key)
    if payload is None:
        return None
    value: dict[str, Any] = json.loads(payload)
    return value


def document_keys(store: Store, kind: str) -> list[str]:
    """Keys of the documents of ``kind``, sorted."""
    return store.document_keys(kind)


def to_jsonable(value: Any) -> Any:
    """Plain JSON values for DataFrames (records), Arrow tables, NumPy scalars, timestamps, sets and NaN (``None``).

    For what a command prints or a report writes, not for results (:func:`encode` stores those).
    """
    if isinstance(value, pa.Table):
        value = value.to_pandas()
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(record) for record in value.to_dict("records")]
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [to_jsonable(v) for v in items]
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump())
    return value
