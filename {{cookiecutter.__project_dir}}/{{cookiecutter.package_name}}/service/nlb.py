"""Steps 9-10 as the seed draws them: REST API -> VPC link v1 (PrivateLink) -> internal NLB -> tasks."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct


class NlbFrontDoor(Construct):
    """An internal NLB with one listener port for the service, reached by API Gateway through VPC link v1.

    VPC link v1 is an endpoint service on the NLB: its traffic arrives over PrivateLink, which the
    NLB's security group does not filter (enforcement is off for PrivateLink traffic only), so the
    group has no ingress at all; its only egress is to the tasks on their port.
    """

    kind = "NLB"

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
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, description="Service NLB: to the tasks only", allow_all_outbound=False
        )
        self.load_balancer = elbv2.NetworkLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            vpc_subnets=subnets,
            internet_facing=False,
            cross_zone_enabled=True,
            security_groups=[self.security_group],
            enforce_security_group_inbound_rules_on_private_link_traffic=False,
        )
        self.target_group = self._target_group("Blue", vpc, health_check_path)
        self.listener = self.load_balancer.add_listener(
            "Listener", port=listener_port, protocol=elbv2.Protocol.TCP, default_target_groups=[self.target_group]
        )
        self.green_target_group: elbv2.NetworkTargetGroup | None = None
        self.test_listener: elbv2.NetworkListener | None = None
        if test_listener_port is not None:
            self.green_target_group = self._target_group("Green", vpc, health_check_path)
            self.test_listener = self.load_balancer.add_listener(
                "TestListener",
                port=test_listener_port,
                protocol=elbv2.Protocol.TCP,
                default_target_groups=[self.green_target_group],
            )
        self.vpc_link = apigateway.VpcLink(self, "VpcLink", targets=[self.load_balancer])

    def _target_group(self, name: str, vpc: ec2.IVpc, health_check_path: str) -> elbv2.NetworkTargetGroup:
        return elbv2.NetworkTargetGroup(
            self,
            f"{name}Targets",
            vpc=vpc,
            port=self.container_port,
            protocol=elbv2.Protocol.TCP,
            target_type=elbv2.TargetType.IP,
            deregistration_delay=cdk.Duration.seconds(30),
            health_check=elbv2.HealthCheck(
                protocol=elbv2.Protocol.HTTP,
                path=health_check_path,
                interval=cdk.Duration.seconds(10),
                healthy_threshold_count=2,
                unhealthy_threshold_count=2,
            ),
        )

    def alternate_target(self) -> ecs.AlternateTarget:
        """ECS native blue/green: the green target group behind the production and test listeners."""
        return ecs.AlternateTarget(
            "AlternateTarget",
            alternate_target_group=self.green_target_group,
            production_listener=ecs.ListenerRuleConfiguration.network_listener(self.listener),
            test_listener=ecs.ListenerRuleConfiguration.network_listener(self.test_listener),
        )

    def unhealthy_targets(self, target_group: elbv2.NetworkTargetGroup) -> cloudwatch.Metric:
        return target_group.metrics.un_healthy_host_count(period=cdk.Duration.minutes(1))

    def allow_to(self, tasks: ec2.SecurityGroup) -> None:
        """NLB -> tasks on the container port (traffic and health checks); nothing else."""
        self.security_group.add_egress_rule(tasks, ec2.Port.tcp(self.container_port), "NLB to the tasks")
        tasks.add_ingress_rule(self.security_group, ec2.Port.tcp(self.container_port), "From the NLB")

    def integration(self, http_method: str, path: str, request_parameters: dict[str, str]) -> apigateway.Integration:
        """A private HTTP proxy integration to an exact backend path (the stage name never reaches the tasks)."""
        return apigateway.Integration(
            type=apigateway.IntegrationType.HTTP_PROXY,
            integration_http_method=http_method,
            uri=f"http://{self.load_balancer.load_balancer_dns_name}:{self.listener_port}{path}",
            options=apigateway.IntegrationOptions(
                connection_type=apigateway.ConnectionType.VPC_LINK,
                vpc_link=self.vpc_link,
                request_parameters=request_parameters,
                timeout=cdk.Duration.seconds(29),
            ),
        )

    def bind_method(self, method: apigateway.Method) -> None:
        """VPC link v1 needs nothing beyond the integration itself."""

    def scale_on_load(self, scaling: ecs.ScalableTaskCount, settings: dict) -> None:
        """NLBs report flows, not requests: step scaling on active connections across the service."""
        scaling.scale_on_metric(
            "ConnectionScaling",
            metric=self.load_balancer.metrics.active_flow_count(period=cdk.Duration.minutes(1)),
            scaling_steps=[
                appscaling.ScalingInterval(upper=int(settings["connections_scale_in_below"]), change=-1),
                appscaling.ScalingInterval(lower=int(settings["connections_scale_out_above"]), change=+1),
                appscaling.ScalingInterval(lower=2 * int(settings["connections_scale_out_above"]), change=+2),
            ],
            adjustment_type=appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
            cooldown=cdk.Duration.minutes(2),
        )
