"""The log lake: Data Firehose -> S3 (step 19), Glue catalog and crawler (step 20), Athena (step 21).

`LakeStorage` holds what must survive a redeploy (key, lake and results buckets);
`Lake` holds the stream, catalog and workgroup bound to them, in the same stack so
that no policy on the buckets crosses a stack boundary. Producers get
`grant_log_delivery(role)`: PutRecordBatch on the log delivery stream only; stage.py adds
other units' streams with `add_event_stream` and readers with `add_reader_role`.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_logs_destinations as logs_destinations
from aws_cdk import aws_s3 as s3
from constructs import Construct

from {{ cookiecutter.package_name }}.analytics.lake import log_schema
from {{ cookiecutter.package_name }}.compliance import acknowledge, logical_id
from {{ cookiecutter.package_name }}.config import EnvironmentConfig
from {{ cookiecutter.package_name }}.storage import encrypted_bucket, private_bucket

LOG_TABLE = "app_logs"
PARTITION_PROJECTION_START = "2026-01-01"
# What Data Firehose's S3 destination (the L2 grant) lets each stream's role do in the lake bucket and key.
_FIREHOSE_GRANTS = (
    ("Action::s3:Abort*", "Firehose aborts its own failed multipart uploads into the lake bucket only"),
    ("Action::s3:DeleteObject*", "the L2 destination grant includes deletes Firehose uses to clean up partial objects"),
    ("Action::s3:GetBucket*", "Firehose reads the location and settings of the one lake bucket it writes to"),
    ("Action::s3:GetObject*", "Firehose reads back objects it writes when resuming a multipart delivery to the lake"),
    ("Action::s3:List*", "Firehose lists its own uploads in the one lake bucket it delivers to"),
    ("Action::kms:GenerateDataKey*", "Firehose encrypts the stream and the lake objects with the one lake key only"),
    ("Action::kms:ReEncrypt*", "the L2 key grant to Firehose re-encrypts with the one lake key only"),
)


@dataclass(frozen=True)
class LakeSettings:
    """The `analytics` section of config/<env>.yaml."""

    buffer_interval_seconds: int = 300  # Data Firehose buffering before a lake object is written
    buffer_size_mib: int = 64
    log_retention: str = "ONE_MONTH"  # delivery error logs, a CloudWatch Logs RetentionDays name
    access_log_expire_after_days: int = 365
    infrequent_access_after_days: int = 30
    glacier_after_days: int = 90
    expire_after_days: int = 0  # 0 keeps log objects forever
    results_expire_after_days: int = 30
    crawler_schedule: str = "cron(15 0 * * ? *)"
    bytes_scanned_cutoff_mib: int = 1024  # Athena cancels a query that scans more


def lake_names(config: EnvironmentConfig) -> dict[str, str]:
    """Names other units and the prerequisite check refer to; derived from the project and environment."""
    prefix = config.stack_name("lake")
    return {
        "database": prefix.replace("-", "_"),
        "table": LOG_TABLE,
        "workgroup": prefix,
        "delivery_stream": f"{prefix}-logs",
    }


def _expiring(days: int, *, noncurrent_days: int) -> list[s3.LifecycleRule]:
    """Objects expire after `days`; the versions they replace after `noncurrent_days`."""
    return [
        s3.LifecycleRule(
            expiration=cdk.Duration.days(days), noncurrent_version_expiration=cdk.Duration.days(noncurrent_days)
        )
    ]


class LakeStorage(Construct):
    """The key and buckets of the lake: versioned, access-logged, TLS-only, tiered to cheaper storage."""

    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, construct_id)
        settings = config.settings("analytics", LakeSettings)
        removal = config.stateful_removal_policy
        every_bucket = {
            "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            "removal_policy": removal,
            # Versioned buckets that are deleted with the stack must be emptied first, or the delete fails.
            "auto_delete_objects": not config.retain_stateful,
        }
        stack = cdk.Stack.of(self)
        self.key = kms.Key(
            self,
            "Key",
            description=f"Encrypts the {config.name} log lake, its query results and the crawler's logs",
            enable_key_rotation=True,
            removal_policy=removal,
        )
        # CloudWatch Logs encrypts the crawler's log group with this key (Glue security configuration).
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": f"arn:{stack.partition}:logs:{stack.region}:"
                        f"{stack.account}:log-group:/aws-glue/*"
                    }
                },
            )
        )
        self.access_logs = private_bucket(
            self,
            "AccessLogs",
            versioned=True,
            lifecycle_rules=_expiring(settings.access_log_expire_after_days, noncurrent_days=30),
            **every_bucket,
        )
        tiering = [
            s3.Transition(
                storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                transition_after=cdk.Duration.days(settings.infrequent_access_after_days),
            ),
            s3.Transition(
                storage_class=s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                transition_after=cdk.Duration.days(settings.glacier_after_days),
            ),
        ]
        expire_days = settings.expire_after_days
        self.bucket = encrypted_bucket(
            self,
            "Bucket",
            key=self.key,
            access_logs=self.access_logs,
            prefix="lake/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="tiering",
                    transitions=tiering,
                    expiration=cdk.Duration.days(expire_days) if expire_days else None,
                    noncurrent_version_expiration=cdk.Duration.days(30),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(7),
                )
            ],
            **every_bucket,
        )
        self.results_bucket = encrypted_bucket(
            self,
            "QueryResults",
            key=self.key,
            access_logs=self.access_logs,
            prefix="query-results/",
            lifecycle_rules=_expiring(settings.results_expire_after_days, noncurrent_days=1),
            **every_bucket,
        )
        cdk.CfnOutput(self, "LakeBucketName", value=self.bucket.bucket_name)


class Lake(Construct):
    """Delivery stream into the lake, the Glue catalog over it and the Athena workgroup that queries it."""

    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, storage: LakeStorage) -> None:
        super().__init__(scope, construct_id)
        settings = config.settings("analytics", LakeSettings)
        self.names = lake_names(config)
        self.retain = config.retain_stateful
        self.storage = storage
        self.settings = settings
        self.delivery_stream = self._delivery_stream(
            "LogDelivery",
            name=self.names["delivery_stream"],
            data_prefix=log_schema.DATA_OUTPUT_PREFIX,
            error_prefix=log_schema.ERROR_OUTPUT_PREFIX,
        )
        self.delivery_stream_name = self.delivery_stream.delivery_stream_name
        self.database, self.table = self._catalog(storage)
        self.crawler = self._crawler(settings, storage)
        self.workgroup = self._workgroup(settings, storage)
        self.named_queries = self._named_queries()
        cdk.CfnOutput(self, "LogDeliveryStreamName", value=self.delivery_stream_name)
        cdk.CfnOutput(self, "AthenaWorkGroup", value=self.workgroup.name)

    def grant_log_delivery(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let a producer (e.g. the FireLens log router's task role) put records into this stream only."""
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["firehose:PutRecordBatch"],
            resource_arns=[self.delivery_stream.delivery_stream_arn],
        )

    def firelens_options(self) -> dict[str, str]:
        """Options of a FireLens log driver (Fluent Bit `kinesis_firehose` output) that sends each
        container line unchanged to the log delivery stream (log_schema.py is the line's contract)."""
        return {
            "Name": "kinesis_firehose",
            "region": cdk.Stack.of(self).region,
            "delivery_stream": self.names["delivery_stream"],  # a literal: no cross-stack token in the task
            "log_key": "log",
        }

    def add_event_stream(self, construct_id: str, *, name: str, prefix: str) -> firehose.DeliveryStream:
        """Another delivery stream into the lake, for another unit's events, under its own prefix."""
        return self._delivery_stream(
            construct_id,
            name=f"{self.names['delivery_stream'].removesuffix('-logs')}-{name}",
            data_prefix=log_schema.date_partitioned(prefix),
            error_prefix=log_schema.date_partitioned(f"errors/{name}/" + log_schema.ERROR_TYPE + "/"),
        )

    def add_log_group_source(
        self, construct_id: str, *, log_group: logs.ILogGroup, name: str
    ) -> firehose.DeliveryStream:
        """Copy a CloudWatch log group (e.g. the API's access logs) into the lake under `api-logs/<name>/`.

        The subscription filter is created beside the log group (its stack then depends on the lake);
        Firehose decompresses the CloudWatch Logs envelopes and keeps only the log messages.
        """
        stream = self._delivery_stream(
            construct_id,
            name=f"{self.names['delivery_stream'].removesuffix('-logs')}-{name}",
            data_prefix=log_schema.date_partitioned(f"api-logs/{name}/"),
            error_prefix=log_schema.date_partitioned(f"errors/{name}/" + log_schema.ERROR_TYPE + "/"),
            processors=[
                firehose.DecompressionProcessor(),
                firehose.CloudWatchLogProcessor(data_message_extraction=True),
            ],
        )
        log_group.add_subscription_filter(
            f"{construct_id}ToLake",
            destination=logs_destinations.FirehoseDestination(stream),
            filter_pattern=logs.FilterPattern.all_events(),
        )
        return stream

    def add_reader_role(self, construct_id: str, *, assumed_by: iam.IPrincipal, description: str) -> iam.Role:
        """A role that queries the log table through the workgroup: reads the lake, writes query results."""
        role = iam.Role(self, construct_id, assumed_by=assumed_by, description=description)
        storage = self.storage
        policy = iam.Policy(
            self,
            f"{construct_id}Policy",
            roles=[role],
            statements=[
                iam.PolicyStatement(
                    actions=[
                        "athena:StartQueryExecution",
                        "athena:GetQueryExecution",
                        "athena:GetQueryResults",
                        "athena:StopQueryExecution",
                        "athena:GetWorkGroup",
                    ],
                    resources=[_arn("athena", f"workgroup/{self.names['workgroup']}")],
                ),
                iam.PolicyStatement(
                    actions=[
                        "glue:GetDatabase",
                        "glue:GetDatabases",
                        "glue:GetTable",
                        "glue:GetTables",
                        "glue:GetPartition",
                        "glue:GetPartitions",
                    ],
                    resources=[
                        _arn("glue", "catalog"),
                        _arn("glue", f"database/{self.names['database']}"),
                        _arn("glue", f"table/{self.names['database']}/{self.names['table']}"),
                    ],
                ),
                iam.PolicyStatement(
                    actions=["s3:ListBucket", "s3:GetBucketLocation"],
                    resources=[storage.bucket.bucket_arn, storage.results_bucket.bucket_arn],
                ),
                iam.PolicyStatement(
                    actions=["s3:GetObject"], resources=[storage.bucket.arn_for_objects(log_schema.LOG_PREFIX + "*")]
                ),
                iam.PolicyStatement(
                    actions=["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
                    resources=[storage.results_bucket.arn_for_objects("athena/*")],
                ),
                iam.PolicyStatement(actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[storage.key.key_arn]),
            ],
        )
        acknowledge(
            policy,
            f"AwsSolutions::AwsSolutions-IAM5[Resource::<{logical_id(storage.bucket)}.Arn>/{log_schema.LOG_PREFIX}*]",
            "the reader's Athena queries read every object under the log prefix and nothing else in the lake",
        )
        acknowledge(
            policy,
            f"AwsSolutions::AwsSolutions-IAM5[Resource::<{logical_id(storage.results_bucket)}.Arn>/athena/*]",
            "Athena writes each query's results under a new key below the workgroup's results prefix",
        )
        return role

    def _delivery_stream(
        self,
        construct_id: str,
        *,
        name: str,
        data_prefix: str,
        error_prefix: str,
        processors: list[firehose.IDataProcessor] | None = None,
    ) -> firehose.DeliveryStream:
        settings = self.settings
        delivery_logs = logs.LogGroup(
            self,
            f"{construct_id}Logs",
            retention=logs.RetentionDays[settings.log_retention],
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        destination = firehose.S3Bucket(
            self.storage.bucket,
            data_output_prefix=data_prefix,
            error_output_prefix=error_prefix,
            compression=firehose.Compression.GZIP,
            encryption_key=self.storage.key,
            buffering_interval=cdk.Duration.seconds(settings.buffer_interval_seconds),
            buffering_size=cdk.Size.mebibytes(settings.buffer_size_mib),
            logging_config=firehose.EnableLogging(delivery_logs),
            processors=processors,
        )
        stream = firehose.DeliveryStream(
            self,
            construct_id,
            delivery_stream_name=name,
            destination=destination,
            encryption=firehose.StreamEncryption.customer_managed_key(self.storage.key),
        )
        for finding, reason in _FIREHOSE_GRANTS:
            acknowledge(stream, f"AwsSolutions::AwsSolutions-IAM5[{finding}]", reason)
        acknowledge(
            stream,
            f"AwsSolutions::AwsSolutions-IAM5[Resource::<{logical_id(self.storage.bucket)}.Arn>/*]",
            "the stream picks object keys per arrival day, so writes any key",
        )
        return stream

    def _catalog(self, storage: LakeStorage) -> tuple[glue.Database, glue.S3Table]:
        database = glue.Database(
            self,
            "Database",
            database_name=self.names["database"],
            description="Application logs delivered by Data Firehose",
        )
        table = glue.S3Table(
            self,
            "LogTable",
            database=database,
            table_name=self.names["table"],
            description="One row per JSON log line of the application containers",
            columns=[
                glue.Column(name=name, type=_glue_type(glue_type), comment=comment)
                for name, glue_type, _, comment in log_schema.COLUMNS
            ],
            partition_keys=[glue.Column(name=log_schema.PARTITION_KEY, type=glue.Schema.STRING)],
            # Queries work before the first crawl: Athena computes the partitions from the prefix.
            partition_projection={
                log_schema.PARTITION_KEY: glue.PartitionProjectionConfiguration.date(
                    format=log_schema.PARTITION_FORMAT,
                    min=PARTITION_PROJECTION_START,
                    max="NOW",
                    step=glue.DateProjectionStep(interval=1, interval_unit=glue.DateIntervalUnit.DAYS),
                )
            },
            storage=glue.S3TableStorage.from_bucket(storage.bucket),
            s3_prefix=log_schema.LOG_PREFIX,
            data_format=glue.DataFormat.JSON,
            compressed=True,
        )
        return database, table

    def _crawler(self, settings: LakeSettings, storage: LakeStorage) -> glue.CfnCrawler:
        security = glue.CfnSecurityConfiguration(
            self,
            "CrawlerSecurity",
            name=f"{self.names['workgroup']}-crawler",
            encryption_configuration=glue.CfnSecurityConfiguration.EncryptionConfigurationProperty(
                cloud_watch_encryption=glue.CfnSecurityConfiguration.CloudWatchEncryptionProperty(
                    cloud_watch_encryption_mode="SSE-KMS", kms_key_arn=storage.key.key_arn
                ),
                s3_encryptions=[
                    glue.CfnSecurityConfiguration.S3EncryptionProperty(
                        s3_encryption_mode="SSE-KMS", kms_key_arn=storage.key.key_arn
                    )
                ],
                job_bookmarks_encryption=glue.CfnSecurityConfiguration.JobBookmarksEncryptionProperty(
                    job_bookmarks_encryption_mode="CSE-KMS", kms_key_arn=storage.key.key_arn
                ),
            ),
        )
        role = iam.Role(
            self,
            "CrawlerRole",
            assumed_by=iam.ServicePrincipal("glue.amazonaws.com"),
            description="Reads the lake's log prefix and updates the log table's schema and partitions",
        )
        catalog_arn = _arn("glue", "catalog")
        database_arn = _arn("glue", f"database/{self.names['database']}")
        table_arn = _arn("glue", f"table/{self.names['database']}/{self.names['table']}")
        policy = iam.Policy(
            self,
            "CrawlerPolicy",
            statements=[
                iam.PolicyStatement(
                    actions=["s3:ListBucket"],
                    resources=[storage.bucket.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": [log_schema.LOG_PREFIX + "*"]}},
                ),
                iam.PolicyStatement(
                    actions=["s3:GetObject"],
                    resources=[storage.bucket.arn_for_objects(log_schema.LOG_PREFIX + "*")],
                ),
                iam.PolicyStatement(actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[storage.key.key_arn]),
                iam.PolicyStatement(
                    actions=[
                        "glue:GetDatabase",
                        "glue:GetTable",
                        "glue:UpdateTable",
                        "glue:GetPartition",
                        "glue:GetPartitions",
                        "glue:BatchGetPartition",
                        "glue:CreatePartition",
                        "glue:BatchCreatePartition",
                        "glue:UpdatePartition",
                        "glue:BatchUpdatePartition",
                    ],
                    resources=[catalog_arn, database_arn, table_arn],
                ),
                iam.PolicyStatement(
                    actions=[
                        "logs:CreateLogGroup",
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                        "logs:AssociateKmsKey",
                    ],
                    resources=[_arn("logs", "log-group:/aws-glue/crawlers*")],
                ),
            ],
        )
        policy.attach_to_role(role)
        acknowledge(
            policy,
            f"AwsSolutions::AwsSolutions-IAM5[Resource::<{logical_id(storage.bucket)}.Arn>/{log_schema.LOG_PREFIX}*]",
            "the crawler reads every object under the log prefix it catalogues and nothing else in the lake",
        )
        acknowledge(
            policy,
            "AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:"
            "log-group:/aws-glue/crawlers*]",
            "Glue names the crawler's log group after the role and security configuration at run time",
        )
        crawler = glue.CfnCrawler(
            self,
            "Crawler",
            name=f"{self.names['workgroup']}-logs",
            description="Adds new daily partitions and reports schema drift of the log table",
            role=role.role_arn,
            targets=glue.CfnCrawler.TargetsProperty(
                catalog_targets=[
                    glue.CfnCrawler.CatalogTargetProperty(
                        database_name=self.names["database"], tables=[self.names["table"]]
                    )
                ]
            ),
            schedule=glue.CfnCrawler.ScheduleProperty(schedule_expression=settings.crawler_schedule),
            # The declared schema is the contract (log_schema.py): the crawler logs drift, it does not rewrite.
            schema_change_policy=glue.CfnCrawler.SchemaChangePolicyProperty(
                update_behavior="LOG", delete_behavior="LOG"
            ),
            crawler_security_configuration=security.ref,
        )
        crawler.node.add_dependency(policy, self.table)
        return crawler

    def _workgroup(self, settings: LakeSettings, storage: LakeStorage) -> athena.CfnWorkGroup:
        cutoff_mib = settings.bytes_scanned_cutoff_mib
        return athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=self.names["workgroup"],
            description="Queries over the application log lake; results encrypted, scans capped per query",
            state="ENABLED",
            recursive_delete_option=not self.retain,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=cutoff_mib * 1024 * 1024,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="Athena engine version 3"
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=storage.results_bucket.s3_url_for_object("athena/"),
                    expected_bucket_owner=cdk.Stack.of(self).account,
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_KMS", kms_key=storage.key.key_arn
                    ),
                ),
            ),
        )

    def _named_queries(self) -> list[athena.CfnNamedQuery]:
        queries = []
        for query_id, (description, sql) in NAMED_QUERIES.items():
            query = athena.CfnNamedQuery(
                self,
                f"Query{query_id.title().replace('-', '')}",
                name=query_id,
                description=description,
                database=self.names["database"],
                work_group=self.workgroup.name,
                query_string=sql.format(table=self.names["table"], dt=log_schema.PARTITION_KEY),
            )
            query.add_resource_dependency(self.workgroup)
            queries.append(query)
        return queries


def _arn(service: str, resource: str) -> str:
    """An ARN in this stack's account and region, written with pseudo parameters (stable across environments)."""
    return f"arn:{cdk.Aws.PARTITION}:{service}:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:{resource}"


def _glue_type(name: str) -> glue.Type:
    return {"string": glue.Schema.STRING, "int": glue.Schema.INTEGER, "double": glue.Schema.DOUBLE}[name]


# Each query filters on the date partition, so it scans only the days it needs.
NAMED_QUERIES: dict[str, tuple[str, str]] = {
    "server-errors-by-hour": (
        "Which paths returned 5xx in the last 24 hours, per hour?",
        "SELECT date_trunc('hour', from_iso8601_timestamp(\"timestamp\")) AS hour, path, count(*) AS errors\n"
        "FROM {table}\n"
        "WHERE {dt} >= date_format(current_date - INTERVAL '1' DAY, '%Y-%m-%d') AND status >= 500\n"
        "GROUP BY 1, 2\nORDER BY 1 DESC, 3 DESC",
    ),
    "slowest-paths": (
        "Which endpoints are slowest (95th percentile latency) over the last 7 days?",
        "SELECT method, path, count(*) AS requests, approx_percentile(latency_ms, 0.95) AS p95_latency_ms\n"
        "FROM {table}\n"
        "WHERE {dt} >= date_format(current_date - INTERVAL '7' DAY, '%Y-%m-%d') AND latency_ms IS NOT NULL\n"
        "GROUP BY method, path\nORDER BY p95_latency_ms DESC\nLIMIT 20",
    ),
    "daily-error-rate": (
        "What share of requests failed with a server error, day by day over the last 30 days?",
        "SELECT {dt}, count(*) AS requests, count_if(status >= 500) AS server_errors,\n"
        "  round(100.0 * count_if(status >= 500) / count(*), 2) AS error_rate_percent\n"
        "FROM {table}\n"
        "WHERE {dt} >= date_format(current_date - INTERVAL '30' DAY, '%Y-%m-%d') AND status IS NOT NULL\n"
        "GROUP BY {dt}\nORDER BY {dt}",
    ),
    "most-active-users": (
        "Which users made the most requests over the last 7 days, and how many of them failed?",
        "SELECT user_id, count(DISTINCT request_id) AS requests, count_if(status >= 400) AS failed\n"
        "FROM {table}\n"
        "WHERE {dt} >= date_format(current_date - INTERVAL '7' DAY, '%Y-%m-%d') AND user_id IS NOT NULL\n"
        "GROUP BY user_id\nORDER BY requests DESC\nLIMIT 50",
    ),
}
