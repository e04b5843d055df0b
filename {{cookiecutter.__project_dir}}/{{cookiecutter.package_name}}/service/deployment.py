"""Step 15 without blue/green (and without a pipeline): ECS rolling updates that the circuit breaker rolls back.

`Deployment` is also the interface of every deployment strategy (ecs_blue_green.py,
codedeploy.py): what the service asks of the front door, the options of the Fargate service
and of its load-balancer target, and what the strategy adds once the service exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from aws_cdk import aws_ecs as ecs
from constructs import Construct

from {{ cookiecutter.package_name }}.service.front_door import FrontDoor
from {{ cookiecutter.package_name }}.service.settings import ServiceSettings


@dataclass(frozen=True)
class Deployment:
    """Rolling updates: one target group, no test listener.

    `name` and `settings` are the service's, which a strategy names and sizes what it adds after.
    """

    name: str
    settings: ServiceSettings

    test_listener: ClassVar[bool] = False

    def service_options(self) -> dict[str, Any]:
        return {"circuit_breaker": ecs.DeploymentCircuitBreaker(enable=True, rollback=True)}

    def target_options(self, front_door: FrontDoor) -> dict[str, Any]:
        return {}

    def attach(self, scope: Construct, *, service: ecs.FargateService, front_door: FrontDoor) -> None:
        """What the strategy creates beside the service (nothing for rolling updates)."""
