"""CloudFormation custom resource: the Redshift database that a zero-ETL integration fills.

A zero-ETL integration replicates nothing until the warehouse has a database created from it
(`CREATE DATABASE <name> FROM INTEGRATION '<id>'`). This function runs that statement through
the Redshift Data API as the warehouse's admin (the secret Redshift manages; for Serverless it is
read from the namespace, since CloudFormation does not return it), and waits for each statement
with DescribeStatement.

Create and Update make sure the database exists: when SVV_INTEGRATION already names a target
database for the integration, nothing is run. A database of the same name that belongs to
another integration is an error to resolve by hand, never dropped here. Delete drops nothing:
the database goes with the warehouse where the warehouse is destroyed, and stays (with the data
replicated so far) where the warehouse is retained.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import boto3

UUID = r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"
INTEGRATION_ARN = re.compile(r"^arn:[\w-]+:redshift:[\w-]+:\d{12}:integration:(?P<id>" + UUID + ")$")
DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
DONE = ("FINISHED", "FAILED", "ABORTED")
# Time kept back from the Lambda timeout to cancel a statement and answer CloudFormation.
RESERVE_SECONDS = 30


class StatementError(RuntimeError):
    """A statement that did not finish, with Redshift's own message."""


def integration_id(integration_arn: str) -> str:
    match = INTEGRATION_ARN.match(integration_arn)
    if not match:
        raise ValueError(f"not a Redshift integration ARN: {integration_arn!r}")
    return match["id"]


def create_database_sql(database: str, integration: str) -> str:
    """DDL takes no bind parameters: both values are checked against strict patterns first."""
    if not DATABASE_NAME.match(database):
        raise ValueError(f"database name {database!r} must match {DATABASE_NAME.pattern}")
    if not re.fullmatch(UUID, integration):
        raise ValueError(f"integration id {integration!r} is not a UUID")
    return f"CREATE DATABASE \"{database}\" FROM INTEGRATION '{integration}'"


TARGET_SQL = "SELECT target_database FROM svv_integration WHERE integration_id = :integration_id"
DATABASE_SQL = "SELECT database_name FROM svv_redshift_databases WHERE database_name = :database"


class Warehouse:
    """Runs statements on one workgroup or cluster through the Data API and waits for them."""

    def __init__(
        self,
        client: Any,
        properties: dict[str, Any],
        *,
        deadline: float,
        poll_seconds: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.target = {"Database": properties["Database"], "SecretArn": properties["SecretArn"]}
        if properties.get("WorkgroupName"):
            self.target["WorkgroupName"] = properties["WorkgroupName"]
        else:
            self.target["ClusterIdentifier"] = properties["ClusterIdentifier"]
        self.deadline = deadline
        self.poll_seconds = poll_seconds
        self.clock = clock
        self.sleep = sleep

    def run(self, sql: str, parameters: dict[str, str] | None = None) -> list[list[Any]]:
        """Execute one statement, wait until it is done, and return its rows (none for DDL)."""
        request = {**self.target, "Sql": sql, "StatementName": "zero-etl-integration-database"}
        if parameters:
            request["Parameters"] = [{"name": name, "value": value} for name, value in parameters.items()]
        statement_id = self.client.execute_statement(**request)["Id"]
        description = self.wait(statement_id)
        if description["Status"] != "FINISHED":
            raise StatementError(
                f"{sql.split()[0]} {description['Status']}: {description.get('Error', 'no error given')}"
            )
        if not description.get("HasResultSet"):
            return []
        rows, token = [], None
        while True:
            page = self.client.get_statement_result(Id=statement_id, **({"NextToken": token} if token else {}))
            rows += [[_value(field) for field in record] for record in page["Records"]]
            token = page.get("NextToken")
            if not token:
                return rows

    def wait(self, statement_id: str) -> dict[str, Any]:
        while True:
            description = self.client.describe_statement(Id=statement_id)
            if description["Status"] in DONE:
                return description
            if self.clock() + self.poll_seconds > self.deadline:
                self.client.cancel_statement(Id=statement_id)
                raise StatementError(
                    f"statement {statement_id} still {description['Status']} at the deadline; cancelled"
                )
            self.sleep(self.poll_seconds)


def _value(field: dict[str, Any]) -> Any:
    if field.get("isNull"):
        return None
    (value,) = field.values()
    return value


def admin_secret(properties: dict[str, Any], serverless: Any) -> str:
    """The admin secret: given for a cluster, read from the namespace for Redshift Serverless."""
    if properties.get("SecretArn"):
        return properties["SecretArn"]
    namespace = serverless.get_namespace(namespaceName=properties["NamespaceName"])["namespace"]
    if not namespace.get("adminPasswordSecretArn"):
        raise ValueError(f"namespace {properties['NamespaceName']} has no Redshift-managed admin secret")
    return namespace["adminPasswordSecretArn"]


def ensure_database(warehouse: Warehouse, integration: str, database: str, *, retry_seconds: float = 15.0) -> str:
    """The name of the integration's target database, created when it has none yet."""
    while True:
        rows = warehouse.run(TARGET_SQL, {"integration_id": integration})
        if rows and rows[0][0]:
            return rows[0][0]
        if rows:
            break
        # The integration is not visible in the warehouse yet: Redshift is still setting it up.
        if warehouse.clock() + retry_seconds > warehouse.deadline:
            raise StatementError(f"integration {integration} did not appear in svv_integration before the deadline")
        warehouse.sleep(retry_seconds)
    if warehouse.run(DATABASE_SQL, {"database": database}):
        raise StatementError(
            f"database {database!r} already exists and is not the target of integration {integration}; "
            "drop or rename it, or set warehouse.integration_database in config/<env>.yaml"
        )
    warehouse.run(create_database_sql(database, integration))
    return database


def handler(event: dict[str, Any], context: Any) -> None:
    status, reason, data = "SUCCESS", "nothing to do on delete", {}
    physical_id = event.get("PhysicalResourceId") or event["LogicalResourceId"]
    try:
        if event["RequestType"] in ("Create", "Update"):
            properties = dict(event["ResourceProperties"])
            properties["SecretArn"] = admin_secret(properties, boto3.client("redshift-serverless"))
            deadline = time.monotonic() + context.get_remaining_time_in_millis() / 1000 - RESERVE_SECONDS
            warehouse = Warehouse(boto3.client("redshift-data"), properties, deadline=deadline)
            integration = integration_id(properties["IntegrationArn"])
            name = ensure_database(warehouse, integration, properties["DatabaseName"])
            # A new name or integration is a new physical id; the Delete CloudFormation then sends drops nothing.
            physical_id, reason, data = (
                f"{integration}/{name}",
                f"database {name} receives {integration}",
                {"DatabaseName": name},
            )
    except Exception as error:  # noqa: BLE001 (every failure must reach CloudFormation)
        status, reason = "FAILED", str(error)[:500]
    respond(event, context, physical_id, status, reason, data)


def respond(event: dict[str, Any], context: Any, physical_id: str, status: str, reason: str, data: dict) -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": f"{reason} (log stream {context.log_stream_name})",
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": data,
        }
    ).encode()
    request = urllib.request.Request(
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(body))}
    )
    with urllib.request.urlopen(request, timeout=20):  # noqa: S310 (pre-signed CloudFormation URL)
        pass
