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
    assert opensearch.roles == {
        "items_writer": {
            "cluster_permissions": ["cluster_monitor", "indices:data/write/bulk"],
            "index_permissions": [{"index_patterns": ["items"], "allowed_actions": ["crud", "create_index"]}],
        },
        "items_reader": {"index_permissions": [{"index_patterns": ["items"], "allowed_actions": ["read"]}]},
    }
    assert opensearch.roles_mapping == {
        "items_writer": {"backend_roles": [WRITER]},
        "items_reader": {"backend_roles": [READER]},
    }
    mapping = _put(opensearch, "/items")["mappings"]["properties"]
    assert mapping["owner"] == {"type": "keyword"} and mapping["id"] == {"type": "keyword"}
    assert set(opensearch.documents) == {"items"}
    signed = [r for r in opensearch.requests if not r.path.startswith("/cloudformation-response")]
    assert len(signed) == 5
    assert all(r.headers["Authorization"].startswith("AWS4-HMAC-SHA256 ") for r in signed)


def test_each_role_exists_before_its_mapping(opensearch, lambda_context):
    security_setup.handler(_event(opensearch), lambda_context)
    puts = [r.path.removeprefix("/_plugins/_security/api/") for r in opensearch.requests if r.method == "PUT"]
    for role in ("items_writer", "items_reader"):
        assert puts.index(f"roles/{role}") < puts.index(f"rolesmapping/{role}")


def test_a_refused_security_request_fails_the_resource_with_opensearchs_answer(opensearch, lambda_context):
    event = _event(opensearch)
    event["ResourceProperties"]["WriterRoleArns"] = {"not": "a list"}
    security_setup.handler(event, lambda_context)
    answer = _response(opensearch)
    assert answer["Status"] == "FAILED"
    assert answer["Reason"].startswith("PUT /_plugins/_security/api/rolesmapping/items_writer: 400 ")
    assert opensearch.roles_mapping == {}


def test_an_update_over_an_existing_index_and_roles_succeeds(opensearch, lambda_context):
    opensearch.documents["items"] = {"kept": {"name": "Lamp"}}
    opensearch.roles = {"items_writer": {}, "items_reader": {}}
    opensearch.roles_mapping = {"items_writer": {"backend_roles": ["old"]}}
    security_setup.handler(_event(opensearch, "Update"), lambda_context)
    assert _response(opensearch)["Status"] == "SUCCESS"
    assert opensearch.roles_mapping["items_writer"] == {"backend_roles": [WRITER]}
    assert opensearch.documents["items"] == {"kept": {"name": "Lamp"}}


def test_an_index_that_cannot_be_created_fails_the_resource(opensearch, lambda_context, monkeypatch):
    monkeypatch.setitem(security_setup.MAPPING, "shards", 1)
    security_setup.handler(_event(opensearch), lambda_context)
    answer = _response(opensearch)
    assert answer["Status"] == "FAILED" and answer["Reason"].startswith("PUT /items: 400 ")
    assert "items" not in opensearch.documents


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


def test_cloudformation_gets_the_documented_response_object(opensearch, lambda_context):
    security_setup.handler(_event(opensearch), lambda_context)
    assert _response(opensearch) == {
        "Status": "SUCCESS",
        "Reason": f"security configuration applied (log stream {lambda_context.log_stream_name})",
        "PhysicalResourceId": "SearchSecuritySetup-security",
        "StackId": "arn:aws:cloudformation:us-east-1:111111111111:stack/search/1",
        "RequestId": "r-1",
        "LogicalResourceId": "SearchSecuritySetup",
        "Data": {},
    }
    (sent,) = [r for r in opensearch.requests if r.path.startswith("/cloudformation-response")]
    headers = {name.lower(): value for name, value in sent.headers.items()}
    assert headers["content-type"] == ""  # the pre-signed URL's signature covers no content type


def test_a_long_failure_reaches_cloudformation_cut_to_500_characters(opensearch, lambda_context):
    event = _event(opensearch)
    event["ResourceProperties"]["Index"] = "i" * 300  # OpenSearch refuses index names over 255 bytes
    security_setup.handler(event, lambda_context)
    reason = _response(opensearch)["Reason"]
    cut, _, stream = reason.partition(" (log stream ")
    assert len(cut) == 500 and cut.startswith(f"PUT /{'i' * 300}: 400 ")
    assert stream == f"{lambda_context.log_stream_name})"
