"""What every warehouse variant (serverless.py, provisioned.py) reads and returns.

A variant module offers `create_warehouse(scope, ...) -> WarehouseTarget`; infrastructure.py
wires the returned target to the zero-ETL integration and the database function.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

DATABASE = "analytics"
ADMIN_USER = "warehouse_admin"
PORT = 5440  # not the default 5439 (cdk-nag RS4); RA3 and Serverless accept 5431-5455
AUDIT_LOGS = ["connectionlog", "userlog", "useractivitylog"]


@dataclass(frozen=True)
class WarehouseSettings:
    """The `warehouse` section of config/<env>.yaml; each variant reads its own keys."""

    integration_database: str = "app_data"  # the database the zero-ETL integration fills
    base_capacity_rpu: int = 8  # serverless
    max_capacity_rpu: int = 32  # serverless
    node_type: str = "ra3.large"  # provisioned
    number_of_nodes: int = 2  # provisioned
    snapshot_retention_days: int = 7  # provisioned


@dataclass(frozen=True)
class WarehouseTarget:
    """The warehouse a variant created, as the integration and the Data API address it."""

    resource: cdk.CfnResource  # the workgroup or cluster the integration waits for
    namespace_arn: str  # the integration's target
    data_api_target: dict[str, str]  # the Data API's name of the warehouse (and its secret)
    data_api_arn: str  # what ExecuteStatement may run on
    admin_access: tuple[iam.PolicyStatement, ...]  # reading the admin secret
    admin_findings: tuple[tuple[str, str], ...] = ()  # cdk-nag findings admin_access raises, with reasons


def warehouse_policy(table_arn: str, target_arn: str) -> dict:
    """The warehouse's resource policy: the account may create the integration, from this table only."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "redshift.amazonaws.com"},
                "Action": "redshift:AuthorizeInboundIntegration",
                "Resource": target_arn,
                "Condition": {"StringEquals": {"aws:SourceArn": table_arn}},
            },
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{cdk.Aws.PARTITION}:iam::{cdk.Aws.ACCOUNT_ID}:root"},
                "Action": "redshift:CreateInboundIntegration",
                "Resource": target_arn,
            },
        ],
    }
