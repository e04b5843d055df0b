"""Step 23: the custom resource that creates the zero-ETL integration's database.

moto's server mode serves the Redshift Data API: it records each statement as sent and
cancels it, but runs no SQL (a statement stays STARTED and results are a fixed sample).
So the moto tests cover what reaches the API and the give-up path; the paths that need
Redshift to finish a statement or return rows use botocore's Stubber, which checks every
request and response against the Data API's model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import boto3
import pytest
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer

from .lambda_import import import_runtime

WAREHOUSE = "{{ cookiecutter.warehouse }}"
INTEGRATION = "0f8d2c4e-1a2b-4c3d-9e8f-112233445566"
INTEGRATION_ARN = f"arn:aws:redshift:us-east-1:111111111111:integration:{INTEGRATION}"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111111111111:secret:redshift!warehouse-admin-AbCdEf"
SERVERLESS = WAREHOUSE == "serverless"
TARGET = {"WorkgroupName": "acme-dev-warehouse"} if SERVERLESS else {"ClusterIdentifier": "acme-dev-warehouse"}
# What the template passes: a cluster's secret ARN, or the namespace to read a workgroup's secret from.
TEMPLATE_PROPERTIES = {
    **TARGET,
    **({"NamespaceName": "acme-dev-warehouse"} if SERVERLESS else {"SecretArn": SECRET_ARN}),
    "Database": "analytics",
    "IntegrationArn": INTEGRATION_ARN,
    "DatabaseName": "app_data",
}
# moto serves no Redshift Serverless API, so the events sent to the handler carry the secret already.
PROPERTIES = {**TEMPLATE_PROPERTIES, "SecretArn": SECRET_ARN}

# Imported as Lambda does (its folder is the import root), named by its package path.
integration_database = import_runtime("{{ cookiecutter.package_name }}.analytics.warehouse.runtime", "integration_database")[
    "integration_database"
]


@dataclass
class Context:
    remaining_millis: int
    log_stream_name: str = "2026/01/01/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_millis


@pytest.fixture(scope="module")
def moto_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(moto_endpoint, monkeypatch):
    """Clients of the local server, and the default session the handler's client comes from."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    boto3.setup_default_session(region_name="us-east-1")
    yield boto3.DEFAULT_SESSION
    boto3.DEFAULT_SESSION = None


def _event(aws, request_type: str, **extra) -> dict:
    """A CloudFormation request whose response URL is a pre-signed S3 PUT, as CloudFormation sends."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="cloudformation-responses")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "cloudformation-responses", "Key": "r-1"})
    return {
        "RequestType": request_type,
        "ResponseURL": url,
        "RequestId": "r-1",
        "LogicalResourceId": "Database",
        "StackId": "arn:aws:cloudformation:us-east-1:111111111111:stack/warehouse/1",
        "ResourceType": "Custom::RedshiftIntegrationDatabase",
        "ResourceProperties": PROPERTIES,
        **extra,
    }


def _response(aws) -> dict:
    return json.loads(aws.client("s3").get_object(Bucket="cloudformation-responses", Key="r-1")["Body"].read())


def _sent_statements(aws) -> list[str]:
    sent: list[str] = []
    aws.events.register("after-call.redshift-data.ExecuteStatement", lambda parsed, **_: sent.append(parsed["Id"]))
    return sent


def test_the_properties_the_template_passes_are_the_ones_the_handler_reads(dev):
    resources = dev.raw("Warehouse")["Resources"].values()
    (database,) = [r for r in resources if r["Type"] == "Custom::RedshiftIntegrationDatabase"]
    properties = set(database["Properties"]) - {"ServiceToken"}
    assert properties == set(TEMPLATE_PROPERTIES)


def test_a_workgroup_secret_is_read_from_its_namespace_and_a_cluster_secret_is_given():
    client = boto3.client(
        "redshift-serverless", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        stubber.add_response(
            "get_namespace",
            {"namespace": {"namespaceName": "acme-dev-warehouse", "adminPasswordSecretArn": SECRET_ARN}},
            {"namespaceName": "acme-dev-warehouse"},
        )
        assert integration_database.admin_secret({"NamespaceName": "acme-dev-warehouse"}, client) == SECRET_ARN
        assert integration_database.admin_secret({"SecretArn": "given"}, client) == "given"
        stubber.add_response("get_namespace", {"namespace": {"namespaceName": "acme-dev-warehouse"}})
        with pytest.raises(ValueError, match="no Redshift-managed admin secret"):
            integration_database.admin_secret({"NamespaceName": "acme-dev-warehouse"}, client)


def test_a_statement_redshift_does_not_finish_is_cancelled_and_the_deploy_fails(aws):
    sent = _sent_statements(aws)
    # 31 s left, of which the handler keeps 30 to answer: the first poll is already past the deadline.
    integration_database.handler(_event(aws, "Create"), Context(remaining_millis=31_000))
    answer = _response(aws)
    assert answer["Status"] == "FAILED" and "cancelled" in answer["Reason"]
    assert answer["PhysicalResourceId"] == "Database"  # the rollback's Delete then finds nothing to undo
    (statement_id,) = sent
    statement = aws.client("redshift-data").describe_statement(Id=statement_id)
    assert statement["Status"] == "ABORTED"
    assert statement["QueryString"] == integration_database.TARGET_SQL
    assert statement["Database"] == "analytics" and statement["SecretArn"] == SECRET_ARN
    assert statement["QueryParameters"] == [{"name": "integration_id", "value": INTEGRATION}]
    if WAREHOUSE == "provisioned":
        assert statement["ClusterIdentifier"] == "acme-dev-warehouse"


def test_delete_sends_no_statement_and_keeps_the_physical_id(aws):
    sent = _sent_statements(aws)
    event = _event(aws, "Delete", PhysicalResourceId=f"{INTEGRATION}/app_data")
    integration_database.handler(event, Context(remaining_millis=60_000))
    answer = _response(aws)
    assert answer["Status"] == "SUCCESS" and answer["PhysicalResourceId"] == f"{INTEGRATION}/app_data"
    assert sent == []


class Clock:
    """Time that passes only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def data_api():
    client = boto3.client(
        "redshift-data", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def warehouse(data_api):
    clock = Clock()
    client, _ = data_api
    return integration_database.Warehouse(client, PROPERTIES, deadline=300.0, clock=clock, sleep=clock.sleep)


def _statement(
    stubber,
    number: int,
    sql: str,
    parameters: dict | None = None,
    *,
    statuses=("STARTED", "FINISHED"),
    rows: list[list[dict]] | None = None,
    error: str | None = None,
) -> None:
    """Redshift's side of one statement: accepted, described until done, then its rows."""
    statement_id = f"{number:08d}-0000-4000-8000-000000000000"
    expected = {
        **TARGET,
        "Database": "analytics",
        "SecretArn": SECRET_ARN,
        "Sql": sql,
        "StatementName": "zero-etl-integration-database",
    }
    if parameters:
        expected["Parameters"] = [{"name": name, "value": value} for name, value in parameters.items()]
    stubber.add_response("execute_statement", {"Id": statement_id}, expected)
    for status in statuses:
        described = {"Id": statement_id, "Status": status, "HasResultSet": rows is not None}
        if error and status == "FAILED":
            described["Error"] = error
        stubber.add_response("describe_statement", described, {"Id": statement_id})
    if rows is not None:
        stubber.add_response("get_statement_result", {"Records": rows, "TotalNumRows": len(rows)}, {"Id": statement_id})


def _target_query(stubber, number: int, rows) -> None:
    _statement(stubber, number, integration_database.TARGET_SQL, {"integration_id": INTEGRATION}, rows=rows)


def test_an_integration_without_a_database_gets_one(data_api, warehouse):
    _, stubber = data_api
    _target_query(stubber, 1, [[{"isNull": True}]])
    _statement(stubber, 2, integration_database.DATABASE_SQL, {"database": "app_data"}, rows=[])
    _statement(stubber, 3, f"CREATE DATABASE \"app_data\" FROM INTEGRATION '{INTEGRATION}'")
    assert integration_database.ensure_database(warehouse, INTEGRATION, "app_data") == "app_data"
    assert warehouse.clock.sleeps == [2.0, 2.0, 2.0]  # one poll per statement while it ran


def test_an_integration_that_has_its_database_is_left_alone(data_api, warehouse):
    _, stubber = data_api
    _target_query(stubber, 1, [[{"stringValue": "reporting"}]])
    assert integration_database.ensure_database(warehouse, INTEGRATION, "app_data") == "reporting"


def test_waits_until_the_integration_is_visible_in_the_warehouse(data_api, warehouse):
    _, stubber = data_api
    _target_query(stubber, 1, [])
    _target_query(stubber, 2, [[{"stringValue": "app_data"}]])
    assert integration_database.ensure_database(warehouse, INTEGRATION, "app_data", retry_seconds=15) == "app_data"
    assert 15 in warehouse.clock.sleeps


def test_gives_up_when_the_integration_never_appears(data_api, warehouse):
    _, stubber = data_api
    warehouse.deadline = 100.0  # asks at 0 s and at 62 s; a third answer could not come before 100 s
    _target_query(stubber, 1, [])
    _target_query(stubber, 2, [])
    with pytest.raises(integration_database.StatementError, match="did not appear"):
        integration_database.ensure_database(warehouse, INTEGRATION, "app_data", retry_seconds=60)


def test_a_database_of_that_name_from_elsewhere_is_not_touched(data_api, warehouse):
    _, stubber = data_api
    _target_query(stubber, 1, [[{"isNull": True}]])
    _statement(
        stubber, 2, integration_database.DATABASE_SQL, {"database": "app_data"}, rows=[[{"stringValue": "app_data"}]]
    )
    with pytest.raises(integration_database.StatementError, match="already exists"):
        integration_database.ensure_database(warehouse, INTEGRATION, "app_data")


def test_redshift_errors_reach_cloudformation_verbatim(data_api, warehouse):
    _, stubber = data_api
    _target_query(stubber, 1, [[{"isNull": True}]])
    _statement(stubber, 2, integration_database.DATABASE_SQL, {"database": "app_data"}, rows=[])
    _statement(
        stubber,
        3,
        f"CREATE DATABASE \"app_data\" FROM INTEGRATION '{INTEGRATION}'",
        statuses=("STARTED", "FAILED"),
        error="ERROR: Integration is not in active state",
    )
    with pytest.raises(integration_database.StatementError, match="CREATE FAILED: ERROR: Integration is not"):
        integration_database.ensure_database(warehouse, INTEGRATION, "app_data")


def test_rows_are_read_across_result_pages(data_api, warehouse):
    client, stubber = data_api
    statement_id = "00000001-0000-4000-8000-000000000000"
    stubber.add_response("execute_statement", {"Id": statement_id})
    stubber.add_response("describe_statement", {"Id": statement_id, "Status": "FINISHED", "HasResultSet": True})
    stubber.add_response(
        "get_statement_result",
        {"Records": [[{"stringValue": "a"}]], "TotalNumRows": 2, "NextToken": "page-2"},
        {"Id": statement_id},
    )
    stubber.add_response(
        "get_statement_result",
        {"Records": [[{"longValue": 2}]], "TotalNumRows": 2},
        {"Id": statement_id, "NextToken": "page-2"},
    )
    assert warehouse.run("SELECT 1") == [["a"], [2]]


@pytest.mark.parametrize("database", ["app data", 'x"; DROP DATABASE analytics; --', "A" * 64, "1st"])
def test_database_names_that_are_not_plain_identifiers_are_refused(database):
    with pytest.raises(ValueError, match="must match"):
        integration_database.create_database_sql(database, INTEGRATION)


def test_the_integration_id_comes_from_its_arn_only():
    assert integration_database.integration_id(INTEGRATION_ARN) == INTEGRATION
    with pytest.raises(ValueError, match="not a Redshift integration ARN"):
        integration_database.integration_id(INTEGRATION_ARN + "'; DROP DATABASE analytics; --")


def test_the_response_reaches_a_presigned_url_unchanged(aws):
    event = _event(aws, "Delete", PhysicalResourceId="kept")
    integration_database.respond(event, Context(0), "kept", "SUCCESS", "done", {"DatabaseName": "app_data"})
    answer = _response(aws)
    assert answer["Data"] == {"DatabaseName": "app_data"} and answer["StackId"] == event["StackId"]
    assert answer["RequestId"] == "r-1" and answer["LogicalResourceId"] == "Database"
