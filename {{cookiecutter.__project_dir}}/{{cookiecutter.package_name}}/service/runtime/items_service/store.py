"""Items in the application table: pk = "USER#<owner sub>", sk = "ITEM#<id>".

An item record holds the GraphQL API's `Item` fields (api/schema.graphql) beside its key: id,
owner, name, description (absent when none), price (a number) and createdAt/updatedAt (ISO 8601
UTC, milliseconds, "Z"), exactly what the AppSync resolvers write (api/resolvers/createItem.js),
so items written by either tier are read by both.

With DAX_ENDPOINT set, reads and writes go through the DAX cluster (writes through DAX keep
its item cache coherent); when DAX cannot be reached the call is retried on DynamoDB itself.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key
from botocore.exceptions import BotoCoreError, ClientError

LOG = logging.getLogger(__name__)
OWNER_PREFIX, ITEM_PREFIX = "USER#", "ITEM#"


def now_iso() -> str:
    """The AppSync resolvers' timestamp form (util.time.nowISO8601)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
            "id": record["id"],
            "owner": record["owner"],
            "name": record["name"],
            "description": record.get("description"),
            "price": float(record["price"]),
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

    def create(self, owner: str, *, name: str, description: str | None, price: float) -> dict[str, Any]:
        now, item_id = now_iso(), str(uuid.uuid4())
        record = {
            **self._key(owner, item_id),
            "id": item_id,
            "owner": owner,
            "name": name,
            "price": Decimal(str(price)),
            "createdAt": now,
            "updatedAt": now,
        }
        if description is not None:
            record["description"] = description
        self._call("put_item", Item=record, ConditionExpression="attribute_not_exists(sk)")
        return self._public(record)

    def update(
        self, owner: str, item_id: str, *, name: str, description: str | None, price: float
    ) -> dict[str, Any] | None:
        """Replaces the item's fields (PUT); without a description the attribute is removed."""
        names = {"#n": "name", "#p": "price", "#u": "updatedAt", "#d": "description"}
        values: dict[str, Any] = {":n": name, ":p": Decimal(str(price)), ":u": now_iso()}
        if description is None:
            expression = "SET #n = :n, #p = :p, #u = :u REMOVE #d"
        else:
            expression = "SET #n = :n, #p = :p, #u = :u, #d = :d"
            values[":d"] = description
        try:
            result = self._call(
                "update_item",
                Key=self._key(owner, item_id),
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(sk)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
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
