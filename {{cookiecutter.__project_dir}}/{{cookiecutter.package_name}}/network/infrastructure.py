"""The VPC every private component lives in: private subnets over the chosen AZs, flow logs, endpoints."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from {{ cookiecutter.package_name }}.config import EnvironmentConfig
{%- if cookiecutter.__private_ecr_access == "yes" %}
from {{ cookiecutter.package_name }}.network.endpoints import PrivateEndpoints
{%- endif %}
from {{ cookiecutter.package_name }}.networking import Placement

# Without NAT gateways the private subnets are isolated: the endpoints are the only way out.
WITH_NAT = {{ "True" if cookiecutter.__nat_gateways == "yes" else "False" }}


@dataclass(frozen=True)
class NetworkSettings:
    """config/<env>.yaml `network`: the VPC's address range and how long flow logs are kept."""

    cidr: str = "10.0.0.0/16"
    flow_log_retention: str = "ONE_MONTH"  # a CloudWatch Logs RetentionDays name


class Network(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, construct_id)
        settings = config.settings("network", NetworkSettings)
        subnets = [
            ec2.SubnetConfiguration(
                name="private",
                subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS if WITH_NAT else ec2.SubnetType.PRIVATE_ISOLATED,
                cidr_mask=20,
            )
        ]
        if WITH_NAT:
            subnets.insert(0, ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24))
        flow_logs = logs.LogGroup(
            self,
            "FlowLogs",
            retention=logs.RetentionDays[settings.flow_log_retention],
            removal_policy=config.stateful_removal_policy,
        )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(settings.cidr),
            availability_zones=list(config.availability_zones),
            nat_gateways=len(config.availability_zones) if WITH_NAT else 0,
            subnet_configuration=subnets,
            flow_logs={
                "all": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
                    traffic_type=ec2.FlowLogTrafficType.ALL,
                )
            },
        )
        self.private = Placement(vpc=self.vpc, subnets=ec2.SubnetSelection(subnet_group_name="private"))
{%- if cookiecutter.__private_ecr_access == "yes" %}
        self.endpoints = PrivateEndpoints(self, "Endpoints", vpc=self.vpc, subnets=self.private.subnets)
{%- endif %}
        cdk.CfnOutput(self, "VpcId", value=self.vpc.vpc_id)
