"""Step 8: DynamoDB stream -> OpenSearch. Keeps the `items` index equal to the table's items.

One `_bulk` request per batch. Writes are idempotent (the document id is the item's key:
an insert or modify replaces the document, a delete of a missing document counts as done),
so Lambda may retry any record safely. Records that OpenSearch rejects are reported as
partial batch failures; Lambda retries from the first of them, and after the configured
attempts sends the batch's description to the dead-letter queue.
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import opensearch_http
from aws_lambda_powertools import Logger, Tracer
from boto3.dynamodb.types import TypeDeserializer

logger = Logger()
tracer = Tracer()
deserializer = TypeDeserializer()

ITEM_PREFIX = "ITEM#"
DOCUMENT_FIELDS = ("id", "owner", "name", "description", "price", "createdAt", "updatedAt")


def index_name() -> str:
    return os.environ.get("INDEX_NAME", "items")


def _plain(image: dict[str, Any]) -> dict[str, Any]:
    values = {k: deserializer.deserialize(v) for k, v in image.items()}
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in values.items()}


def actions_for(record: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The bulk lines for one stream record, or None when the record is not an item."""
    keys = _plain(record["dynamodb"]["Keys"])
    if not str(keys.get("sk", "")).startswith(ITEM_PREFIX):
        return None
    target = {"_index": index_name(), "_id": f"{keys['pk']}|{keys['sk']}"}
    if record["eventName"] == "REMOVE":
        return [{"delete": target}]
    image = _plain(record["dynamodb"]["NewImage"])
    return [{"index": target}, {field: image.get(field) for field in DOCUMENT_FIELDS}]


def _succeeded(result: dict[str, Any]) -> bool:
    ((operation, outcome),) = result.items()
    status = outcome.get("status", 500)
    return 200 <= status < 300 or (operation == "delete" and status == 404)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    lines: list[dict[str, Any]] = []
    sent: list[str] = []  # sequence number of each bulk action, in order
    for record in event["Records"]:
        actions = actions_for(record)
        if actions is not None:
            lines.extend(actions)
            sent.append(record["dynamodb"]["SequenceNumber"])
    if not lines:
        return {"batchItemFailures": []}

    status, answer = opensearch_http.call("POST", "/_bulk", ndjson=lines)
    if status != 200:
        logger.error("bulk request failed", extra={"status": status, "answer": answer})
        failed = sent
    else:
        failed = [seq for seq, result in zip(sent, answer["items"], strict=True) if not _succeeded(result)]
    if failed:
        logger.warning("documents not indexed", extra={"failed": len(failed), "of": len(sent)})
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in failed]}
