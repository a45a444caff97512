"""For every job, the API's schemas, the CLI's JSON and the stored tables agree column for column.

The registry (:mod:`orgnet.jobs`) declares each table's columns and Arrow types once; the API's response
models are written for the reader, so this test holds them to the declaration: every column of a table the
API shows is a field of its model, of a matching type, and every field of the model is a column, bar those
the API adds (named here, with why). The CLI's ``--json`` rows carry exactly the stored columns.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from orgnet import jobs
from orgnet.api import models
from orgnet.api.app import create_app
from orgnet.api.settings import Settings
from orgnet.cli import app as cli
from orgnet.reach import ExternalReach
from orgnet.results import get

#: Fields an API model adds to a stored table's columns: whether the row is suppressed, the viewer's name of a person.
SUPPRESSED = {"suppressed"}

#: job -> [(record field, API model, fields the API adds)]: every table (and record) of a result the API shows.
API_VIEWS: dict[jobs.Job[typing.Any], list[tuple[str, type, set[str]]]] = {
    jobs.SUMMARY: [("groups", models.GroupSummary, SUPPRESSED)],
    jobs.SILOS: [("table", models.SiloRow, SUPPRESSED)],
    jobs.SILO_PAIRS: [("table", models.SiloPair, SUPPRESSED)],
    jobs.FRAGILITY: [("carriers", models.FragileBridge, SUPPRESSED)],
    jobs.COMMUNITIES: [("labels", models.Community, SUPPRESSED)],
    jobs.BROKERS: [("table", models.BrokerRow, {"name"})],
    jobs.ADVOCATES: [("table", models.AdvocateRow, set())],
    jobs.REACH: [
        ("platforms", models.ReachPlatform, set()),
        ("brand", models.BrandOverlap, set()),
        ("squad_curve", models.SquadPoint, set()),
    ],
    jobs.CAMPAIGNS: [("table", models.CampaignRow, set())],
}
#: Jobs whose results the API shows as a whole record rather than a table's rows, and the model's fields beyond the record's.
API_RECORDS: dict[jobs.Job[typing.Any], tuple[type, set[str]]] = {
    # The summary's groups are rows of their own model; snapshot and suppressed are the service's.
    jobs.SUMMARY: (models.Summary, {"snapshot", "groups", "suppressed"}),
    jobs.GROUP_MATRIX: (models.GroupMatrix, {"snapshot", "suppressed", "pooled_ties", "pooled_weight"}),
}
#: Jobs the API shows through other views, and where.
SHOWN_ELSEWHERE = {
    jobs.META: "the snapshot list (/periods) and orgnet info",
    jobs.VERTICAL: "the CLI only (orgnet silos)",
    jobs.LAYOUT_PEOPLE: "node positions of /graph",
    jobs.LAYOUT_GROUPS: "node positions of /graph?level=department",
    jobs.GROUP_EDGES: "edges of /graph?level=department",
}

#: job -> (command line, [(record field, key of the JSON output holding its rows)]).
CLI_VIEWS: dict[jobs.Job[typing.Any], tuple[list[str], list[tuple[str, str]]]] = {
    jobs.SILOS: (["silos"], [("table", "silos")]),
    jobs.SILO_PAIRS: (["silos"], [("table", "silo_pairs")]),
    jobs.VERTICAL: (["silos"], [("groups", "vertical")]),
    jobs.FRAGILITY: (["bridges"], [("carriers", "fragile_bridges")]),
    jobs.ADVOCATES: (["advocates"], [("table", "advocates")]),
    jobs.REACH: (["reach", "--squad", "3"], [("platforms", "summary"), ("brand", "brand"), ("squad_curve", "squad")]),
    jobs.CAMPAIGNS: (["campaigns"], [("table", "campaigns")]),
}

_ARROW_TO_PYTHON = {pa.int64(): int, pa.float64(): float, pa.string(): str, pa.bool_(): bool}


def python_type(kind: pa.DataType) -> object:
    if pa.types.is_list(kind):
        return list[_ARROW_TO_PYTHON[kind.value_type]]  # type: ignore[index]
    return _ARROW_TO_PYTHON[kind]


def without_none(annotation: object) -> object:
    """``int`` for ``int | None``; the annotation itself otherwise."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        kept = [a for a in typing.get_args(annotation) if a is not type(None)]
        return kept[0] if len(kept) == 1 else annotation
    return annotation


def accepts(annotation: object, kind: pa.DataType) -> bool:
    wanted, found = python_type(kind), without_none(annotation)
    # A float field takes integers too (JSON numbers); the other way round would cut decimals.
    return found == wanted or (found is float and wanted is int)


def test_every_job_is_accounted_for():
    covered = set(API_VIEWS) | set(API_RECORDS) | set(SHOWN_ELSEWHERE)
    assert covered == set(jobs.JOBS)


@pytest.mark.parametrize("job", list(API_VIEWS), ids=lambda job: job.name)
def test_api_models_have_the_stored_columns_and_types(job):
    schema = create_app(Settings(store=":memory:", session_secret="test-secret")).openapi()["components"]["schemas"]
    tables = jobs.table_fields(job.record)
    for field, model, added in API_VIEWS[job]:
        columns = tables[field]
        assert set(model.model_fields) - added == set(columns.names), (job.name, field, model.__name__)
        assert set(schema[model.__name__]["properties"]) == set(model.model_fields)
        for column in columns:
            annotation = model.model_fields[column.name].annotation
            assert accepts(annotation, column.type), (model.__name__, column.name, annotation, column.type)


@pytest.mark.parametrize("job", list(API_RECORDS), ids=lambda job: job.name)
def test_api_models_of_whole_records_have_their_fields(job):
    model, added = API_RECORDS[job]
    record_fields = {f.name for f in dataclasses.fields(job.record) if f.name not in jobs.table_fields(job.record)}
    assert set(model.model_fields) - added == record_fields


def test_the_reach_figure_is_the_same_type_everywhere():
    assert models.ReachView.model_fields["employees"].annotation is ExternalReach
    assert models.Squad.model_fields["reach"].annotation is ExternalReach
    schema = create_app(Settings(store=":memory:", session_secret="test-secret")).openapi()["components"]["schemas"]
    assert set(schema["ExternalReach"]["properties"]) == {f.name for f in dataclasses.fields(ExternalReach)}


@pytest.mark.parametrize("job", list(CLI_VIEWS), ids=lambda job: job.name)
def test_cli_json_rows_are_the_stored_rows(job, analysed):
    command, views = CLI_VIEWS[job]
    answer = CliRunner().invoke(cli, [*command, "--store", analysed.location, "--period", "2026-10", "--json"])
    assert answer.exit_code == 0, answer.output
    printed = json.loads(answer.output)
    stored = jobs.record_fields(get(analysed, job, "2026-10"))
    for field, key in views:
        table: pa.Table = stored[field]
        rows = printed[key]
        assert rows, (job.name, key)
        assert all(set(row) == set(table.schema.names) for row in rows), (job.name, key, sorted(rows[0]))
        by_value = {json.dumps(row, sort_keys=True) for row in table.to_pylist()}
        assert all(json.dumps(row, sort_keys=True) in by_value for row in rows), (job.name, key)
