"""Run an ingester and apply its batch to a store: all of it, or nothing.

The steps: hash the content (re-ingesting the same content is a no-op that
says so), build the context (identities, domains, pseudonymiser, hashing key,
period unit from the store), read and check the whole source, then either stop with every
problem listed (strict, the default) or set the bad rows aside in a rejects
file (``--skip-bad-rows``), and finally apply the batch in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from orgnet.errors import IngestError, OrgnetError, RowProblem
from orgnet.identity import IdentityResolver
from orgnet.ingest import check_source, reader
from orgnet.ingest.base import IngestContext, IngestOptions, ProblemLog
from orgnet.ingest.files import folder_files
from orgnet.model import IngestBatch, IngestRecord, IngestReport
from orgnet.privacy import HASH_KEY_ENV, HashKey, Pseudonymiser, load_hash_key, pseudonymiser_from_env
from orgnet.store import SETTING_DOMAINS, SETTING_FOLLOWER_SALT, SETTING_HASH_KEY, SETTING_PERIOD_UNIT, SETTING_PSEUDONYM, Store

__all__ = ["content_hash", "ingest_path"]

#: The sources whose ingests store hashes of identifiers: follower ids, Message-IDs, event UIDs.
_HASHING_SOURCES = ("audiences", "email", "ics")


def content_hash(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files (relative names and bytes, in sorted order; links not followed, as ingesters do not)."""
    digest = hashlib.sha256()
    if path.is_dir():
        for file in folder_files(path, hidden=True):
            digest.update(str(file.relative_to(path)).encode("utf-8") + b"\0")
            digest.update(_file_digest(file).encode("ascii"))
    else:
        digest.update(_file_digest(path).encode("ascii"))
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes; a file that cannot be read hashes as such, for its ingester to report."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as error:
        digest.update(f"unreadable: {error.strerror or error}".encode())
    return digest.hexdigest()


def ingest_path(store: Store, source: str, path: str | Path, options: IngestOptions | None = None) -> IngestReport:
    """Ingest one source file (or folder) into ``store``.

    Parameters
    ----------
    store : the store to write to.
    source : ingester name, one of :data:`orgnet.ingest.SOURCES`.
    path : the file or folder.
    options : :class:`~orgnet.ingest.base.IngestOptions`; defaults are strict.

    Returns
    -------
    :class:`~orgnet.model.IngestReport`; ``skipped`` is true when the same
    content was ingested before (nothing was written).

    Raises
    ------
    IngestError
        On bad input in strict mode; nothing is written.
    OrgnetError
        When the file cannot be read or contradicts the store's settings.
    """
    options = options or IngestOptions()
    path = Path(path)
    check_source(source)
    if not path.exists():
        raise OrgnetError(f"{path}: no such file or folder")
    report = IngestReport(source=source, path=str(path))
    digest = content_hash(path)
    earlier = store.find_ingest(source, digest)
    if earlier is not None:
        report.skipped = True
        report.ingest_id = earlier.ingest_id
        report.notes.append(f"already ingested on {earlier.finished_at} (same content as {earlier.path}); nothing to do")
        return report

    rejects_target = _rejects_target(path, options, report) if options.skip_bad_rows else None
    settings = store.settings()
    batch = IngestBatch()
    context = _context(store, settings, options, report, batch)
    result = reader(source)(path, context)
    result.settings = {**batch.settings, **result.settings}
    problems = context.problems.problems
    if problems and not options.skip_bad_rows:
        raise IngestError(problems)
    if problems:
        assert rejects_target is not None  # problems are only kept past this point with --skip-bad-rows
        report.rejects = len(problems)
        report.rejects_path = str(_write_rejects(problems, rejects_target))
        report.notes.append(f"{len(problems)} bad rows set aside in {report.rejects_path}")
    report.ingest_id = uuid.uuid4().hex
    finished = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    record = IngestRecord(report.ingest_id, source, str(path), digest, finished, report.to_dict())
    store.apply(result, record)
    # The store adds what only it can count (how calendar events compared with the versions it held).
    report.counts.update(record.report["counts"])
    return report


def _context(store: Store, settings: dict[str, str], options: IngestOptions, report: IngestReport, batch: IngestBatch) -> IngestContext:
    """The ingest context, with the store-wide settings this ingest must agree with (or fixes)."""
    unit = settings.get(SETTING_PERIOD_UNIT)
    if unit and unit != options.period_unit:
        raise OrgnetError(f"this store aggregates by {unit}; ingest with --period-unit {unit} (or use another store)")
    batch.settings[SETTING_PERIOD_UNIT] = options.period_unit
    pseudonymiser = _pseudonymiser(settings, options)
    if pseudonymiser is not None:
        batch.settings[SETTING_PSEUDONYM] = pseudonymiser.fingerprint
    domains = options.domains or [d for d in settings.get(SETTING_DOMAINS, "").split(",") if d]
    if options.domains:
        batch.settings[SETTING_DOMAINS] = ",".join(sorted({d.lower() for d in options.domains}))
    return IngestContext(
        options=options,
        resolver=IdentityResolver(store.identities(), domains, pseudonymiser),
        known_people=store.person_ids(),
        report=report,
        problems=ProblemLog(),
        pseudonymiser=pseudonymiser,
        hash_key=_hash_key(store, settings, report, batch),
        seen_message_keys=store.known_message_keys,
        dates=options.date_window(),
    )


def _hash_key(store: Store, settings: dict[str, str], report: IngestReport, batch: IngestBatch) -> Callable[[], HashKey]:
    """The store's hashing key, looked up when an ingester first needs it, and its fingerprint kept in ``batch``.

    A store whose hashes an earlier orgnet salted with a salt kept in the
    store itself is refused: those hashes cannot be keyed again (the store
    never held the ids), and new hashes beside them would break unions and
    count mail and meetings twice.
    """

    @functools.cache
    def looked_up() -> HashKey:
        fingerprint = settings.get(SETTING_HASH_KEY)
        if fingerprint is None and SETTING_FOLLOWER_SALT in settings and any(r.source in _HASHING_SOURCES for r in store.ingests()):
            raise OrgnetError(
                f"{store.location} holds follower ids, Message-IDs or event UIDs that an earlier orgnet hashed with a salt kept "
                "in the store itself, which anyone holding the file can reverse by trying candidate ids. They cannot be keyed "
                "again, as the store never kept the ids: ingest the sources again into a new store (--store NEW.db), where "
                f"they are keyed with {HASH_KEY_ENV} or its key file; this store stays readable as it is"
            )
        key, created = load_hash_key(fingerprint)
        if created is not None:
            report.notes.append(
                f"made the hashing key {created} (readable by you alone): keep it, later ingests into this store need it ({HASH_KEY_ENV} overrides it)"
            )
        batch.settings[SETTING_HASH_KEY] = key.fingerprint
        return key

    return looked_up


def _pseudonymiser(settings: dict[str, str], options: IngestOptions) -> Pseudonymiser | None:
    fingerprint = settings.get(SETTING_PSEUDONYM)
    if not fingerprint and not options.pseudonymise:
        return None
    pseudonymiser = pseudonymiser_from_env(required=True)
    assert pseudonymiser is not None  # required=True raises rather than return None
    if fingerprint and pseudonymiser.fingerprint != fingerprint:
        raise OrgnetError("this store was pseudonymised with a different key; set the same ORGNET_PSEUDONYM_KEY")
    return pseudonymiser


def _rejects_target(path: Path, options: IngestOptions, report: IngestReport) -> Path:
    """Where the rejects of ``--skip-bad-rows`` go, known writable before any work is done.

    The default, ``PATH.rejects.csv`` beside the input, falls back to the
    current folder (with a note) when the input's folder is read-only, as a
    drop folder may be; a ``--rejects`` file that cannot be written is an error.
    """
    default = path.with_name(path.name + ".rejects.csv")
    target = options.rejects_path or default
    if _writable(target):
        return target
    if options.rejects_path is None and _writable(Path.cwd() / default.name):
        report.notes.append(f"{default.parent} is not writable; the rejects go to the current folder")
        return Path.cwd() / default.name
    raise OrgnetError(f"cannot write the rejects file {target}: its folder is not writable (pass --rejects FILE elsewhere)")


def _writable(target: Path) -> bool:
    """Whether ``target`` can be created or overwritten (checked, not tried: nothing is written yet)."""
    if target.exists():
        return target.is_file() and os.access(target, os.W_OK)
    return target.parent.is_dir() and os.access(target.parent, os.W_OK | os.X_OK)


def _write_rejects(problems: list[RowProblem], target: Path) -> Path:
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "line", "reason"])
        for problem in problems:
            writer.writerow([problem.file, problem.line, problem.reason])
    return target
