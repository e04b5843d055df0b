"""Container log lines put through a local Data Firehose (moto server) arrive as rows the table can read.

Firehose concatenates the records of a batch as they are; the log router's newline per
record is what makes the lake objects newline-delimited JSON, one table row per line.
The stream is created from the synthesised delivery stream's S3 settings.
"""

import json

import boto3
import pytest
from moto.server import ThreadedMotoServer

from {{ cookiecutter.package_name }}.analytics.lake import log_schema

LINES = [
    {
        "timestamp": "2026-11-27T21:30:00.123Z",
        "level": "INFO",
        "message": "GET /items 200",
        "method": "GET",
        "path": "/items",
        "status": 200,
        "latency_ms": 12.5,
        "request_id": "r-1",
        "user_id": "u-1",
        "service": "api",
    },
    {
        "timestamp": "2026-11-27T21:30:01.000Z",
        "level": "ERROR",
        "message": "upstream timeout",
        "method": "POST",
        "path": "/orders",
        "status": 504,
        "latency_ms": 3000,
        "request_id": "r-2",
        "service": "api",
    },
]


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def clients(endpoint, monkeypatch):
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    session = boto3.session.Session(region_name="us-east-1")
    return session.client("firehose", endpoint_url=endpoint), session.client("s3", endpoint_url=endpoint)


def _synthesised_destination(dev) -> dict:
    streams = dev.resources("Lake", "AWS::KinesisFirehose::DeliveryStream")
    return next(
        s["Properties"]["ExtendedS3DestinationConfiguration"]
        for s in streams.values()
        if s["Properties"]["ExtendedS3DestinationConfiguration"]["Prefix"].startswith(log_schema.LOG_PREFIX)
    )


def test_a_batch_from_the_log_router_reads_back_as_one_row_per_line(dev, clients):
    firehose, s3 = clients
    synthesised = _synthesised_destination(dev)
    s3.create_bucket(Bucket="lake")
    firehose.create_delivery_stream(
        DeliveryStreamName="logs",
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "BucketARN": "arn:aws:s3:::lake",
            "RoleARN": "arn:aws:iam::111111111111:role/firehose",
            "Prefix": synthesised["Prefix"],
            "ErrorOutputPrefix": synthesised["ErrorOutputPrefix"],
        },
    )
    records = [{"Data": (json.dumps(line) + "\n").encode()} for line in LINES]
    response = firehose.put_record_batch(DeliveryStreamName="logs", Records=records)
    assert response["FailedPutCount"] == 0

    (listed,) = s3.list_objects_v2(Bucket="lake")["Contents"]
    body = s3.get_object(Bucket="lake", Key=listed["Key"])["Body"].read().decode()
    rows = [log_schema.normalise(line) for line in body.splitlines()]
    assert [row["request_id"] for row in rows] == ["r-1", "r-2"]
    assert rows[1]["user_id"] is None and rows[1]["status"] == 504


def test_records_without_the_newline_would_merge_into_an_unreadable_line(clients):
    firehose, s3 = clients
    s3.create_bucket(Bucket="merged")
    firehose.create_delivery_stream(
        DeliveryStreamName="merged",
        ExtendedS3DestinationConfiguration={
            "BucketARN": "arn:aws:s3:::merged",
            "RoleARN": "arn:aws:iam::111111111111:role/firehose",
        },
    )
    records = [{"Data": json.dumps(line).encode()} for line in LINES]
    firehose.put_record_batch(DeliveryStreamName="merged", Records=records)
    (listed,) = s3.list_objects_v2(Bucket="merged")["Contents"]
    body = s3.get_object(Bucket="merged", Key=listed["Key"])["Body"].read().decode()
    with pytest.raises(log_schema.LogRecordError, match="not JSON"):
        log_schema.normalise(body.splitlines()[0])
