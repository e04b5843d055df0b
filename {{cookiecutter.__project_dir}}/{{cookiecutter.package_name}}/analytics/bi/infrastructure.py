"""Quick Sight over the lake (step 22): an Athena data source, a dataset over the log table, and
an analysis and a published dashboard over that dataset (bi/dashboard.py), all shared with the
configured Quick Sight user.

The Quick Sight account subscription has no CloudFormation resource: it must exist before
deploy. scripts/check_prerequisites.py checks it (and the user granted below) before
`cdk deploy`; in CloudFormation, a guard reads both before any Quick Sight resource is
created, so a missing one fails the deploy first, with Quick Sight's own message. The edition
(step 24) decides what is generated: {{ cookiecutter.quicksight_edition }}.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_quicksight as quicksight
from aws_cdk import custom_resources as cr
from constructs import Construct

from {{ cookiecutter.package_name }}.analytics.bi import dashboard
from {{ cookiecutter.package_name }}.analytics.lake import log_schema
from {{ cookiecutter.package_name }}.compliance import acknowledge
from {{ cookiecutter.package_name }}.config import EnvironmentConfig

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
# Column-level security exists in the Enterprise edition only.
COLUMN_LEVEL_SECURITY = {{ "True" if cookiecutter.quicksight_edition == "enterprise" else "False" }}


@dataclass(frozen=True)
class BiSettings:
    """The `bi` section of config/<env>.yaml."""

    quicksight_user: str  # must exist in the namespace
    quicksight_namespace: str = "default"
    identity_region: str = ""  # where the Quick Sight users live, when not in this environment's region
    saml_metadata_file: str = "config/idp-metadata.xml"


def bi_settings(config: EnvironmentConfig) -> BiSettings:
    return config.settings("bi", BiSettings)


def identity_region(config: EnvironmentConfig) -> str:
    """Where the Quick Sight users live: the region the subscription was created in."""
    return bi_settings(config).identity_region or config.region


def quicksight_user_arn(config: EnvironmentConfig) -> str:
    settings = bi_settings(config)
    region = identity_region(config)
    return (
        f"arn:{cdk.Aws.PARTITION}:quicksight:{region}:{config.account}:"
        f"user/{settings.quicksight_namespace}/{settings.quicksight_user}"
    )


def reader_principal() -> iam.IPrincipal:
    """Who assumes the lake reader role that the Athena data source names."""
    return iam.ServicePrincipal("quicksight.amazonaws.com")


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


def _shared_with(owner: str, permission: type, actions: Sequence[str]) -> dict[str, Any]:
    """A resource of this account's Quick Sight, `actions` granted to `owner` (`permission`: its permission type)."""
    return {"aws_account_id": cdk.Aws.ACCOUNT_ID, "permissions": [permission(principal=owner, actions=list(actions))]}


def _describe(
    scope: Construct, construct_id: str, *, check: str, action: str, resources: list[str], **call: Any
) -> cr.AwsCustomResource:
    """Calls Quick Sight's `action` once, at create, with the permission for that call on `resources` only."""
    return cr.AwsCustomResource(
        scope,
        construct_id,
        resource_type=f"Custom::QuickSight{check}Check",
        on_create=cr.AwsSdkCall(service="QuickSight", action=action, **call),
        policy=cr.AwsCustomResourcePolicy.from_statements(
            [iam.PolicyStatement(actions=[f"quicksight:{action[0].upper()}{action[1:]}"], resources=resources)]
        ),
        install_latest_aws_sdk=False,
    )


class BusinessIntelligence(Construct):
    """Reads the lake's log table through its Athena workgroup, as `reader` (a role of `reader_principal()`)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        workgroup: str,
        database: str,
        table: str,
        reader: iam.IRole,
    ) -> None:
        super().__init__(scope, construct_id)
        prefix = config.stack_name("bi")
        owner = quicksight_user_arn(config)
        guard = self._prerequisites_guard(config, prefix, owner)
        self.data_source = quicksight.CfnDataSource(
            self,
            "LakeSource",
            data_source_id=f"{prefix}-lake",
            name=f"{prefix} log lake (Athena)",
            type="ATHENA",
            data_source_parameters=quicksight.CfnDataSource.DataSourceParametersProperty(
                athena_parameters=quicksight.CfnDataSource.AthenaParametersProperty(
                    work_group=workgroup, role_arn=reader.role_arn
                )
            ),
            ssl_properties=quicksight.CfnDataSource.SslPropertiesProperty(disable_ssl=False),
            **_shared_with(owner, quicksight.CfnDataSource.ResourcePermissionProperty, DATA_SOURCE_ACTIONS),
        )
        self.data_set = quicksight.CfnDataSet(
            self,
            "LogDataSet",
            data_set_id=f"{prefix}-app-logs",
            name=f"{prefix} application logs",
            import_mode="DIRECT_QUERY",  # reads through Athena on demand; no SPICE capacity to buy
            physical_table_map={
                "logs": quicksight.CfnDataSet.PhysicalTableProperty(
                    custom_sql=quicksight.CfnDataSet.CustomSqlProperty(
                        data_source_arn=self.data_source.attr_arn,
                        name=table,
                        sql_query=dataset_sql(database, table),
                        columns=[
                            quicksight.CfnDataSet.InputColumnProperty(name=name, type=column_type)
                            for name, column_type in dataset_columns()
                        ],
                    )
                )
            },
            **_shared_with(owner, quicksight.CfnDataSet.ResourcePermissionProperty, DATA_SET_ACTIONS),
            # Only the owner sees who made a request.
            column_level_permission_rules=[
                quicksight.CfnDataSet.ColumnLevelPermissionRuleProperty(column_names=["user_id"], principals=[owner])
            ]
            if COLUMN_LEVEL_SECURITY
            else None,
        )
        self.analysis, self.dashboard = self._dashboards(prefix, owner)
        for resource in (self.data_source, self.data_set, self.analysis, self.dashboard):
            resource.node.add_dependency(guard)
        cdk.CfnOutput(self, "QuickSightDataSetId", value=f"{prefix}-app-logs")
        cdk.CfnOutput(self, "QuickSightDashboardId", value=f"{prefix}-service")

    def _dashboards(self, prefix: str, owner: str) -> tuple[quicksight.CfnAnalysis, quicksight.CfnDashboard]:
        """The analysis the owner can edit, and the dashboard published from the same definition."""
        shared = {
            "name": f"{prefix} service logs",
            "definition": dashboard.definition(self.data_set.attr_arn),
        }
        analysis = quicksight.CfnAnalysis(
            self,
            "ServiceAnalysis",
            analysis_id=f"{prefix}-service",
            **shared,
            **_shared_with(owner, quicksight.CfnAnalysis.ResourcePermissionProperty, dashboard.ANALYSIS_ACTIONS),
        )
        published = quicksight.CfnDashboard(
            self,
            "ServiceDashboard",
            dashboard_id=f"{prefix}-service",
            **shared,
            version_description="generated from analytics/bi/dashboard.py",
            dashboard_publish_options=quicksight.CfnDashboard.DashboardPublishOptionsProperty(
                ad_hoc_filtering_option=quicksight.CfnDashboard.AdHocFilteringOptionProperty(
                    availability_status="ENABLED"
                ),
                export_to_csv_option=quicksight.CfnDashboard.ExportToCSVOptionProperty(availability_status="ENABLED"),
                sheet_controls_option=quicksight.CfnDashboard.SheetControlsOptionProperty(visibility_state="EXPANDED"),
            ),
            **_shared_with(owner, quicksight.CfnDashboard.ResourcePermissionProperty, dashboard.DASHBOARD_ACTIONS),
        )
        return analysis, published

    def _prerequisites_guard(self, config: EnvironmentConfig, prefix: str, owner: str) -> Construct:
        """Reads the subscription and the owner before anything else: CloudFormation stops at the first missing."""
        settings = bi_settings(config)
        guard = Construct(self, "Prerequisites")
        subscription = _describe(
            guard,
            "Subscription",
            check="Subscription",
            action="describeAccountSubscription",
            resources=["*"],
            parameters={"AwsAccountId": config.account},
            physical_resource_id=cr.PhysicalResourceId.of(f"{prefix}-subscription"),
        )
        user = _describe(
            guard,
            "Owner",
            check="User",
            action="describeUser",
            resources=[owner],
            parameters={
                "AwsAccountId": config.account,
                "Namespace": settings.quicksight_namespace,
                "UserName": settings.quicksight_user,
            },
            region=identity_region(config),
            physical_resource_id=cr.PhysicalResourceId.of(f"{prefix}-owner"),
        )
        user.node.add_dependency(subscription)
        acknowledge(
            subscription,
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            "quicksight:DescribeAccountSubscription has no resource type; the guard only reads the subscription",
        )
        provider = cdk.Stack.of(self).node.find_child(
            "AWS" + cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace("-", "")
        )
        acknowledge(
            provider,
            "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            "the CDK SDK-call provider behind the Quick Sight guard only writes its own CloudWatch logs",
        )
        return guard
