"""One environment of the application: the only place where units meet.

Stateful resources (table, buckets, domains, warehouse) live in stacks apart from
stateless ones, so that stateless stacks can be replaced freely.
"""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from {{ cookiecutter.package_name }}.api.infrastructure import Api
from {{ cookiecutter.package_name }}.config import EnvironmentConfig
from {{ cookiecutter.package_name }}.data.infrastructure import Data
from {{ cookiecutter.package_name }}.identity.infrastructure import Identity
from {{ cookiecutter.package_name }}.network.infrastructure import Network
{%- if cookiecutter.search == "yes" %}
from {{ cookiecutter.package_name }}.search.infrastructure import Search
{%- endif %}


class ApplicationStage(cdk.Stage):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, construct_id, env=config.env)
        cdk.Tags.of(self).add("environment", config.name)

        network_stack = self._stack("Network", config, "network")
        self.network = Network(network_stack, "Network", config=config)

        stateful_stack = self._stack("Stateful", config, "stateful", protect=config.retain_stateful)
        self.data = Data(stateful_stack, "Data", config=config)

        # The user pool holds the users: kept like the other stateful resources.
        identity_stack = self._stack("Identity", config, "identity", protect=config.retain_stateful)
        self.identity = Identity(identity_stack, "Identity", config=config)
{%- if cookiecutter.search == "yes" %}

        search_stack = self._stack("Search", config, "search", protect=config.retain_stateful)
        self.search = Search(search_stack, "Search", config=config, table=self.data.table)
{%- endif %}

        # The REST API of the service tier, for the HTTP resolver and the signed-in users' access.
        rest_api = None
{%- if cookiecutter.service_tier == "yes" %}
        # rest_api = self.service.rest_api  (connected once the service unit is in this stage)
{%- endif %}
        api_stack = self._stack("Api", config, "api")
        self.api = Api(
            api_stack,
            "Api",
            config=config,
            user_pool=self.identity.user_pool,
            authenticated_role=self.identity.authenticated_role,
            table=self.data.table,
            search={{ "self.search.backend" if cookiecutter.search == "yes" else "None" }},
            rest_api=rest_api,
        )

    def _stack(self, construct_id: str, config: EnvironmentConfig, unit: str, *, protect: bool = False) -> cdk.Stack:
        return cdk.Stack(
            self,
            construct_id,
            stack_name=config.stack_name(unit),
            termination_protection=protect,
            description=f"{{ cookiecutter.project_name }} ({config.name}): {unit}",
        )
