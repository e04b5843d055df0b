"""One item, two tiers: what the REST tier (the container) writes, the GraphQL tier (resolvers and
the orders Lambda) reads, and the other way round, on one table served by moto.

The contract is the schema's `Item` type: each writer's record must have its fields, in the types
the readers expect, and the GraphQL tier's reads of a REST-written item must satisfy the schema.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer
from fastapi.testclient import TestClient
from graphql import build_schema, graphql_sync
from items_service.identity import UserPoolTokens
from items_service.main import create_app
from items_service.store import ItemStore

from {{ cookiecutter.package_name }}.api import infrastructure as api_unit
from {{ cookiecutter.package_name }}.api.runtime import handler
from tests.runtime.appsync_js import call
from tests.test_schema import APPSYNC_PRELUDE

from .conftest import REGION, TABLE_NAME

SCHEMA = build_schema(APPSYNC_PRELUDE + api_unit.SCHEMA.read_text(encoding="utf-8"))
ITEM_FIELDS = set(SCHEMA.type_map["Item"].fields)
ITEM_SELECTION = " ".join(sorted(ITEM_FIELDS))
KEY = {"pk", "sk"}
DYNAMODB_TYPES = {
    "id": "S",
    "owner": "S",
    "name": "S",
    "description": "S",
    "price": "N",
    "createdAt": "S",
    "updatedAt": "S",
}


@pytest.fixture
def rest(local_environment, behind_api_gateway):
    store = ItemStore.from_environment(local_environment)
    with TestClient(create_app(store, UserPoolTokens.from_environment(local_environment))) as client:
        yield behind_api_gateway(client)


@pytest.fixture
def dynamodb(local_environment, moto_endpoint, monkeypatch):
    """The orders Lambda's view of the same table."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", moto_endpoint)
    monkeypatch.setenv("TABLE_NAME", TABLE_NAME)
    return boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name=REGION)


def as_sent(values: dict) -> dict:
    """Attribute values as AppSync's DynamoDB data source sends them: a number (N) as its string."""
    return {name: {"N": str(value["N"])} if "N" in value else value for name, value in values.items()}


def raw_records(dynamodb, owner: str) -> list[dict]:
    """The owner's item records as DynamoDB returns them (typed attribute values)."""
    return dynamodb.query(
        TableName=TABLE_NAME,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :items)",
        ExpressionAttributeValues={":pk": {"S": f"USER#{owner}"}, ":items": {"S": "ITEM#"}},
    )["Items"]


def as_appsync_json(record: dict) -> dict:
    """What an AppSync DynamoDB resolver sees in ctx.result: plain JSON, numbers as numbers."""
    plain = {name: TypeDeserializer().deserialize(value) for name, value in record.items()}
    return {name: float(value) if isinstance(value, Decimal) else value for name, value in plain.items()}


def assert_is_an_item(record: dict) -> None:
    """A stored record holds every Item field (description may be absent) in the contract's types."""
    assert set(record) - KEY <= ITEM_FIELDS
    assert ITEM_FIELDS - {"description"} <= set(record), ITEM_FIELDS - set(record)
    assert {name: next(iter(value)) for name, value in record.items() if name not in KEY} == {
        name: kind for name, kind in DYNAMODB_TYPES.items() if name in record
    }
    assert record["sk"]["S"] == f"ITEM#{record['id']['S']}" and record["pk"]["S"] == f"USER#{record['owner']['S']}"
    for stamp in ("createdAt", "updatedAt"):
        assert record[stamp]["S"].endswith("Z") and datetime.fromisoformat(record[stamp]["S"])


def graphql_list_items(owner_records: list[dict]) -> dict:
    """listItems through its resolver's response handler, then the schema's Item type over the result."""
    page = call(
        "listItems.js",
        "response",
        {"result": {"items": [as_appsync_json(r) for r in owner_records]}, "args": {}, "stash": {}},
    )
    query = "query { listItems { items { " + ITEM_SELECTION + " } nextToken } }"
    result = graphql_sync(SCHEMA, query, root_value={"listItems": page})
    assert not result.errors, [error.message for error in result.errors]
    return result.data["listItems"]


def place_order(lambda_context, owner: str, item_id: str, quantity: int) -> dict:
    event = {
        "arguments": {"lines": [{"itemId": item_id, "quantity": quantity}]},
        "identity": {"sub": owner},
        "source": None,
        "request": {"headers": {}},
        "prev": None,
        "stash": {},
        "info": {"parentTypeName": "Mutation", "fieldName": "placeOrder", "variables": {}},
    }
    return handler.handler(event, lambda_context)


def test_an_item_written_through_rest_is_read_by_the_graphql_tier(rest, dynamodb, user_pool, lambda_context):
    alice = user_pool.sign_in("alice")
    headers = {"x-caller-arn": "arn:aws:sts::1:assumed-role/appsync/x", "x-user-token": alice.access_token}
    created = rest.post("/items", json={"name": "Lamp", "description": "warm", "price": 12.5}, headers=headers)
    assert created.status_code == 201
    (record,) = raw_records(dynamodb, alice.sub)
    assert_is_an_item(record)

    (listed,) = graphql_list_items([record])["items"]
    assert listed == created.json()
    order = place_order(lambda_context, alice.sub, listed["id"], 2)
    assert order["lines"] == [{"itemId": listed["id"], "name": "Lamp", "price": 12.5, "quantity": 2}]
    assert order["total"] == 25.0


def test_an_item_written_through_graphql_is_read_by_the_rest_tier(rest, dynamodb, user_pool, lambda_context):
    bob = user_pool.sign_in("bob")
    ctx = {"args": {"input": {"name": "Desk", "price": 90.25}}, "stash": {"owner": bob.sub}}
    put = call("createItem.js", "request", ctx)  # the DynamoDB resolver's PutItem request
    assert put["operation"] == "PutItem"
    condition = put["condition"]
    dynamodb.put_item(
        TableName=TABLE_NAME,
        Item=as_sent({**put["key"], **put["attributeValues"]}),
        ConditionExpression=condition["expression"],
        ExpressionAttributeNames=condition["expressionNames"],
    )
    (record,) = raw_records(dynamodb, bob.sub)
    assert_is_an_item(record)

    headers = {"x-caller-arn": "arn:aws:sts::1:assumed-role/appsync/x", "x-user-token": bob.access_token}
    item_id = record["id"]["S"]
    fetched = rest.get(f"/items/{item_id}", headers=headers)
    assert fetched.status_code == 200
    assert set(fetched.json()) == ITEM_FIELDS
    assert fetched.json() == graphql_list_items([record])["items"][0]
    assert rest.get("/recommendations", headers=headers).json()["recommendations"][0]["itemId"] == item_id
    assert place_order(lambda_context, bob.sub, item_id, 1)["total"] == 90.25


def test_both_writers_store_the_same_attributes(rest, dynamodb, user_pool):
    carol = user_pool.sign_in("carol")
    headers = {"x-caller-arn": "arn:aws:sts::1:assumed-role/appsync/x", "x-user-token": carol.access_token}
    body = {"name": "Pen", "description": "blue", "price": 1.5}
    rest.post("/items", json=body, headers=headers)
    put = call("createItem.js", "request", {"args": {"input": body}, "stash": {"owner": carol.sub}})
    dynamodb.put_item(TableName=TABLE_NAME, Item=as_sent({**put["key"], **put["attributeValues"]}))
    records = {record["id"]["S"]: record for record in raw_records(dynamodb, carol.sub)}
    by_graphql = records.pop(put["attributeValues"]["id"]["S"])
    (by_rest,) = records.values()
    assert {k: next(iter(v)) for k, v in by_rest.items()} == {k: next(iter(v)) for k, v in by_graphql.items()}
