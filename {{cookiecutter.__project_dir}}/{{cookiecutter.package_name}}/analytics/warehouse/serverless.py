"""Redshift Serverless: a namespace and a workgroup in the private subnets of 3 AZs."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_redshiftserverless as redshiftserverless
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
    namespace = redshiftserverless.CfnNamespace(
        scope,
        "Namespace",
        namespace_name=name,
        db_name=DATABASE,
        admin_username=ADMIN_USER,
        manage_admin_password=True,  # Redshift generates it and keeps it in Secrets Manager
        admin_password_secret_kms_key_id=key.key_arn,
        kms_key_id=key.key_arn,
        log_exports=AUDIT_LOGS,
    )
    namespace.apply_removal_policy(config.stateful_removal_policy)
    namespace.namespace_resource_policy = warehouse_policy(
        table_arn, f"arn:{cdk.Aws.PARTITION}:redshift-serverless:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:namespace/*"
    )
    workgroup = redshiftserverless.CfnWorkgroup(
        scope,
        "Workgroup",
        workgroup_name=name,
        namespace_name=name,
        base_capacity=settings.base_capacity_rpu,
        max_capacity=settings.max_capacity_rpu,
        subnet_ids=subnet_ids,
        security_group_ids=[security_group.security_group_id],
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
    workgroup.add_resource_dependency(namespace)
    # CloudFormation does not return the managed secret's ARN (cloudformation-coverage-roadmap#2021): the
    # function reads it from the namespace. Redshift names the secret redshift!<namespace>-<admin user>.
    secret_arn = (
        f"arn:{cdk.Aws.PARTITION}:secretsmanager:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:secret:redshift!{name}-*"
    )
    cdk.CfnOutput(scope, "WorkgroupName", value=name)
    return WarehouseTarget(
        resource=workgroup,
        namespace_arn=namespace.attr_namespace_namespace_arn,
        data_api_target={"WorkgroupName": name, "NamespaceName": name},
        data_api_arn=workgroup.attr_workgroup_workgroup_arn,
        admin_access=(
            iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[secret_arn]),
            iam.PolicyStatement(
                actions=["redshift-serverless:GetNamespace"], resources=[namespace.attr_namespace_namespace_arn]
            ),
        ),
        admin_findings=(
            (
                "AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:"
                f"<AWS::AccountId>:secret:redshift!{name}-*]",
                "CloudFormation does not return the namespace's managed admin secret; Secrets Manager adds a "
                "random suffix to the name Redshift gives it",
            ),
        ),
    )
