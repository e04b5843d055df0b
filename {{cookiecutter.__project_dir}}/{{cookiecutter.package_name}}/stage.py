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

# Stack metadata: `make bootstrap` deploys the stack, before anything else in any environment.
DEPLOYED_WITH_BOOTSTRAP = "deployed-with-bootstrap"


class ApplicationStage(cdk.Stage):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, construct_id, env=config.env)
        cdk.Tags.of(self).add("environment", config.name)
{%- if cookiecutter.__network == "yes" %}

        from {{ cookiecutter.package_name }}.network.infrastructure import Network

        network_stack = self._stack("Network", config, "network")
        self.network = Network(network_stack, "Network", config=config)
{%- endif %}

        # The user pool holds the users: kept like the other stateful resources.
        identity_stack = self._stack("Identity", config, "identity", protect=config.retain_stateful)
        self.identity = Identity(identity_stack, "Identity", config=config)

        stateful_stack = self._stack("Stateful", config, "stateful", protect=config.retain_stateful)
        self.data = Data(stateful_stack, "Data", config=config)
{%- if cookiecutter.__lake == "yes" %}

        from {{ cookiecutter.package_name }}.analytics.lake.infrastructure import Lake, LakeStorage

        # Steps 19-21: the lake's key and buckets, and the stream, catalog and workgroup bound to them.
        # One stateful stack: every policy on the buckets stays inside it (no cross-stack wildcards).
        lake_stack = self._stack("Lake", config, "lake", protect=config.retain_stateful)
        self.lake_storage = LakeStorage(lake_stack, "Storage", config=config)
        self.lake = Lake(lake_stack, "Lake", config=config, storage=self.lake_storage)
        # The API's access/request logs could follow (their stack then depends on the Lake stack):
        #   self.lake.add_log_group_source("ApiAccessLogs", log_group=<the API's log group>, name="api")
{%- endif %}
{%- if cookiecutter.__quicksight == "yes" %}

        from {{ cookiecutter.package_name }}.analytics.bi.infrastructure import BusinessIntelligence, reader_principal

        # Steps 22 and 24: Quick Sight over the lake through Athena, with its own reader role in the lake.
        analytics_stack = self._stack("Analytics", config, "analytics")
        self.bi = BusinessIntelligence(
            analytics_stack,
            "Bi",
            config=config,
            workgroup=self.lake.workgroup.name,
            database=self.lake.names["database"],
            table=self.lake.names["table"],
            reader=self.lake.add_reader_role(
                "QuickSightReader",
                assumed_by=reader_principal(),
                description="Quick Sight's Athena data source reads the log lake with this role",
            ),
        )
{%- endif %}
{%- if cookiecutter.__saml_federation == "yes" %}

        from {{ cookiecutter.package_name }}.analytics.bi.federation import QuickSightFederation

        self.federation = QuickSightFederation(analytics_stack, "Federation", config=config)
{%- endif %}
{%- if cookiecutter.__warehouse == "yes" %}

        from {{ cookiecutter.package_name }}.analytics.warehouse.infrastructure import Warehouse, allow_zero_etl_export

        # Step 23: Redshift fed from the table by zero-ETL; the table's policy lets Redshift export it.
        warehouse_stack = self._stack("Warehouse", config, "warehouse", protect=config.retain_stateful)
        self.warehouse = Warehouse(
            warehouse_stack,
            "Warehouse",
            config=config,
            placement=self.network.private,
            vpc_cidr=config.section("network").get("cidr", "10.0.0.0/16"),
            table=self.data.table,
        )
        allow_zero_etl_export(self.data.table)
{%- endif %}
{%- if cookiecutter.__engagement == "yes" %}

        from {{ cookiecutter.package_name }}.engagement.infrastructure import Engagement

        # Step 25: messaging; its delivery and engagement events land in the lake when there is one.
        engagement_stack = self._stack("Engagement", config, "engagement")
{%- if cookiecutter.__engagement_events == "yes" %}
        events = self.lake.add_event_stream("MessagingEvents", name="messaging", prefix=Engagement.EVENTS_PREFIX)
{%- else %}
        events = None
{%- endif %}
        self.engagement = Engagement(engagement_stack, "Engagement", config=config, events_stream=events)
{%- endif %}
{%- if cookiecutter.__engagement_events == "yes" %}
        events.grant_put_records(self.engagement.events_role)
{%- endif %}
{%- if cookiecutter.__service == "yes" %}

        from {{ cookiecutter.package_name }}.service.infrastructure import Service

        service_stack = self._stack("Service", config, "service")
{%- if cookiecutter.__delivery == "yes" %}
        from {{ cookiecutter.package_name }}.delivery.infrastructure import pipeline_image
        from {{ cookiecutter.package_name }}.delivery.settings import DeliverySettings

        # The image the pipeline built (`-c image_tag=<commit>`); synthesis without it names one never pushed.
        delivery = config.settings("delivery", DeliverySettings)
        image_tag = str(self.node.try_get_context("image_tag") or delivery.initial_image_tag)
        image = pipeline_image(service_stack, settings=delivery, tag=image_tag)
{%- else %}
        image_tag, image = None, None  # the service builds its runtime/ as a CDK asset
{%- endif %}
        self.service = Service(
            service_stack,
            "Service",
            config=config,
            placement=self.network.private,
            table_name=self.data.table.table_name,
            user_pool_id=self.identity.user_pool.user_pool_id,
            user_pool_client_id=self.identity.user_pool_client.user_pool_client_id,
            image=image,
            image_tag=image_tag,
{%- if cookiecutter.__lake == "yes" %}
            # Step 19: the app's JSON log lines (analytics/lake/log_schema.py) go through FireLens to the lake.
            firelens_options=self.lake.firelens_options(),
{%- endif %}
        )
{%- if cookiecutter.__dax == "yes" %}

        from {{ cookiecutter.package_name }}.data.dax import DaxCache

        # The cache sits in the service's stack: its ingress from the tasks stays within one stack.
        self.cache = DaxCache(
            service_stack,
            "Dax",
            config=config,
            placement=self.network.private,
            table_arn=self.data.table.table_arn,
        )
        self.service.read_through(self.cache.endpoint_url)
        self.cache.allow_from(self.service.security_group, self.service.task_role)
{%- endif %}
        self.data.table.grant_read_write_data(self.service.task_role)
{%- if cookiecutter.__waf == "yes" %}

        from aws_cdk import aws_logs as logs

        from {{ cookiecutter.package_name }}.service.waf import ApiFirewall

        self.firewall = ApiFirewall(
            self.service,
            "Firewall",
            stage=self.service.rest_api.deployment_stage,
            requests_per_5_minutes=self.service.settings.waf_requests_per_5_minutes,
            log_retention=logs.RetentionDays[self.service.settings.log_retention],
        )
{%- else %}
        self.service.accept_without_firewall()
{%- endif %}
{%- if cookiecutter.__lake == "yes" %}
        self.lake.grant_log_delivery(self.service.task_role)
{%- endif %}
{%- endif %}
{%- if cookiecutter.__codedeploy_blue_green == "yes" %}

        from {{ cookiecutter.package_name }}.delivery.settings import pipeline_role_arn
        from {{ cookiecutter.package_name }}.service.codedeploy import PipelineDeployRole

        # The pipeline's CodeDeploy action role: CodePipeline checks at CreatePipeline that it can assume
        # it, so it exists before the pipeline, with `make bootstrap`, and names the service's resources.
        access_stack = self._stack("PipelineAccess", config, "pipeline-access")
        access_stack.node.add_metadata(DEPLOYED_WITH_BOOTSTRAP, True)
        self.pipeline_deploy_role = PipelineDeployRole(
            access_stack,
            "PipelineDeployRole",
            service_name=config.stack_name("service"),
            tooling_account=delivery.tooling_account,
            tooling_region=delivery.tooling_region,
            artifact_bucket=delivery.artifact_bucket,
            pipeline_role_arn=pipeline_role_arn(delivery.tooling_account),
        )
{%- endif %}
{%- if cookiecutter.__delivery == "yes" %}

        from {{ cookiecutter.package_name }}.config import load_environments
        from {{ cookiecutter.package_name }}.delivery.infrastructure import Delivery

        if delivery.pipeline:
            # The tooling environment hosts the one pipeline that deploys every environment.
            delivery_stack = self._stack("Delivery", config, "delivery", protect=True)
            self.delivery = Delivery(delivery_stack, "Delivery", config=config, environments=load_environments())
{%- endif %}
{%- if cookiecutter.__search == "yes" %}

        from {{ cookiecutter.package_name }}.search.infrastructure import Search

        search_stack = self._stack("Search", config, "search", protect=config.retain_stateful)
        self.search = Search(search_stack, "Search", config=config, table=self.data.table)
{%- endif %}

        # The REST API of the service tier, for the HTTP resolver and the signed-in users' access.
        rest_api = {{ "self.service.rest_api" if cookiecutter.__service == "yes" else "None" }}
        api_stack = self._stack("Api", config, "api")
        self.api = Api(
            api_stack,
            "Api",
            config=config,
            user_pool=self.identity.user_pool,
            table=self.data.table,
            search={{ "self.search.backend" if cookiecutter.__search == "yes" else "None" }},
            rest_api=rest_api,
        )
        # Signed-in users may call exactly the API's fields (and the REST API's methods).
        self.api.grant_signed_in_users(self.identity.authenticated_role)

    def _stack(self, construct_id: str, config: EnvironmentConfig, unit: str, *, protect: bool = False) -> cdk.Stack:
        return cdk.Stack(
            self,
            construct_id,
            stack_name=config.stack_name(unit),
            termination_protection=protect,
            description=f"{{ cookiecutter.project_name }} ({config.name}): {unit}",
        )
