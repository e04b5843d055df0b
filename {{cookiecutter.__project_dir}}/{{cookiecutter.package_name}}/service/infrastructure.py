"""Steps 9-10: REST API -> VPC link -> load balancer -> Fargate service with auto scaling.

The container app is `runtime/`. It reads through DAX when a cache is given (step 11) and
reads DynamoDB directly otherwise.
{%- if cookiecutter.__delivery == "yes" %}
Deployments: {{ {"codedeploy-blue-green": "CodeDeploy blue/green (two target groups, a test listener)", "ecs-blue-green": "ECS native blue/green (two target groups, a test listener)", "rolling": "ECS rolling updates with the circuit breaker"}[cookiecutter.deployment] }}.
{%- endif %}
"""

from __future__ import annotations
{% if cookiecutter.__delivery == "no" %}
from pathlib import Path
{% endif %}
import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
{%- if cookiecutter.__delivery == "yes" %}
from aws_cdk import aws_ecr as ecr
{%- endif %}
from aws_cdk import aws_ecs as ecs
{%- if cookiecutter.__lake == "yes" %}
from aws_cdk import aws_iam as iam
{%- endif %}
from aws_cdk import aws_logs as logs
{%- if cookiecutter.__lake == "yes" %}
from aws_cdk import aws_ssm as ssm
{%- endif %}
from constructs import Construct

from {{ cookiecutter.package_name }}.config import EnvironmentConfig
{%- if cookiecutter.__dax == "yes" %}
from {{ cookiecutter.package_name }}.data.dax import DaxCache
{%- endif %}
{%- if cookiecutter.vpc_link == "v2-alb" %}
from {{ cookiecutter.package_name }}.service.alb import AlbFrontDoor as FrontDoor
{%- endif %}
from {{ cookiecutter.package_name }}.service.api import ServiceApi
{%- if cookiecutter.__delivery == "yes" and cookiecutter.deployment == "codedeploy-blue-green" %}
from {{ cookiecutter.package_name }}.service.codedeploy import BlueGreenDeployment
{%- endif %}
{%- if cookiecutter.vpc_link == "v1-nlb" %}
from {{ cookiecutter.package_name }}.service.nlb import NlbFrontDoor as FrontDoor
{%- endif %}
{%- if cookiecutter.__waf == "yes" %}
from {{ cookiecutter.package_name }}.service.waf import ApiFirewall
{%- endif %}

CONTAINER_NAME = "app"
{%- if cookiecutter.__lake == "yes" %}
LOG_ROUTER_NAME = "log-router"
# Public SSM parameter with the regional ECR URI of AWS for Fluent Bit's stable release.
FLUENT_BIT_IMAGE_PARAMETER = "/aws/service/aws-for-fluent-bit/stable"
{%- endif %}
HEALTH_PATH = "/health"
HTTPS = 443
# Resource types whose CloudFormation schema has no Tags property (cfn-lint E3002), though CDK tags them.
UNTAGGABLE_TYPES = ("AWS::ElasticLoadBalancingV2::Listener", "AWS::ApplicationAutoScaling::ScalableTarget")


def task_role_names(service_name: str) -> tuple[str, str]:
    """The fixed names of the tasks' role and execution role, which a deploy role may pass to ECS."""
    return f"{service_name}-task", f"{service_name}-execution"


class Service(Construct):
    """The Fargate service and everything in front of it.

    `user_pool_id` and `user_pool_client_id` name the pool and app client whose tokens the
    container accepts. `log_driver` replaces the default awslogs driver (e.g. FireLens to Data Firehose); the
    caller adds the log router to `task_definition` and grants `task_role` what it needs.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        table: dynamodb.ITableV2,
        user_pool_id: str,
        user_pool_client_id: str,
{%- if cookiecutter.__dax == "yes" %}
        cache: DaxCache | None = None,
{%- endif %}
        log_driver: ecs.LogDriver | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        settings = config.section("service")
        container_port = int(settings.get("container_port", 8080))

        self.security_group = ec2.SecurityGroup(
            self, "TaskSecurityGroup", vpc=vpc, description="Service tasks: from the load balancer only",
            allow_all_outbound=False,
        )
        # AWS APIs (ECR, logs, STS, S3 and DynamoDB) are reached through the VPC endpoints; the
        # gateway endpoints' prefix lists are per region and would need a lookup at synth.
        self.security_group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(HTTPS), "AWS APIs over HTTPS")

        self.front_door = FrontDoor(
            self, "FrontDoor", vpc=vpc, subnets=subnets,
            listener_port=int(settings.get("listener_port", 80)),
            container_port=container_port,
            health_check_path=HEALTH_PATH,
{%- if cookiecutter.__delivery == "yes" and cookiecutter.deployment != "rolling" %}
            test_listener_port=int(settings.get("test_listener_port", 9000)),
{%- endif %}
        )
        self.front_door.allow_to(self.security_group)

        self.cluster = ecs.Cluster(
            self, "Cluster", vpc=vpc, cluster_name=config.stack_name("service"),
            container_insights_v2=ecs.ContainerInsights.ENABLED,
        )
        self.task_definition = ecs.FargateTaskDefinition(
            self, "TaskDefinition",
            family=config.stack_name("service"),
            cpu=int(settings.get("cpu", 256)),
            memory_limit_mib=int(settings.get("memory_mib", 512)),
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.X86_64, operating_system_family=ecs.OperatingSystemFamily.LINUX
            ),
        )
        self.task_role = self.task_definition.task_role
        for role, role_name in zip(
            (self.task_role, self.task_definition.obtain_execution_role()),
            task_role_names(config.stack_name("service")),
            strict=True,
        ):
            role.node.default_child.role_name = role_name
        environment = {
            "TABLE_NAME": table.table_name,
            "AWS_DEFAULT_REGION": cdk.Stack.of(self).region,
            "PORT": str(container_port),
            "LOG_LEVEL": settings.get("log_level", "INFO"),
            # The user pool whose tokens the container verifies (items_service/identity.py).
            "USER_POOL_ID": user_pool_id,
            "USER_POOL_CLIENT_ID": user_pool_client_id,
        }
{%- if cookiecutter.__dax == "yes" %}
        if cache is not None:
            environment["DAX_ENDPOINT"] = cache.endpoint_url
            cache.allow_from(self.security_group, self.task_role)
{%- endif %}
        table.grant_read_write_data(self.task_role)
{%- if cookiecutter.__delivery == "yes" %}
        # The pipeline builds the image into the tooling account's repository and deploys with
        # `-c image_tag=<commit>`; synthesis without it names a tag that is never pushed.
        delivery = config.section("delivery")
        image_tag = str(self.node.try_get_context("image_tag") or delivery.get("initial_image_tag", "initial"))
        repository = ecr.Repository.from_repository_attributes(
            self, "Repository",
            repository_name=delivery["repository_name"],
            repository_arn=(
                f"arn:aws:ecr:{delivery['tooling_region']}:{delivery['tooling_account']}:"
                f"repository/{delivery['repository_name']}"
            ),
        )
        image = ecs.ContainerImage.from_ecr_repository(repository, tag=image_tag)
{%- else %}
        # Staged into cdk.out at synth (no Docker needed); `cdk deploy` builds and pushes it.
        image = ecs.ContainerImage.from_asset(str(Path(__file__).resolve().parent / "runtime"))
{%- endif %}
        if log_driver is None:
            log_group = logs.LogGroup(
                self, "Logs", retention=logs.RetentionDays[settings.get("log_retention", "ONE_MONTH")],
                removal_policy=cdk.RemovalPolicy.DESTROY,
            )
            log_driver = ecs.LogDrivers.aws_logs(stream_prefix="service", log_group=log_group)
        self.container = self.task_definition.add_container(
            CONTAINER_NAME,
            container_name=CONTAINER_NAME,
            image=image,
            environment=environment,
            logging=log_driver,
            port_mappings=[ecs.PortMapping(container_port=container_port, protocol=ecs.Protocol.TCP)],
            readonly_root_filesystem=True,
            stop_timeout=cdk.Duration.seconds(30),
            health_check=ecs.HealthCheck(
                command=["CMD", "python", "-m", "items_service.healthcheck"],
                interval=cdk.Duration.seconds(15),
                retries=3,
                start_period=cdk.Duration.seconds(20),
            ),
        )
        self.fargate_service = ecs.FargateService(
            self, "FargateService",
            cluster=self.cluster,
            service_name=config.stack_name("service"),
            task_definition=self.task_definition,
{%- if cookiecutter.__delivery == "yes" and cookiecutter.deployment == "codedeploy-blue-green" %}
            deployment_controller=ecs.DeploymentController(type=ecs.DeploymentControllerType.CODE_DEPLOY),
{%- elif cookiecutter.__delivery == "yes" and cookiecutter.deployment == "ecs-blue-green" %}
            deployment_strategy=ecs.DeploymentStrategy.BLUE_GREEN,
            bake_time=cdk.Duration.minutes(5),
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
{%- else %}
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
{%- endif %}
            desired_count=int(settings.get("min_tasks", 2)),
            assign_public_ip=False,
            vpc_subnets=subnets,
            security_groups=[self.security_group],
            min_healthy_percent=100,
            max_healthy_percent=200,
            health_check_grace_period=cdk.Duration.seconds(60),
            propagate_tags=ecs.PropagatedTagSource.SERVICE,
        )
        self.front_door.target_group.add_target(
            self.fargate_service.load_balancer_target(
                container_name=CONTAINER_NAME,
                container_port=container_port,
{%- if cookiecutter.__delivery == "yes" and cookiecutter.deployment == "ecs-blue-green" %}
                alternate_target=self.front_door.alternate_target(),
{%- endif %}
            )
        )
{%- if cookiecutter.__delivery == "yes" and cookiecutter.deployment == "codedeploy-blue-green" %}
        self.blue_green = BlueGreenDeployment(
            self, "BlueGreen", config=config, service=self.fargate_service, front_door=self.front_door,
        )
{%- endif %}

        scaling = self.fargate_service.auto_scale_task_count(
            min_capacity=int(settings.get("min_tasks", 2)), max_capacity=int(settings.get("max_tasks", 4))
        )
        scaling.scale_on_cpu_utilization(
            "CpuScaling",
            target_utilization_percent=int(settings.get("cpu_target_percent", 60)),
            scale_in_cooldown=cdk.Duration.minutes(2),
            scale_out_cooldown=cdk.Duration.minutes(1),
        )
        self.front_door.scale_on_load(scaling, settings)

        self.api = ServiceApi(self, "Api", config=config, front_door=self.front_door)
        self.rest_api = self.api.rest_api
{%- if cookiecutter.__waf == "yes" %}
        self.firewall = ApiFirewall(
            self, "Firewall", stage=self.rest_api.deployment_stage,
            requests_per_5_minutes=int(settings.get("waf_requests_per_5_minutes", 2000)),
            log_retention=logs.RetentionDays[settings.get("log_retention", "ONE_MONTH")],
        )
{%- endif %}
        cdk.CfnOutput(self, "RestApiUrl", key="RestApiUrl", value=self.rest_api.url)
{%- if cookiecutter.__delivery == "yes" %}
        cdk.CfnOutput(self, "ImageTag", key="ImageTag", value=image_tag,
                      description="Image the task definition was deployed with (the pipeline reads it)")
{%- endif %}
        for child in self.node.find_all():
            if isinstance(child, cdk.CfnResource) and child.cfn_resource_type in UNTAGGABLE_TYPES:
                child.add_property_deletion_override("Tags")
{%- if cookiecutter.__lake == "yes" %}

    def add_log_router(self, config: EnvironmentConfig) -> ecs.FirelensLogRouter:
        """The FireLens log router (AWS for Fluent Bit, from the regional ECR repository) that a
        `log_driver` made with `ecs.LogDrivers.firelens` needs; its own logs go to CloudWatch Logs."""
        # The image lives in an AWS-owned repository whose account differs by region (the parameter names it).
        self.task_definition.add_to_execution_role_policy(
            iam.PolicyStatement(
                actions=["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                resources=[cdk.Stack.of(self).format_arn(
                    service="ecr", region="*", account="*", resource="repository", resource_name="aws-for-fluent-bit"
                )],
            )
        )
        router_logs = logs.LogGroup(
            self, "LogRouterLogs",
            retention=logs.RetentionDays[config.section("service").get("log_retention", "ONE_MONTH")],
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
{%- endif %}
