"""Lambda resolver (step 4): Mutation.placeOrder.

AppSync invokes this function directly with the caller's identity. The owner comes from
the verified JWT claims (user pool callers) or from the identity pool's sign-in provider
(IAM callers), never from the arguments: a user can only order their own items. Prices are
read from the table at order time, and the order is written only if it does not exist yet.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import AppSyncResolver
from aws_lambda_powertools.logging import correlation_paths

logger = Logger()
tracer = Tracer()
app = AppSyncResolver()

MAX_LINES = 25
SIGN_IN_MARKER = ":CognitoSignIn:"


class OrderError(Exception):
    """A request that cannot become an order; the message is shown to the caller."""


def table():
    return boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def owner_of(identity: dict[str, Any] | None) -> str:
    """The signed-in user's `sub`, whichever of the API's two auth modes was used."""
    identity = identity or {}
    if identity.get("sub"):
        return identity["sub"]
    provider = identity.get("cognitoIdentityAuthProvider") or ""
    if SIGN_IN_MARKER in provider:
        # AppSync may pass the provider with its JSON quotes; resolvers/owner.js removes them alike.
        owner = provider.rsplit(SIGN_IN_MARKER, 1)[1].replace('"', "").strip()
        if owner:
            return owner
    raise OrderError("Unauthorized: no signed-in user")


@app.resolver(type_name="Mutation", field_name="placeOrder")
@tracer.capture_method
def place_order(lines: list[dict[str, Any]]) -> dict[str, Any]:
    owner = owner_of(app.current_event.get("identity"))
    if not lines or len(lines) > MAX_LINES:
        raise OrderError(f"an order has 1 to {MAX_LINES} lines")
    quantities: dict[str, int] = {}
    for line in lines:
        if int(line["quantity"]) < 1:
            raise OrderError("quantities must be positive")
        quantities[line["itemId"]] = quantities.get(line["itemId"], 0) + int(line["quantity"])

    items = _owned_items(owner, list(quantities))
    missing = sorted(set(quantities) - set(items))
    if missing:
        raise OrderError(f"not your items or no such items: {', '.join(missing)}")

    order_lines = [
        {"itemId": item_id, "name": items[item_id]["name"], "price": items[item_id]["price"], "quantity": quantity}
        for item_id, quantity in quantities.items()
    ]
    total = sum(Decimal(str(line["price"])) * line["quantity"] for line in order_lines)
    order_id = str(uuid.uuid4())
    order = {
        "pk": f"USER#{owner}",
        "sk": f"ORDER#{order_id}",
        "id": order_id,
        "owner": owner,
        "lines": order_lines,
        "total": total,
        "status": "PLACED",
        "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    table().put_item(Item=order, ConditionExpression="attribute_not_exists(pk)")
    # The owner's sub and the order, never the user's personal data (email, name) from the claims.
    logger.info("order placed", extra={"order_id": order_id, "owner": owner, "lines": len(order_lines)})
    return _graphql(order)


def _owned_items(owner: str, item_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The caller's items among `item_ids`, by id: the key pins the owner's partition."""
    keys = [{"pk": f"USER#{owner}", "sk": f"ITEM#{item_id}"} for item_id in item_ids]
    name = os.environ["TABLE_NAME"]
    found: dict[str, dict[str, Any]] = {}
    projection = {"ProjectionExpression": "id, #n, price", "ExpressionAttributeNames": {"#n": "name"}}
    request = {name: {"Keys": keys, **projection}}
    dynamodb = boto3.resource("dynamodb")
    while request:
        answer = dynamodb.batch_get_item(RequestItems=request)
        for item in answer["Responses"].get(name, []):
            found[item["id"]] = item
        request = answer.get("UnprocessedKeys") or {}
    return found


def _graphql(order: dict[str, Any]) -> dict[str, Any]:
    """The order as the schema's Order type: numbers as floats, no key attributes."""
    lines = [{**line, "price": float(line["price"])} for line in order["lines"]]
    return {
        **{k: v for k, v in order.items() if k not in ("pk", "sk")},
        "lines": lines,
        "total": float(order["total"]),
    }


@logger.inject_lambda_context(correlation_id_path=correlation_paths.APPSYNC_RESOLVER)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
