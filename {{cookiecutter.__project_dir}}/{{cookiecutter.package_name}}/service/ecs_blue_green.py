"""Step 15 with ECS native blue/green: ECS shifts traffic to the green target group after a bake time."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ecs as ecs
from constructs import Construct

from {{ cookiecutter.package_name }} import compliance
from {{ cookiecutter.package_name }}.service import deployment
from {{ cookiecutter.package_name }}.service.front_door import FrontDoor


class Deployment(deployment.Deployment):
    """Two target groups and a test listener; the circuit breaker rolls a failed deployment back."""

    test_listener = True

    def service_options(self) -> dict[str, Any]:
        return {
            "deployment_strategy": ecs.DeploymentStrategy.BLUE_GREEN,
            "bake_time": cdk.Duration.minutes(5),
            "circuit_breaker": ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
        }

    def target_options(self, front_door: FrontDoor) -> dict[str, Any]:
        return {"alternate_target": front_door.alternate_target()}

    def attach(self, scope: Construct, *, service: ecs.FargateService, front_door: FrontDoor) -> None:
        compliance.acknowledge(
            service.node.find_child("AlternateTargetRole"),
            "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
            "AmazonECSInfrastructureRolePolicyForLoadBalancers]",
            "ECS blue/green swaps target groups with the AWS managed policy made for that infrastructure role",
        )
