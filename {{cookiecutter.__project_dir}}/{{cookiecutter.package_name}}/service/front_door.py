"""The load balancer between API Gateway's VPC link and the tasks: what the service and its API use.

A variant (front_door_alb.py, front_door_nlb.py) supplies the load balancer, its listeners and target groups, the VPC
link and how the service scales on load; the blue (and, for blue/green, green) target groups, the
test listener, the integration and the path to the tasks are the same for both.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct

from {{ cookiecutter.package_name }} import compliance
from {{ cookiecutter.package_name }}.service.settings import ServiceSettings


class FrontDoor(Construct):
    kind = ""  # "ALB" or "NLB": names the security group rules
    access_logs_reason = ""  # why the load balancer writes no access logs (cdk-nag ELB2)

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
        self.health_check_path = health_check_path
        ports = [listener_port] + ([test_listener_port] if test_listener_port is not None else [])
        self.load_balancer = self._load_balancer(vpc, subnets, ports)
        compliance.acknowledge(self.load_balancer, "AwsSolutions::AwsSolutions-ELB2", self.access_logs_reason)
        self.target_group = self._target_group("BlueTargets", vpc)
        self.listener = self._listener("Listener", listener_port, self.target_group)
        self.green_target_group: elbv2.ITargetGroup | None = None
        self.test_listener: elbv2.BaseListener | None = None
        if test_listener_port is not None:
            self.green_target_group = self._target_group("GreenTargets", vpc)
            self.test_listener = self._listener("TestListener", test_listener_port, self.green_target_group)
        self.integration_link = self._vpc_link(vpc, subnets)

    # ----------------------------------------------------------------- what a variant supplies

    def _load_balancer(self, vpc: ec2.IVpc, subnets: ec2.SubnetSelection, ports: list[int]) -> elbv2.BaseLoadBalancer:
        """The internal load balancer and `self.security_group`, reachable from the VPC link on `ports`."""
        raise NotImplementedError

    def _new_target_group(self, construct_id: str, health_check: dict[str, Any], **common: Any) -> elbv2.ITargetGroup:
        raise NotImplementedError

    def _listener(self, construct_id: str, port: int, target_group: elbv2.ITargetGroup) -> elbv2.BaseListener:
        raise NotImplementedError

    def _vpc_link(self, vpc: ec2.IVpc, subnets: ec2.SubnetSelection) -> apigateway.IVpcLink:
        raise NotImplementedError

    def alternate_target(self) -> ecs.AlternateTarget:
        """ECS native blue/green: the green target group behind the production and test listeners."""
        raise NotImplementedError

    def unhealthy_targets(self, target_group: elbv2.ITargetGroup) -> cloudwatch.Metric:
        raise NotImplementedError

    def bind_method(self, method: apigateway.Method) -> None:
        """What a REST API method needs beyond its integration (nothing by default)."""

    def scale_on_load(self, scaling: ecs.ScalableTaskCount, settings: ServiceSettings) -> None:
        raise NotImplementedError

    # ----------------------------------------------------------------- the same for every variant

    def _target_group(self, construct_id: str, vpc: ec2.IVpc) -> elbv2.ITargetGroup:
        return self._new_target_group(
            construct_id,
            health_check={
                "path": self.health_check_path,
                "interval": cdk.Duration.seconds(10),
                "healthy_threshold_count": 2,
                "unhealthy_threshold_count": 2,
            },
            vpc=vpc,
            port=self.container_port,
            target_type=elbv2.TargetType.IP,
            deregistration_delay=cdk.Duration.seconds(30),
        )

    def allow_to(self, tasks: ec2.SecurityGroup) -> None:
        """Load balancer -> tasks on the container port (traffic and health checks); nothing else."""
        port = ec2.Port.tcp(self.container_port)
        self.security_group.add_egress_rule(tasks, port, f"{self.kind} to the tasks")
        tasks.add_ingress_rule(self.security_group, port, f"From the {self.kind}")

    def integration(self, http_method: str, path: str, request_parameters: dict[str, str]) -> apigateway.Integration:
        """A private HTTP proxy integration to an exact backend path (the stage name never reaches the tasks)."""
        return apigateway.Integration(
            type=apigateway.IntegrationType.HTTP_PROXY,
            integration_http_method=http_method,
            uri=f"http://{self.load_balancer.load_balancer_dns_name}:{self.listener_port}{path}",
            options=apigateway.IntegrationOptions(
                connection_type=apigateway.ConnectionType.VPC_LINK,
                vpc_link=self.integration_link,
                request_parameters=request_parameters,
                timeout=cdk.Duration.seconds(29),
            ),
        )
