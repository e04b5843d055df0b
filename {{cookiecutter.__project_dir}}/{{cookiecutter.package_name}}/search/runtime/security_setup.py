"""CloudFormation custom resource: fine-grained access control inside the domain.

IAM lets a role reach the domain; OpenSearch's security plugin decides what it may do there.
This function runs as the domain's master user and maps the writer roles (the indexer or the
ingestion pipeline) to write access and the AppSync role to read access on the items index,
then creates that index with its mapping. Every call is an idempotent PUT, so create and
update do the same thing; delete leaves the domain as it is.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import opensearch_http

MAPPING = {
    "mappings": {
        "properties": {
            "id": {"type": "keyword"},
            "owner": {"type": "keyword"},
            "name": {"type": "text"},
            "description": {"type": "text"},
            "price": {"type": "double"},
            "createdAt": {"type": "date"},
            "updatedAt": {"type": "date"},
        }
    }
}


def security_requests(index: str, writer_role_arns: list[str], reader_role_arns: list[str]) -> list[tuple[str, dict]]:
    """The security plugin's roles and role mappings for the items index, as (path, body)."""
    api = "/_plugins/_security/api"
    return [
        (
            f"{api}/roles/{index}_writer",
            {
                "cluster_permissions": ["cluster_monitor", "indices:data/write/bulk"],
                "index_permissions": [{"index_patterns": [index], "allowed_actions": ["crud", "create_index"]}],
            },
        ),
        (f"{api}/rolesmapping/{index}_writer", {"backend_roles": writer_role_arns}),
        (
            f"{api}/roles/{index}_reader",
            {
                "index_permissions": [{"index_patterns": [index], "allowed_actions": ["read"]}],
            },
        ),
        (f"{api}/rolesmapping/{index}_reader", {"backend_roles": reader_role_arns}),
    ]


def apply(properties: dict[str, Any]) -> None:
    index = properties["Index"]
    for path, body in security_requests(index, properties["WriterRoleArns"], properties["ReaderRoleArns"]):
        status, answer = opensearch_http.call("PUT", path, body)
        if status not in (200, 201):
            raise RuntimeError(f"PUT {path}: {status} {answer}")
    status, answer = opensearch_http.call("PUT", f"/{index}", MAPPING)
    already = isinstance(answer, dict) and "resource_already_exists_exception" in json.dumps(answer)
    if status not in (200, 201) and not (status == 400 and already):
        raise RuntimeError(f"PUT /{index}: {status} {answer}")


def handler(event: dict[str, Any], context: Any) -> None:
    status, reason = "SUCCESS", "security configuration applied"
    try:
        if event["RequestType"] in ("Create", "Update"):
            apply(event["ResourceProperties"])
    except Exception as error:  # noqa: BLE001 (every failure must reach CloudFormation)
        status, reason = "FAILED", str(error)[:500]
    respond(event, context, status, reason)


def respond(event: dict[str, Any], context: Any, status: str, reason: str) -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": f"{reason} (log stream {context.log_stream_name})",
            "PhysicalResourceId": event.get("PhysicalResourceId") or f"{event['LogicalResourceId']}-security",
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": {},
        }
    ).encode()
    request = urllib.request.Request(
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(body))}
    )
    with urllib.request.urlopen(request, timeout=20):  # noqa: S310 (pre-signed CloudFormation URL)
        pass
