"""A log line as the container writes it is what the Glue table and the Athena queries read.

The line goes through the same steps as in AWS, without the network: the app's JSON line,
FireLens's newline-delimited record, the object key the delivery stream computes from
the synthesised prefix, and the columns and partition key of the synthesised Glue table.
"""

import gzip
import json
from datetime import UTC, datetime

import pytest

from {{ cookiecutter.package_name }}.analytics.lake import log_schema

CONTAINER_LINE = json.dumps(
    {
        "timestamp": "2026-11-27T21:30:00.123Z",
        "level": "INFO",
        "message": "GET /items 200",
        "service": "api",
        "request_id": "3f1c6a52-2d55-4a43-9d2c-0a9c2c1e9b7e",
        "method": "GET",
        "path": "/items",
        "status": 200,
        "latency_ms": 12.5,
        "user_id": "8f0e2b7c-1111-2222-3333-444455556666",
        "container_id": "ignored-by-the-table",
    }
)


def _glue_table(dev) -> dict:
    tables = dev.resources("Lake", "AWS::Glue::Table")
    return next(iter(tables.values()))["Properties"]["TableInput"]


def _log_stream_prefix(dev) -> str:
    streams = dev.resources("Lake", "AWS::KinesisFirehose::DeliveryStream")
    prefixes = [s["Properties"]["ExtendedS3DestinationConfiguration"]["Prefix"] for s in streams.values()]
    return next(p for p in prefixes if p.startswith(log_schema.LOG_PREFIX))


def test_the_synthesised_table_declares_exactly_the_contract_columns(dev):
    table = _glue_table(dev)
    columns = [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]]
    assert columns == [(name, glue_type) for name, glue_type, *_ in log_schema.COLUMNS]
    assert [k["Name"] for k in table["PartitionKeys"]] == [log_schema.PARTITION_KEY]
    assert table["Parameters"][f"projection.{log_schema.PARTITION_KEY}.format"] == log_schema.PARTITION_FORMAT


def test_a_container_line_lands_where_athena_looks_and_reads_as_the_table_declares(dev):
    # FireLens appends a newline per record; Firehose concatenates records and gzips the object.
    delivered = gzip.compress((CONTAINER_LINE + "\n").encode() * 2)
    arrival = datetime(2026, 11, 27, 23, 59, 59, tzinfo=UTC)
    key = log_schema.object_prefix(arrival, _log_stream_prefix(dev)) + "modern-logs-1-2026-11-27-23-59-59.gz"

    assert key.startswith(log_schema.LOG_PREFIX)  # under the table's location
    assert log_schema.partition_value(key) == "2026-11-27"  # what projection.dt computes for that day

    table = _glue_table(dev)
    types = {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]}
    rows = [log_schema.normalise(line) for line in gzip.decompress(delivered).decode().splitlines()]
    assert len(rows) == 2
    for row in rows:
        assert set(row) == set(types)
        assert isinstance(row["status"], int) and types["status"] == "int"
        assert isinstance(row["latency_ms"], float) and types["latency_ms"] == "double"
        assert "container_id" not in row


def test_named_queries_only_use_columns_of_the_table(dev):
    known = {name for name, *_ in log_schema.COLUMNS} | {log_schema.PARTITION_KEY}
    queries = dev.resources("Lake", "AWS::Athena::NamedQuery")
    for query in queries.values():
        sql = query["Properties"]["QueryString"]
        for column in ("status", "latency_ms", "user_id", "path", "method", "request_id", '"timestamp"'):
            if column in sql:
                assert column.strip('"') in known


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        ('{"level": "INFO", "message": "m"}', "timestamp"),
        ('{"timestamp": "27/11/2026", "level": "INFO", "message": "m"}', "ISO 8601"),
        ('{"timestamp": "2026-11-27T21:30:00Z", "level": "TRACE", "message": "m"}', "level"),
        ('{"timestamp": "2026-11-27T21:30:00Z", "level": "INFO", "message": "m", "status": "200"}', "int"),
        ('{"timestamp": "2026-11-27T21:30:00Z", "level": "INFO", "message": "m", "status": 42}', "HTTP status"),
        ('{"timestamp": "2026-11-27T21:30:00Z", "level": "INFO", "message": "m", "latency_ms": -1}', "negative"),
    ],
)
def test_lines_the_table_cannot_read_are_rejected_with_the_reason(line, problem):
    with pytest.raises(log_schema.LogRecordError, match=problem):
        log_schema.normalise(line)


def test_optional_keys_read_as_null():
    row = log_schema.normalise('{"timestamp": "2026-11-27T21:30:00+00:00", "level": "ERROR", "message": "boom"}')
    assert row["status"] is None and row["user_id"] is None
