"""The item store's choice between DAX and DynamoDB, and what it refuses to overwrite or swallow."""

from __future__ import annotations

import amazondax
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from items_service import store as store_module
from items_service.store import ItemStore

RECORD = {
    "pk": "USER#dave",
    "sk": "ITEM#1",
    "id": "1",
    "owner": "dave",
    "name": "n",
    "price": 2,
    "createdAt": "t",
    "updatedAt": "t",
}


def client_error(code: str | None, operation: str) -> ClientError:
    """What botocore raises for an error answer; `code=None`: an answer without an Error member."""
    return ClientError({"Error": {"Code": code, "Message": code}} if code else {}, operation)


class RecordingFactory:
    def __init__(self, result):
        self.calls, self.result = [], result

    def __call__(self, endpoint_url, region_name):
        self.calls.append((endpoint_url, region_name))
        return self.result


class FakeResource:
    def __init__(self, table):
        self.table, self.names = table, []

    def Table(self, name):  # noqa: N802 - the boto3 resource interface
        self.names.append(name)
        return self.table


class Failing:
    """A table (DAX or DynamoDB) whose every call raises `error`; records what was called."""

    def __init__(self, error: Exception) -> None:
        self.error, self.calls = error, []

    def __getattr__(self, operation):
        def call(**kwargs):
            self.calls.append(operation)
            raise self.error

        return call


def test_dax_client_is_chosen_and_configured_from_the_environment(caplog):
    dax_table, dynamodb_table = object(), object()
    dax, dynamodb = RecordingFactory(FakeResource(dax_table)), RecordingFactory(FakeResource(dynamodb_table))
    environ = {"TABLE_NAME": "items", "AWS_REGION": "eu-west-1", "DAX_ENDPOINT": "daxs://cache.example:9111"}
    with caplog.at_level("INFO", logger=store_module.LOG.name):
        store = ItemStore.from_environment(environ, dax_factory=dax, dynamodb_factory=dynamodb)
    assert dax.calls == [("daxs://cache.example:9111", "eu-west-1")]
    assert dax.result.names == ["items"]
    assert store.cache is dax_table and store.table is dynamodb_table
    assert [(r.getMessage(), r.dax_endpoint) for r in caplog.records] == [
        ("reading through DAX", "daxs://cache.example:9111")
    ]


def test_without_dax_endpoint_no_dax_client_is_made():
    dax, dynamodb = RecordingFactory(FakeResource(object())), RecordingFactory(FakeResource(object()))
    store = ItemStore.from_environment(
        {"TABLE_NAME": "items", "AWS_DEFAULT_REGION": "eu-central-1"}, dax_factory=dax, dynamodb_factory=dynamodb
    )
    assert dax.calls == [] and store.cache is None
    assert dynamodb.calls == [(None, "eu-central-1")]


def test_the_dynamodb_client_is_made_for_the_region_given():
    resource = store_module.dynamodb_resource(None, "eu-central-1")
    assert resource.meta.client.meta.region_name == "eu-central-1"


def test_the_dax_client_is_made_for_the_endpoint_and_region(monkeypatch):
    made = []
    monkeypatch.setattr(amazondax.AmazonDaxClient, "resource", lambda **kwargs: made.append(kwargs) or "dax")
    assert store_module.dax_resource("daxs://cache.example:9111", "eu-west-1") == "dax"
    assert made == [{"endpoint_url": "daxs://cache.example:9111", "region_name": "eu-west-1"}]


def fallback_warnings(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str, str]]:
    """The store's warnings as (message, operation, error): what an operator searches the logs for."""
    return [(r.getMessage(), r.operation, r.error) for r in caplog.records if r.name == store_module.LOG.name]


def test_reads_fall_back_to_dynamodb_when_dax_is_unreachable(local_environment, caplog):
    table = ItemStore.from_environment(local_environment).table
    table.put_item(Item=RECORD)
    unreachable = EndpointConnectionError(endpoint_url="daxs://cache.example:9111")
    store = ItemStore(table, cache=Failing(unreachable))
    assert store.get("dave", "1")["name"] == "n"
    assert fallback_warnings(caplog) == [("DAX unreachable; using DynamoDB", "get_item", str(unreachable))]


@pytest.mark.parametrize("code", ["ThrottlingException", None], ids=["dax-error", "error-without-code"])
def test_reads_fall_back_to_dynamodb_when_dax_answers_an_error(local_environment, code, caplog):
    table = ItemStore.from_environment(local_environment).table
    table.put_item(Item=RECORD)
    error = client_error(code, "GetItem")
    dax = Failing(error)
    assert ItemStore(table, cache=dax).get("dave", "1")["name"] == "n"
    assert dax.calls == ["get_item"]
    assert fallback_warnings(caplog) == [("DAX call failed; using DynamoDB", "get_item", str(error))]


def test_a_failed_condition_in_dax_is_not_retried_on_dynamodb():
    """DAX checked the condition against the table: retrying would write what the condition refused."""
    table = Failing(AssertionError("DynamoDB must not be called"))
    dax = Failing(client_error("ConditionalCheckFailedException", "PutItem"))
    with pytest.raises(ClientError, match="ConditionalCheckFailedException"):
        ItemStore(table, cache=dax).create("dave", name="n", description=None, price=1)
    assert dax.calls == ["put_item"] and table.calls == []


def test_a_new_item_never_overwrites_one_with_the_same_id(local_environment, monkeypatch):
    store = ItemStore.from_environment(local_environment)
    monkeypatch.setattr(store_module.uuid, "uuid4", lambda: "fixed-id")
    store.create("dave", name="first", description=None, price=1)
    with pytest.raises(ClientError, match="ConditionalCheckFailedException"):
        store.create("dave", name="second", description=None, price=2)
    assert store.get("dave", "fixed-id")["name"] == "first"


def test_an_update_error_other_than_a_missing_item_is_raised():
    for code in ("ProvisionedThroughputExceededException", None):
        store = ItemStore(Failing(client_error(code, "UpdateItem")))
        with pytest.raises(ClientError):
            store.update("dave", "1", name="n", description=None, price=1)


def test_a_query_answer_without_items_lists_none():
    class Empty:
        def query(self, **_):
            return {"Count": 0}

    assert ItemStore(Empty()).list("dave") == []
