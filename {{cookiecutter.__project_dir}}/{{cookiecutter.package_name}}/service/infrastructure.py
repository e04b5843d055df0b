"""Steps 9-10: REST API -> VPC link -> load balancer -> Fargate service with auto scaling.

The container app is `runtime/`. It reads through DAX when given one (step 11)
and reads DynamoDB directly otherwise. The front door (front_door_alb.py or front_door_nlb.py)
and the deployment strategy (deployment.py: rolling; ecs_blue_green.py or codedeploy.py) are
the modules the project keeps.
The service receives values (table name, cache endpoint, image); `stage.py` grants it the table
and opens the cache to it.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from {{ cookiecutter.package_name }} import compliance
from {{ cookiecutter.package_name }}.config import EnvironmentConfig
from {{ cookiecutter.package_name }}.networking import Placement, closed_security_group
from {{ cookiecutter.package_name }}.service.api import ServiceApi
from {{ cookiecutter.package_name }}.service.{{ "codedeploy" if cookiecutter.__codedeploy_blue_green == "yes" else "ecs_blue_green" if cookiecutter.__ecs_blue_green == "yes" else "deployment" }} import Deployment
from {{ cookiecutter.package_name }}.service.{{ "front_door_nlb" if cookiecutter.__vpc_link_v1 == "yes" else "front_door_alb" }} import FrontDoor
from {{ cookiecutter.package_name }}.service.settings import ServiceSettings, task_role_names

CONTAINER_NAME = "app"
LOG_ROUTER_NAME = "log-router"
# Public SSM parameter with the regional ECR URI of AWS for Fluent Bit's stable release.
FLUENT_BIT_IMAGE_PARAMETER = "/aws/service/aws-for-fluent-bit/stable"
HEALTH_PATH = "/health"
HTTPS = 443
RUNTIME = Path(__file__).resolve().parent / "runtime"
# Resource types whose CloudFormation schema has no Tags property (cfn-lint E3002), though CDK tags them.
UNTAGGABLE_TYPES = ("AWS::ElasticLoadBalancingV2::Listener", "AWS::ApplicationAutoScaling::ScalableTarget")


class Service(Construct):
    """The Fargate service and everything in front of it.

    `table_name` is the table the app serves (`read_through` a DAX cluster in front of it).
    `image` is the container the tasks run, tagged `image_tag` (reported as an
    output); without one, `runtime/` is built as a CDK asset at deploy. `user_pool_id` and
    `user_pool_client_id` name the pool and app client whose tokens the container accepts.
    `firelens_options` send the app's logs through a FireLens log router (e.g. to Data Firehose)
    instead of CloudWatch Logs; the caller grants `task_role` what that destination needs.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        placement: Placement,
        table_name: str,
        user_pool_id: str,
        user_pool_client_id: str,
        image: ecs.ContainerImage | None = None,
        image_tag: str | None = None,
        firelens_options: dict[str, str] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.settings = settings = config.settings("service", ServiceSettings)
        self.name = name = config.stack_name("service")
        deployment = Deployment(name=name, settings=settings)

        self.security_group = closed_security_group(
            self, "TaskSecurityGroup", vpc=placement.vpc, description="Service tasks: from the load balancer only"
        )
        # AWS APIs (ECR, logs, STS, S3 and DynamoDB) are reached through the VPC endpoints; the
        # gateway endpoints' prefix lists are per region and would need a lookup at synth.
        self.security_group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(HTTPS), "AWS APIs over HTTPS")

        self.front_door = FrontDoor(
            self,
            "FrontDoor",
            vpc=placement.vpc,
            subnets=placement.subnets,
            listener_port=settings.listener_port,
            container_port=settings.container_port,
            health_check_path=HEALTH_PATH,
            test_listener_port=settings.test_listener_port if deployment.test_listener else None,
        )
        self.front_door.allow_to(self.security_group)

        self.cluster = ecs.Cluster(
            self, "Cluster", vpc=placement.vpc, cluster_name=name, container_insights_v2=ecs.ContainerInsights.ENABLED
        )
        self.task_definition = ecs.FargateTaskDefinition(
            self,
            "TaskDefinition",
            family=name,
            cpu=settings.cpu,
            memory_limit_mib=settings.memory_mib,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.X86_64, operating_system_family=ecs.OperatingSystemFamily.LINUX
            ),
        )
        compliance.acknowledge(
            self.task_definition,
            "AwsSolutions::AwsSolutions-ECS2",
            "Environment variables carry only non-secret settings: table name, DAX endpoint, port and log level",
        )
        self.task_role = self.task_definition.task_role
        execution_role = self.task_definition.obtain_execution_role()
        for role, role_name in zip((self.task_role, execution_role), task_role_names(name), strict=True):
            role.node.default_child.role_name = role_name
        compliance.acknowledge(
            execution_role,
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            "ecr:GetAuthorizationToken has no resource-level permissions; image pulls stay scoped to the repository",
        )
        environment = {
            "TABLE_NAME": table_name,
            "AWS_DEFAULT_REGION": cdk.Stack.of(self).region,
            "PORT": str(settings.container_port),
            "LOG_LEVEL": settings.log_level,
            # The user pool whose tokens the container verifies (items_service/identity.py).
            "USER_POOL_ID": user_pool_id,
            "USER_POOL_CLIENT_ID": user_pool_client_id,
        }
        if image is None:
            # Staged into cdk.out at synth (no Docker needed); `cdk deploy` builds and pushes it.
            image = ecs.ContainerImage.from_asset(str(RUNTIME))
        if firelens_options is not None:
            log_driver = ecs.LogDrivers.firelens(options=firelens_options)
        else:
            log_group = logs.LogGroup(
                self,
                "Logs",
                retention=logs.RetentionDays[settings.log_retention],
                removal_policy=cdk.RemovalPolicy.DESTROY,
            )
            log_driver = ecs.LogDrivers.aws_logs(stream_prefix="service", log_group=log_group)
        self.container = self.task_definition.add_container(
            CONTAINER_NAME,
            container_name=CONTAINER_NAME,
            image=image,
            environment=environment,
            logging=log_driver,
            port_mappings=[ecs.PortMapping(container_port=settings.container_port, protocol=ecs.Protocol.TCP)],
            readonly_root_filesystem=True,
            stop_timeout=cdk.Duration.seconds(30),
            health_check=ecs.HealthCheck(
                command=["CMD", "python", "-m", "items_service.healthcheck"],
                interval=cdk.Duration.seconds(15),
                retries=3,
                start_period=cdk.Duration.seconds(20),
            ),
        )
        if firelens_options is not None:
            self._add_log_router()
        self.fargate_service = ecs.FargateService(
            self,
            "FargateService",
            cluster=self.cluster,
            service_name=name,
            task_definition=self.task_definition,
            desired_count=settings.min_tasks,
            assign_public_ip=False,
            vpc_subnets=placement.subnets,
            security_groups=[self.security_group],
            min_healthy_percent=100,
            max_healthy_percent=200,
            health_check_grace_period=cdk.Duration.seconds(60),
            propagate_tags=ecs.PropagatedTagSource.SERVICE,
            **deployment.service_options(),
        )
        self.front_door.target_group.add_target(
            self.fargate_service.load_balancer_target(
                container_name=CONTAINER_NAME,
                container_port=settings.container_port,
                **deployment.target_options(self.front_door),
            )
        )
        deployment.attach(self, service=self.fargate_service, front_door=self.front_door)

        scaling = self.fargate_service.auto_scale_task_count(
            min_capacity=settings.min_tasks, max_capacity=settings.max_tasks
        )
        scaling.scale_on_cpu_utilization(
            "CpuScaling",
            target_utilization_percent=settings.cpu_target_percent,
            scale_in_cooldown=cdk.Duration.minutes(2),
            scale_out_cooldown=cdk.Duration.minutes(1),
        )
        self.front_door.scale_on_load(scaling, settings)

        self.api = ServiceApi(self, "Api", name=name, settings=settings, front_door=self.front_door)
        self.rest_api = self.api.rest_api
        cdk.CfnOutput(self, "RestApiUrl", key="RestApiUrl", value=self.rest_api.url)
        if image_tag is not None:
            cdk.CfnOutput(
                self,
                "ImageTag",
                key="ImageTag",
                value=image_tag,
                description="Image the task definition was deployed with (the pipeline reads it)",
            )
        for child in self.node.find_all():
            if isinstance(child, cdk.CfnResource) and child.cfn_resource_type in UNTAGGABLE_TYPES:
                child.add_property_deletion_override("Tags")

    def read_through(self, cache_endpoint: str) -> None:
        """The app reads the table through the DAX cluster at `cache_endpoint` (its discovery URL); the
        caller opens the cluster to `security_group` and `task_role`."""
        self.container.add_environment("DAX_ENDPOINT", cache_endpoint)

    def accept_without_firewall(self) -> None:
        """The REST API has no AWS WAF web ACL: the project was generated with api_waf=no."""
        compliance.acknowledge(
            self.rest_api,
            "AwsSolutions::AwsSolutions-APIG3",
            "The project was generated with api_waf=no: IAM authorization and stage throttling guard the API instead",
        )

    def _add_log_router(self) -> ecs.FirelensLogRouter:
        """The FireLens log router (AWS for Fluent Bit, from the regional ECR repository) the app's
        log driver sends to; its own logs go to CloudWatch Logs."""
        # The image lives in an AWS-owned repository whose account differs by region (the parameter names it).
        repository = cdk.Stack.of(self).format_arn(
            service="ecr", region="*", account="*", resource="repository", resource_name="aws-for-fluent-bit"
        )
        self.task_definition.add_to_execution_role_policy(
            iam.PolicyStatement(
                actions=["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                resources=[repository],
            )
        )
        compliance.acknowledge(
            self.task_definition.obtain_execution_role(),
            f"AwsSolutions::AwsSolutions-IAM5[Resource::{cdk.Stack.of(self).resolve(repository)}]",
            "the FireLens router image is pulled from the AWS-owned aws-for-fluent-bit repository, "
            "whose account differs by region",
        )
        router_logs = logs.LogGroup(
            self,
            "LogRouterLogs",
            retention=logs.RetentionDays[self.settings.log_retention],
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        return self.task_definition.add_firelens_log_router(
            "LogRouter",
            container_name=LOG_ROUTER_NAME,
            image=ecs.ContainerImage.from_registry(
                ssm.StringParameter.value_for_string_parameter(self, FLUENT_BIT_IMAGE_PARAMETER)
            ),
            firelens_config=ecs.FirelensConfig(type=ecs.FirelensLogRouterType.FLUENTBIT),
            logging=ecs.LogDrivers.aws_logs(stream_prefix=LOG_ROUTER_NAME, log_group=router_logs),
            memory_reservation_mib=50,
            essential=True,
        )
