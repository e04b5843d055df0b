"""Steps 9-10 as the seed draws them: REST API -> VPC link v1 (PrivateLink) -> internal NLB -> tasks.

VPC link v1 is an endpoint service on the NLB: its traffic arrives over PrivateLink, which the
NLB's security group does not filter (enforcement is off for PrivateLink traffic only), so the
group has no ingress at all; its only egress is to the tasks on their port.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2

from {{ cookiecutter.package_name }}.networking import closed_security_group
from {{ cookiecutter.package_name }}.service import front_door
from {{ cookiecutter.package_name }}.service.settings import ServiceSettings


class FrontDoor(front_door.FrontDoor):
    kind = "NLB"
    access_logs_reason = (
        "NLB access logs exist for TLS listeners only; API Gateway access logs record every request it forwards"
    )

    def _load_balancer(self, vpc: ec2.IVpc, subnets: ec2.SubnetSelection, ports: list[int]) -> elbv2.BaseLoadBalancer:
        self.security_group = closed_security_group(
            self, "SecurityGroup", vpc=vpc, description="Service NLB: to the tasks only"
        )
        return elbv2.NetworkLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            vpc_subnets=subnets,
            internet_facing=False,
            cross_zone_enabled=True,
            security_groups=[self.security_group],
            enforce_security_group_inbound_rules_on_private_link_traffic=False,
        )

    def _new_target_group(self, construct_id: str, health_check: dict[str, Any], **common: Any) -> elbv2.ITargetGroup:
        return elbv2.NetworkTargetGroup(
            self,
            construct_id,
            protocol=elbv2.Protocol.TCP,
            health_check=elbv2.HealthCheck(protocol=elbv2.Protocol.HTTP, **health_check),
            **common,
        )

    def _listener(self, construct_id: str, port: int, target_group: elbv2.ITargetGroup) -> elbv2.BaseListener:
        return self.load_balancer.add_listener(
            construct_id, port=port, protocol=elbv2.Protocol.TCP, default_target_groups=[target_group]
        )

    def _vpc_link(self, vpc: ec2.IVpc, subnets: ec2.SubnetSelection) -> apigateway.IVpcLink:
        self.vpc_link = apigateway.VpcLink(self, "VpcLink", targets=[self.load_balancer])
        return self.vpc_link

    def alternate_target(self) -> ecs.AlternateTarget:
        return ecs.AlternateTarget(
            "AlternateTarget",
            alternate_target_group=self.green_target_group,
            production_listener=ecs.ListenerRuleConfiguration.network_listener(self.listener),
            test_listener=ecs.ListenerRuleConfiguration.network_listener(self.test_listener),
        )

    def unhealthy_targets(self, target_group: elbv2.NetworkTargetGroup) -> cloudwatch.Metric:
        return target_group.metrics.un_healthy_host_count(period=cdk.Duration.minutes(1))

    def scale_on_load(self, scaling: ecs.ScalableTaskCount, settings: ServiceSettings) -> None:
        """NLBs report flows, not requests: step scaling on active connections across the service."""
        scale_out = settings.connections_scale_out_above
        scaling.scale_on_metric(
            "ConnectionScaling",
            metric=self.load_balancer.metrics.active_flow_count(period=cdk.Duration.minutes(1)),
            scaling_steps=[
                appscaling.ScalingInterval(upper=settings.connections_scale_in_below, change=-1),
                appscaling.ScalingInterval(lower=scale_out, change=+1),
                appscaling.ScalingInterval(lower=2 * scale_out, change=+2),
            ],
            adjustment_type=appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
            cooldown=cdk.Duration.minutes(2),
        )
