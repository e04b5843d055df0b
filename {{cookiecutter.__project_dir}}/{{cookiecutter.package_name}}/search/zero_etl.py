"""Step 8, zero-ETL choice: DynamoDB -> OpenSearch Ingestion pipeline -> the items index.

The pipeline takes a point-in-time export of the table (staged in S3) and then follows the
table's stream; no code to run. Document ids are the item's key ("pk|sk", as the Lambda
indexer writes them) and writes use the change's version, so replays are idempotent.
Only items (sort key ITEM#...) are indexed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_opensearchservice as opensearch
from aws_cdk import aws_osis as osis
from aws_cdk import aws_s3 as s3
from constructs import Construct

from {{ cookiecutter.package_name }}.compliance import acknowledge, logical_id
from {{ cookiecutter.package_name }}.config import PROJECT_SLUG, EnvironmentConfig
from {{ cookiecutter.package_name }}.storage import private_bucket

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.search.infrastructure import Search, SearchSettings

EXPORT_ACTIONS = ("dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups", "dynamodb:ExportTableToPointInTime")
DOCUMENT_FIELDS = ("id", "owner", "name", "description", "price", "createdAt", "updatedAt")


def _metadata(key: str) -> str:
    """A Data Prepper expression reading the event's metadata (e.g. its primary key)."""
    return "$" + '{getMetadata("' + key + '")}'


def pipeline_body(*, table_arn: str, bucket: str, region: str, role_arn: str, endpoint: str, index: str) -> str:
    """The Data Prepper configuration (YAML) of the pipeline."""
    fields = ", ".join(f'"{field}"' for field in DOCUMENT_FIELDS)
    return f"""version: "2"
dynamodb-pipeline:
  source:
    dynamodb:
      acknowledgments: true
      tables:
        - table_arn: "{table_arn}"
          stream:
            start_position: "LATEST"
          export:
            s3_bucket: "{bucket}"
            s3_region: "{region}"
            s3_prefix: "export/"
      aws:
        sts_role_arn: "{role_arn}"
        region: "{region}"
  processor:
    - drop_events:
        drop_when: 'not startsWith(/sk, "ITEM#")'
    - select_entries:
        include_keys: [{fields}]
  sink:
    - opensearch:
        hosts: ["https://{endpoint}"]
        index: "{index}"
        index_type: custom
        document_id: '{_metadata("primary_key")}'
        action: '{_metadata("opensearch_action")}'
        document_version: '{_metadata("document_version")}'
        document_version_type: "external"
        aws:
          sts_role_arn: "{role_arn}"
          region: "{region}"
"""


def add_indexer(
    search: Search, *, config: EnvironmentConfig, settings: SearchSettings, table: dynamodb.ITableV2
) -> iam.IRole:
    """The pipeline from the table to the search index; returns the pipeline's role."""
    pipeline = ZeroEtlPipeline(
        search, "ZeroEtl", config=config, settings=settings, table=table, domain=search.domain, index=search.index
    )
    return pipeline.role


class ZeroEtlPipeline(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        settings: SearchSettings,
        table: dynamodb.ITableV2,
        domain: opensearch.IDomain,
        index: str,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        self.export_bucket = private_bucket(
            self,
            "ExportBucket",
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(7))],
            removal_policy=config.stateful_removal_policy,
            auto_delete_objects=not config.retain_stateful,
        )
        acknowledge(
            self.export_bucket,
            "AwsSolutions::AwsSolutions-S1",
            "the bucket only stages the table's point-in-time exports for the pipeline; they expire in a week",
        )
        self.role = iam.Role(self, "PipelineRole", assumed_by=iam.ServicePrincipal("osis-pipelines.amazonaws.com"))
        table.grant(self.role, *EXPORT_ACTIONS)
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["dynamodb:DescribeExport"], resources=[f"{table.table_arn}/export/*"])
        )
        table.grant_stream_read(self.role)
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"],
                resources=[self.export_bucket.arn_for_objects("export/*")],
            )
        )
        # The sink checks the cluster and the index before it writes in bulk; inside the domain,
        # fine-grained access control limits this role to the items index (search/runtime/security_setup.py).
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["es:DescribeDomain"], resources=[domain.domain_arn])
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut"],
                resources=[domain.domain_arn, f"{domain.domain_arn}/*"],
            )
        )
        log_group = logs.LogGroup(
            self,
            "PipelineLogs",
            log_group_name=f"/aws/vendedlogs/OpenSearchIngestion/{stack.stack_name}-items",
            retention=logs.RetentionDays[settings.log_retention],
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.pipeline = osis.CfnPipeline(
            self,
            "Pipeline",
            # Unique per account and region, 3-28 characters.
            pipeline_name=f"{PROJECT_SLUG[:16]}-{config.name}-items".replace("--", "-"),
            min_units=settings.pipeline_min_units,
            max_units=settings.pipeline_max_units,
            pipeline_configuration_body=pipeline_body(
                table_arn=table.table_arn,
                bucket=self.export_bucket.bucket_name,
                region=stack.region,
                role_arn=self.role.role_arn,
                endpoint=domain.domain_endpoint,
                index=index,
            ),
            log_publishing_options=osis.CfnPipeline.LogPublishingOptionsProperty(
                is_logging_enabled=True,
                cloud_watch_log_destination=osis.CfnPipeline.CloudWatchLogDestinationProperty(
                    log_group=log_group.log_group_name
                ),
            ),
        )
        self.pipeline.node.add_dependency(self.role)
        for resource, reason in (
            (
                f"<{logical_id(self.export_bucket)}.Arn>/export/*",
                "the pipeline writes and reads export files whose names DynamoDB chooses, under export/ only",
            ),
            (
                f"<{logical_id(domain)}.Arn>/*",
                "the ingestion sink checks cluster and index before bulk writes; fine-grained access control "
                "limits the role to the items index",
            ),
            (
                f"{_table_arn_in_findings(self, table)}/export/*",
                "DescribeExport names exports by ids DynamoDB assigns; only the table's export/ prefix is fixed",
            ),
        ):
            acknowledge(self.role, f"AwsSolutions::AwsSolutions-IAM5[Resource::{resource}]", reason)


def _table_arn_in_findings(scope: Construct, table: dynamodb.ITableV2) -> str:
    """The table's ARN as cdk-nag writes it in `scope`'s stack: the name of the table stack's export."""
    table_stack = cdk.Stack.of(table)
    if table_stack is cdk.Stack.of(scope):
        return f"<{logical_id(table)}.Arn>"
    return table_stack.resolve(table_stack.export_value(table.table_arn))["Fn::ImportValue"]
