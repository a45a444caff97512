"""What every ingester shares: options, the ingest context, row problems and safe file reading.

An ingester is a function ``read(path, context) -> IngestBatch``. It never
writes to the store: :func:`orgnet.ingest.pipeline.ingest_path` applies the batch in
one transaction once the whole file has been read and checked.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

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
from orgnet.privacy import Pseudonymiser

# Arrow allocates through the system allocator, as NumPy does, so that memory one of them frees the other reuses.
# With Arrow's own pool (mimalloc), what the CSV reader's threads had allocated stayed reserved for those idle
# threads, and every NumPy array made after the read took fresh pages (bench/ingest.py: a second less system time).
pa.set_memory_pool(pa.system_memory_pool())

__all__ = [
    "MAX_FIELD_BYTES",
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

    def fatal(self, file: str | Path, reason: str) -> IngestError:
        """An error for a problem with the whole file, which no skipping can get around."""
        return IngestError(self.problems, stopping=[RowProblem(str(file), 0, reason)])

    @property
    def problems(self) -> list[RowProblem]:
        """Problems so far, sorted by file and line."""
        return sorted(self._problems, key=lambda p: (p.file, p.line))

    def __len__(self) -> int:
        return len(self._problems)


@dataclass
class IngestContext:
    """Everything an ingester needs besides its file.

    ``resolver`` maps addresses to people; ``known_people`` holds the person
    ids already in the store (plus those this batch adds); ``pseudonymiser``
    is set when identities are pseudonymised; ``follower_salt`` salts
    follower hashes; ``report`` collects counts; ``problems`` bad rows;
    ``seen_message_keys`` tells which e-mail Message-IDs were counted before;
    ``dates`` is the window of accepted instants, fixed when the ingest starts.
    """

    options: IngestOptions
    resolver: IdentityResolver
    known_people: set[str]
    report: IngestReport
    problems: ProblemLog
    pseudonymiser: Pseudonymiser | None = None
    follower_salt: str = ""
    #: Which of these hashed Message-IDs earlier ingests counted (the store's :meth:`known_message_keys`).
    seen_message_keys: Callable[[Sequence[str]], set[str]] = lambda keys: set()
    dates: DateWindow = field(default_factory=DateWindow.for_ingest)

    def person_ids(self, raw: pd.Series) -> pd.Series:
        """Person ids as a source gives them, pseudonymised when the store is."""
        cleaned = raw.astype("string").str.strip()
        cleaned = cleaned.where(cleaned.notna() & (cleaned != ""), None).astype(object)
        return self.pseudonymiser.pseudonyms(cleaned) if self.pseudonymiser else cleaned


#: How much of the start of a file the binary check looks at.
_SNIFF_BYTES = 65536


def read_bytes(path: Path, problems: ProblemLog) -> bytes:
    """Read a file whole, refusing empty and binary files with a clear error."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise OrgnetError(f"cannot read {path}: {error.strerror or error}") from error
    # isspace stops at the first other byte; strip() would copy the whole file.
    if not data or data.isspace():
        raise problems.fatal(path, "the file is empty")
    _refuse_binary(data, path, problems)
    return data


def _refuse_binary(start: bytes, path: Path, problems: ProblemLog) -> None:
    if b"\x00" in start[:_SNIFF_BYTES]:
        raise problems.fatal(path, "the file is binary, not text (NUL bytes found)")


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
            missing.append(
                f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(repr(c) for c in unknown)} "
                "(orgnet reads only metadata; drop it, map it with --map, or pass --ignore-column)"
            )
    if missing:
        raise IngestError(problems.problems, stopping=[RowProblem(str(path), 1, reason) for reason in missing])
    return found


def read_table(path: Path, problems: ProblemLog, sheet: str | int | None = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Read a CSV, TSV, JSON Lines, Parquet or Excel file as strings.

    Parameters
    ----------
    path : the file; its suffix picks the format (``.csv``, ``.tsv``/``.tab``,
        ``.jsonl``/``.ndjson``, ``.parquet``, ``.xlsx``/``.xlsm``).
    problems : where whole-file problems go.

    Returns
    -------
    (frame, lines): every column as ``object`` strings (missing as ``None``)
    and the 1-based line (or spreadsheet row) each row came from.

    Notes
    -----
    Text formats are checked first: empty files, binary garbage, wrong
    encodings and absurdly long lines are errors that name the file and line.
    CSV line numbers assume no quoted field spans several lines.
    """
    suffix = path.suffix.lower()
    if suffix not in _NOT_DELIMITED:
        table, lines = read_text_table(path, problems)
        return _arrow_strings(table), lines
    try:
        if suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
            frame, lines = _as_strings(frame), np.arange(1, len(frame) + 1)
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            frame = pd.read_excel(path, sheet_name=sheet, dtype=str)
            frame, lines = _as_strings(frame), np.arange(2, len(frame) + 2)
        else:
            frame, lines = _read_json_lines(_read_text(path, problems), path, problems)
    except IngestError:
        raise
    except (ValueError, OSError, ImportError) as error:
        raise _parse_error(path, problems, error) from None
    if frame.columns.empty:
        raise problems.fatal(path, "no columns found")
    return frame, lines


def read_text_table(path: Path, problems: ProblemLog, sheet: str | int | None = 0) -> tuple[pa.Table, np.ndarray]:
    """Read a tabular file as an Arrow table of text cells, for ingesters that stay in Arrow and NumPy.

    Parameters
    ----------
    path, problems, sheet : as for :func:`read_table`.

    Returns
    -------
    (table, lines): every column as Arrow strings, and the line each row came
    from. CSV and TSV cells come as written, not yet trimmed (pass them
    through :func:`clean_text` or :func:`encode_text`); other formats come
    through :func:`read_table`, already clean.

    Notes
    -----
    CSV and TSV are parsed by Arrow's multi-threaded reader without a
    Python object per cell; the checks are :func:`read_table`'s.
    """
    suffix = path.suffix.lower()
    if suffix in _NOT_DELIMITED:
        frame, lines = read_table(path, problems, sheet)
        schema = pa.schema([(str(name), pa.string()) for name in frame.columns])
        return pa.Table.from_pandas(frame, schema=schema, preserve_index=False), lines
    try:
        _check_text_file(path, problems)
        table = _read_delimited(path, "\t" if suffix in (".tsv", ".tab") else ",")
    except IngestError:
        raise
    except (ValueError, OSError, pa.ArrowInvalid) as error:
        raise _parse_error(path, problems, error) from None
    if table.num_columns == 0:
        raise problems.fatal(path, "no columns found")
    return table, np.arange(2, table.num_rows + 2)


#: Suffixes of the formats that are not CSV or TSV; any other file is read as CSV.
_NOT_DELIMITED = (".parquet", ".pq", ".xlsx", ".xlsm", ".xls", ".jsonl", ".ndjson")


def _read_text(path: Path, problems: ProblemLog) -> bytes:
    data = read_bytes(path, problems)
    # ASCII is valid UTF-8: the (much slower) full decode only runs on files with other bytes.
    if not data.isascii():
        decode_text(data, path, problems)
    _check_line_lengths(data, path, problems)
    return data


def _check_text_file(path: Path, problems: ProblemLog) -> None:
    """:func:`_read_text`'s checks, made on the file block by block instead of on a copy of it in memory.

    Blocks are half of :data:`MAX_FIELD_BYTES`: when every whole block holds
    a newline, no line can be too long (see :func:`_check_line_lengths`).
    Only a file with other bytes than ASCII, or a block without a newline,
    is read whole to find the line at fault.
    """
    block_size = MAX_FIELD_BYTES // 2
    blank, ascii, lines_short = True, True, True
    try:
        with path.open("rb") as handle:
            for index, block in enumerate(iter(lambda: handle.read(block_size), b"")):
                if index == 0:
                    _refuse_binary(block, path, problems)
                blank = blank and block.isspace()
                ascii = ascii and block.isascii()
                lines_short = lines_short and (len(block) < block_size or b"\n" in block)
    except OSError as error:
        raise OrgnetError(f"cannot read {path}: {error.strerror or error}") from error
    if blank:
        raise problems.fatal(path, "the file is empty")
    if not (ascii and lines_short):
        _read_text(path, problems)


def _parse_error(path: Path, problems: ProblemLog, error: Exception) -> IngestError:
    # pandas/pyarrow parse errors carry the row; keep their words, drop the traceback.
    return problems.fatal(path, f"cannot parse the file: {str(error).strip().splitlines()[0]}")


def _read_delimited(path: Path, separator: str) -> pa.Table:
    """Parse a CSV/TSV file with pyarrow's multi-threaded reader; every column as text, as written.

    Arrow reads the file itself, a block at a time, so no copy of the whole
    file is held beside the table it builds.
    """
    with path.open("rb") as handle:
        first_line = handle.readline().decode("utf-8-sig").rstrip("\r\n")
    names = next(csv.reader([first_line], delimiter=separator))
    with pa.OSFile(str(path)) as source:
        return pa_csv.read_csv(
            source,
            parse_options=pa_csv.ParseOptions(delimiter=separator),
            convert_options=pa_csv.ConvertOptions(column_types={name: pa.string() for name in names}),
        )


def clean_text(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Cells trimmed of white space, empty ones as null."""
    text = pc.utf8_trim_whitespace(column.cast(pa.string()))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def encode_text(column: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
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
    return pd.DataFrame(
        {name: clean_text(column).to_numpy(zero_copy_only=False).astype(object) for name, column in zip(table.column_names, table.columns)}
    )


def _read_json_lines(data: bytes, path: Path, problems: ProblemLog) -> tuple[pd.DataFrame, np.ndarray]:
    records, lines = [], []
    for number, raw in enumerate(data.decode("utf-8-sig").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as error:
            problems.add(path, number, f"not valid JSON ({error.msg})")
            continue
        if not isinstance(record, dict):
            problems.add(path, number, "a JSON Lines row must be an object")
            continue
        records.append({k: (";".join(map(str, v)) if isinstance(v, list) else v) for k, v in record.items()})
        lines.append(number)
    return _as_strings(pd.DataFrame.from_records(records)), np.asarray(lines, dtype=np.int64)


def _as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype("string")
    for column in frame.columns:
        frame[column] = frame[column].str.strip()
    frame = frame.astype(object)
    return frame.where(frame.notna() & (frame != ""), None)
