"""Redshift fed from the DynamoDB table by zero-ETL (step 23).

The warehouse (serverless.py or provisioned.py, by the project's warehouse answer) is
encrypted with its own key, the admin password generated and kept in Secrets Manager by
Redshift, enhanced VPC routing and audit logs to CloudWatch. The zero-ETL integration
copies the table continuously; it needs the table's point-in-time recovery (on in data/),
a table resource policy (`allow_zero_etl_export`), a resource policy on the warehouse
authorising the table, and case-sensitive identifiers on the warehouse. Replication starts once
the warehouse has a database created from the integration: a custom resource runs
`CREATE DATABASE ... FROM INTEGRATION` through the Redshift Data API (runtime/).
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_redshift as redshift
from constructs import Construct

from {{ cookiecutter.package_name }}.analytics.warehouse.{{ cookiecutter.warehouse }} import create_warehouse
from {{ cookiecutter.package_name }}.analytics.warehouse.target import DATABASE, PORT, WarehouseSettings, WarehouseTarget
from {{ cookiecutter.package_name }}.compliance import acknowledge
from {{ cookiecutter.package_name }}.config import EnvironmentConfig
from {{ cookiecutter.package_name }}.functions import python_function
from {{ cookiecutter.package_name }}.networking import Placement, closed_security_group

RUNTIME = Path(__file__).resolve().parent / "runtime"


def _integration_arns() -> str:
    return f"arn:{cdk.Aws.PARTITION}:redshift:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:integration:*"


def allow_zero_etl_export(table: dynamodb.TableV2) -> None:
    """The table's resource policy lets Redshift integrations of this account export it (zero-ETL)."""
    conditions = {
        "StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID},
        "ArnLike": {"aws:SourceArn": _integration_arns()},
    }
    table.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("redshift.amazonaws.com")],
            actions=["dynamodb:ExportTableToPointInTime", "dynamodb:DescribeTable", "dynamodb:DescribeExport"],
            resources=["*"],  # a table's resource policy applies to that table (and its exports) only
            conditions=conditions,
        )
    )


class Warehouse(Construct):
    """The warehouse in `placement`, reachable from `vpc_cidr`, fed from `table`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        placement: Placement,
        vpc_cidr: str,
        table: dynamodb.ITableV2,
    ) -> None:
        super().__init__(scope, construct_id)
        settings = config.settings("warehouse", WarehouseSettings)
        self.name = config.stack_name("warehouse")
        self.key = kms.Key(
            self,
            "Key",
            description=f"Encrypts the {config.name} Redshift warehouse, its admin secret and the integration",
            enable_key_rotation=True,
            removal_policy=config.stateful_removal_policy,
        )
        # The zero-ETL integration encrypts the replicated data with this key through Redshift.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("redshift.amazonaws.com")],
                actions=["kms:Decrypt", "kms:CreateGrant"],
                resources=["*"],
                conditions={
                    "StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID},
                    "ArnLike": {"aws:SourceArn": _integration_arns()},
                },
            )
        )
        self.security_group = closed_security_group(
            self,
            "SecurityGroup",
            vpc=placement.vpc,
            description="Redshift warehouse: SQL clients from inside the VPC only",
        )
        # A literal CIDR rather than the VPC's token: cdk-nag reads it.
        self.security_group.add_ingress_rule(ec2.Peer.ipv4(vpc_cidr), ec2.Port.tcp(PORT), "SQL clients in the VPC")
        self.security_group.add_egress_rule(ec2.Peer.ipv4(vpc_cidr), ec2.Port.tcp(443), "AWS endpoints in the VPC")
        self.target = create_warehouse(
            self,
            config=config,
            name=self.name,
            settings=settings,
            key=self.key,
            security_group=self.security_group,
            subnet_ids=placement.subnet_ids,
            table_arn=table.table_arn,
        )
        self.integration = redshift.CfnIntegration(
            self,
            "ZeroEtlIntegration",
            integration_name=f"{self.name}-table",
            source_arn=table.table_arn,
            target_arn=self.target.namespace_arn,
            kms_key_id=self.key.key_arn,
        )
        self.integration.node.add_dependency(self.target.resource)
        cdk.CfnOutput(self, "ZeroEtlIntegrationArn", value=self.integration.attr_integration_arn)
        self.integration_database = self._integration_database(settings, self.target)

    def _integration_database(self, settings: WarehouseSettings, target: WarehouseTarget) -> cdk.CustomResource:
        """Step 23's last piece: the database the integration fills, created as the warehouse's admin."""
        role = iam.Role(
            self,
            "IntegrationDatabaseRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Creates the zero-ETL integration's database through the Redshift Data API",
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["redshift-data:ExecuteStatement"], resources=[target.data_api_arn])
        )
        # Statements have no ARN before they exist: the caller may only follow and cancel its own.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "redshift-data:DescribeStatement",
                    "redshift-data:GetStatementResult",
                    "redshift-data:CancelStatement",
                ],
                resources=["*"],
                conditions={"StringEquals": {"redshift-data:statement-owner-iam-userid": "${aws:userid}"}},
            )
        )
        acknowledge(
            role,
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            "Data API statements have no ARN; the condition limits the role to statements it started itself",
        )
        for statement in target.admin_access:
            role.add_to_policy(statement)
        for finding, reason in target.admin_findings:
            acknowledge(role, finding, reason)
        self.key.grant_decrypt(role)
        log_group = logs.LogGroup(
            self,
            "IntegrationDatabaseLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        log_group.grant_write(role)
        function = python_function(
            self,
            "IntegrationDatabaseFunction",
            code=RUNTIME,
            handler="integration_database.handler",
            role=role,
            log_group=log_group,
            timeout=cdk.Duration.minutes(10),
            description="CREATE DATABASE ... FROM INTEGRATION for the zero-ETL integration (custom resource)",
        )
        database = cdk.CustomResource(
            self,
            "IntegrationDatabase",
            service_token=function.function_arn,
            resource_type="Custom::RedshiftIntegrationDatabase",
            properties={
                **target.data_api_target,
                "Database": DATABASE,
                "IntegrationArn": self.integration.attr_integration_arn,
                "DatabaseName": settings.integration_database,
            },
        )
        cdk.CfnOutput(self, "IntegrationDatabaseName", value=database.get_att_string("DatabaseName"))
        return database
