"""Quick Sight over the lake (step 22): an Athena data source and a dataset over the log table.

The Quick Sight account subscription has no CloudFormation resource: it must exist before
deploy. scripts/check_prerequisites.py checks it (and the user granted below) before
`cdk deploy`; in CloudFormation, a guard reads both before any Quick Sight resource is
created, so a missing one fails the deploy first, with Quick Sight's own message. The edition
(step 24) decides what is generated: {{ cookiecutter.quicksight_edition }}.
"""

from __future__ import annotations

import aws_cdk as cdk
{%- if cookiecutter.quicksight_edition == "enterprise" %}
from aws_cdk import aws_ec2 as ec2
{%- endif %}
from aws_cdk import aws_iam as iam
from aws_cdk import aws_quicksight as quicksight
from aws_cdk import custom_resources as cr
from constructs import Construct

from {{ cookiecutter.package_name }}.analytics.lake import log_schema
from {{ cookiecutter.package_name }}.analytics.lake.infrastructure import Lake
from {{ cookiecutter.package_name }}.config import EnvironmentConfig
{%- if cookiecutter.quicksight_edition == "enterprise" %}
from {{ cookiecutter.package_name }}.network.infrastructure import Network
{%- endif %}

DATA_SOURCE_ACTIONS = (
    "quicksight:DescribeDataSource",
    "quicksight:DescribeDataSourcePermissions",
    "quicksight:PassDataSource",
    "quicksight:UpdateDataSource",
    "quicksight:DeleteDataSource",
    "quicksight:UpdateDataSourcePermissions",
)
DATA_SET_ACTIONS = (
    "quicksight:DescribeDataSet",
    "quicksight:DescribeDataSetPermissions",
    "quicksight:PassDataSet",
    "quicksight:DescribeIngestion",
    "quicksight:ListIngestions",
    "quicksight:UpdateDataSet",
    "quicksight:DeleteDataSet",
    "quicksight:CreateIngestion",
    "quicksight:CancelIngestion",
    "quicksight:UpdateDataSetPermissions",
)
# Quick Sight column types of the dataset, from the Glue types of log_schema.COLUMNS.
_QUICKSIGHT_TYPES = {"string": "STRING", "int": "INTEGER", "double": "DECIMAL"}


def identity_region(config: EnvironmentConfig) -> str:
    """Where the Quick Sight users live: the region the subscription was created in."""
    return config.section("bi").get("identity_region") or config.region


def quicksight_user_arn(config: EnvironmentConfig) -> str:
    settings = config.section("bi")
    namespace = settings.get("quicksight_namespace", "default")
    user = settings["quicksight_user"]
    region = identity_region(config)
    return f"arn:{cdk.Aws.PARTITION}:quicksight:{region}:{config.account}:user/{namespace}/{user}"


def dataset_columns() -> list[tuple[str, str]]:
    """The dataset's columns: the event time as a date-time, the log columns, and the date partition."""
    columns = [("event_time", "DATETIME")]
    columns += [
        (name, _QUICKSIGHT_TYPES[glue_type]) for name, glue_type, *_ in log_schema.COLUMNS if name != "timestamp"
    ]
    return columns + [(log_schema.PARTITION_KEY, "STRING")]


def dataset_sql(database: str, table: str) -> str:
    names = [name for name, _ in dataset_columns() if name != "event_time"]
    return (
        'SELECT CAST(from_iso8601_timestamp("timestamp") AS timestamp) AS event_time, '
        + ", ".join(names)
        + f' FROM "{database}"."{table}"'
    )


class BusinessIntelligence(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        lake: Lake,
{%- if cookiecutter.quicksight_edition == "enterprise" %}
        network: Network,
{%- endif %}
    ) -> None:
        super().__init__(scope, construct_id)
        prefix = config.stack_name("bi")
        owner = quicksight_user_arn(config)
        guard = self._prerequisites_guard(config, prefix, owner)
        # Quick Sight reads the lake through this role instead of the account-wide service role.
        reader = lake.add_reader_role(
            "QuickSightReader",
            assumed_by=iam.ServicePrincipal("quicksight.amazonaws.com"),
            description="Quick Sight's Athena data source reads the log lake with this role",
        )
        self.data_source = quicksight.CfnDataSource(
            self,
            "LakeSource",
            aws_account_id=cdk.Aws.ACCOUNT_ID,
            data_source_id=f"{prefix}-lake",
            name=f"{prefix} log lake (Athena)",
            type="ATHENA",
            data_source_parameters=quicksight.CfnDataSource.DataSourceParametersProperty(
                athena_parameters=quicksight.CfnDataSource.AthenaParametersProperty(
                    work_group=lake.workgroup.name, role_arn=reader.role_arn
                )
            ),
            ssl_properties=quicksight.CfnDataSource.SslPropertiesProperty(disable_ssl=False),
            permissions=[
                quicksight.CfnDataSource.ResourcePermissionProperty(principal=owner, actions=list(DATA_SOURCE_ACTIONS))
            ],
        )
        self.data_set = quicksight.CfnDataSet(
            self,
            "LogDataSet",
            aws_account_id=cdk.Aws.ACCOUNT_ID,
            data_set_id=f"{prefix}-app-logs",
            name=f"{prefix} application logs",
            import_mode="DIRECT_QUERY",  # reads through Athena on demand; no SPICE capacity to buy
            physical_table_map={
                "logs": quicksight.CfnDataSet.PhysicalTableProperty(
                    custom_sql=quicksight.CfnDataSet.CustomSqlProperty(
                        data_source_arn=self.data_source.attr_arn,
                        name=lake.names["table"],
                        sql_query=dataset_sql(lake.names["database"], lake.names["table"]),
                        columns=[
                            quicksight.CfnDataSet.InputColumnProperty(name=name, type=column_type)
                            for name, column_type in dataset_columns()
                        ],
                    )
                )
            },
            permissions=[
                quicksight.CfnDataSet.ResourcePermissionProperty(principal=owner, actions=list(DATA_SET_ACTIONS))
            ],
{%- if cookiecutter.quicksight_edition == "enterprise" %}
            # Enterprise only (column-level security): only the owner sees who made a request.
            column_level_permission_rules=[
                quicksight.CfnDataSet.ColumnLevelPermissionRuleProperty(column_names=["user_id"], principals=[owner])
            ],
{%- endif %}
        )
{%- if cookiecutter.quicksight_edition == "enterprise" %}
        vpc_cidr = config.section("network").get("cidr", "10.0.0.0/16")  # a literal: cdk-nag reads it
        self.vpc_connection = self._vpc_connection(prefix, network, vpc_cidr)
{%- endif %}
        for resource in (self.data_source, self.data_set{% if cookiecutter.quicksight_edition == "enterprise" %}, self.vpc_connection{% endif %}):
            resource.node.add_dependency(guard)
        cdk.CfnOutput(self, "QuickSightDataSetId", value=f"{prefix}-app-logs")

    def _prerequisites_guard(self, config: EnvironmentConfig, prefix: str, owner: str) -> Construct:
        """Reads the subscription and the owner before anything else: CloudFormation stops at the first missing."""
        settings = config.section("bi")
        guard = Construct(self, "Prerequisites")
        subscription = cr.AwsCustomResource(
            guard,
            "Subscription",
            resource_type="Custom::QuickSightSubscriptionCheck",
            on_create=cr.AwsSdkCall(
                service="QuickSight",
                action="describeAccountSubscription",
                parameters={"AwsAccountId": config.account},
                physical_resource_id=cr.PhysicalResourceId.of(f"{prefix}-subscription"),
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [iam.PolicyStatement(actions=["quicksight:DescribeAccountSubscription"], resources=["*"])]
            ),
            install_latest_aws_sdk=False,
        )
        user = cr.AwsCustomResource(
            guard,
            "Owner",
            resource_type="Custom::QuickSightUserCheck",
            on_create=cr.AwsSdkCall(
                service="QuickSight",
                action="describeUser",
                parameters={
                    "AwsAccountId": config.account,
                    "Namespace": settings.get("quicksight_namespace", "default"),
                    "UserName": settings["quicksight_user"],
                },
                region=identity_region(config),
                physical_resource_id=cr.PhysicalResourceId.of(f"{prefix}-owner"),
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [iam.PolicyStatement(actions=["quicksight:DescribeUser"], resources=[owner])]
            ),
            install_latest_aws_sdk=False,
        )
        user.node.add_dependency(subscription)
        return guard
{%- if cookiecutter.quicksight_edition == "enterprise" %}

    def _vpc_connection(self, prefix: str, network: Network, vpc_cidr: str) -> quicksight.CfnVPCConnection:
        """Enterprise only: Quick Sight reaches private data sources (e.g. the Redshift warehouse) in the VPC."""
        security_group = ec2.SecurityGroup(
            self,
            "VpcConnectionSecurityGroup",
            vpc=network.vpc,
            description="Quick Sight network interfaces: outbound to the VPC only",
            allow_all_outbound=False,
        )
        security_group.add_egress_rule(
            ec2.Peer.ipv4(vpc_cidr), ec2.Port.tcp_range(1024, 65535), "data sources in the VPC"
        )
        role = iam.Role(
            self,
            "VpcConnectionRole",
            assumed_by=iam.ServicePrincipal("quicksight.amazonaws.com"),
            description="Quick Sight creates its network interfaces in the private subnets with this role",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "ec2:CreateNetworkInterface",
                    "ec2:ModifyNetworkInterfaceAttribute",
                    "ec2:DeleteNetworkInterface",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups",
                ],
                resources=["*"],
            )
        )
        subnets = network.vpc.select_subnets(subnet_group_name="private").subnet_ids
        connection = quicksight.CfnVPCConnection(
            self,
            "VpcConnection",
            aws_account_id=cdk.Aws.ACCOUNT_ID,
            vpc_connection_id=f"{prefix}-vpc",
            name=f"{prefix} private subnets",
            subnet_ids=subnets,
            security_group_ids=[security_group.security_group_id],
            role_arn=role.role_arn,
            availability_status="AVAILABLE",
        )
        connection.node.add_dependency(role)
        return connection
{%- endif %}
