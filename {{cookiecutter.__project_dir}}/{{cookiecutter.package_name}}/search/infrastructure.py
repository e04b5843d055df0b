"""Steps 7-8: the OpenSearch domain that serves searchItems, and how table changes reach it.

AppSync's OpenSearch data source reaches only domains outside a VPC, so the domain has a
public endpoint protected by IAM and fine-grained access control (HTTPS only, TLS 1.2,
node-to-node and at-rest encryption). Roles reach the domain through IAM; inside it, a
setup function (the master user) gives the writer roles write access and AppSync's role
read access to the items index only. Indexing (step 8) is the project's search_indexing
answer: a module (stream_lambda.py or zero_etl.py) whose `add_indexer` returns the writer role.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_opensearchservice as opensearch
from constructs import Construct

from {{ cookiecutter.package_name }}.api.infrastructure import SearchBackend
from {{ cookiecutter.package_name }}.compliance import acknowledge
from {{ cookiecutter.package_name }}.config import EnvironmentConfig
from {{ cookiecutter.package_name }}.functions import LAMBDA_TRACING, acknowledge_tracing, python_function
from {{ cookiecutter.package_name }}.search.{{ cookiecutter.search_indexing | replace("-", "_") }} import add_indexer

RUNTIME = Path(__file__).resolve().parent / "runtime"
INDEX = "items"
# Why the domain's cdk-nag findings are accepted.
DOMAIN_FINDINGS = (
    (
        "AwsSolutions::AwsSolutions-OS1",
        "AppSync's OpenSearch data source reaches only domains outside a VPC; access "
        "needs IAM signatures and fine-grained access control, over HTTPS only",
    ),
    (
        "AwsSolutions::AwsSolutions-OS3",
        "callers are AppSync and Lambda, which have no fixed IP addresses; every request is IAM signed",
    ),
    (
        "AwsSolutions::AwsSolutions-OS5",
        "the domain has no resource policy: only roles of this account granted by IAM "
        "policies reach it, and fine-grained access control maps each to its index permissions",
    ),
)


@dataclass(frozen=True)
class SearchSettings:
    """The `search` section of config/<env>.yaml."""

    data_nodes: int = 1  # more than one spreads them over two zones
    data_node_instance_type: str = "t3.medium.search"
    master_nodes: int = 0  # dedicated master nodes; 0 for none
    master_node_instance_type: str = ""
    volume_gb: int = 10
    log_retention: str = "ONE_MONTH"  # a CloudWatch Logs RetentionDays name
    indexer_memory_mb: int = 256  # stream-lambda indexing
    batch_size: int = 100  # stream-lambda indexing
    retry_attempts: int = 5  # stream-lambda indexing
    pipeline_min_units: int = 1  # zero-etl indexing
    pipeline_max_units: int = 4  # zero-etl indexing


class Search(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, table: dynamodb.ITableV2
    ) -> None:
        super().__init__(scope, construct_id)
        settings = config.settings("search", SearchSettings)
        self.index = INDEX
        self._log_retention = logs.RetentionDays[settings.log_retention]

        self.setup_role = self.lambda_role("SetupRole")
        self.domain = self._domain(config, settings)
        # AppSync's data source assumes this role; it may only search the items index.
        self.query_role = iam.Role(self, "QueryRole", assumed_by=iam.ServicePrincipal("appsync.amazonaws.com"))
        self.domain.grant_path_read(f"{INDEX}/_search", self.query_role)
        writer = add_indexer(self, config=config, settings=settings, table=table)
        self._security_setup(writer_roles=[writer], reader_roles=[self.query_role])

    @property
    def backend(self) -> SearchBackend:
        return SearchBackend(domain=self.domain, query_role=self.query_role)

    def _domain(self, config: EnvironmentConfig, settings: SearchSettings) -> opensearch.Domain:
        log_groups = {
            kind: logs.LogGroup(
                self, f"{kind}Logs", retention=self._log_retention, removal_policy=config.stateful_removal_policy
            )
            for kind in ("App", "SlowSearch", "SlowIndex", "Audit")
        }
        data_nodes = settings.data_nodes
        master_nodes = settings.master_nodes
        domain = opensearch.Domain(
            self,
            "Domain",
            version=opensearch.EngineVersion.OPENSEARCH_3_7,
            capacity=opensearch.CapacityConfig(
                data_nodes=data_nodes,
                data_node_instance_type=settings.data_node_instance_type,
                master_nodes=master_nodes or None,
                master_node_instance_type=(settings.master_node_instance_type or None) if master_nodes else None,
                multi_az_with_standby_enabled=False,
            ),
            ebs=opensearch.EbsOptions(volume_size=settings.volume_gb),
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
        for finding, reason in DOMAIN_FINDINGS:
            acknowledge(domain, finding, reason)
        if not master_nodes:
            acknowledge(
                domain,
                "AwsSolutions::AwsSolutions-OS4",
                "no dedicated master nodes in this environment, to save cost (search.master_nodes in its config)",
            )
        if data_nodes == 1:
            acknowledge(
                domain,
                "AwsSolutions::AwsSolutions-OS7",
                "one data node in this environment, so zone awareness cannot apply (search.data_nodes in its config)",
            )
        return domain

    def lambda_role(self, construct_id: str) -> iam.Role:
        """A role for one of the unit's functions (with X-Ray's unscoped permissions accepted when traced)."""
        role = iam.Role(self, construct_id, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        acknowledge_tracing(role)
        return role

    def function(self, construct_id: str, handler: str, role: iam.Role, **kwargs) -> lambda_.Function:
        """A function of runtime/ with its own log group, reaching the domain at OPENSEARCH_ENDPOINT."""
        log_group = logs.LogGroup(
            self, f"{construct_id}Logs", retention=self._log_retention, removal_policy=cdk.RemovalPolicy.DESTROY
        )
        log_group.grant_write(role)
        return python_function(
            self,
            construct_id,
            code=RUNTIME,
            handler=handler,
            role=role,
            log_group=log_group,
            tracing=LAMBDA_TRACING,
            environment={"OPENSEARCH_ENDPOINT": f"https://{self.domain.domain_endpoint}", "INDEX_NAME": INDEX},
            **kwargs,
        )

    def _security_setup(self, *, writer_roles: list[iam.IRole], reader_roles: list[iam.IRole]) -> None:
        """Roles and role mappings inside the domain (fine-grained access control), and the index."""
        for kind in ("roles", "rolesmapping"):
            for access in ("writer", "reader"):
                self.domain.grant_path_read_write(f"_plugins/_security/api/{kind}/{INDEX}_{access}", self.setup_role)
        self.domain.grant_path_read_write(INDEX, self.setup_role)
        function = self.function(
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
