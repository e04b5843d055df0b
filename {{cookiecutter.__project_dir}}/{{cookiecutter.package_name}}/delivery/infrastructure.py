"""Steps 13-17: one CodePipeline (V2) in the tooling environment that deploys every environment.

Source -> Build (tests, synth, image to ECR tagged with the commit) -> for each environment in
config order: [manual approval] -> Deploy. A Deploy stage runs `cdk deploy` of the environment's
stacks from the tested commit with that image tag, assuming the environment's CDK bootstrap roles
(bootstrap each account with `--trust <tooling account>`): infrastructure and image reach an
environment together. The deploy actions are those of the deployment strategy (cdk_action.py, or
codedeploy_action.py for CodeDeploy blue/green). The pipeline does not mutate itself:
`cdk deploy <Stage>/Delivery` by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from {{ cookiecutter.package_name }} import compliance
from {{ cookiecutter.package_name }}.config import ConfigError, EnvironmentConfig
from {{ cookiecutter.package_name }}.delivery.{{ "codedeploy_action" if cookiecutter.__codedeploy_blue_green == "yes" else "cdk_action" }} import DEPLOY_WRITES_ARTIFACTS, DeployInputs, deploy_actions
from {{ cookiecutter.package_name }}.delivery.settings import PIPELINE_ROLE_NAME, DeliverySettings
from {{ cookiecutter.package_name }}.delivery.source_{{ cookiecutter.source }} import Source
from {{ cookiecutter.package_name }}.storage import encrypted_bucket, private_bucket

STRATEGY = "{{ cookiecutter.deployment }}"
BUILD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0
NOTIFICATION_EMAIL = "{{ cookiecutter.notification_email }}"  # empty: no notifications
BOOTSTRAP_ROLES = ("deploy", "file-publishing", "image-publishing", "lookup")
# CDK's artifact grant to the pipeline's roles: objects under the one bucket, with the one key.
ARTIFACT_GRANTS = (
    "Action::s3:Abort*",
    "Action::s3:DeleteObject*",
    "Action::s3:GetBucket*",
    "Action::s3:GetObject*",
    "Action::s3:List*",
    "Action::kms:GenerateDataKey*",
    "Action::kms:ReEncrypt*",
)
# The part of that grant that writes, which roles that only read the artifacts do not get.
ARTIFACT_WRITES = ("Action::s3:Abort*", "Action::s3:DeleteObject*")


def bootstrap_roles(environment: EnvironmentConfig) -> list[str]:
    """The CDK bootstrap roles `cdk deploy` assumes in one environment (default qualifier)."""
    return [
        f"arn:aws:iam::{environment.account}:role/cdk-hnb659fds-{role}-role-{environment.account}-{environment.region}"
        for role in BOOTSTRAP_ROLES
    ]


def pipeline_image(scope: Construct, *, settings: DeliverySettings, tag: str) -> ecs.ContainerImage:
    """The image the pipeline built into the tooling account's repository, by tag."""
    repository = ecr.Repository.from_repository_attributes(
        scope,
        "Repository",
        repository_name=settings.repository_name,
        repository_arn=(
            f"arn:aws:ecr:{settings.tooling_region}:{settings.tooling_account}:repository/{settings.repository_name}"
        ),
    )
    return ecs.ContainerImage.from_ecr_repository(repository, tag=tag)


class Delivery(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        environments: Sequence[EnvironmentConfig],
    ) -> None:
        super().__init__(scope, construct_id)
        settings = config.settings("delivery", DeliverySettings)
        elsewhere = [e.name for e in environments if e.region != config.region]
        if elsewhere:
            # Tasks pull from this region's repository through VPC endpoints, which stay in-region.
            raise ConfigError(
                f"delivery: environments {elsewhere} are not in the tooling region {config.region}; "
                "the pipeline and image repository serve one region"
            )
        retention = logs.RetentionDays[settings.log_retention]

        self.key = kms.Key(
            self,
            "ArtifactKey",
            enable_key_rotation=True,
            description="Pipeline artifacts, build output and notifications",
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        access_logs = private_bucket(
            self,
            "AccessLogs",
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(365))],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.artifacts = encrypted_bucket(
            self,
            "Artifacts",
            key=self.key,
            access_logs=access_logs,
            prefix="artifacts/",
            bucket_name=settings.artifact_bucket,
            lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=cdk.Duration.days(30))],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )

        # Step 17: the image repository every environment's tasks pull from.
        self.repository = ecr.Repository(
            self,
            "ImageRepository",
            repository_name=settings.repository_name,
            image_scan_on_push=True,
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            encryption=ecr.RepositoryEncryption.KMS,
            encryption_key=self.key,
            lifecycle_rules=[
                ecr.LifecycleRule(
                    description="Drop untagged layers",
                    tag_status=ecr.TagStatus.UNTAGGED,
                    max_image_age=cdk.Duration.days(7),
                    rule_priority=1,
                ),
                ecr.LifecycleRule(
                    description="Keep the recent releases",
                    tag_status=ecr.TagStatus.ANY,
                    max_image_count=settings.images_kept,
                    rule_priority=2,
                ),
            ],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        for account in sorted({e.account for e in environments} - {config.account}):
            self.repository.grant_pull(iam.AccountPrincipal(account))
            self.key.grant_decrypt(iam.AccountPrincipal(account))

        # Step 13: source.
        self.source = Source(self, "Source", branch=settings.source_branch)
        source_output = codepipeline.Artifact("Source")

        # Step 14: build and test.
        self.build_project = codebuild.PipelineProject(
            self,
            "Build",
            description="Tests, synthesis and the container image, tagged with the commit",
            build_spec=codebuild.BuildSpec.from_source_filename("buildspec.yml"),
            environment=codebuild.BuildEnvironment(
                build_image=BUILD_IMAGE,
                compute_type=codebuild.ComputeType[settings.build_compute],
                privileged=True,  # docker build
            ),
            environment_variables={
                "REPOSITORY_URI": codebuild.BuildEnvironmentVariable(value=self.repository.repository_uri),
                "REPOSITORY_NAME": codebuild.BuildEnvironmentVariable(value=settings.repository_name),
                "REGISTRY": codebuild.BuildEnvironmentVariable(
                    value=f"{config.account}.dkr.ecr.{config.region}.amazonaws.com"
                ),
            },
            encryption_key=self.key,
            logging=codebuild.LoggingOptions(
                cloud_watch=codebuild.CloudWatchLoggingOptions(
                    log_group=logs.LogGroup(
                        self, "BuildLogs", retention=retention, removal_policy=cdk.RemovalPolicy.DESTROY
                    ),
                )
            ),
            timeout=cdk.Duration.minutes(60),
        )
        self.repository.grant_pull_push(self.build_project)
        self.repository.grant(self.build_project, "ecr:DescribeImages")
        compliance.acknowledge(
            self.build_project.role,
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            "ecr:GetAuthorizationToken has no resource-level permissions; pushes stay scoped to the repository",
        )
        build_output = codepipeline.Artifact("Image")

        self.pipeline = codepipeline.Pipeline(
            self,
            "Pipeline",
            pipeline_name=config.stack_name("delivery"),
            role=iam.Role(
                self,
                "PipelineRole",
                role_name=PIPELINE_ROLE_NAME,
                assumed_by=iam.ServicePrincipal("codepipeline.amazonaws.com"),
            ),
            pipeline_type=codepipeline.PipelineType.V2,
            artifact_bucket=self.artifacts,
            restart_execution_on_update=False,
        )
        self.pipeline.add_stage(stage_name="Source", actions=[self.source.action(source_output)])
        self.pipeline.add_stage(
            stage_name="Build",
            actions=[
                actions.CodeBuildAction(
                    action_name="TestSynthImage",
                    project=self.build_project,
                    input=source_output,
                    outputs=[build_output],
                )
            ],
        )
        self.topic: sns.Topic | None = None
        if NOTIFICATION_EMAIL:
            self.topic = sns.Topic(
                self, "Notifications", master_key=self.key, enforce_ssl=True, display_name="Pipeline notifications"
            )
            self.topic.add_subscription(subscriptions.EmailSubscription(NOTIFICATION_EMAIL))
            self.key.grant_encrypt_decrypt(iam.ServicePrincipal("codestar-notifications.amazonaws.com"))
            self.pipeline.notify_on_any_stage_state_change("StageStateChanges", self.topic)

        # Steps 15-16: each environment in config order, with its approval gate.
        self.deploy_projects: dict[str, codebuild.PipelineProject] = {}
        for environment in environments:
            stage_actions: list[actions.Action] = []
            if environment.settings("delivery", DeliverySettings).approval:
                stage_actions.append(
                    actions.ManualApprovalAction(
                        action_name="Approve",
                        run_order=1,
                        additional_information=f"Deploy {environment.name} with the image built from this commit",
                        notification_topic=self.topic,
                    )
                )
            project = self._deploy_project(environment, retention)
            self.deploy_projects[environment.name] = project
            inputs = DeployInputs(project=project, source_output=source_output, build_output=build_output)
            stage_actions += deploy_actions(self, environment=environment, inputs=inputs)
            self.pipeline.add_stage(stage_name=f"Deploy{environment.stage_id}", actions=stage_actions)
            approval = self.pipeline.node.find_child(f"Deploy{environment.stage_id}").node.try_find_child("Approve")
            if self.topic is not None and approval is not None:
                compliance.acknowledge(
                    approval.node.find_child("CodePipelineActionRole"),
                    "AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
                    "The approval action publishes to the notification topic, which its key encrypts",
                )

        self._acknowledge_cdk_grants()
        cdk.CfnOutput(self, "PipelineName", key="PipelineName", value=self.pipeline.pipeline_name)
        cdk.CfnOutput(self, "ImageRepositoryUri", key="ImageRepositoryUri", value=self.repository.repository_uri)

    def _deploy_project(
        self, environment: EnvironmentConfig, retention: logs.RetentionDays
    ) -> codebuild.PipelineProject:
        """`cdk deploy "<Stage>/*"` into one environment through its bootstrap roles."""
        project = codebuild.PipelineProject(
            self,
            f"Deploy{environment.stage_id}",
            description=f"Deploys the {environment.name} environment",
            build_spec=codebuild.BuildSpec.from_source_filename("{{ cookiecutter.package_name }}/delivery/deployspec.yml"),
            environment=codebuild.BuildEnvironment(
                build_image=BUILD_IMAGE,
                compute_type=codebuild.ComputeType.SMALL,
            ),
            environment_variables={
                "STAGE": codebuild.BuildEnvironmentVariable(value=environment.stage_id),
                "TARGET_ACCOUNT": codebuild.BuildEnvironmentVariable(value=environment.account),
                "TARGET_REGION": codebuild.BuildEnvironmentVariable(value=environment.region),
                "SERVICE_STACK": codebuild.BuildEnvironmentVariable(value=environment.stack_name("service")),
                "STRATEGY": codebuild.BuildEnvironmentVariable(value=STRATEGY),
            },
            encryption_key=self.key,
            logging=codebuild.LoggingOptions(
                cloud_watch=codebuild.CloudWatchLoggingOptions(
                    log_group=logs.LogGroup(
                        self,
                        f"Deploy{environment.stage_id}Logs",
                        retention=retention,
                        removal_policy=cdk.RemovalPolicy.DESTROY,
                    ),
                )
            ),
            timeout=cdk.Duration.minutes(90),
        )
        project.add_to_role_policy(
            iam.PolicyStatement(
                actions=["sts:AssumeRole"],
                resources=bootstrap_roles(environment),
            )
        )
        return project

    def _acknowledge_cdk_grants(self) -> None:
        """What CDK itself grants the pipeline's and the projects' roles, named as cdk-nag reports them."""
        stack = cdk.Stack.of(self)
        artifacts = f"Resource::<{compliance.logical_id(self.artifacts)}.Arn>/*"
        source_role = self.pipeline.node.find_child("Source").node.find_child(self.source.kind)
        deployers = [p.role for p in self.deploy_projects.values()]
        writers = [self.build_project.role, self.pipeline.role, source_role.node.find_child("CodePipelineActionRole")]
        for role in [*writers, *deployers]:
            reads_only = role in deployers and not DEPLOY_WRITES_ARTIFACTS
            for finding in (*ARTIFACT_GRANTS, artifacts):
                if reads_only and finding in ARTIFACT_WRITES:
                    continue
                compliance.acknowledge(
                    role,
                    f"AwsSolutions::AwsSolutions-IAM5[{finding}]",
                    "CDK's artifact grant: objects under the pipeline's own bucket, encrypted with its own key",
                )
        for project in (self.build_project, *self.deploy_projects.values()):
            logical_id = compliance.logical_id(project)
            compliance.acknowledge(
                project.role,
                f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:logs:{stack.region}:{stack.account}:log-group:"
                f"/aws/codebuild/<{logical_id}>:*]",
                "CodeBuild's default log streams: scoped to the log group named after this project",
            )
            compliance.acknowledge(
                project.role,
                f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:codebuild:{stack.region}:{stack.account}:"
                f"report-group/<{logical_id}>-*]",
                "CodeBuild test reports: scoped to the report groups named after this project",
            )
