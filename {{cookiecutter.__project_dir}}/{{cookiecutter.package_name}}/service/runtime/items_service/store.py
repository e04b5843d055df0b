"""Items in the application table: pk = "USER#<owner sub>", sk = "ITEM#<id>".

With DAX_ENDPOINT set, reads and writes go through the DAX cluster (writes through DAX keep
its item cache coherent); when DAX cannot be reached the call is retried on DynamoDB itself.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key
from botocore.exceptions import BotoCoreError, ClientError

LOG = logging.getLogger(__name__)
OWNER_PREFIX, ITEM_PREFIX = "USER#", "ITEM#"


def dax_resource(endpoint_url: str, region_name: str | None) -> Any:
    from amazondax import AmazonDaxClient

    return AmazonDaxClient.resource(endpoint_url=endpoint_url, region_name=region_name)


def dynamodb_resource(endpoint_url: str | None, region_name: str | None) -> Any:
    return boto3.resource("dynamodb", endpoint_url=endpoint_url, region_name=region_name)


class ItemStore:
    def __init__(self, table: Any, cache: Any | None = None) -> None:
        self.table = table
        self.cache = cache  # a DAX table with the same interface, or None

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str] = os.environ,
        *,
        dax_factory: Callable[[str, str | None], Any] = dax_resource,
        dynamodb_factory: Callable[[str | None, str | None], Any] = dynamodb_resource,
    ) -> ItemStore:
        """TABLE_NAME is required; DAX_ENDPOINT switches reads to DAX; DYNAMODB_ENDPOINT targets a local server."""
        name = environ["TABLE_NAME"]
        region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
        table = dynamodb_factory(environ.get("DYNAMODB_ENDPOINT") or None, region).Table(name)
        cache = None
        if environ.get("DAX_ENDPOINT"):
            cache = dax_factory(environ["DAX_ENDPOINT"], region).Table(name)
            LOG.info("reading through DAX", extra={"dax_endpoint": environ["DAX_ENDPOINT"]})
        return cls(table, cache)

    def _call(self, operation: str, **kwargs: Any) -> Any:
        if self.cache is not None:
            try:
                return getattr(self.cache, operation)(**kwargs)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                    raise
                LOG.warning("DAX call failed; using DynamoDB", extra={"operation": operation, "error": str(error)})
            except (BotoCoreError, OSError, RuntimeError) as error:
                LOG.warning("DAX unreachable; using DynamoDB", extra={"operation": operation, "error": str(error)})
        return getattr(self.table, operation)(**kwargs)

    @staticmethod
    def _key(owner: str, item_id: str) -> dict[str, str]:
        return {"pk": OWNER_PREFIX + owner, "sk": ITEM_PREFIX + item_id}

    @staticmethod
    def _public(record: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "id": record["sk"].removeprefix(ITEM_PREFIX),
            "owner": record["pk"].removeprefix(OWNER_PREFIX),
            "name": record["name"],
            "description": record.get("description"),
            "createdAt": record["createdAt"],
            "updatedAt": record["updatedAt"],
        }

    def list(self, owner: str) -> list[dict[str, Any]]:
        result = self._call(
            "query",
            KeyConditionExpression=Key("pk").eq(OWNER_PREFIX + owner) & Key("sk").begins_with(ITEM_PREFIX),
        )
        return [self._public(r) for r in result.get("Items", [])]

    def get(self, owner: str, item_id: str) -> dict[str, Any] | None:
        record = self._call("get_item", Key=self._key(owner, item_id)).get("Item")
        return self._public(record) if record else None

    def create(self, owner: str, name: str, description: str | None) -> dict[str, Any]:
        now = datetime.now(UTC).isoformat()
        record = {**self._key(owner, str(uuid.uuid4())), "name": name, "createdAt": now, "updatedAt": now}
        if description is not None:
            record["description"] = description
        self._call("put_item", Item=record, ConditionExpression="attribute_not_exists(sk)")
        return self._public(record)

    def update(self, owner: str, item_id: str, name: str, description: str | None) -> dict[str, Any] | None:
        try:
            result = self._call(
                "update_item",
                Key=self._key(owner, item_id),
                UpdateExpression="SET #n = :n, description = :d, updatedAt = :u",
                ConditionExpression="attribute_exists(sk)",
                ExpressionAttributeNames={"#n": "name"},
                ExpressionAttributeValues={":n": name, ":d": description, ":u": datetime.now(UTC).isoformat()},
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return None
            raise
        return self._public(result["Attributes"])

    def delete(self, owner: str, item_id: str) -> bool:
        result = self._call("delete_item", Key=self._key(owner, item_id), ReturnValues="ALL_OLD")
        return bool(result.get("Attributes"))
