"""Step 7: the custom resource that configures fine-grained access control inside the domain."""

from __future__ import annotations

import json

import pytest

from .opensearch_fake import FakeOpenSearch, load_function, start

security_setup = load_function("security_setup")

WRITER = "arn:aws:iam::111111111111:role/indexer"
READER = "arn:aws:iam::111111111111:role/appsync-search"


@pytest.fixture
def opensearch(monkeypatch):
    fake = FakeOpenSearch()
    server = start(fake)
    monkeypatch.setenv("OPENSEARCH_ENDPOINT", fake.url)
    yield fake
    server.shutdown()


def _event(opensearch, request_type="Create"):
    return {
        "RequestType": request_type,
        "ResponseURL": f"{opensearch.url}/cloudformation-response?signature=x",
        "StackId": "arn:aws:cloudformation:us-east-1:111111111111:stack/search/1",
        "RequestId": "r-1",
        "LogicalResourceId": "SearchSecuritySetup",
        "ResourceType": "Custom::OpenSearchSecurity",
        "ResourceProperties": {"Index": "items", "WriterRoleArns": [WRITER], "ReaderRoleArns": [READER]},
    }


def _response(opensearch):
    (answer,) = [r for r in opensearch.requests if r.path.startswith("/cloudformation-response")]
    return json.loads(answer.body)


def _put(opensearch, path):
    (request,) = [r for r in opensearch.requests if r.method == "PUT" and r.path == path]
    return json.loads(request.body)


def test_maps_writers_to_write_and_the_api_to_read_on_the_items_index(opensearch, lambda_context):
    security_setup.handler(_event(opensearch), lambda_context)
    assert _response(opensearch)["Status"] == "SUCCESS"
    api = "/_plugins/_security/api"
    assert _put(opensearch, f"{api}/rolesmapping/items_writer") == {"backend_roles": [WRITER]}
    assert _put(opensearch, f"{api}/rolesmapping/items_reader") == {"backend_roles": [READER]}
    reader = _put(opensearch, f"{api}/roles/items_reader")
    assert reader["index_permissions"] == [{"index_patterns": ["items"], "allowed_actions": ["read"]}]
    assert "crud" in _put(opensearch, f"{api}/roles/items_writer")["index_permissions"][0]["allowed_actions"]
    mapping = _put(opensearch, "/items")["mappings"]["properties"]
    assert mapping["owner"] == {"type": "keyword"}
    signed = [r for r in opensearch.requests if r.path.startswith("/_plugins")]
    assert all(r.headers["Authorization"].startswith("AWS4-HMAC-SHA256 ") for r in signed)


def test_an_update_over_an_existing_index_succeeds(opensearch, lambda_context):
    opensearch.documents["items"] = {}
    security_setup.handler(_event(opensearch, "Update"), lambda_context)
    assert _response(opensearch)["Status"] == "SUCCESS"


def test_delete_leaves_the_domain_alone(opensearch, lambda_context):
    event = {**_event(opensearch, "Delete"), "PhysicalResourceId": "kept-id"}
    security_setup.handler(event, lambda_context)
    answer = _response(opensearch)
    assert answer["Status"] == "SUCCESS" and answer["PhysicalResourceId"] == "kept-id"
    assert [r.path for r in opensearch.requests] == ["/cloudformation-response?signature=x"]


def test_failures_reach_cloudformation(opensearch, lambda_context):
    opensearch.unavailable = True
    security_setup.handler(_event(opensearch), lambda_context)
    answer = _response(opensearch)
    assert answer["Status"] == "FAILED" and "503" in answer["Reason"]
