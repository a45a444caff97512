"""The shared tabular reading (orgnet.ingest.base.read_table): every format reads text as text, and hostile files get short errors.

Fixtures are written by the tests: CSV by hand, Excel with openpyxl, Parquet with pyarrow, JSON Lines with json.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile

import openpyxl
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from conftest import database_bytes, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgnet.errors import IngestError
from orgnet.ingest.base import MAX_COLUMNS, MAX_FIELD_BYTES, ProblemLog, read_table, read_text_table
from orgnet.ingest.pipeline import ingest_path
from orgnet.store.sqlite import SQLiteStore

#: Every text pandas or Arrow reads as a missing value by default, except the empty string: all of them are values here.
NA_LOOKALIKES = sorted(
    {*pa_csv.ConvertOptions().null_values, "None", "<NA>", "#N/A N/A", "-1.#QNAN", "n/a", "NaN", "nan", "NULL", "null", "N/A", "NA"} - {""}
)


def read(path):
    frame, lines = read_table(path, ProblemLog())
    return frame.to_dict("list"), lines.tolist()


def refusal(path, source="roster", store=None) -> IngestError:
    """The error a strict ingest of ``path`` stops with (through the pipeline when a store is given)."""
    with pytest.raises(IngestError) as raised:
        if store is None:
            read_table(path, ProblemLog())
        else:
            ingest_path(store, source, path)
    return raised.value


def write_xlsx(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


# --- Text stays text -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx", ".jsonl", ".parquet"])
def test_missing_value_lookalikes_are_text_in_every_format(tmp_path, suffix):
    values = [*NA_LOOKALIKES, "  ", ""]
    path = tmp_path / f"table{suffix}"
    if suffix in (".csv", ".tsv"):
        separator = "," if suffix == ".csv" else "\t"
        path.write_text("id" + separator + "value\n" + "".join(f"{i}{separator}{v}\n" for i, v in enumerate(values)), encoding="utf-8")
    elif suffix == ".xlsx":
        write_xlsx(path, [["id", "value"], *([str(i), v] for i, v in enumerate(values))])
    elif suffix == ".jsonl":
        write_jsonl(path, [{"id": str(i), "value": v} for i, v in enumerate(values)])
    else:
        pq.write_table(pa.table({"id": [str(i) for i in range(len(values))], "value": values}), path)
    columns, _ = read(path)
    # Only the empty and the blank cell are missing; "NA" is North America, "None" a name.
    assert columns["value"] == [*NA_LOOKALIKES, None, None]


def test_excel_cells_read_as_a_csv_export_writes_them(tmp_path):
    import datetime as dt

    path = write_xlsx(
        tmp_path / "cells.xlsx",
        [
            ["int", "float", "date", "stamp", "flag", "text"],
            [5, 2.5, dt.datetime(2020, 1, 6), dt.datetime(2026, 5, 4, 9, 30), True, " NA "],
        ],
    )
    columns, lines = read(path)
    assert columns == {
        "int": ["5"],
        "float": ["2.5"],
        "date": ["2020-01-06"],
        "stamp": ["2026-05-04T09:30:00"],
        "flag": ["TRUE"],
        "text": ["NA"],
    }
    assert lines == [2]


def test_blank_rows_are_skipped_and_lines_stay_exact(tmp_path):
    path = write(tmp_path / "t.csv", "a,b\n1,2\n\n,\n \t, \n3,4\n")
    assert read(path) == ({"a": ["1", "3"], "b": ["2", "4"]}, [2, 6])
    sheet = write_xlsx(tmp_path / "t.xlsx", [["a", "b"], ["1", "2"], [None, None], ["3", "4"]])
    assert read(sheet) == ({"a": ["1", "3"], "b": ["2", "4"]}, [2, 4])


def test_a_quoted_field_may_span_lines_and_the_rows_after_it_keep_their_lines(tmp_path):
    path = write(tmp_path / "t.csv", 'a,b\n1,"x\ny"\n2,3\n\n4,5\n')
    assert read(path) == ({"a": ["1", "2", "4"], "b": ["x\ny", "3", "5"]}, [2, 4, 6])


def test_a_large_file_with_line_breaks_in_values_parses_whole(tmp_path):
    # Past Arrow's 1 MiB block: its fast split at newlines would cut a quoted value in two.
    count = 150_000
    rows = [f'{i},"line one\nline two {i}",x' if i % 7 == 0 else f"{i},plain {i},y" for i in range(count)]
    path = write(tmp_path / "t.csv", "a,b,c\n" + "\n".join(rows) + "\n")
    assert path.stat().st_size > 2 * MAX_FIELD_BYTES
    table, lines = read_text_table(path, ProblemLog())
    assert table.num_rows == count
    assert table.column("b")[7].as_py() == "line one\nline two 7"
    # Row 0 takes lines 2 and 3, rows 1..6 one line each: row 7 starts on line 10. Every seventh row before the last takes two.
    assert lines[7] == 10 and lines[-1] == 2 + (count - 1) + len(range(0, count - 1, 7))


#: Cells made of what trips CSV readers: separators, quotes, line breaks, white space, and a missing-value lookalike.
FIELDS = st.lists(st.sampled_from(["a", "Z", "é", " ", ",", '"', "\n", "\r\n", "NA"]), max_size=6).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(FIELDS, min_size=3, max_size=3), min_size=1, max_size=12))
def test_any_csv_that_python_writes_reads_back_with_the_line_each_row_starts_on(tmp_path, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    starts = []
    writer.writerow(["a", "b", "c"])
    for row in rows:
        starts.append(buffer.getvalue().count("\n") + 1)
        writer.writerow(row)
    path = tmp_path / "t.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    cells = [[field.strip() or None for field in row] for row in rows]
    kept = [i for i, row in enumerate(cells) if any(row)]
    if not kept:
        assert "no rows to ingest" in message_of(path)
        return
    columns, lines = read(path)
    assert columns == {name: [cells[i][j] for i in kept] for j, name in enumerate("abc")}
    assert lines == [starts[i] for i in kept]


@pytest.mark.parametrize(
    "data, codec",
    [
        ("\ufeff", "utf-16-le"),
        ("\ufeff", "utf-16-be"),
        ("\ufeff", "utf-32-le"),
        ("\ufeff", "utf-8"),
        ("", "utf-8"),
    ],
)
def test_utf16_utf32_and_utf8_with_a_byte_order_mark_read_alike(tmp_path, data, codec):
    path = tmp_path / "t.csv"
    path.write_bytes((data + "person_id,name\r\nE1,Zoé Ñandú\r\nE2,李\r\n").encode(codec))
    assert read(path) == ({"person_id": ["E1", "E2"], "name": ["Zoé Ñandú", "李"]}, [2, 3])


# --- Hostile and broken files: one short error naming the file and line ------------------------------------------


def message_of(path) -> str:
    return str(refusal(path))


@pytest.mark.parametrize(
    "content, where, reason",
    [
        # UTF-16 without its byte order mark: NUL bytes, but text, and said so.
        ("a,b\n1,2\n".encode("utf-16-le"), ":1: ", "the file looks like UTF-16 (little-endian) text without a byte order mark"),
        ("a,b\n1,2\n".encode("utf-16-be"), ":1: ", "the file looks like UTF-16 (big-endian) text without a byte order mark"),
        # A UTF-16 file whose last character is half a surrogate pair.
        (b"\xff\xfe" + "a,b\n1,2\n".encode("utf-16-le") + b"\x00\xdc", ":3: ", "not UTF-16LE text"),
        # A NUL byte far past the first 64 KiB (and past the first read block), in an otherwise clean file.
        (b"a,b\n" + b"1,2\n" * 300_000 + b"3,\x004\n", ":300002: ", "the file is binary, not text (NUL bytes found)"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)), ":1: ", "the file is binary, not text (NUL bytes found)"),
    ],
)
def test_nul_bytes_anywhere_name_their_line(tmp_path, content, where, reason):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    message = message_of(path)
    assert f"{path}{where}{reason}" in message
    if "UTF-16" in reason:
        assert "binary" not in message


def test_a_nul_byte_in_json_lines_names_its_line(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_bytes(b'{"a": "1"}\n' * 100_000 + b'{"a": "\x00"}\n')
    assert f"{path}:100001: the file is binary, not text (NUL bytes found)" in message_of(path)


SECRET = "Salary review for Bob"


@pytest.mark.parametrize(
    "text, line, reason",
    [
        # The quote opened on line 3 is never closed: it would swallow the rest of the file into one name.
        (f'a,b\n1,2\n3,"{SECRET}\n4,5\n6,7\n', 3, "a quoted field starts in the record on this line and is never closed"),
        # Closed too late: the record from line 3 runs to line 4 and has three fields.
        (f'a,b\n1,2\n3,"{SECRET}\n4",5\n6,7\n', 3, "3 fields where the header has 2 (the record runs to line 4: is a quote left open?)"),
        (f"a,b\n1,2\n3,{SECRET},x\n", 3, "3 fields where the header has 2"),
        # Never closed, and the lines it swallows are more than a field may hold.
        (
            f'a,b\n1,2\n3,"{SECRET}\n' + ("x" * 99 + "\n") * 2_000 + "4,5\n",
            3,
            "the record on this line holds a field longer than 131,072 characters",
        ),
    ],
)
def test_broken_quoting_names_the_line_the_record_starts_on_and_never_its_content(tmp_path, text, line, reason):
    path = write(tmp_path / "t.csv", text)
    message = message_of(path)
    assert f"{path}:{line}: {reason}" in message
    assert "Salary" not in message and "xxx" not in message


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl", ".parquet"])
def test_more_columns_than_orgnet_reads_are_refused_at_once_and_briefly(tmp_path, suffix):
    # The roster: 120,000 columns in a header of 0.8 MB (each line is under MAX_FIELD_BYTES).
    width = {".csv": 120_000, ".jsonl": 20_000}.get(suffix, MAX_COLUMNS + 1)
    names = [f"c{i}" for i in range(width)]
    path = tmp_path / f"wide{suffix}"
    if suffix == ".csv":
        write(path, ",".join(names) + "\n" + ",".join("x" * len(names)) + "\n")
    elif suffix == ".xlsx":
        write_xlsx(path, [names, ["x"] * width])
    elif suffix == ".jsonl":
        write_jsonl(path, [dict.fromkeys(names, "x")])
    else:
        pq.write_table(pa.table({name: ["x"] for name in names}), path)
    message = message_of(path)
    assert f"orgnet reads at most {MAX_COLUMNS:,}" in message
    assert len(message) < 300  # no list of 120,000 names


@pytest.mark.parametrize(
    "header", ["person_id,name,name", "person_id,Email, email ", "person_id\tname\tname"], ids=["exact", "case", "tsv"]
)
def test_a_header_that_repeats_a_name_is_refused(tmp_path, header):
    suffix = ".tsv" if "\t" in header else ".csv"
    separator = "\t" if "\t" in header else ","
    path = write(tmp_path / f"t{suffix}", header + "\n" + separator.join(["E1", "a", "b"]) + "\n")
    message = message_of(path)
    assert f"{path}:1: column " in message and "appears twice (columns 2 and 3)" in message


def test_repeated_names_in_excel_json_and_parquet_are_refused(tmp_path):
    sheet = write_xlsx(tmp_path / "t.xlsx", [["person_id", "name", "Name"], ["E1", "a", "b"]])
    assert "appears twice (columns 2 and 3)" in message_of(sheet)
    lines = write_jsonl(tmp_path / "t.jsonl", [{"person_id": "E1", "name": "a"}, {"person_id": "E2", "Name": "b"}])
    assert "appears twice (columns 2 and 3)" in message_of(lines)
    parquet = tmp_path / "t.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array(["E1"]), pa.array(["a"]), pa.array(["b"])], names=["person_id", "name", "name"]), parquet)
    assert "appears twice (columns 2 and 3)" in message_of(parquet)


def test_columns_without_a_name_are_dropped_when_empty_and_refused_when_not(tmp_path):
    assert read(write(tmp_path / "a.csv", "a,,b,\n1,,2,\n3, ,4,\n")) == ({"a": ["1", "3"], "b": ["2", "4"]}, [2, 3])
    assert f"{tmp_path / 'b.csv'}:1: column 2 has no name but holds values" in message_of(write(tmp_path / "b.csv", "a,,b\n1,x,2\n"))
    # A value to the right of an Excel header is such a column too.
    sheet = write_xlsx(tmp_path / "c.xlsx", [["a", "b"], ["1", "2", "stray"]])
    assert "column 3 has no name but holds values" in message_of(sheet)


def truncated_xlsx(path):
    data = write_xlsx(path.with_name("good.xlsx"), [["person_id"], ["E1"]]).read_bytes()
    path.write_bytes(data[: len(data) // 2])


def damaged_xlsx(path):
    # A real zip archive whose worksheet is not XML.
    good = write_xlsx(path.with_name("good.xlsx"), [["person_id"], ["E1"]])
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            target.writestr(item, b"<<not xml" if item.filename.startswith("xl/worksheets/") else source.read(item))


def bomb_xlsx(path):
    # 200 MiB of spaces in a zip of a few hundred KiB.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("xl/worksheets/sheet1.xml", b" " * (200 << 20))


def truncated_parquet(path):
    pq.write_table(pa.table({"person_id": ["E1", "E2"]}), path.with_name("good.parquet"))
    path.write_bytes(path.with_name("good.parquet").read_bytes()[:-20])


@pytest.mark.parametrize(
    "name, make, reason",
    [
        ("truncated.xlsx", truncated_xlsx, "an .xlsx file is a zip archive, and this one is not, or is truncated"),
        ("garbage.xlsx", b"PK\x03\x04 not really a zip" * 50, "an .xlsx file is a zip archive"),
        ("damaged.xlsx", damaged_xlsx, "cannot read this Excel workbook: it is damaged"),
        ("bomb.xlsx", bomb_xlsx, "times its size: not a spreadsheet"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "an Excel 97-2003 workbook (.xls); save it as .xlsx or CSV"),
        ("not.parquet", b"person_id,name\nE1,Ann\n", "not a Parquet file"),
        ("truncated.parquet", truncated_parquet, "not a Parquet file"),
        ("long-line.jsonl", b'{"person_id": "' + b"x" * (100 << 20) + b'"}\n', "line 1: longer than 1,048,576 bytes"),
    ],
)
def test_broken_binary_formats_get_one_clear_error(tmp_path, name, make, reason):
    path = tmp_path / name
    if isinstance(make, bytes):
        path.write_bytes(make)
    else:
        make(path)
    message = message_of(path)
    assert str(path) in message and reason in message
    assert len(message) < 300


def test_deeply_nested_json_is_a_bad_row_not_a_crash(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"person_id": "E1"}\n{"x": ' + "[" * 100_000 + "]" * 100_000 + "}\n", encoding="utf-8")
    problems = ProblemLog()
    frame, lines = read_table(path, problems)
    assert frame["person_id"].tolist() == ["E1"] and lines.tolist() == [1]
    assert [(p.line, p.reason.split(" (")[0]) for p in problems.problems] == [(2, "not valid JSON here")]


# --- No rows: an error for every tabular source ------------------------------------------------------------------

HEADERS = {
    "roster": "person_id,name,email\n",
    "interactions": "sender,recipients,timestamp,channel\n",
    "viva": "PrimaryCollaborator_PersonId,SecondaryCollaborator_PersonId,MetricDate,StrongTieScore\n",
    "audiences": "person,platform,follower_count\n",
    "engagement": "person,date,action,content_id,platform\n",
}


@pytest.mark.parametrize("source", HEADERS)
@pytest.mark.parametrize("suffix", [".csv", "no newline.csv", ".xlsx", ".parquet"])
def test_a_header_without_rows_is_no_rows_to_ingest_for_every_source(store, roster_file, tmp_path, source, suffix):
    ingest_path(store, "roster", roster_file)
    before = (store.counts(), store.ingests())
    names = HEADERS[source].strip().split(",")
    path = tmp_path / f"empty{suffix}"
    if suffix == ".csv":
        write(path, HEADERS[source] + "\n" + " ," * (len(names) - 1) + "\n")  # a header, then only blank lines
    elif suffix == "no newline.csv":
        write(path, HEADERS[source].strip())
    elif suffix == ".xlsx":
        write_xlsx(path, [names])
    else:
        pq.write_table(pa.table({name: pa.array([], pa.string()) for name in names}), path)
    error = refusal(path, source, store)
    assert error.problems[0].file == str(path)
    assert "no rows to ingest" in error.problems[0].reason
    assert (store.counts(), store.ingests()) == before


# --- Through the command line: the store is untouched and no traceback is printed --------------------------------


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("wide.csv", ",".join(f"c{i}" for i in range(120_000)) + "\n", "wide.csv:1: 120,000 columns; orgnet reads at most 1,000"),
        (
            "open-quote.csv",
            f'person_id,name\nE9,"{SECRET}\nE10,Bo\n',
            "open-quote.csv:2: a quoted field starts in the record on this line and is never closed",
        ),
        ("header-only.csv", "person_id,name\n", "header-only.csv: no rows to ingest"),
        ("truncated.xlsx", b"PK\x03\x04" + b"\x00" * 40, "truncated.xlsx: not an Excel workbook"),
    ],
)
def test_the_cli_refuses_hostile_files_without_traceback_and_writes_nothing(tmp_path, roster_file, name, content, expected):
    database = tmp_path / "cli.db"
    store = SQLiteStore(database)
    ingest_path(store, "roster", roster_file)
    store.close()
    before = database_bytes(tmp_path)
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    done = subprocess.run(
        [sys.executable, "-m", "orgnet", "ingest", "roster", str(path), "--store", str(database)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1
    assert "Traceback" not in output
    assert expected in output.replace("\n", "")
    assert SECRET not in output
    assert len(output) < 1_000
    assert database_bytes(tmp_path) == before


def test_read_table_never_quotes_arrow_s_error_text(tmp_path):
    # Arrow's own message for this file is "Expected 2 columns, got 3: E2,secret,x": the row itself.
    path = write(tmp_path / "t.csv", "a,b\nE1,b\nE2,secret,x\n")
    with pytest.raises(pa.ArrowInvalid, match="secret"):
        pa_csv.read_csv(io.BytesIO(path.read_bytes()))
    assert "secret" not in message_of(path)
