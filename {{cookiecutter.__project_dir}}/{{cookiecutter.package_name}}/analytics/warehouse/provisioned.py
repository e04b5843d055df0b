"""A provisioned RA3 cluster in the private subnets."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_redshift as redshift
from constructs import Construct

from {{ cookiecutter.package_name }}.analytics.warehouse.target import (
    ADMIN_USER,
    AUDIT_LOGS,
    DATABASE,
    PORT,
    WarehouseSettings,
    WarehouseTarget,
    warehouse_policy,
)
from {{ cookiecutter.package_name }}.config import EnvironmentConfig


def create_warehouse(
    scope: Construct,
    *,
    config: EnvironmentConfig,
    name: str,
    settings: WarehouseSettings,
    key: kms.IKey,
    security_group: ec2.ISecurityGroup,
    subnet_ids: list[str],
    table_arn: str,
) -> WarehouseTarget:
    subnet_group = redshift.CfnClusterSubnetGroup(
        scope, "SubnetGroup", description=f"Private subnets of the {config.name} warehouse", subnet_ids=subnet_ids
    )
    parameters = redshift.CfnClusterParameterGroup(
        scope,
        "Parameters",
        description="TLS only, user activity logged, case-sensitive identifiers for zero-ETL",
        parameter_group_family="redshift-2.0",
        parameters=[
            redshift.CfnClusterParameterGroup.ParameterProperty(parameter_name=parameter, parameter_value=value)
            for parameter, value in (
                ("require_ssl", "true"),
                ("enable_user_activity_logging", "true"),
                ("enable_case_sensitive_identifier", "true"),
            )
        ],
    )
    nodes = settings.number_of_nodes
    cluster = redshift.CfnCluster(
        scope,
        "Cluster",
        cluster_identifier=name,
        node_type=settings.node_type,
        cluster_type="multi-node" if nodes > 1 else "single-node",
        number_of_nodes=nodes if nodes > 1 else None,
        db_name=DATABASE,
        master_username=ADMIN_USER,
        manage_master_password=True,  # Redshift generates it and keeps it in Secrets Manager
        master_password_secret_kms_key_id=key.key_arn,
        encrypted=True,
        kms_key_id=key.key_arn,
        cluster_subnet_group_name=subnet_group.ref,
        cluster_parameter_group_name=parameters.ref,
        vpc_security_group_ids=[security_group.security_group_id],
        publicly_accessible=False,
        enhanced_vpc_routing=True,
        port=PORT,
        automated_snapshot_retention_period=settings.snapshot_retention_days,
        allow_version_upgrade=True,
        logging_properties=redshift.CfnCluster.LoggingPropertiesProperty(
            log_destination_type="cloudwatch", log_exports=AUDIT_LOGS
        ),
    )
    cluster.apply_removal_policy(config.stateful_removal_policy)
    cluster.namespace_resource_policy = warehouse_policy(
        table_arn, f"arn:{cdk.Aws.PARTITION}:redshift:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:namespace:*"
    )
    secret_arn = cluster.attr_master_password_secret_arn
    cdk.CfnOutput(scope, "ClusterIdentifier", value=name)
    return WarehouseTarget(
        resource=cluster,
        namespace_arn=cluster.attr_cluster_namespace_arn,
        data_api_target={"ClusterIdentifier": name, "SecretArn": secret_arn},
        data_api_arn=f"arn:{cdk.Aws.PARTITION}:redshift:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:cluster:{name}",
        admin_access=(iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[secret_arn]),),
    )
