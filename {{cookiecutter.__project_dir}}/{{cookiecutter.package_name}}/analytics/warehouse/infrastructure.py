"""Redshift fed from the DynamoDB table by zero-ETL (step 23).

{% if cookiecutter.warehouse == "serverless" -%}
Redshift Serverless: a namespace and a workgroup in the private subnets of 3 AZs,
{%- else -%}
A provisioned RA3 cluster in the private subnets,
{%- endif %}
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
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_redshift as redshift
{%- if cookiecutter.warehouse == "serverless" %}
from aws_cdk import aws_redshiftserverless as redshiftserverless
{%- endif %}
from constructs import Construct

from {{ cookiecutter.package_name }}.config import EnvironmentConfig
from {{ cookiecutter.package_name }}.functions import LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME
from {{ cookiecutter.package_name }}.network.infrastructure import Network

RUNTIME = Path(__file__).resolve().parent / "runtime"
DATABASE = "analytics"
# The database the integration replicates the table into: one table per DynamoDB table, in schema public.
INTEGRATION_DATABASE = "app_data"
ADMIN_USER = "warehouse_admin"
PORT = 5440  # not the default 5439 (cdk-nag RS4); RA3 and Serverless accept 5431-5455
AUDIT_LOGS = ["connectionlog", "userlog", "useractivitylog"]


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


def _warehouse_policy(table_arn: str, target_arn: str) -> dict:
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


class Warehouse(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        network: Network,
        table: dynamodb.ITableV2,
    ) -> None:
        super().__init__(scope, construct_id)
        settings = config.section("warehouse")
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
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=network.vpc,
            description="Redshift warehouse: SQL clients from inside the VPC only",
            allow_all_outbound=False,
        )
        vpc_cidr = config.section("network").get("cidr", "10.0.0.0/16")  # a literal: cdk-nag reads it
        self.security_group.add_ingress_rule(ec2.Peer.ipv4(vpc_cidr), ec2.Port.tcp(PORT), "SQL clients in the VPC")
        self.security_group.add_egress_rule(ec2.Peer.ipv4(vpc_cidr), ec2.Port.tcp(443), "AWS endpoints in the VPC")
        subnet_ids = network.vpc.select_subnets(subnet_group_name="private").subnet_ids
{%- if cookiecutter.warehouse == "serverless" %}
        self.target_arn = self._serverless(config, settings, subnet_ids, table)
{%- else %}
        self.target_arn = self._provisioned(config, settings, subnet_ids, table)
{%- endif %}
        self.integration = redshift.CfnIntegration(
            self,
            "ZeroEtlIntegration",
            integration_name=f"{self.name}-table",
            source_arn=table.table_arn,
            target_arn=self.target_arn,
            kms_key_id=self.key.key_arn,
        )
        self.integration.node.add_dependency(self.warehouse)
        cdk.CfnOutput(self, "ZeroEtlIntegrationArn", value=self.integration.attr_integration_arn)
        self.integration_database = self._integration_database(config, settings)

    def _integration_database(self, config: EnvironmentConfig, settings) -> cdk.CustomResource:
        """Step 23's last piece: the database the integration fills, created as the warehouse's admin."""
        role = iam.Role(
            self,
            "IntegrationDatabaseRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Creates the zero-ETL integration's database through the Redshift Data API",
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["redshift-data:ExecuteStatement"], resources=[self._data_api_arn])
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
        role.add_to_policy(
            iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[self._admin_secret_arn])
        )
        if self._secret_lookup is not None:
            role.add_to_policy(self._secret_lookup)
        self.key.grant_decrypt(role)
        log_group = logs.LogGroup(
            self,
            "IntegrationDatabaseLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        log_group.grant_write(role)
        function = lambda_.Function(
            self,
            "IntegrationDatabaseFunction",
            runtime=LAMBDA_RUNTIME,
            architecture=LAMBDA_ARCHITECTURE,
            handler="integration_database.handler",
            code=lambda_.Code.from_asset(str(RUNTIME)),
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
                **self._data_api_target,
                "Database": DATABASE,
                "IntegrationArn": self.integration.attr_integration_arn,
                "DatabaseName": settings.get("integration_database", INTEGRATION_DATABASE),
            },
        )
        cdk.CfnOutput(self, "IntegrationDatabaseName", value=database.get_att_string("DatabaseName"))
        return database
{%- if cookiecutter.warehouse == "serverless" %}

    def _serverless(self, config: EnvironmentConfig, settings, subnet_ids: list[str], table) -> str:
        namespace = redshiftserverless.CfnNamespace(
            self,
            "Namespace",
            namespace_name=self.name,
            db_name=DATABASE,
            admin_username=ADMIN_USER,
            manage_admin_password=True,  # Redshift generates it and keeps it in Secrets Manager
            admin_password_secret_kms_key_id=self.key.key_arn,
            kms_key_id=self.key.key_arn,
            log_exports=AUDIT_LOGS,
        )
        namespace.apply_removal_policy(config.stateful_removal_policy)
        target_arn = namespace.attr_namespace_namespace_arn
        namespace.namespace_resource_policy = _warehouse_policy(
            table.table_arn,
            f"arn:{cdk.Aws.PARTITION}:redshift-serverless:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:namespace/*",
        )
        self.warehouse = redshiftserverless.CfnWorkgroup(
            self,
            "Workgroup",
            workgroup_name=self.name,
            namespace_name=self.name,
            base_capacity=int(settings.get("base_capacity_rpu", 8)),
            max_capacity=int(settings.get("max_capacity_rpu", 32)),
            subnet_ids=subnet_ids,
            security_group_ids=[self.security_group.security_group_id],
            publicly_accessible=False,
            enhanced_vpc_routing=True,
            port=PORT,
            config_parameters=[
                redshiftserverless.CfnWorkgroup.ConfigParameterProperty(
                    parameter_key="enable_case_sensitive_identifier", parameter_value="true"
                ),
                redshiftserverless.CfnWorkgroup.ConfigParameterProperty(
                    parameter_key="require_ssl", parameter_value="true"
                ),
                redshiftserverless.CfnWorkgroup.ConfigParameterProperty(
                    parameter_key="enable_user_activity_logging", parameter_value="true"
                ),
            ],
        )
        self.warehouse.add_resource_dependency(namespace)
        self._data_api_target = {"WorkgroupName": self.name}
        self._data_api_arn = self.warehouse.attr_workgroup_workgroup_arn
        # CloudFormation does not return the managed secret's ARN (cloudformation-coverage-roadmap#2021): the
        # function reads it from the namespace. Redshift names the secret redshift!<namespace>-<admin user>.
        self._data_api_target["NamespaceName"] = self.name
        self._admin_secret_arn = (
            f"arn:{cdk.Aws.PARTITION}:secretsmanager:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}"
            f":secret:redshift!{self.name}-*"
        )
        self._secret_lookup = iam.PolicyStatement(
            actions=["redshift-serverless:GetNamespace"], resources=[namespace.attr_namespace_namespace_arn]
        )
        cdk.CfnOutput(self, "WorkgroupName", value=self.name)
        return target_arn
{%- else %}

    def _provisioned(self, config: EnvironmentConfig, settings, subnet_ids: list[str], table) -> str:
        subnet_group = redshift.CfnClusterSubnetGroup(
            self, "SubnetGroup", description=f"Private subnets of the {config.name} warehouse", subnet_ids=subnet_ids
        )
        parameters = redshift.CfnClusterParameterGroup(
            self,
            "Parameters",
            description="TLS only, user activity logged, case-sensitive identifiers for zero-ETL",
            parameter_group_family="redshift-2.0",
            parameters=[
                redshift.CfnClusterParameterGroup.ParameterProperty(parameter_name=name, parameter_value=value)
                for name, value in (
                    ("require_ssl", "true"),
                    ("enable_user_activity_logging", "true"),
                    ("enable_case_sensitive_identifier", "true"),
                )
            ],
        )
        nodes = int(settings.get("number_of_nodes", 2))
        self.warehouse = redshift.CfnCluster(
            self,
            "Cluster",
            cluster_identifier=self.name,
            node_type=settings.get("node_type", "ra3.large"),
            cluster_type="multi-node" if nodes > 1 else "single-node",
            number_of_nodes=nodes if nodes > 1 else None,
            db_name=DATABASE,
            master_username=ADMIN_USER,
            manage_master_password=True,  # Redshift generates it and keeps it in Secrets Manager
            master_password_secret_kms_key_id=self.key.key_arn,
            encrypted=True,
            kms_key_id=self.key.key_arn,
            cluster_subnet_group_name=subnet_group.ref,
            cluster_parameter_group_name=parameters.ref,
            vpc_security_group_ids=[self.security_group.security_group_id],
            publicly_accessible=False,
            enhanced_vpc_routing=True,
            port=PORT,
            automated_snapshot_retention_period=int(settings.get("snapshot_retention_days", 7)),
            allow_version_upgrade=True,
            logging_properties=redshift.CfnCluster.LoggingPropertiesProperty(
                log_destination_type="cloudwatch", log_exports=AUDIT_LOGS
            ),
        )
        self.warehouse.apply_removal_policy(config.stateful_removal_policy)
        target_arn = self.warehouse.attr_cluster_namespace_arn
        self.warehouse.namespace_resource_policy = _warehouse_policy(
            table.table_arn, f"arn:{cdk.Aws.PARTITION}:redshift:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:namespace:*"
        )
        self._admin_secret_arn = self.warehouse.attr_master_password_secret_arn
        self._data_api_target = {"ClusterIdentifier": self.name, "SecretArn": self._admin_secret_arn}
        self._data_api_arn = (
            f"arn:{cdk.Aws.PARTITION}:redshift:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:cluster:{self.name}"
        )
        self._secret_lookup = None
        cdk.CfnOutput(self, "ClusterIdentifier", value=self.name)
        return target_arn
{%- endif %}
