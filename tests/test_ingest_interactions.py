"""Interactions table ingester: hand-computed ties, every tabular format, strict errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import tie_table, write
from pandas.testing import assert_frame_equal

from orgnet.errors import IngestError
from orgnet.ingest.base import IngestOptions
from orgnet.ingest.pipeline import ingest_path
from orgnet.store.sqlite import SQLiteStore

INTERACTIONS = """sender,recipients,timestamp,channel,duration_hours
ann@acme.example,bob@acme.example;cy@acme.example;partner@other.example,2026-05-04T09:00:00Z,email,
Bob Roy <BOB@acme.example>,@ann,2026-05-05T10:00:00+02:00,chat,
E1,E2;E3,2026-06-01T15:00:00Z,meeting,2
E4,ghost@acme.example;di@acme.example,2026-06-02T08:00:00Z,chat,
"""


def test_hand_computed_ties(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "interactions", write(tmp_path / "log.csv", INTERACTIONS))
    assert tie_table(store) == {
        # An e-mail to three recipients (one outside) adds 1/3 to each internal tie.
        ("E1", "E2", "2026-05", "email"): (1, round(1 / 3, 6)),
        ("E1", "E3", "2026-05", "email"): (1, round(1 / 3, 6)),
        ("E2", "E1", "2026-05", "chat"): (1, 1.0),
        # A 2-hour meeting of three attendees: 2 / (3 - 1) = 1 hour to each ordered pair.
        ("E1", "E2", "2026-06", "meeting"): (1, 1.0),
        ("E1", "E3", "2026-06", "meeting"): (1, 1.0),
        ("E2", "E1", "2026-06", "meeting"): (1, 1.0),
        ("E2", "E3", "2026-06", "meeting"): (1, 1.0),
        ("E3", "E1", "2026-06", "meeting"): (1, 1.0),
        ("E3", "E2", "2026-06", "meeting"): (1, 1.0),
        # Di wrote to herself and an unknown colleague: nothing internal remains.
    }
    externals = store.external_contacts()
    assert externals.to_dict("records") == [{"person_id": "E1", "period": "2026-05", "channel": "email", "count": 1}]
    assert report.unknown_internal == {"ghost@acme.example": 1}
    assert report.counts["interactions"] == 4


@pytest.mark.parametrize("suffix", [".tsv", ".jsonl", ".parquet"])
def test_every_tabular_format_gives_the_same_ties(store, roster_file, tmp_path, suffix):
    ingest_path(store, "roster", roster_file)
    frame = pd.read_csv(pd.io.common.StringIO(INTERACTIONS), dtype=str)
    path = tmp_path / f"log{suffix}"
    if suffix == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif suffix == ".jsonl":
        rows = [{k: v for k, v in r.items() if isinstance(v, str)} for r in frame.to_dict("records")]
        for row in rows:
            row["recipients"] = row["recipients"].split(";")
        path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    else:
        frame.to_parquet(path)
    ingest_path(store, "interactions", path)
    reference_store_ties = tie_table(store)
    assert reference_store_ties[("E1", "E2", "2026-05", "email")] == (1, round(1 / 3, 6))
    assert len(reference_store_ties) == 9


def test_channel_option_fills_a_missing_column(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    path = write(tmp_path / "chat.csv", "from,to,time\nE1,E2,2026-07-01T00:00:00Z\n")
    ingest_path(store, "interactions", path, IngestOptions(channel="chat"))
    assert list(store.ties()["channel"]) == ["chat"]


def test_strict_errors_list_twenty_problems_with_lines(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    rows = ["sender,recipients,timestamp,channel"] + [f"E1,E2,not-a-date-{i},chat" for i in range(25)] + [",E2,2026-01-01T00:00:00Z,chat"]
    path = write(tmp_path / "bad.csv", "\n".join(rows) + "\n")
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "interactions", path)
    message = str(caught.value)
    assert message.startswith("ingest stopped: 26 problems, nothing was written")
    assert f"{path}:2: timestamp is not an ISO 8601 date and time" in message
    assert "... and 6 more" in message
    assert len(caught.value.problems) == 26
    assert caught.value.problems[-1].line == 27 and caught.value.problems[-1].reason == "missing sender"
    assert store.counts()["ties"] == 0


def test_unknown_column_is_refused_unless_ignored(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    path = write(tmp_path / "log.csv", "sender,recipients,timestamp,channel,subject\nE1,E2,2026-07-01T00:00:00Z,chat,Salary review\n")
    with pytest.raises(IngestError, match="unknown column 'subject'"):
        ingest_path(store, "interactions", path)
    ingest_path(store, "interactions", path, IngestOptions(ignore_columns=["subject"]))
    assert store.counts()["ties"] == 1
    assert b"Salary review" not in (tmp_path / "orgnet.db").read_bytes()


def test_broadcast_cutoff_drops_and_counts(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    path = write(
        tmp_path / "log.csv",
        "sender,recipients,timestamp,channel\nE1,E2;E3;E4,2026-07-01T00:00:00Z,email\nE1,E2,2026-07-01T00:00:00Z,email\n",
    )
    report = ingest_path(store, "interactions", path, IngestOptions(broadcast_cutoff=2))
    assert report.counts["broadcasts_dropped"] == 1
    assert tie_table(store) == {("E1", "E2", "2026-07", "email"): (1, 1.0)}


REPEATED = """sender,recipients,timestamp,channel,duration_hours
E1,E2;cy@acme.example,2026-05-20T10:00:00Z,email,
E1,E2;cy@acme.example,2026-05-04T09:00:00Z,email,
ann@acme.example,E2;cy@acme.example,2026-05-28T18:00:00Z,email,
E1,E2;cy@acme.example,2026-06-01T08:00:00Z,email,
E2,E1;partner@other.example,2026-05-06T09:00:00Z,chat,
E2,E1;partner@other.example,2026-05-07T09:00:00Z,chat,
E1,E2;E3,2026-05-05T09:00:00Z,meeting,2
E1,E2;E3,2026-05-12T09:00:00Z,meeting,1
E1,E2;E3,2026-05-19T09:00:00Z,meeting,2
"""


def test_repeated_conversations_count_every_message(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    report = ingest_path(store, "interactions", write(tmp_path / "log.csv", REPEATED))
    assert tie_table(store) == {
        # Three e-mails of May to Bob and Cy (one from Ann's address): 1/2 each time.
        ("E1", "E2", "2026-05", "email"): (3, 1.5),
        ("E1", "E3", "2026-05", "email"): (3, 1.5),
        ("E1", "E2", "2026-06", "email"): (1, 0.5),
        ("E1", "E3", "2026-06", "email"): (1, 0.5),
        # Two chats to Ann and an outside partner: 1/2 each time, the partner only counted.
        ("E2", "E1", "2026-05", "chat"): (2, 1.0),
        # Three meetings of three attendees, 2 + 1 + 2 hours: (2 + 1 + 2) / 2 to each ordered pair.
        **{(a, b, "2026-05", "meeting"): (3, 2.5) for a in ("E1", "E2", "E3") for b in ("E1", "E2", "E3") if a != b},
    }
    ties = store.ties().set_index(["source", "target", "period", "channel"])
    email = ties.loc[("E1", "E2", "2026-05", "email")]
    assert (email["first_seen"], email["last_seen"]) == (pd.Timestamp("2026-05-04T09:00:00Z"), pd.Timestamp("2026-05-28T18:00:00Z"))
    assert store.external_contacts().to_dict("records") == [{"person_id": "E2", "period": "2026-05", "channel": "chat", "count": 2}]
    assert report.counts["interactions"] == 9
    assert report.counts["edges"] == 8 + 2 + 18
    assert report.counts["external_interactions"] == 2


def _random_log(seed: int, rows: int = 60) -> list[str]:
    """Rows drawn from a few conversations, so that most repeat; people named every way the roster allows."""
    rng = np.random.default_rng(seed)
    names = [
        "E1",
        "ann@acme.example",
        "@ann",
        "E2",
        "bobby@acme.example",
        "cy@acme.example",
        "E4",
        "ghost@acme.example",
        "partner@other.example",
    ]
    # A broadcast and a large meeting, over the cutoffs the test sets, are among them.
    conversations = [
        ("E1", "E2;cy@acme.example;E4;partner@other.example", "email", ""),
        ("E2", "E1;@ann;E3;E4;ghost@acme.example", "meeting", "1"),
    ]
    for _ in range(10):
        channel = str(rng.choice(["email", "chat", "meeting"]))
        recipients = ";".join(rng.choice(names, int(rng.integers(1, 5))))
        duration = str(rng.choice(["0.5", "1", "2", ""])) if channel == "meeting" else ""
        conversations.append((str(rng.choice(names)), recipients, channel, duration))
    lines = []
    for number in range(rows):
        sender, recipients, channel, duration = conversations[int(rng.integers(len(conversations)))]
        stamp = pd.Timestamp("2026-05-01T00:00:00Z") + pd.Timedelta(seconds=int(rng.integers(0, 61 * 86_400)))
        lines.append(f"{number},{sender},{recipients},{stamp.strftime('%Y-%m-%dT%H:%M:%SZ')},{channel},{duration}")
    return lines


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_whole_log_gives_what_its_rows_give_one_by_one(tmp_path, roster_file, seed):
    """Collapsing repeats must not change anything: each row ingested alone, the store adding them up, is the oracle."""
    header = "n,sender,recipients,timestamp,channel,duration_hours"
    lines = _random_log(seed)
    options = IngestOptions(ignore_columns=["n"], broadcast_cutoff=3, meeting_cutoff=4)
    whole, one_by_one = SQLiteStore(tmp_path / "whole.db"), SQLiteStore(tmp_path / "rows.db")
    for opened in (whole, one_by_one):
        ingest_path(opened, "roster", roster_file)
    report = ingest_path(whole, "interactions", write(tmp_path / "log.csv", "\n".join([header, *lines]) + "\n"), options)
    counts: dict[str, int] = {}
    unknown: dict[str, int] = {}
    for number, line in enumerate(lines):
        alone = ingest_path(one_by_one, "interactions", write(tmp_path / f"row{number}.csv", f"{header}\n{line}\n"), options)
        for name, value in alone.counts.items():
            counts[name] = counts.get(name, 0) + value
        for name, value in alone.unknown_internal.items():
            unknown[name] = unknown.get(name, 0) + value
    ties = {key: (count, round(weight, 9)) for key, (count, weight) in _ties_with_dates(whole).items()}
    assert ties == {key: (count, round(weight, 9)) for key, (count, weight) in _ties_with_dates(one_by_one).items()}
    assert len(ties) > 5
    assert_frame_equal(whole.external_contacts(), one_by_one.external_contacts())
    assert report.unknown_internal == unknown
    assert {name: value for name, value in report.counts.items() if name != "ties"} == {
        name: value for name, value in counts.items() if name != "ties"
    }
    assert report.counts["interactions"] == len(lines)
    assert report.counts["broadcasts_dropped"] > 0 and report.counts["large_meetings_dropped"] > 0
    whole.close()
    one_by_one.close()


def _ties_with_dates(store) -> dict:
    return {(r.source, r.target, r.period, r.channel, r.first_seen, r.last_seen): (r.count, r.weight) for r in store.ties().itertuples()}


@pytest.mark.parametrize("high", [5, 2**40])
def test_rows_are_grouped_like_a_pandas_groupby(high):
    """Conversation groups, also when the packed key would overflow int64 and is renumbered on the way."""
    from orgnet.ingest.interactions import _group_rows

    rng = np.random.default_rng(high)
    columns = [rng.integers(0, high, 2000) % 50, rng.integers(0, high, 2000) % 40, np.zeros(2000, dtype=np.int64), rng.integers(0, 3, 2000)]
    # Large codes, few distinct values: with 2**40, two columns already overflow a packed int64.
    columns[0], columns[1] = columns[0] * (high // 50 or 1), columns[1] * (high // 40 or 1)
    group, n_groups = _group_rows(columns)
    expected = pd.DataFrame(dict(enumerate(columns))).groupby(list(range(len(columns))), sort=False).ngroup().to_numpy()
    assert n_groups == expected.max() + 1
    assert group.tolist() == expected.tolist()


def test_utf8_with_a_byte_order_mark_and_accented_names(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    path = tmp_path / "log.csv"
    text = "sender,recipients,timestamp,channel\nAnn Lée <ann@acme.example>,Bob Roÿ <bob@acme.example>,2026-05-04T09:00:00Z,email\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    ingest_path(store, "interactions", path)
    assert tie_table(store) == {("E1", "E2", "2026-05", "email"): (1, 1.0)}


def test_bad_rows_after_blank_lines_and_multiline_names_keep_their_lines(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    text = (
        "sender,recipients,timestamp,channel\n"
        '"Ann Lee\n(Paris) <ann@acme.example>",bob@acme.example,2026-05-04T09:00:00Z,email\n'  # lines 2-3
        "\n"  # line 4: blank, skipped
        "E1,E2,not a date,chat\n"  # line 5
        ",,,\n"  # line 6: only separators, skipped
        ",E2,2026-05-04T09:00:00Z,chat\n"  # line 7
    )
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "interactions", write(tmp_path / "log.csv", text))
    assert [(p.line, p.reason) for p in caught.value.problems] == [(5, "timestamp is not an ISO 8601 date and time"), (7, "missing sender")]
    report = ingest_path(store, "interactions", tmp_path / "log.csv", IngestOptions(skip_bad_rows=True))
    assert report.counts["rows"] == 3
    assert tie_table(store) == {("E1", "E2", "2026-05", "email"): (1, 1.0)}


@pytest.mark.parametrize(
    "header, reason",
    [
        ("sender,recipients,timestamp,timestamp", "column 'timestamp' appears twice (columns 3 and 4)"),
        ("sender,recipients,Timestamp,timestamp ", "column 'timestamp' appears twice (columns 3 and 4)"),
        ("sender,recipients,timestamp,", "column 4 has no name but holds values; name it or delete it"),
    ],
)
def test_a_header_that_repeats_or_omits_a_name_is_refused(store, roster_file, tmp_path, header, reason):
    ingest_path(store, "roster", roster_file)
    path = write(tmp_path / "log.csv", header + "\nE1,E2,2026-05-04T09:00:00Z,chat\n")
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "interactions", path)
    assert str(caught.value.problems[0]) == f"{path}:1: {reason}"
    assert store.counts()["ties"] == 0


def test_many_unknown_columns_are_listed_briefly(store, roster_file, tmp_path):
    ingest_path(store, "roster", roster_file)
    extra = [f"metric_{i}" for i in range(30)]
    path = write(
        tmp_path / "log.csv",
        ",".join(["sender", "recipients", "timestamp", "channel", *extra]) + "\n" + "E1,E2,2026-05-04T09:00:00Z,chat" + ",x" * 30 + "\n",
    )
    with pytest.raises(IngestError) as caught:
        ingest_path(store, "interactions", path)
    reason = caught.value.problems[0].reason
    assert reason.startswith("unknown columns " + ", ".join(repr(name) for name in extra[:10]) + " and 20 more (orgnet reads only metadata")
