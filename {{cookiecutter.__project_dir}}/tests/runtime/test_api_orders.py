"""Step 4: the Lambda resolver (placeOrder) against DynamoDB served by moto's server mode."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import boto3
import pytest
from moto.server import ThreadedMotoServer

from {{ cookiecutter.package_name }}.api.runtime import handler

from .app_table import create_table

ANA = "3f1c2b9a-0000-4000-8000-00000000000a"
BEN = "3f1c2b9a-0000-4000-8000-00000000000b"
TABLE = "app-table"


@pytest.fixture(scope="module")
def moto_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def table(moto_endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", moto_endpoint)
    monkeypatch.setenv("TABLE_NAME", TABLE)
    dynamodb = boto3.resource("dynamodb")
    create_table(dynamodb.meta.client, TABLE)
    created = dynamodb.Table(TABLE)
    created.put_item(Item=_item(ANA, "lamp", "Lamp", "12.50"))
    created.put_item(Item=_item(ANA, "desk", "Desk", "100"))
    created.put_item(Item=_item(BEN, "chair", "Chair", "40"))
    yield created
    created.delete()


def _item(owner, item_id, name, price):
    return {
        "pk": f"USER#{owner}",
        "sk": f"ITEM#{item_id}",
        "id": item_id,
        "owner": owner,
        "name": name,
        "price": Decimal(price),
    }


def _event(lines, identity):
    return {
        "arguments": {"lines": lines},
        "identity": identity,
        "source": None,
        "request": {"headers": {"x-amzn-trace-id": "Root=1-00000000-000000000000000000000000"}},
        "info": {"parentTypeName": "Mutation", "fieldName": "placeOrder", "variables": {}},
        "prev": None,
        "stash": {},
    }


def _user(sub):
    return {"sub": sub, "username": sub, "claims": {"sub": sub, "email": "ana@example.com"}, "sourceIp": ["10.0.0.1"]}


def test_places_an_order_of_own_items_at_table_prices(table, lambda_context):
    lines = [{"itemId": "lamp", "quantity": 2}, {"itemId": "desk", "quantity": 1}]
    order = handler.handler(_event(lines, _user(ANA)), lambda_context)
    assert order["owner"] == ANA and order["status"] == "PLACED"
    assert order["total"] == pytest.approx(125.0)
    assert {(line["itemId"], line["quantity"], line["price"]) for line in order["lines"]} == {
        ("lamp", 2, 12.5),
        ("desk", 1, 100.0),
    }
    stored = table.get_item(Key={"pk": f"USER#{ANA}", "sk": f"ORDER#{order['id']}"})["Item"]
    assert stored["total"] == Decimal("125.0") and stored["owner"] == ANA


def test_identity_pool_callers_are_the_same_owner(table, lambda_context):
    provider = (
        "cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab,"
        f"cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab:CognitoSignIn:{ANA}"
    )
    identity = {"cognitoIdentityId": "us-east-1:1234", "cognitoIdentityAuthProvider": provider, "accountId": "1"}
    order = handler.handler(_event([{"itemId": "lamp", "quantity": 1}], identity), lambda_context)
    assert order["owner"] == ANA


def test_cannot_order_someone_elses_item(table, lambda_context):
    with pytest.raises(handler.OrderError, match="chair"):
        handler.handler(_event([{"itemId": "chair", "quantity": 1}], _user(ANA)), lambda_context)
    orders = table.query(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :orders)",
        ExpressionAttributeValues={":pk": f"USER#{ANA}", ":orders": "ORDER#"},
    )["Items"]
    assert orders == []


@pytest.mark.parametrize("lines", [[], [{"itemId": "lamp", "quantity": 0}]])
def test_rejects_empty_orders_and_non_positive_quantities(table, lambda_context, lines):
    with pytest.raises(handler.OrderError):
        handler.handler(_event(lines, _user(ANA)), lambda_context)


def test_rejects_callers_without_a_user(table, lambda_context):
    with pytest.raises(handler.OrderError, match="Unauthorized"):
        handler.handler(_event([{"itemId": "lamp", "quantity": 1}], {"accountId": "111111111111"}), lambda_context)


def test_logs_name_the_owner_and_the_order_but_never_the_users_email(table, lambda_context):
    stream = io.StringIO()
    log_handler = handler.logger.registered_handler
    # Not setStream: it flushes the previous stream, which an earlier pytest session may have closed.
    previous, log_handler.stream = log_handler.stream, stream
    try:
        order = handler.handler(_event([{"itemId": "lamp", "quantity": 1}], _user(ANA)), lambda_context)
    finally:
        log_handler.stream = previous
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    (placed,) = [r for r in records if r.get("message") == "order placed"]
    assert placed["order_id"] == order["id"] and placed["owner"] == ANA
    assert not [r for r in records if "ana@example.com" in json.dumps(r)]


def test_the_answer_is_the_schemas_order_type_without_key_attributes(table, lambda_context):
    order = handler.handler(_event([{"itemId": "lamp", "quantity": 2}], _user(ANA)), lambda_context)
    assert set(order) == {"id", "owner", "lines", "total", "status", "createdAt"}
    assert order["lines"] == [{"itemId": "lamp", "name": "Lamp", "price": 12.5, "quantity": 2}]
    assert type(order["lines"][0]["price"]) is float and type(order["total"]) is float and order["total"] == 25.0
    assert order["createdAt"].endswith("Z") and len(order["createdAt"]) == len("2026-01-01T00:00:00.000Z")


def test_a_caller_without_a_user_is_told_so(table, lambda_context):
    with pytest.raises(handler.OrderError) as refused:
        handler.handler(_event([{"itemId": "lamp", "quantity": 1}], None), lambda_context)
    assert str(refused.value) == "Unauthorized: no signed-in user"


def test_keys_dynamodb_leaves_unprocessed_are_read_again(table, lambda_context, monkeypatch):
    """BatchGetItem may answer part of a request and return the rest as UnprocessedKeys."""
    real = boto3.resource("dynamodb")
    requests = []

    class Throttled:
        def batch_get_item(self, RequestItems):  # noqa: N803 (boto3's parameter name)
            requests.append(RequestItems)
            if len(requests) == 1:
                return {"Responses": {}, "UnprocessedKeys": RequestItems}  # none of this table answered yet
            return real.batch_get_item(RequestItems=RequestItems)

    monkeypatch.setattr(handler.boto3, "resource", lambda service: Throttled() if service == "dynamodb" else None)
    assert handler._owned_items(ANA, ["lamp"])["lamp"]["name"] == "Lamp"
    assert len(requests) == 2 and requests[0] == requests[1]
