"""What every ingester shares: options, the ingest context, row problems and safe file reading.

An ingester is a function ``read(path, context) -> IngestBatch``. It never
writes to the store: :func:`orgnet.ingest.pipeline.ingest_path` applies the batch in
one transaction once the whole file has been read and checked.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, cast, overload

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from orgnet.defaults import (
    DEFAULT_BROADCAST_CUTOFF,
    DEFAULT_MAX_EVENT_HOURS,
    DEFAULT_MEETING_CUTOFF,
    MAX_BROADCAST_CUTOFF,
    MAX_EVENT_HOURS,
    MAX_MEETING_CUTOFF,
)
from orgnet.errors import IngestError, OrgnetError, RowProblem
from orgnet.identity import IdentityResolver
from orgnet.ingest.dates import DateWindow
from orgnet.model import IngestReport
from orgnet.periods import PERIOD_UNITS, PeriodUnit
from orgnet.privacy import HashKey, Pseudonymiser

# Arrow allocates through the system allocator, as NumPy does, so that memory one of them frees the other reuses.
# With Arrow's own pool (mimalloc), what the CSV reader's threads had allocated stayed reserved for those idle
# threads, and every NumPy array made after the read took fresh pages (bench/ingest.py: a second less system time).
pa.set_memory_pool(pa.system_memory_pool())

__all__ = [
    "MAX_COLUMNS",
    "MAX_FIELD_BYTES",
    "MAX_WORKBOOK_BYTES",
    "MAX_WORKBOOK_RATIO",
    "IngestContext",
    "IngestOptions",
    "ProblemLog",
    "TableColumns",
    "clean_text",
    "decode_text",
    "encode_text",
    "map_columns",
    "read_bytes",
    "read_table",
    "read_text_table",
]

#: Longest line (and so field) a tabular source may hold; longer ones are rejected as garbage.
MAX_FIELD_BYTES = 1 << 20
#: Most columns a tabular source may have: a wider file is refused from its header, before any row is parsed.
MAX_COLUMNS = 1_000


@dataclass
class IngestOptions:
    """Options of one ingest; each ingester reads the ones that concern it.

    Attributes
    ----------
    skip_bad_rows : ingest the good rows and write the bad ones to a rejects
        file instead of stopping (strict is the default).
    rejects_path : where the rejects go (default: ``<input>.rejects.csv``).
    period_unit : ``month`` (``YYYY-MM``) or ``week`` (``YYYY-Www``).
    mapping : field -> column name overrides for tabular sources.
    ignore_columns : columns a tabular source may carry that orgnet never reads.
    channel : channel of every row when the source has no channel column
        (lower-cased, as the channels of a channel column are).
    broadcast_cutoff : e-mails to more recipients are dropped (and counted).
    meeting_cutoff : meetings with more attendees are dropped (and counted).
    score_column : Viva Insights tie score column.
    domains : the organisation's e-mail domains (default: the roster's).
    pseudonymise : replace identifiers by keyed hashes (needs the key).
    accept_dates_from, accept_dates_to : the accepted dates (default
        1990-01-01 to a year after the ingest; see :mod:`orgnet.ingest.dates`).
    until : last day recurring calendar events are expanded to (default: the
        end of the last period the calendar files hold).
    max_event_hours : calendar events longer than this are dropped (counted).

    Raises
    ------
    OrgnetError
        When a cutoff or a bound is out of its range.
    """

    skip_bad_rows: bool = False
    rejects_path: Path | None = None
    period_unit: PeriodUnit = "month"
    mapping: dict[str, str] = field(default_factory=dict)
    ignore_columns: list[str] = field(default_factory=list)
    channel: str | None = None
    broadcast_cutoff: int = DEFAULT_BROADCAST_CUTOFF
    meeting_cutoff: int = DEFAULT_MEETING_CUTOFF
    score_column: str = "StrongTieScore"
    domains: list[str] = field(default_factory=list)
    pseudonymise: bool = False
    accept_dates_from: dt.date | None = None
    accept_dates_to: dt.date | None = None
    until: dt.date | None = None
    max_event_hours: float = DEFAULT_MAX_EVENT_HOURS

    def __post_init__(self) -> None:
        for name, value, low, high in (
            ("--broadcast-cutoff", self.broadcast_cutoff, 1, MAX_BROADCAST_CUTOFF),
            ("--meeting-cutoff", self.meeting_cutoff, 2, MAX_MEETING_CUTOFF),
        ):
            if not low <= value <= high:
                raise OrgnetError(f"{name} is between {low:,} and {high:,}, not {value:,}")
        if not 0 < self.max_event_hours <= MAX_EVENT_HOURS:
            raise OrgnetError(f"--max-event-hours is more than 0 and at most {MAX_EVENT_HOURS:g}, not {self.max_event_hours:g}")
        self.date_window()
        # Checked here, where the options are made, so that a caller (the command line) learns of a wrong unit before
        # it opens a store; channels are lower case everywhere, as the ingesters fold a channel column.
        if self.period_unit not in PERIOD_UNITS:
            raise OrgnetError(f"the period unit is one of {', '.join(PERIOD_UNITS)}, not {self.period_unit!r}")
        if self.channel is not None:
            self.channel = self.channel.strip().lower() or None

    def date_window(self, today: dt.date | None = None) -> DateWindow:
        """The instants this ingest accepts (:class:`~orgnet.ingest.dates.DateWindow`)."""
        return DateWindow.for_ingest(self.accept_dates_from, self.accept_dates_to, today)


class ProblemLog:
    """Collects row problems of one ingest, in file and line order."""

    def __init__(self) -> None:
        self._problems: list[RowProblem] = []

    def add(self, file: str | Path, line: int, reason: str) -> None:
        """Record one problem (``line`` 0 means the whole file)."""
        self._problems.append(RowProblem(str(file), int(line), reason))

    def add_lines(self, file: str | Path, lines: Iterable[int], reason: str) -> None:
        """Record the same ``reason`` for many lines of ``file``."""
        self._problems.extend(RowProblem(str(file), int(line), reason) for line in lines)

    def fatal(self, file: str | Path, reason: str, line: int = 0) -> IngestError:
        """An error for a problem no skipping can get around: the whole file (``line`` 0), or the structure at ``line``."""
        return IngestError(self.problems, stopping=[RowProblem(str(file), int(line), reason)])

    @property
    def problems(self) -> list[RowProblem]:
        """Problems so far, sorted by file and line."""
        return sorted(self._problems, key=lambda p: (p.file, p.line))

    def __len__(self) -> int:
        return len(self._problems)


def _no_hash_key() -> HashKey:
    """The hashing key of a context made without one (an ingester called outside the pipeline): none."""
    raise OrgnetError("this ingest hashes identifiers but was given no hashing key (IngestContext.hash_key)")


@dataclass
class IngestContext:
    """Everything an ingester needs besides its file.

    ``resolver`` maps addresses to people; ``known_people`` holds the person
    ids already in the store (plus those this batch adds); ``pseudonymiser``
    is set when identities are pseudonymised; ``hash_key`` gives the key
    of follower, Message-ID and event UID hashes (looked up on first call,
    so that an ingest that hashes nothing needs none); ``report`` collects
    counts; ``problems`` bad rows;
    ``seen_message_keys`` tells which e-mail Message-IDs were counted before;
    ``dates`` is the window of accepted instants, fixed when the ingest starts.
    """

    options: IngestOptions
    resolver: IdentityResolver
    known_people: set[str]
    report: IngestReport
    problems: ProblemLog
    pseudonymiser: Pseudonymiser | None = None
    hash_key: Callable[[], HashKey] = _no_hash_key
    #: Which of these hashed Message-IDs earlier ingests counted (the store's :meth:`known_message_keys`).
    seen_message_keys: Callable[[Sequence[str]], set[str]] = lambda keys: set()
    dates: DateWindow = field(default_factory=DateWindow.for_ingest)

    def person_ids(self, raw: pd.Series) -> pd.Series:
        """Person ids as a source gives them, pseudonymised when the store is."""
        cleaned = raw.astype("string").str.strip()
        cleaned = cleaned.where(cleaned.notna() & (cleaned != ""), None).astype(object)
        return self.pseudonymiser.pseudonyms(cleaned) if self.pseudonymiser else cleaned


#: Byte order marks of the encodings read besides UTF-8: the mark, its codec and its name in errors.
#: UTF-32 LE's mark starts with UTF-16 LE's, so it is tried first.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32BE"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16BE"),
)


def read_bytes(path: Path, problems: ProblemLog) -> bytes:
    """Read a text file whole, as UTF-8 bytes when it is UTF-16 or UTF-32 with a byte order mark.

    Returns
    -------
    The file's bytes; those of a UTF-16 or UTF-32 file that starts with a
    byte order mark are its text encoded as UTF-8.

    Raises
    ------
    IngestError
        When the file is empty or blank, is not valid in the encoding its
        byte order mark names, or holds a NUL byte anywhere (binary content,
        or UTF-16 written without a mark); the error names the line.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise OrgnetError(f"cannot read {path}: {error.strerror or error}") from error
    data = _as_utf8(data, path, problems)
    # isspace stops at the first other byte; strip() would copy the whole file.
    if not data or data.isspace():
        raise problems.fatal(path, "the file is empty")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise problems.fatal(path, _nul_reason(data), data.count(b"\n", 0, nul) + 1)
    return data


def _as_utf8(data: bytes, path: Path, problems: ProblemLog) -> bytes:
    """``data`` as UTF-8: transcoded when it starts with a UTF-16 or UTF-32 byte order mark, else as it is."""
    for mark, codec, name in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            body = data[len(mark) :]
            try:
                return body.decode(codec).encode("utf-8")
            except UnicodeDecodeError as error:
                line = body[: error.start].decode(codec, "replace").count("\n") + 1
                raise problems.fatal(
                    path, f"not {name} text, which its byte order mark says it is; re-save the file as UTF-8", line
                ) from None
    return data


def _nul_reason(head: bytes) -> str:
    """What a NUL byte in a text file means, judged from the file's first bytes: UTF-16 without a byte order mark, or binary content."""
    sample = head[:4096]
    evens, odds = sample[0::2], sample[1::2]
    # UTF-16 text in a Latin script has a NUL as every other byte: the high byte of each character.
    for zeros, others, order in ((odds, evens, "little"), (evens, odds, "big")):
        if zeros and zeros.count(0) >= 0.8 * len(zeros) and others.count(0) <= 0.2 * len(others):
            return f"the file looks like UTF-16 ({order}-endian) text without a byte order mark; re-save it as UTF-8"
    return "the file is binary, not text (NUL bytes found)"


def decode_text(data: bytes, path: Path, problems: ProblemLog) -> str:
    """Decode UTF-8 (with or without BOM); a wrong encoding names the first bad line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise problems.fatal(path, f"line {line}: not UTF-8 text (byte 0x{data[error.start]:02x}); re-save the file as UTF-8") from None


def _check_line_lengths(data: bytes, path: Path, problems: ProblemLog) -> None:
    # A line longer than MAX_FIELD_BYTES covers a whole aligned block of half that size, so when every
    # such block holds a newline (a C search per block, not per line) no line can be too long.
    block = MAX_FIELD_BYTES // 2
    if all(data.find(b"\n", start, start + block) >= 0 for start in range(0, len(data) - block + 1, block)):
        return
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    bounds = np.concatenate([[-1], newlines, [len(data)]])
    too_long = np.flatnonzero(np.diff(bounds) - 1 > MAX_FIELD_BYTES)
    if len(too_long):
        raise problems.fatal(path, f"line {too_long[0] + 1}: longer than {MAX_FIELD_BYTES:,} bytes; this is not a log file")


@dataclass
class TableColumns:
    """How a tabular source's fields map to its columns.

    ``fields`` maps each field to the column names accepted by default (the
    first is the canonical one); ``required`` fields must be present;
    ``extra_allowed`` says whether other columns are fine (a roster's HR
    attributes) or an error (an interactions table: strict about what it reads).
    """

    fields: dict[str, Sequence[str]]
    required: Sequence[str]
    extra_allowed: bool = False


def map_columns(
    columns: Sequence[str],
    spec: TableColumns,
    options: IngestOptions,
    path: Path,
    problems: ProblemLog,
) -> dict[str, str]:
    """Match a table's columns to fields.

    Returns
    -------
    dict field -> column present in the file. Missing required fields, a
    mapping that names an absent column, and (when not allowed) unknown
    columns are errors naming the file and the column.
    """
    present = {c.strip().lower(): c for c in columns}
    found: dict[str, str] = {}
    missing = []
    for name, defaults in spec.fields.items():
        if name in options.mapping:
            wanted = options.mapping[name]
            if wanted.strip().lower() not in present:
                missing.append(f"column {wanted!r} mapped to {name} is not in the file")
                continue
            found[name] = present[wanted.strip().lower()]
            continue
        match = next((present[d.lower()] for d in defaults if d.lower() in present), None)
        if match is not None:
            found[name] = match
        elif name in spec.required:
            missing.append(f"missing column {defaults[0]!r} (or map one with --map {name}=COLUMN)")
    used = {c.lower() for c in found.values()} | {c.strip().lower() for c in options.ignore_columns}
    if not spec.extra_allowed:
        unknown = [c for c in columns if c.strip().lower() not in used]
        if unknown:
            listed = ", ".join(_shown(c) for c in unknown[:_LISTED_COLUMNS])
            more = f" and {len(unknown) - _LISTED_COLUMNS:,} more" if len(unknown) > _LISTED_COLUMNS else ""
            missing.append(
                f"unknown column{'s' if len(unknown) > 1 else ''} {listed}{more} "
                "(orgnet reads only metadata; drop it, map it with --map, or pass --ignore-column)"
            )
    if missing:
        raise IngestError(problems.problems, stopping=[RowProblem(str(path), 1, reason) for reason in missing])
    return found


#: How many column names an error lists before it counts the rest.
_LISTED_COLUMNS = 10


def _shown(name: str) -> str:
    """A column or member name as an error quotes it: in quotes, cut short when long (names come from untrusted files)."""
    return repr(name if len(name) <= 40 else name[:40] + "…")


def read_table(path: Path, problems: ProblemLog, sheet: str | int | None = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Read a CSV, TSV, JSON Lines, Parquet or Excel file as strings.

    Parameters
    ----------
    path : the file; its suffix picks the format (``.csv``, ``.tsv``/``.tab``,
        ``.jsonl``/``.ndjson``, ``.parquet``, ``.xlsx``/``.xlsm``).
    problems : where whole-file problems go.
    sheet : the Excel worksheet, by position or name.

    Returns
    -------
    (frame, lines): every column as ``object`` strings (missing as ``None``)
    and the 1-based line (or spreadsheet row, or Parquet row) each row came
    from. Column names are unique (ignoring case and surrounding white space)
    and none is empty.

    Raises
    ------
    IngestError
        Naming the file, and the line where there is one, when the file cannot
        be read as its format: see Notes.

    Notes
    -----
    Every format reads cells as text: ``NA``, ``N/A``, ``NULL``, ``None``,
    ``nan`` and the like are values, never missing ones (no pandas or Arrow
    missing-value defaults apply). A cell is missing only when it is empty or
    white space (or a JSON ``null``, or a Parquet null).

    Refused before any row is parsed: empty files, NUL bytes anywhere (binary
    files; UTF-16 without a byte order mark is named as such), text that is
    not UTF-8 (UTF-16 and UTF-32 with a byte order mark are read), lines over
    :data:`MAX_FIELD_BYTES`, more than :data:`MAX_COLUMNS` columns, a column
    name given twice, workbooks that are not zip archives or unpack to more
    than :data:`MAX_WORKBOOK_BYTES`. Refused after: a record whose field count
    differs from the header's, or a quoted field never closed (each naming the
    line the record starts on, never its content), a column without a name
    that holds values, and a file without rows. Blank rows (every cell empty)
    are skipped; empty columns without a name are dropped.
    """
    suffix = path.suffix.lower()
    if suffix not in _NOT_DELIMITED:
        table, lines = read_text_table(path, problems)
        return _arrow_strings(table), lines
    if suffix in _PARQUET:
        frame, lines, header_line = *_read_parquet(path, problems), 0
    elif suffix in _EXCEL:
        frame, lines, header_line = _read_workbook(path, problems, sheet)
    else:
        frame, lines, header_line = *_read_json_lines(_read_text(path, problems), path, problems), 0
    keep = _named_columns([str(name) for name in frame.columns], lambda i: bool(frame.iloc[:, i].isna().all()), path, problems, header_line)
    frame = frame.iloc[:, keep]
    blank = frame.isna().all(axis=1).to_numpy()
    if blank.any():
        frame, lines = frame[~blank].reset_index(drop=True), lines[~blank]
    _refuse_no_rows(len(frame), path, problems)
    return frame, lines


def read_text_table(path: Path, problems: ProblemLog, sheet: str | int | None = 0) -> tuple[pa.Table, np.ndarray]:
    """Read a tabular file as an Arrow table of text cells, for ingesters that stay in Arrow and NumPy.

    Parameters
    ----------
    path, problems, sheet : as for :func:`read_table`.

    Returns
    -------
    (table, lines): every column as Arrow strings, and the line each row
    starts on. CSV and TSV cells come as written, not yet trimmed (pass them
    through :func:`clean_text` or :func:`encode_text`); other formats come
    through :func:`read_table`, already clean.

    Raises
    ------
    IngestError
        As :func:`read_table`.

    Notes
    -----
    CSV and TSV are parsed by Arrow's multi-threaded reader without a
    Python object per cell, after block-wise checks of the file's bytes
    (C searches per block: no Python work per byte or line). Each row's
    line is exact: blank lines are read as rows and dropped, and when a
    quoted field holds a line break (or the parse fails) one pass of
    Python's :mod:`csv` finds where every record starts and names the first
    malformed one; that pass only runs on such files.
    """
    suffix = path.suffix.lower()
    if suffix in _NOT_DELIMITED:
        frame, lines = read_table(path, problems, sheet)
        schema = pa.schema([(str(name), pa.string()) for name in frame.columns])
        return pa.Table.from_pandas(frame, schema=schema, preserve_index=False), lines
    separator = "\t" if suffix in (".tsv", ".tab") else ","
    text = _check_text_file(path, problems)
    names = _header(text.source, separator, path, problems)
    try:
        table, lines = _parse_delimited(text, separator, names, path, problems)
    except OSError as error:
        raise OrgnetError(f"cannot read {path}: {error.strerror or error}") from error
    keep = _named_columns(table.column_names, lambda i: bool(_blank_cells(table.column(i)).all()), path, problems, 1)
    if len(keep) < table.num_columns:
        table = table.select(keep)
    blank = _blank_rows(table)
    if blank is not None:
        table, lines = table.filter(pa.array(~blank)), lines[~blank]
    _refuse_no_rows(table.num_rows, path, problems)
    return table, lines


_PARQUET = (".parquet", ".pq")
_EXCEL = (".xlsx", ".xlsm", ".xls")
#: Suffixes of the formats that are not CSV or TSV; any other file is read as CSV.
_NOT_DELIMITED = (*_PARQUET, *_EXCEL, ".jsonl", ".ndjson")


def _check_names(names: Sequence[str], path: Path, problems: ProblemLog, line: int) -> None:
    """Refuse more than :data:`MAX_COLUMNS` columns, and a name given twice (as :func:`map_columns` matches them)."""
    if len(names) > MAX_COLUMNS:
        raise problems.fatal(path, _too_many_columns(len(names)), line)
    first: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        key = name.strip().lower()
        if key and key in first:
            raise problems.fatal(path, f"column {_shown(name.strip())} appears twice (columns {first[key]} and {position})", line)
        first.setdefault(key, position)


def _too_many_columns(count: int) -> str:
    return f"{count:,} columns; orgnet reads at most {MAX_COLUMNS:,} (is this the right file?)"


def _named_columns(names: Sequence[str], is_blank: Callable[[int], bool], path: Path, problems: ProblemLog, line: int) -> list[int]:
    """Positions of the columns to read: every named one; a column without a name is dropped when empty, an error otherwise."""
    _check_names(names, path, problems, line)
    keep = []
    for position, name in enumerate(names):
        if name.strip():
            keep.append(position)
        elif not is_blank(position):
            raise problems.fatal(path, f"column {position + 1} has no name but holds values; name it or delete it", line)
    if not keep:
        raise problems.fatal(path, "no columns found", line)
    return keep


def _refuse_no_rows(count: int, path: Path, problems: ProblemLog) -> None:
    if count == 0:
        raise problems.fatal(path, "no rows to ingest: the file names its columns but holds no rows")


def _read_text(path: Path, problems: ProblemLog) -> bytes:
    data = read_bytes(path, problems)
    # ASCII is valid UTF-8: the (much slower) full decode only runs on files with other bytes.
    if not data.isascii():
        decode_text(data, path, problems)
    _check_line_lengths(data, path, problems)
    return data


@dataclass(frozen=True)
class _DelimitedText:
    """A CSV or TSV file that passed :func:`_check_text_file`.

    ``source`` is what the parsers read: the file, or its text transcoded to
    UTF-8 (UTF-16 and UTF-32 files). ``quoted`` says whether it holds a
    double quote at all: only then can a field hold a line break.
    """

    source: Path | bytes
    quoted: bool


def _check_text_file(path: Path, problems: ProblemLog) -> _DelimitedText:
    """:func:`_read_text`'s checks, made on the file block by block instead of on a copy of it in memory.

    Blocks are half of :data:`MAX_FIELD_BYTES`: when every whole block holds
    a newline, no line can be too long (see :func:`_check_line_lengths`).
    Only a file with other bytes than ASCII, or a block without a newline,
    is read whole to find the line at fault; a UTF-16 or UTF-32 file is read
    whole and transcoded.
    """
    block_size = MAX_FIELD_BYTES // 2
    blank, ascii, lines_short, quoted, offset = True, True, True, False, 0
    try:
        with path.open("rb") as handle:
            head = block = handle.read(block_size)
            if head.startswith(tuple(mark for mark, _, _ in _BYTE_ORDER_MARKS)):
                data = _read_text(path, problems)
                return _DelimitedText(data, b'"' in data)
            while block:
                nul = block.find(b"\x00")
                if nul >= 0:
                    raise problems.fatal(path, _nul_reason(head), _line_at(path, offset + nul))
                blank = blank and block.isspace()
                ascii = ascii and block.isascii()
                lines_short = lines_short and (len(block) < block_size or b"\n" in block)
                quoted = quoted or b'"' in block
                offset += len(block)
                block = handle.read(block_size)
    except OSError as error:
        raise OrgnetError(f"cannot read {path}: {error.strerror or error}") from error
    if blank:
        raise problems.fatal(path, "the file is empty")
    if not (ascii and lines_short):
        _read_text(path, problems)
    return _DelimitedText(path, quoted)


def _line_at(path: Path, offset: int) -> int:
    """The 1-based line of the byte at ``offset`` (newlines counted block by block: only errors ask)."""
    line = 1
    with path.open("rb") as handle:
        while offset > 0 and (block := handle.read(min(offset, 1 << 20))):
            line += block.count(b"\n")
            offset -= len(block)
    return line


def _binary_stream(source: Path | bytes) -> BinaryIO:
    return source.open("rb") if isinstance(source, Path) else io.BytesIO(source)


def _header(source: Path | bytes, separator: str, path: Path, problems: ProblemLog) -> list[str]:
    """The column names of the first line, refused when there are more than :data:`MAX_COLUMNS` (before anything is parsed)."""
    with _binary_stream(source) as stream:
        first = stream.readline(MAX_FIELD_BYTES + 2).decode("utf-8-sig", errors="replace")
    try:
        names = next(csv.reader(io.StringIO(first, newline=""), delimiter=separator), [])
    except csv.Error as error:
        raise problems.fatal(path, _csv_reason(error), 1) from None
    if not names:
        raise problems.fatal(path, "the first line is blank; it must name the columns", 1)
    if len(names) > MAX_COLUMNS:
        _check_names(names, path, problems, 1)
    return names


def _parse_delimited(
    text: _DelimitedText, separator: str, names: list[str], path: Path, problems: ProblemLog
) -> tuple[pa.Table, np.ndarray]:
    """Parse with Arrow; when a field holds a line break or the parse fails, number the records with :mod:`csv` and parse again."""
    try:
        table = _read_delimited(text.source, separator, names, multiline=False)
    except pa.ArrowException:
        table = None  # Arrow's message quotes the row: find what is wrong without it
    if table is not None and not (text.quoted and _holds_line_breaks(table)):
        # No field spans lines and blank lines are rows: row i is on line i + 2.
        return table, np.arange(2, table.num_rows + 2, dtype=np.int64)
    lines = _record_lines(text.source, separator, path, problems)
    if not len(lines):  # a header without a newline after it, which Arrow calls an empty file
        return pa.Table.from_arrays([pa.array([], pa.string()) for _ in names], names=names), lines
    # Arrow splits its blocks at newlines unless told that values may hold them; on a clean file that is the fast way.
    try:
        table = _read_delimited(text.source, separator, names, multiline=True)
    except pa.ArrowException:
        raise problems.fatal(path, "cannot parse the file as CSV, though every record has as many fields as the header") from None
    if table.num_rows != len(lines):
        raise problems.fatal(path, f"cannot tell where the rows start: {table.num_rows:,} rows parsed, {len(lines):,} records found")
    return table, lines


#: Arrow's block size when values may hold line breaks: big enough for any record :mod:`csv` accepts.
_MULTILINE_BLOCK_BYTES = 4 * MAX_FIELD_BYTES


def _read_delimited(source: Path | bytes, separator: str, names: list[str], multiline: bool) -> pa.Table:
    """Parse a CSV/TSV file with pyarrow's multi-threaded reader; every column as text, as written.

    Arrow reads the file itself, a block at a time, so no copy of the whole
    file is held beside the table it builds. No cell is ever null (none of
    Arrow's ``null_values``: ``NA`` is a value), and blank lines are rows
    (of empty cells), so that row numbers stay line numbers.
    """
    read = pa_csv.ReadOptions(block_size=_MULTILINE_BLOCK_BYTES) if multiline else pa_csv.ReadOptions()
    parse = pa_csv.ParseOptions(delimiter=separator, newlines_in_values=multiline, ignore_empty_lines=False)
    convert = pa_csv.ConvertOptions(column_types={name: pa.string() for name in names}, null_values=[], strings_can_be_null=False)
    with pa.OSFile(str(source), mode="rb") if isinstance(source, Path) else pa.BufferReader(source) as stream:
        # pyarrow-stubs type the input as a path or a Python file; read_csv takes Arrow's own streams too.
        return pa_csv.read_csv(stream, read_options=read, parse_options=parse, convert_options=convert)  # type: ignore[arg-type]


def _holds_line_breaks(table: pa.Table) -> bool:
    """Whether any text cell holds a line break: one C search over each chunk's character data."""
    for column in table.columns:
        for chunk in column.chunks:
            data = chunk.buffers()[2] if pa.types.is_string(chunk.type) and len(chunk) else None
            if data is None:
                continue
            offsets = _string_offsets(chunk)
            cells = bytes(memoryview(data)[offsets[0] : offsets[-1]])
            if b"\n" in cells or b"\r" in cells:
                return True
    return False


class _RecordLines:
    """Hands a text stream's lines to :mod:`csv`, keeping those of the record being read."""

    def __init__(self, stream: Iterator[str]) -> None:
        self._stream = stream
        self.lines: list[str] = []

    def __iter__(self) -> _RecordLines:
        return self

    def __next__(self) -> str:
        line = next(self._stream)
        self.lines.append(line)
        return line


def _record_lines(source: Path | bytes, separator: str, path: Path, problems: ProblemLog) -> np.ndarray:
    """The line each record after the header starts on, blank lines included, read with :mod:`csv`.

    Raises
    ------
    IngestError
        Naming the line where the first malformed record starts: a field count
        other than the header's, a quoted field that is never closed, a field
        longer than :mod:`csv` reads. No cell content is quoted.
    """
    starts: list[int] = []
    width, end, record = None, 0, []
    with io.TextIOWrapper(_binary_stream(source), encoding="utf-8-sig", errors="replace", newline="") as stream:
        feed = _RecordLines(stream)
        reader = csv.reader(feed, delimiter=separator)
        try:
            for fields in reader:
                start, end = end + 1, reader.line_num
                record, feed.lines = feed.lines, []
                if width is None:
                    width = len(fields)
                    continue
                if fields and len(fields) != width:
                    spans = f" (the record runs to line {end}: is a quote left open?)" if end > start else ""
                    raise problems.fatal(path, f"{len(fields)} fields where the header has {width}{spans}", start)
                starts.append(start)
        except csv.Error as error:
            raise problems.fatal(path, _csv_reason(error), end + 1) from None
    if len(record) > 1 and _ends_inside_quotes(record, separator):
        raise problems.fatal(path, "a quoted field starts in the record on this line and is never closed", end - len(record) + 1)
    return np.asarray(starts, dtype=np.int64)


def _ends_inside_quotes(lines: list[str], separator: str) -> bool:
    """Whether these lines (one record) end inside a quoted field, which non-strict :mod:`csv` (and Arrow) accept at the end of a file."""
    try:
        for _ in csv.reader(lines, delimiter=separator, strict=True):
            pass
    except csv.Error as error:
        return "end of data" in str(error)
    return False


def _csv_reason(error: csv.Error) -> str:
    """A :mod:`csv` error in words; its messages describe the syntax, never the cells."""
    if "field larger than field limit" in str(error):
        return f"the record on this line holds a field longer than {csv.field_size_limit():,} characters (is a quote left open?)"
    return f"not valid CSV from this line on ({error})"


@overload
def cast_strings(column: pa.Array[Any]) -> pa.StringArray: ...
@overload
def cast_strings(column: pa.ChunkedArray[Any]) -> pa.ChunkedArray[pa.StringScalar]: ...
@overload
def cast_strings(column: pa.Array[Any] | pa.ChunkedArray[Any]) -> pa.StringArray | pa.ChunkedArray[pa.StringScalar]: ...
def cast_strings(column: pa.Array[Any] | pa.ChunkedArray[Any]) -> pa.StringArray | pa.ChunkedArray[pa.StringScalar]:
    """``column`` cast to Arrow strings."""
    # pyarrow-stubs type a cast's result as a generic Array; casting to pa.string() gives a StringArray (chunks).
    return cast("pa.StringArray | pa.ChunkedArray[pa.StringScalar]", column.cast(pa.string()))


def _string_offsets(chunk: pa.Array[Any]) -> np.ndarray:
    """The ``len(chunk) + 1`` int32 offsets of a string array's cells into its character data."""
    offsets = chunk.buffers()[1]
    if offsets is None:  # Arrow may leave the offsets of an empty array out
        return np.zeros(1, dtype=np.int32)
    return np.frombuffer(memoryview(offsets), dtype=np.int32, count=len(chunk) + 1, offset=4 * chunk.offset)


def _blank_cells(column: pa.Array[Any] | pa.ChunkedArray[Any]) -> np.ndarray:
    """Which cells are missing, empty or white space."""
    text = cast_strings(column)
    blank = pc.or_kleene(pc.equal(pc.binary_length(text), pa.scalar(0)), pc.utf8_is_space(text))
    return blank.fill_null(True).to_numpy(zero_copy_only=False)


def _blank_rows(table: pa.Table) -> np.ndarray | None:
    """Which rows have every cell blank (blank lines, or rows of separators only); ``None`` when none has.

    Only rows whose first cell may be blank (:func:`_maybe_blank`) are looked
    at further, so a table without blank rows costs one look at each cell of
    its first column.
    """
    candidates = np.flatnonzero(_maybe_blank(table.column(0)))
    if not len(candidates):
        return None
    rows = table.take(candidates)
    blank = np.logical_and.reduce([_blank_cells(column) for column in rows.columns])
    if not blank.any():
        return None
    mask = np.zeros(table.num_rows, dtype=bool)
    mask[candidates[blank]] = True
    return mask


def _maybe_blank(column: pa.ChunkedArray[Any]) -> np.ndarray:
    """Cells that are empty or whose first byte may start white space: a superset of the blank ones, from lengths and first bytes alone."""
    parts = []
    for chunk in column.chunks:
        chunk = chunk.cast(pa.string())
        data = chunk.buffers()[2]
        ends = _string_offsets(chunk)
        text = np.frombuffer(memoryview(data), dtype=np.uint8) if data is not None and data.size else np.zeros(1, dtype=np.uint8)
        first = text[np.minimum(ends[:-1], len(text) - 1)]
        # ASCII white space is at most 0x20; Unicode white space starts with a byte of 0x80 or more.
        parts.append((ends[1:] == ends[:-1]) | (first <= 0x20) | (first >= 0x80))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


#: An Arrow column, whole or in chunks (a function typed with it returns the kind it is given).
_Column = TypeVar("_Column", "pa.Array[Any]", "pa.ChunkedArray[Any]")


def clean_text(column: _Column) -> _Column:
    """Cells trimmed of white space, empty ones as null."""
    text = pc.utf8_trim_whitespace(cast_strings(column))
    cleaned: _Column = pc.if_else(pc.equal(text, pa.scalar("")), pa.scalar(None, pa.string()), text)
    return cleaned


def encode_text(column: pa.Array[Any] | pa.ChunkedArray[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Dictionary-encode cells after :func:`clean_text`, cleaning each distinct value once.

    Returns
    -------
    (codes, values): an int64 code per cell into ``values``, the distinct
    clean texts (object array, in order of first appearance); empty and
    missing cells get -1.

    Notes
    -----
    O(n) hashing of the cells; trimming and the rest touch only the
    distinct values, which is what makes repetitive columns (senders,
    channels) cheap.
    """
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks else pa.array([], pa.string())
    encoded = column.cast(pa.string()).dictionary_encode()
    # Distinct raw values can clean to the same text (" a" and "a"), so encode once more.
    cleaned = clean_text(encoded.dictionary).dictionary_encode()
    remap = np.append(cleaned.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64), -1)
    codes = remap[encoded.indices.fill_null(len(remap) - 1).to_numpy(zero_copy_only=False)]
    return codes, cleaned.dictionary.to_numpy(zero_copy_only=False).astype(object)


def _arrow_strings(table: pa.Table) -> pd.DataFrame:
    """Object columns of trimmed strings, empty cells as ``None``, from an Arrow table of strings (vectorised)."""
    # dtype=object: pandas would otherwise infer its str dtype, whose missing value is NaN, not None.
    return pd.DataFrame(
        {name: clean_text(column).to_numpy(zero_copy_only=False) for name, column in zip(table.column_names, table.columns)}, dtype=object
    )


def _read_json_lines(data: bytes, path: Path, problems: ProblemLog) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per JSON object line; lists become ``;``-separated text. Bad lines are row problems."""
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    names: set[str] = set()
    for number, raw in enumerate(data.decode("utf-8-sig").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as error:
            problems.add(path, number, f"not valid JSON ({error.msg})")
            continue
        except RecursionError:
            problems.add(path, number, "not valid JSON here (nested too deeply)")
            continue
        if not isinstance(record, dict):
            problems.add(path, number, "a JSON Lines row must be an object")
            continue
        names.update(record)
        if len(names) > MAX_COLUMNS:
            raise problems.fatal(
                path, f"more than {MAX_COLUMNS:,} distinct keys by this line; orgnet reads at most {MAX_COLUMNS:,} columns", number
            )
        records.append({k: (";".join(map(str, v)) if isinstance(v, list) else v) for k, v in record.items()})
        lines.append(number)
    if not records:
        raise problems.fatal(path, "no rows to ingest: no line holds a JSON object")
    return _as_strings(pd.DataFrame.from_records(records)), np.asarray(lines, dtype=np.int64)


def _read_parquet(path: Path, problems: ProblemLog) -> tuple[pd.DataFrame, np.ndarray]:
    """A Parquet file's rows, numbered from 1; its schema is checked before any data is read."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError, ValueError):
        raise problems.fatal(path, "not a Parquet file (no Parquet footer: another format, or a truncated file)") from None
    with parquet:
        _check_names(parquet.schema_arrow.names, path, problems, 0)
        _refuse_no_rows(parquet.metadata.num_rows, path, problems)
        try:
            frame = parquet.read().to_pandas()
        except (pa.ArrowException, OSError, ValueError, TypeError) as error:
            reason = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
            raise problems.fatal(path, f"a damaged Parquet file, or one orgnet cannot read ({reason})") from None
    return _as_strings(frame), np.arange(1, len(frame) + 1)


#: Most bytes the parts of an Excel workbook may unpack to, all together.
MAX_WORKBOOK_BYTES = 512 << 20
#: Largest compression ratio of a workbook part over a MiB; spreadsheet XML compresses ten- to thirtyfold.
MAX_WORKBOOK_RATIO = 100


def _check_workbook_archive(path: Path, problems: ProblemLog) -> None:
    """Refuse a workbook that is not a zip archive (an ``.xlsx`` is one), or whose parts would unpack past the limits."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile:
        raise problems.fatal(path, "not an Excel workbook: an .xlsx file is a zip archive, and this one is not, or is truncated") from None
    except OSError as error:
        raise OrgnetError(f"cannot read {path}: {error.strerror or error}") from error
    total = sum(part.file_size for part in parts)
    if total > MAX_WORKBOOK_BYTES:
        raise problems.fatal(path, f"the workbook unpacks to {total:,} bytes, more than the {MAX_WORKBOOK_BYTES:,} orgnet reads")
    for part in parts:
        if part.file_size > 1 << 20 and part.file_size > MAX_WORKBOOK_RATIO * max(part.compress_size, 1):
            raise problems.fatal(
                path,
                f"part {_shown(part.filename)} unpacks {part.file_size // max(part.compress_size, 1):,} times its size: not a spreadsheet",
            )


def _read_workbook(path: Path, problems: ProblemLog, sheet: str | int | None) -> tuple[pd.DataFrame, np.ndarray, int]:
    """A worksheet's rows as text, numbered as the spreadsheet numbers them, and the number of its header row (its first non-blank one)."""
    if path.suffix.lower() == ".xls":
        raise problems.fatal(path, "an Excel 97-2003 workbook (.xls); save it as .xlsx or CSV")
    import openpyxl

    try:
        _check_workbook_archive(path, problems)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about the styles and extensions it does not read
            book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
        try:
            return _sheet_frame(book.worksheets[sheet or 0] if not isinstance(sheet, str) else book[sheet], path, problems)
        finally:
            book.close()
    except OrgnetError:
        raise
    # A damaged workbook fails in zipfile's, or openpyxl's XML or cell code, with whatever exception it hits there.
    except Exception:
        raise problems.fatal(path, "cannot read this Excel workbook: it is damaged, or another format named .xlsx") from None


def _sheet_frame(sheet: Any, path: Path, problems: ProblemLog) -> tuple[pd.DataFrame, np.ndarray, int]:
    # The size a sheet declares can be anything (A1:XFD1048576): read the cells its rows hold instead.
    sheet.reset_dimensions()
    rows = enumerate(sheet.iter_rows(values_only=True), start=1)
    header_line, header = next(((number, values) for number, row in rows if (values := _trimmed(row))), (1, ()))
    if len(header) > MAX_COLUMNS:
        raise problems.fatal(path, _too_many_columns(len(header)), header_line)
    cells, lines, width = [], [], len(header)
    for number, row in rows:
        values = _trimmed(row)
        if not values:
            continue
        if len(values) > MAX_COLUMNS:
            raise problems.fatal(path, f"a value in column {len(values):,}; orgnet reads at most {MAX_COLUMNS:,} columns", number)
        cells.append([_cell_text(value) for value in values])
        lines.append(number)
        width = max(width, len(values))
    names = [_cell_text(value) or "" for value in header] + [""] * (width - len(header))
    frame = pd.DataFrame([row + [None] * (width - len(row)) for row in cells], columns=range(width))
    frame.columns = names
    return _as_strings(frame), np.asarray(lines, dtype=np.int64), header_line


def _trimmed(row: Sequence[Any]) -> Sequence[Any]:
    """A worksheet row without its trailing empty cells."""
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return row[:end]


def _cell_text(value: Any) -> str | None:
    """A worksheet cell as the text a CSV export of it holds: ``5`` not ``5.0``, a date as ``YYYY-MM-DD``, ``TRUE``."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype("string")
    for position in range(frame.shape[1]):
        frame.iloc[:, position] = frame.iloc[:, position].str.strip()
    frame = frame.astype(object)
    return frame.where(frame.notna() & (frame != ""), None)
