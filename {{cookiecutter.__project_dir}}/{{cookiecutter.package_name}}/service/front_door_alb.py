"""Steps 9-10 with VPC link v2: REST API -> VPC link v2 -> internal ALB -> tasks.

REST APIs reach ALBs through VPC link v2 since late 2025; aws-cdk-lib has no L2 for that
pairing yet, so the method's `Integration.IntegrationTarget` (the listener) is an L1 override.
The ALB's only client is the VPC link's network interfaces.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2

from {{ cookiecutter.package_name }}.networking import closed_security_group
from {{ cookiecutter.package_name }}.service import front_door
from {{ cookiecutter.package_name }}.service.settings import ServiceSettings


class FrontDoor(front_door.FrontDoor):
    kind = "ALB"
    access_logs_reason = (
        "The internal ALB is reached only through the VPC link; API Gateway access logs record every request"
    )

    def _load_balancer(self, vpc: ec2.IVpc, subnets: ec2.SubnetSelection, ports: list[int]) -> elbv2.BaseLoadBalancer:
        self.link_security_group = closed_security_group(
            self, "VpcLinkSecurityGroup", vpc=vpc, description="VPC link v2: to the ALB only"
        )
        self.security_group = closed_security_group(
            self, "SecurityGroup", vpc=vpc, description="Service ALB: from the VPC link, to the tasks"
        )
        for port in ports:
            self.link_security_group.add_egress_rule(self.security_group, ec2.Port.tcp(port), "VPC link to the ALB")
            self.security_group.add_ingress_rule(self.link_security_group, ec2.Port.tcp(port), "From the VPC link")
        return elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            vpc_subnets=subnets,
            internet_facing=False,
            security_group=self.security_group,
            drop_invalid_header_fields=True,
        )

    def _new_target_group(self, construct_id: str, health_check: dict[str, Any], **common: Any) -> elbv2.ITargetGroup:
        return elbv2.ApplicationTargetGroup(
            self,
            construct_id,
            protocol=elbv2.ApplicationProtocol.HTTP,
            health_check=elbv2.HealthCheck(**health_check),
            **common,
        )

    def _listener(self, construct_id: str, port: int, target_group: elbv2.ITargetGroup) -> elbv2.BaseListener:
        return self.load_balancer.add_listener(
            construct_id,
            port=port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            open=False,
            default_target_groups=[target_group],
        )

    def _vpc_link(self, vpc: ec2.IVpc, subnets: ec2.SubnetSelection) -> apigateway.IVpcLink:
        self.vpc_link = apigatewayv2.VpcLink(
            self, "VpcLink", vpc=vpc, subnets=subnets, security_groups=[self.link_security_group]
        )
        return apigateway.VpcLink.from_vpc_link_id(self, "VpcLinkReference", self.vpc_link.vpc_link_id)

    def alternate_target(self) -> ecs.AlternateTarget:
        """ECS native blue/green: ECS swaps the target groups of these two listener rules."""
        rules = {
            name: elbv2.ApplicationListenerRule(
                self,
                f"{name}Rule",
                listener=listener,
                priority=1,
                conditions=[elbv2.ListenerCondition.path_patterns(["/*"])],
                action=elbv2.ListenerAction.forward([self.target_group]),
            )
            for name, listener in (("Production", self.listener), ("Test", self.test_listener))
        }
        return ecs.AlternateTarget(
            "AlternateTarget",
            alternate_target_group=self.green_target_group,
            production_listener=ecs.ListenerRuleConfiguration.application_listener_rule(rules["Production"]),
            test_listener=ecs.ListenerRuleConfiguration.application_listener_rule(rules["Test"]),
        )

    def unhealthy_targets(self, target_group: elbv2.ApplicationTargetGroup) -> cloudwatch.Metric:
        return target_group.metrics.unhealthy_host_count(period=cdk.Duration.minutes(1))

    def bind_method(self, method: apigateway.Method) -> None:
        """VPC link v2 names the listener that receives the request (L1: no L2 property yet)."""
        cfn_method = method.node.default_child
        cfn_method.add_property_override("Integration.IntegrationTarget", self.listener.listener_arn)

    def scale_on_load(self, scaling: ecs.ScalableTaskCount, settings: ServiceSettings) -> None:
        """Target tracking on requests per task, measured by the ALB."""
        scaling.scale_on_request_count(
            "RequestScaling",
            requests_per_target=settings.requests_per_task,
            target_group=self.target_group,
            scale_in_cooldown=cdk.Duration.minutes(2),
            scale_out_cooldown=cdk.Duration.minutes(1),
        )
