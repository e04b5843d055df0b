"""Step 8: the stream indexer against a local server that answers like OpenSearch's _bulk API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from .opensearch_fake import FakeOpenSearch, load_function, start

indexer = load_function("indexer")

OWNER = "3f1c2b9a-0000-4000-8000-00000000000a"


@pytest.fixture
def opensearch(monkeypatch):
    fake = FakeOpenSearch()
    server = start(fake)
    monkeypatch.setenv("OPENSEARCH_ENDPOINT", fake.url)
    monkeypatch.setenv("INDEX_NAME", "items")
    yield fake
    server.shutdown()


def _record(event_name, sequence, sk, name="Lamp", price="12.5"):
    keys = {"pk": {"S": f"USER#{OWNER}"}, "sk": {"S": sk}}
    record = {"eventName": event_name, "dynamodb": {"Keys": keys, "SequenceNumber": sequence}}
    if event_name != "REMOVE":
        record["dynamodb"]["NewImage"] = {
            **keys,
            "id": {"S": sk.split("#", 1)[1]},
            "owner": {"S": OWNER},
            "name": {"S": name},
            "price": {"N": price},
            "createdAt": {"S": "2026-01-01T00:00:00.000Z"},
            "updatedAt": {"S": "2026-01-01T00:00:00.000Z"},
        }
    return record


def _doc_id(sk):
    return f"USER#{OWNER}|{sk}"


def test_inserts_modifies_and_deletes_items_in_one_signed_bulk_request(opensearch, lambda_context):
    opensearch.documents["items"] = {_doc_id("ITEM#old"): {"name": "Old"}}
    event = {
        "Records": [
            _record("INSERT", "100", "ITEM#lamp"),
            _record("MODIFY", "101", "ITEM#lamp", name="Lamp XL", price="15"),
            _record("REMOVE", "102", "ITEM#old"),
        ]
    }
    assert indexer.handler(event, lambda_context) == {"batchItemFailures": []}
    assert opensearch.documents["items"] == {
        _doc_id("ITEM#lamp"): {
            "id": "lamp",
            "owner": OWNER,
            "name": "Lamp XL",
            "description": None,
            "price": 15.0,
            "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-01-01T00:00:00.000Z",
        }
    }
    (request,) = opensearch.requests
    assert (request.method, request.path) == ("POST", "/_bulk")
    assert request.headers["Content-Type"] == "application/x-ndjson"
    assert request.headers["Authorization"].startswith("AWS4-HMAC-SHA256 ")
    assert "/us-east-1/es/aws4_request" in request.headers["Authorization"]


def test_replaying_a_batch_gives_the_same_index(opensearch, lambda_context):
    event = {"Records": [_record("INSERT", "100", "ITEM#lamp"), _record("REMOVE", "101", "ITEM#gone")]}
    assert indexer.handler(event, lambda_context) == {"batchItemFailures": []}
    first = {k: dict(v) for k, v in opensearch.documents["items"].items()}
    assert indexer.handler(event, lambda_context) == {"batchItemFailures": []}
    assert opensearch.documents["items"] == first


def test_records_that_are_not_items_are_not_indexed(opensearch, lambda_context):
    event = {"Records": [_record("INSERT", "100", "ORDER#o-1")]}
    assert indexer.handler(event, lambda_context) == {"batchItemFailures": []}
    assert opensearch.requests == []


def test_rejected_documents_are_reported_as_partial_batch_failures(opensearch, lambda_context):
    opensearch.rejected_ids = {_doc_id("ITEM#b")}
    event = {
        "Records": [
            _record("INSERT", "100", "ITEM#a"),
            _record("INSERT", "101", "ITEM#b"),
            _record("INSERT", "102", "ITEM#c"),
        ]
    }
    assert indexer.handler(event, lambda_context) == {"batchItemFailures": [{"itemIdentifier": "101"}]}
    assert set(opensearch.documents["items"]) == {_doc_id("ITEM#a"), _doc_id("ITEM#c")}


def test_an_unavailable_domain_fails_every_record_of_the_batch(opensearch, lambda_context):
    opensearch.unavailable = True
    event = {"Records": [_record("INSERT", "100", "ITEM#a"), _record("REMOVE", "101", "ITEM#b")]}
    failures = indexer.handler(event, lambda_context)["batchItemFailures"]
    assert failures == [{"itemIdentifier": "100"}, {"itemIdentifier": "101"}]


def test_the_bulk_body_is_newline_terminated_ndjson_of_action_and_document_pairs(opensearch, lambda_context):
    event = {"Records": [_record("INSERT", "100", "ITEM#lamp"), _record("REMOVE", "101", "ITEM#gone")]}
    indexer.handler(event, lambda_context)
    (request,) = opensearch.requests
    text = request.body.decode()
    assert text.endswith("\n") and "\n\n" not in text
    lines = [json.loads(line) for line in text[:-1].split("\n")]
    assert lines[0] == {"index": {"_index": "items", "_id": _doc_id("ITEM#lamp")}}
    assert lines[1]["name"] == "Lamp" and lines[1]["price"] == 12.5
    assert lines[2:] == [{"delete": {"_index": "items", "_id": _doc_id("ITEM#gone")}}]


def test_a_bulk_body_opensearch_refuses_fails_every_record(opensearch, lambda_context, monkeypatch):
    monkeypatch.setenv("INDEX_NAME", "")
    event = {"Records": [_record("INSERT", "100", "ITEM#a"), _record("REMOVE", "101", "ITEM#b")]}
    failures = indexer.handler(event, lambda_context)["batchItemFailures"]
    assert failures == [{"itemIdentifier": "100"}, {"itemIdentifier": "101"}]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            b'{"index":{"_index":"items","_id":"a"}}\n{"name":"Lamp"}',
            "The bulk request must be terminated by a newline",
        ),
        (b'{"index":{"_index":"items","_id":"a"}}\n', "source is missing"),
        (b'{"upsert":{"_index":"items","_id":"a"}}\n', "Malformed action/metadata line [1]"),
    ],
)
def test_the_fake_refuses_bodies_opensearch_refuses_with_its_error_shape(opensearch, body, reason):
    request = urllib.request.Request(
        f"{opensearch.url}/_bulk", data=body, method="POST", headers={"Content-Type": "application/x-ndjson"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310 (the local fake)
    answer = json.loads(refused.value.read())
    assert refused.value.code == 400 and answer["status"] == 400
    assert answer["error"]["type"] == "illegal_argument_exception" and reason in answer["error"]["reason"]
    assert answer["error"]["root_cause"][0]["type"] == "illegal_argument_exception"


def test_without_an_index_name_the_items_index_is_written(opensearch, lambda_context, monkeypatch):
    monkeypatch.delenv("INDEX_NAME")
    indexer.handler({"Records": [_record("INSERT", "100", "ITEM#lamp")]}, lambda_context)
    assert set(opensearch.documents) == {"items"}


@pytest.mark.parametrize(
    ("result", "succeeded"),
    [
        ({"index": {"status": 200}}, True),
        ({"index": {"status": 201}}, True),
        ({"index": {"status": 299}}, True),
        ({"index": {"status": 199}}, False),
        ({"index": {"status": 300}}, False),
        ({"index": {"status": 404}}, False),
        ({"index": {}}, False),
        ({"delete": {"status": 404}}, True),
        ({"delete": {"status": 409}}, False),
    ],
)
def test_a_bulk_item_counts_as_done_on_2xx_or_a_delete_of_a_missing_document(result, succeeded):
    assert indexer._succeeded(result) is succeeded


def test_an_endpoint_with_a_trailing_slash_reaches_the_same_paths(opensearch, lambda_context, monkeypatch):
    monkeypatch.setenv("OPENSEARCH_ENDPOINT", opensearch.url + "/")
    assert indexer.handler({"Records": [_record("INSERT", "100", "ITEM#lamp")]}, lambda_context) == {
        "batchItemFailures": []
    }
    assert [r.path for r in opensearch.requests] == ["/_bulk"]
