"""Steps 9-10 with VPC link v2: REST API -> VPC link v2 -> internal ALB -> tasks.

REST APIs reach ALBs through VPC link v2 since late 2025; aws-cdk-lib has no L2 for that
pairing yet, so the method's `Integration.IntegrationTarget` (the listener) is an L1 override.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct


class AlbFrontDoor(Construct):
    """An internal ALB whose only client is the VPC link's network interfaces."""

    kind = "ALB"

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        listener_port: int,
        container_port: int,
        health_check_path: str,
        test_listener_port: int | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.listener_port = listener_port
        self.container_port = container_port
        self.link_security_group = ec2.SecurityGroup(
            self, "VpcLinkSecurityGroup", vpc=vpc, description="VPC link v2: to the ALB only", allow_all_outbound=False
        )
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, description="Service ALB: from the VPC link, to the tasks",
            allow_all_outbound=False,
        )
        ports = [listener_port] + ([test_listener_port] if test_listener_port is not None else [])
        for port in ports:
            self.link_security_group.add_egress_rule(self.security_group, ec2.Port.tcp(port), "VPC link to the ALB")
            self.security_group.add_ingress_rule(self.link_security_group, ec2.Port.tcp(port), "From the VPC link")
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            vpc_subnets=subnets,
            internet_facing=False,
            security_group=self.security_group,
            drop_invalid_header_fields=True,
        )
        self.target_group = self._target_group("Blue", vpc, health_check_path)
        self.listener = self.load_balancer.add_listener(
            "Listener", port=listener_port, protocol=elbv2.ApplicationProtocol.HTTP, open=False,
            default_target_groups=[self.target_group],
        )
        self.green_target_group: elbv2.ApplicationTargetGroup | None = None
        self.test_listener: elbv2.ApplicationListener | None = None
        if test_listener_port is not None:
            self.green_target_group = self._target_group("Green", vpc, health_check_path)
            self.test_listener = self.load_balancer.add_listener(
                "TestListener", port=test_listener_port, protocol=elbv2.ApplicationProtocol.HTTP, open=False,
                default_target_groups=[self.green_target_group],
            )
        self.vpc_link = apigatewayv2.VpcLink(
            self, "VpcLink", vpc=vpc, subnets=subnets, security_groups=[self.link_security_group]
        )
        self._link_reference = apigateway.VpcLink.from_vpc_link_id(self, "VpcLinkReference", self.vpc_link.vpc_link_id)

    def _target_group(self, name: str, vpc: ec2.IVpc, health_check_path: str) -> elbv2.ApplicationTargetGroup:
        return elbv2.ApplicationTargetGroup(
            self,
            f"{name}Targets",
            vpc=vpc,
            port=self.container_port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP,
            deregistration_delay=cdk.Duration.seconds(30),
            health_check=elbv2.HealthCheck(
                path=health_check_path,
                interval=cdk.Duration.seconds(10),
                healthy_threshold_count=2,
                unhealthy_threshold_count=2,
            ),
        )

    def alternate_target(self) -> ecs.AlternateTarget:
        """ECS native blue/green: ECS swaps the target groups of these two listener rules."""
        rules = {
            name: elbv2.ApplicationListenerRule(
                self, f"{name}Rule", listener=listener, priority=1,
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

    def allow_to(self, tasks: ec2.SecurityGroup) -> None:
        """ALB -> tasks on the container port (traffic and health checks); nothing else."""
        self.security_group.add_egress_rule(tasks, ec2.Port.tcp(self.container_port), "ALB to the tasks")
        tasks.add_ingress_rule(self.security_group, ec2.Port.tcp(self.container_port), "From the ALB")

    def integration(self, http_method: str, path: str, request_parameters: dict[str, str]) -> apigateway.Integration:
        """A private HTTP proxy integration to an exact backend path (the stage name never reaches the tasks)."""
        return apigateway.Integration(
            type=apigateway.IntegrationType.HTTP_PROXY,
            integration_http_method=http_method,
            uri=f"http://{self.load_balancer.load_balancer_dns_name}:{self.listener_port}{path}",
            options=apigateway.IntegrationOptions(
                connection_type=apigateway.ConnectionType.VPC_LINK,
                vpc_link=self._link_reference,
                request_parameters=request_parameters,
                timeout=cdk.Duration.seconds(29),
            ),
        )

    def bind_method(self, method: apigateway.Method) -> None:
        """VPC link v2 names the listener that receives the request (L1: no L2 property yet)."""
        cfn_method = method.node.default_child
        cfn_method.add_property_override("Integration.IntegrationTarget", self.listener.listener_arn)

    def scale_on_load(self, scaling: ecs.ScalableTaskCount, settings: dict) -> None:
        """Target tracking on requests per task, measured by the ALB."""
        scaling.scale_on_request_count(
            "RequestScaling",
            requests_per_target=int(settings["requests_per_task"]),
            target_group=self.target_group,
            scale_in_cooldown=cdk.Duration.minutes(2),
            scale_out_cooldown=cdk.Duration.minutes(1),
        )
