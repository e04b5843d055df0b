"""Step 11: a DAX cluster in the private subnets, caching reads of the application table.

aws_dax is L1 only. The cluster encrypts at rest (SSE) and in transit (TLS endpoint); its role
may touch only the table; its security group admits no one until a consumer asks (`allow_from`).
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_dax as dax
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from {{ cookiecutter.package_name }}.config import EnvironmentConfig
from {{ cookiecutter.package_name }}.networking import Placement, closed_security_group

TLS_PORT = 9111
TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)
CLIENT_ACTIONS = (
    "dax:GetItem",
    "dax:BatchGetItem",
    "dax:Query",
    "dax:Scan",
    "dax:PutItem",
    "dax:UpdateItem",
    "dax:DeleteItem",
    "dax:BatchWriteItem",
    "dax:ConditionCheckItem",
)


@dataclass(frozen=True)
class DaxSettings:
    """config/<env>.yaml `dax:`."""

    node_type: str = "dax.t3.small"
    nodes: int = 1  # replication factor: 3 nodes over the zones for production
    item_ttl_millis: int = 300000
    query_ttl_millis: int = 300000


class DaxCache(Construct):
    """`table_arn` is the one table the cluster may read and write for its clients."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        placement: Placement,
        table_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        settings = config.settings("dax", DaxSettings)
        self.security_group = closed_security_group(
            self, "SecurityGroup", vpc=placement.vpc, description="DAX: TLS from the service tasks only"
        )
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("dax.amazonaws.com"),
            description="DAX reads and writes the application table on behalf of its clients",
        )
        role.add_to_policy(iam.PolicyStatement(actions=list(TABLE_ACTIONS), resources=[table_arn]))
        subnet_group = dax.CfnSubnetGroup(
            self,
            "SubnetGroup",
            subnet_ids=placement.subnet_ids,
            description="Private subnets of the application VPC",
        )
        parameter_group = dax.CfnParameterGroup(
            self,
            "ParameterGroup",
            description="Item and query cache lifetimes",
            parameter_name_values={
                "record-ttl-millis": str(settings.item_ttl_millis),
                "query-ttl-millis": str(settings.query_ttl_millis),
            },
        )
        self.cluster = dax.CfnCluster(
            self,
            "Cluster",
            iam_role_arn=role.role_arn,
            node_type=settings.node_type,
            replication_factor=settings.nodes,
            subnet_group_name=subnet_group.ref,
            parameter_group_name=parameter_group.ref,
            security_group_ids=[self.security_group.security_group_id],
            sse_specification=dax.CfnCluster.SSESpecificationProperty(sse_enabled=True),
            cluster_endpoint_encryption_type="TLS",
            description="Read-through cache of the application table",
        )
        # The role must hold its table policy before DAX validates it.
        self.cluster.node.add_dependency(role.node.find_child("DefaultPolicy"))
        self.endpoint_url = self.cluster.attr_cluster_discovery_endpoint_url

    def allow_from(self, clients: ec2.SecurityGroup, grantee: iam.IGrantable) -> None:
        """Open TLS to the cluster for one client group and let its principal call the data plane."""
        self.security_group.add_ingress_rule(clients, ec2.Port.tcp(TLS_PORT), "DAX TLS from the service tasks")
        clients.add_egress_rule(self.security_group, ec2.Port.tcp(TLS_PORT), "To DAX over TLS")
        iam.Grant.add_to_principal(grantee=grantee, actions=list(CLIENT_ACTIONS), resource_arns=[self.cluster.attr_arn])
