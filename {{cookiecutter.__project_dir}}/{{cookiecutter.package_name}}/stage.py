"""One environment of the application: the only place where units meet.

Stateful resources (table, buckets, domains, warehouse) live in stacks apart from
stateless ones, so that stateless stacks can be replaced freely.
"""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from {{ cookiecutter.package_name }}.config import EnvironmentConfig{% if cookiecutter.delivery == "yes" %}, load_environments{% endif %}
{%- if cookiecutter.dax == "yes" %}
from {{ cookiecutter.package_name }}.data.dax import DaxCache
{%- endif %}
from {{ cookiecutter.package_name }}.data.infrastructure import Data
{%- if cookiecutter.delivery == "yes" %}
from {{ cookiecutter.package_name }}.delivery.infrastructure import Delivery
{%- endif %}
from {{ cookiecutter.package_name }}.network.infrastructure import Network
{%- if cookiecutter.service_tier == "yes" %}
from {{ cookiecutter.package_name }}.service.infrastructure import Service
{%- endif %}


class ApplicationStage(cdk.Stage):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, construct_id, env=config.env)
        cdk.Tags.of(self).add("environment", config.name)

        network_stack = self._stack("Network", config, "network")
        self.network = Network(network_stack, "Network", config=config)

        stateful_stack = self._stack("Stateful", config, "stateful", protect=config.retain_stateful)
        self.data = Data(stateful_stack, "Data", config=config)
{%- if cookiecutter.service_tier == "yes" %}

        service_stack = self._stack("Service", config, "service")
{%- if cookiecutter.dax == "yes" %}
        # The cache sits in the service's stack: its ingress from the tasks stays within one stack.
        self.cache = DaxCache(
            service_stack, "Dax", config=config, vpc=self.network.vpc, subnets=self.network.private_subnets,
            table=self.data.table,
        )
{%- endif %}
        self.service = Service(
            service_stack, "Service", config=config, vpc=self.network.vpc, subnets=self.network.private_subnets,
            table=self.data.table,
{%- if cookiecutter.dax == "yes" %}
            cache=self.cache,
{%- endif %}
        )
{%- endif %}
{%- if cookiecutter.delivery == "yes" %}

        if config.section("delivery").get("pipeline", False):
            # The tooling environment hosts the one pipeline that deploys every environment.
            delivery_stack = self._stack("Delivery", config, "delivery", protect=True)
            self.delivery = Delivery(delivery_stack, "Delivery", config=config, environments=load_environments())
{%- endif %}

    def _stack(self, construct_id: str, config: EnvironmentConfig, unit: str, *, protect: bool = False) -> cdk.Stack:
        return cdk.Stack(
            self,
            construct_id,
            stack_name=config.stack_name(unit),
            termination_protection=protect,
            description=f"{{ cookiecutter.project_name }} ({config.name}): {unit}",
        )
