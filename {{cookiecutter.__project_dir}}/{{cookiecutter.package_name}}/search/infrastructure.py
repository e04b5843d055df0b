"""Steps 7-8: the OpenSearch domain that serves searchItems, and how table changes reach it.

AppSync's OpenSearch data source reaches only domains outside a VPC, so the domain has a
public endpoint protected by IAM and fine-grained access control (HTTPS only, TLS 1.2,
node-to-node and at-rest encryption). Roles reach the domain through IAM; inside it, a
setup function (the master user) gives the writer roles write access and AppSync's role
read access to the items index only.
{%- if cookiecutter.search_indexing == "stream-lambda" %}
Indexing (step 8): DynamoDB stream -> Lambda indexer -> `_bulk`, with partial batch
failures and a dead-letter queue.
{%- else %}
Indexing (step 8): DynamoDB zero-ETL through an OpenSearch Ingestion pipeline (zero_etl.py).
{%- endif %}
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
{%- if cookiecutter.search_indexing == "stream-lambda" %}
from aws_cdk import aws_lambda_event_sources as event_sources
{%- endif %}
from aws_cdk import aws_logs as logs
from aws_cdk import aws_opensearchservice as opensearch
{%- if cookiecutter.search_indexing == "stream-lambda" %}
from aws_cdk import aws_sqs as sqs
{%- endif %}
from constructs import Construct

from {{ cookiecutter.package_name }}.api.infrastructure import SearchBackend
from {{ cookiecutter.package_name }}.config import EnvironmentConfig
from {{ cookiecutter.package_name }}.functions import (
    LAMBDA_ARCHITECTURE,
    LAMBDA_RUNTIME,
{%- if cookiecutter.search_indexing == "stream-lambda" %}
    powertools_layer,
{%- endif %}
)
{%- if cookiecutter.search_indexing == "zero-etl" %}
from {{ cookiecutter.package_name }}.search.zero_etl import ZeroEtlPipeline
{%- endif %}

RUNTIME = Path(__file__).resolve().parent / "runtime"
INDEX = "items"
XRAY = {{ "True" if cookiecutter.__xray == "yes" else "False" }}


class Search(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, table: dynamodb.ITableV2
    ) -> None:
        super().__init__(scope, construct_id)
        settings = config.section("search")
        self._config = config
        self._log_retention = logs.RetentionDays[settings.get("log_retention", "ONE_MONTH")]

        self.setup_role = self._lambda_role("SetupRole")
        self.domain = self._domain(config, settings)
        # AppSync's data source assumes this role; it may only search the items index.
        self.query_role = iam.Role(self, "QueryRole", assumed_by=iam.ServicePrincipal("appsync.amazonaws.com"))
        self.domain.grant_path_read(f"{INDEX}/_search", self.query_role)
{%- if cookiecutter.search_indexing == "stream-lambda" %}
        writer = self._stream_indexer(table, settings)
{%- else %}
        writer = ZeroEtlPipeline(self, "ZeroEtl", config=config, table=table, domain=self.domain, index=INDEX).role
{%- endif %}
        self._security_setup(writer_roles=[writer], reader_roles=[self.query_role])

    @property
    def backend(self) -> SearchBackend:
        return SearchBackend(domain=self.domain, query_role=self.query_role)

    def _domain(self, config: EnvironmentConfig, settings) -> opensearch.Domain:
        log_groups = {
            kind: logs.LogGroup(
                self, f"{kind}Logs", retention=self._log_retention, removal_policy=config.stateful_removal_policy
            )
            for kind in ("App", "SlowSearch", "SlowIndex", "Audit")
        }
        data_nodes = int(settings.get("data_nodes", 1))
        master_nodes = int(settings.get("master_nodes", 0))
        domain = opensearch.Domain(
            self,
            "Domain",
            version=opensearch.EngineVersion.OPENSEARCH_3_7,
            capacity=opensearch.CapacityConfig(
                data_nodes=data_nodes,
                data_node_instance_type=settings.get("data_node_instance_type", "t3.medium.search"),
                master_nodes=master_nodes or None,
                master_node_instance_type=settings.get("master_node_instance_type") if master_nodes else None,
                multi_az_with_standby_enabled=False,
            ),
            ebs=opensearch.EbsOptions(volume_size=int(settings.get("volume_gb", 10))),
            zone_awareness=opensearch.ZoneAwarenessConfig(enabled=data_nodes > 1, availability_zone_count=2)
            if data_nodes > 1
            else None,
            enforce_https=True,
            tls_security_policy=opensearch.TLSSecurityPolicy.TLS_1_2,
            node_to_node_encryption=True,
            encryption_at_rest=opensearch.EncryptionAtRestOptions(enabled=True),
            fine_grained_access_control=opensearch.AdvancedSecurityOptions(master_user_arn=self.setup_role.role_arn),
            logging=opensearch.LoggingOptions(
                app_log_enabled=True,
                app_log_group=log_groups["App"],
                slow_search_log_enabled=True,
                slow_search_log_group=log_groups["SlowSearch"],
                slow_index_log_enabled=True,
                slow_index_log_group=log_groups["SlowIndex"],
                audit_log_enabled=True,
                audit_log_group=log_groups["Audit"],
            ),
            # The resource policy below replaces the one the construct would write with a custom resource.
            suppress_logs_resource_policy=True,
            enable_auto_software_update=True,
            removal_policy=config.stateful_removal_policy,
        )
        logs_policy = logs.ResourcePolicy(
            self,
            "DomainLogsPolicy",
            policy_statements=[
                iam.PolicyStatement(
                    principals=[iam.ServicePrincipal("es.amazonaws.com")],
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[group.log_group_arn for group in log_groups.values()],
                    conditions={"StringEquals": {"aws:SourceAccount": cdk.Stack.of(self).account}},
                )
            ],
        )
        # CreateDomain checks that OpenSearch may write to the log groups: the policy must exist first.
        domain.node.add_dependency(logs_policy)
        return domain

    def _lambda_role(self, construct_id: str) -> iam.Role:
        return iam.Role(self, construct_id, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))

    def _function(self, construct_id: str, handler: str, role: iam.Role, **kwargs) -> lambda_.Function:
        log_group = logs.LogGroup(
            self, f"{construct_id}Logs", retention=self._log_retention, removal_policy=cdk.RemovalPolicy.DESTROY
        )
        log_group.grant_write(role)
        return lambda_.Function(
            self,
            construct_id,
            runtime=LAMBDA_RUNTIME,
            architecture=LAMBDA_ARCHITECTURE,
            handler=handler,
            code=lambda_.Code.from_asset(str(RUNTIME)),
            role=role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE if XRAY else lambda_.Tracing.DISABLED,
            environment={"OPENSEARCH_ENDPOINT": f"https://{self.domain.domain_endpoint}", "INDEX_NAME": INDEX},
            **kwargs,
        )

    def _security_setup(self, *, writer_roles: list[iam.IRole], reader_roles: list[iam.IRole]) -> None:
        """Roles and role mappings inside the domain (fine-grained access control), and the index."""
        for kind in ("roles", "rolesmapping"):
            for access in ("writer", "reader"):
                self.domain.grant_path_read_write(f"_plugins/_security/api/{kind}/{INDEX}_{access}", self.setup_role)
        self.domain.grant_path_read_write(INDEX, self.setup_role)
        function = self._function(
            "SecuritySetupFunction", "security_setup.handler", self.setup_role, timeout=cdk.Duration.minutes(2)
        )
        cdk.CustomResource(
            self,
            "SecuritySetup",
            service_token=function.function_arn,
            resource_type="Custom::OpenSearchSecurity",
            properties={
                "Index": INDEX,
                "WriterRoleArns": [role.role_arn for role in writer_roles],
                "ReaderRoleArns": [role.role_arn for role in reader_roles],
            },
        )
{%- if cookiecutter.search_indexing == "stream-lambda" %}

    def _stream_indexer(self, table: dynamodb.ITableV2, settings) -> iam.IRole:
        """Step 8: the table's stream feeds a Lambda that bulk-indexes changed items."""
        role = self._lambda_role("IndexerRole")
        self.dead_letters = sqs.Queue(
            self,
            "IndexerDeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
        )
        self.indexer = self._function(
            "IndexerFunction",
            "indexer.handler",
            role,
            layers=[powertools_layer(self, self._config)],
            timeout=cdk.Duration.seconds(60),
            memory_size=int(settings.get("indexer_memory_mb", 256)),
        )
        self.indexer.add_environment("POWERTOOLS_SERVICE_NAME", "indexer")
        self.domain.grant_path_write("_bulk", role)
        self.indexer.add_event_source(
            event_sources.DynamoEventSource(
                table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=int(settings.get("batch_size", 100)),
                max_batching_window=cdk.Duration.seconds(5),
                bisect_batch_on_error=True,
                retry_attempts=int(settings.get("retry_attempts", 5)),
                report_batch_item_failures=True,
                on_failure=event_sources.SqsDlq(self.dead_letters),
            )
        )
        return role
{%- endif %}
