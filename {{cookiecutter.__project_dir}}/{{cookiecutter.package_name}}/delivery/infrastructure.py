"""Steps 13-17: one CodePipeline (V2) in the tooling environment that deploys every environment.

Source -> Build (tests, synth, image to ECR tagged with the commit) -> for each environment in
config order: [manual approval] -> Deploy. A Deploy stage runs `cdk deploy` of the environment's
stacks from the tested commit with that image tag, assuming the environment's CDK bootstrap roles
(bootstrap each account with `--trust <tooling account>`): infrastructure and image reach an
environment together. The pipeline does not mutate itself: `cdk deploy <Stage>/Delivery` by hand.
{%- if cookiecutter.deployment == "codedeploy-blue-green" %}
With CodeDeploy blue/green, CloudFormation may not replace the task definition of the running
service, so `cdk deploy` keeps the deployed image and CodeDeploy then shifts traffic to the new one.
{%- endif %}
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
{%- if cookiecutter.deployment == "codedeploy-blue-green" %}
from aws_cdk import aws_codedeploy as codedeploy
{%- endif %}
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
{%- if cookiecutter.notification_email %}
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
{%- endif %}
from constructs import Construct

from {{ cookiecutter.package_name }}.config import ConfigError, EnvironmentConfig
from {{ cookiecutter.package_name }}.delivery.source_{{ cookiecutter.source }} import Source

STRATEGY = "{{ cookiecutter.deployment }}"
BUILD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0
{%- if cookiecutter.notification_email %}
NOTIFICATION_EMAIL = "{{ cookiecutter.notification_email }}"
{%- endif %}


BOOTSTRAP_ROLES = ("deploy", "file-publishing", "image-publishing", "lookup")


def bootstrap_roles(environment: EnvironmentConfig) -> list[str]:
    """The CDK bootstrap roles `cdk deploy` assumes in one environment (default qualifier)."""
    return [
        f"arn:aws:iam::{environment.account}:role/cdk-hnb659fds-{role}-role-{environment.account}-{environment.region}"
        for role in BOOTSTRAP_ROLES
    ]


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
        settings = config.section("delivery")
        elsewhere = [e.name for e in environments if e.region != config.region]
        if elsewhere:
            # Tasks pull from this region's repository through VPC endpoints, which stay in-region.
            raise ConfigError(
                f"delivery: environments {elsewhere} are not in the tooling region {config.region}; "
                "the pipeline and image repository serve one region"
            )
        retention = logs.RetentionDays[settings.get("log_retention", "ONE_MONTH")]

        self.key = kms.Key(
            self, "ArtifactKey", enable_key_rotation=True,
            description="Pipeline artifacts, build output and notifications",
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        access_logs = s3.Bucket(
            self, "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(365))],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.artifacts = s3.Bucket(
            self, "Artifacts",
            bucket_name=settings["artifact_bucket"],
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="artifacts/",
            lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=cdk.Duration.days(30))],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )

        # Step 17: the image repository every environment's tasks pull from.
        self.repository = ecr.Repository(
            self, "ImageRepository",
            repository_name=settings["repository_name"],
            image_scan_on_push=True,
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            encryption=ecr.RepositoryEncryption.KMS,
            encryption_key=self.key,
            lifecycle_rules=[
                ecr.LifecycleRule(description="Drop untagged layers", tag_status=ecr.TagStatus.UNTAGGED,
                                  max_image_age=cdk.Duration.days(7), rule_priority=1),
                ecr.LifecycleRule(description="Keep the recent releases", tag_status=ecr.TagStatus.ANY,
                                  max_image_count=int(settings.get("images_kept", 50)), rule_priority=2),
            ],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        for account in sorted({e.account for e in environments} - {config.account}):
            self.repository.grant_pull(iam.AccountPrincipal(account))
            self.key.grant_decrypt(iam.AccountPrincipal(account))

        # Step 13: source.
        self.source = Source(self, "Source", branch=settings.get("source_branch", "main"))
        source_output = codepipeline.Artifact("Source")

        # Step 14: build and test.
        self.build_project = codebuild.PipelineProject(
            self, "Build",
            description="Tests, synthesis and the container image, tagged with the commit",
            build_spec=codebuild.BuildSpec.from_source_filename("buildspec.yml"),
            environment=codebuild.BuildEnvironment(
                build_image=BUILD_IMAGE,
                compute_type=codebuild.ComputeType[settings.get("build_compute", "MEDIUM")],
                privileged=True,  # docker build
            ),
            environment_variables={
                "REPOSITORY_URI": codebuild.BuildEnvironmentVariable(value=self.repository.repository_uri),
                "REPOSITORY_NAME": codebuild.BuildEnvironmentVariable(value=settings["repository_name"]),
                "REGISTRY": codebuild.BuildEnvironmentVariable(
                    value=f"{config.account}.dkr.ecr.{config.region}.amazonaws.com"
                ),
            },
            encryption_key=self.key,
            logging=codebuild.LoggingOptions(cloud_watch=codebuild.CloudWatchLoggingOptions(
                log_group=logs.LogGroup(self, "BuildLogs", retention=retention,
                                        removal_policy=cdk.RemovalPolicy.DESTROY),
            )),
            timeout=cdk.Duration.minutes(60),
        )
        self.repository.grant_pull_push(self.build_project)
        self.repository.grant(self.build_project, "ecr:DescribeImages")
        build_output = codepipeline.Artifact("Image")

        self.pipeline = codepipeline.Pipeline(
            self, "Pipeline",
            pipeline_name=config.stack_name("delivery"),
            pipeline_type=codepipeline.PipelineType.V2,
            artifact_bucket=self.artifacts,
            restart_execution_on_update=False,
        )
        self.pipeline.add_stage(stage_name="Source", actions=[self.source.action(source_output)])
        self.pipeline.add_stage(stage_name="Build", actions=[actions.CodeBuildAction(
            action_name="TestSynthImage", project=self.build_project, input=source_output,
            outputs=[build_output],
        )])
{%- if cookiecutter.notification_email %}
        self.topic = sns.Topic(self, "Notifications", master_key=self.key, enforce_ssl=True,
                               display_name="Pipeline notifications")
        self.topic.add_subscription(subscriptions.EmailSubscription(NOTIFICATION_EMAIL))
        self.key.grant_encrypt_decrypt(iam.ServicePrincipal("codestar-notifications.amazonaws.com"))
        self.pipeline.notify_on_any_stage_state_change("StageStateChanges", self.topic)
{%- endif %}

        # Steps 15-16: each environment in config order, with its approval gate.
        self.deploy_projects: dict[str, codebuild.PipelineProject] = {}
        for environment in environments:
            stage_actions: list[actions.Action] = []
            if environment.section("delivery").get("approval", False):
                stage_actions.append(actions.ManualApprovalAction(
                    action_name="Approve", run_order=1,
                    additional_information=f"Deploy {environment.name} with the image built from this commit",
{%- if cookiecutter.notification_email %}
                    notification_topic=self.topic,
{%- endif %}
                ))
            project = self._deploy_project(environment, retention)
            self.deploy_projects[environment.name] = project
{%- if cookiecutter.deployment == "codedeploy-blue-green" %}
            deploy_output = codepipeline.Artifact(f"{environment.stage_id}TaskDefinition")
            stage_actions.append(actions.CodeBuildAction(
                action_name="Infrastructure", project=project, input=source_output,
                extra_inputs=[build_output], outputs=[deploy_output], run_order=2,
            ))
            stage_actions.append(self._codedeploy_action(environment, deploy_output, build_output))
{%- else %}
            stage_actions.append(actions.CodeBuildAction(
                action_name="Deploy", project=project, input=source_output, extra_inputs=[build_output],
                run_order=2,
            ))
{%- endif %}
            self.pipeline.add_stage(stage_name=f"Deploy{environment.stage_id}", actions=stage_actions)

        cdk.CfnOutput(self, "PipelineName", key="PipelineName", value=self.pipeline.pipeline_name)
        cdk.CfnOutput(self, "ImageRepositoryUri", key="ImageRepositoryUri", value=self.repository.repository_uri)

    def _deploy_project(
        self, environment: EnvironmentConfig, retention: logs.RetentionDays
    ) -> codebuild.PipelineProject:
        """`cdk deploy "<Stage>/*"` into one environment through its bootstrap roles."""
        project = codebuild.PipelineProject(
            self, f"Deploy{environment.stage_id}",
            description=f"Deploys the {environment.name} environment",
            build_spec=codebuild.BuildSpec.from_source_filename(
                "{{ cookiecutter.package_name }}/delivery/deployspec.yml"
            ),
            environment=codebuild.BuildEnvironment(
                build_image=BUILD_IMAGE, compute_type=codebuild.ComputeType.SMALL,
            ),
            environment_variables={
                "STAGE": codebuild.BuildEnvironmentVariable(value=environment.stage_id),
                "TARGET_ACCOUNT": codebuild.BuildEnvironmentVariable(value=environment.account),
                "TARGET_REGION": codebuild.BuildEnvironmentVariable(value=environment.region),
                "SERVICE_STACK": codebuild.BuildEnvironmentVariable(value=environment.stack_name("service")),
                "STRATEGY": codebuild.BuildEnvironmentVariable(value=STRATEGY),
            },
            encryption_key=self.key,
            logging=codebuild.LoggingOptions(cloud_watch=codebuild.CloudWatchLoggingOptions(
                log_group=logs.LogGroup(self, f"Deploy{environment.stage_id}Logs", retention=retention,
                                        removal_policy=cdk.RemovalPolicy.DESTROY),
            )),
            timeout=cdk.Duration.minutes(90),
        )
        project.add_to_role_policy(iam.PolicyStatement(
            actions=["sts:AssumeRole"], resources=bootstrap_roles(environment),
        ))
        return project
{%- if cookiecutter.deployment == "codedeploy-blue-green" %}

    def _codedeploy_action(
        self, environment: EnvironmentConfig, deploy_output: codepipeline.Artifact, build_output: codepipeline.Artifact
    ) -> actions.Action:
        """Blue/green through the environment's deployment group, started with its pipeline deploy role."""
        name = environment.stack_name("service")
        application = codedeploy.EcsApplication.from_ecs_application_arn(
            self, f"{environment.stage_id}Application",
            f"arn:aws:codedeploy:{environment.region}:{environment.account}:application:{name}",
        )
        group = codedeploy.EcsDeploymentGroup.from_ecs_deployment_group_attributes(
            self, f"{environment.stage_id}DeploymentGroup", application=application, deployment_group_name=name,
        )
        return _CodeDeployEcsDeployAction(
            action_name="BlueGreen",
            deployment_group=group,
            task_definition_template_file=deploy_output.at_path("taskdef.json"),
            app_spec_template_file=deploy_output.at_path("appspec.yaml"),
            container_image_inputs=[actions.CodeDeployEcsContainerImageInput(
                input=build_output, task_definition_placeholder="IMAGE1_NAME",
            )],
            role=iam.Role.from_role_arn(
                self, f"{environment.stage_id}DeployRole",
                f"arn:aws:iam::{environment.account}:role/{name}-pipeline-deploy", mutable=False,
            ),
            run_order=3,
        )


class _CodeDeployEcsDeployAction(actions.CodeDeployEcsDeployAction):
    """CodeDeploy's ECS action, with the artifact grant made to the role's account, not to the role.

    The action's role lives in the environment's account, in a stack `make bootstrap` deploys. The
    bucket and key policies name the role's account and match the role by its ARN (`aws:PrincipalArn`),
    so they hold whether or not that role exists when Delivery deploys, and survive its re-creation
    (KMS and S3 turn a named role into an id that a new role of the same name does not match). In the
    tooling account itself the role's own policy is enough, as for CDK's grant.
    """

    def _bound(self, scope, stage, *, bucket: s3.IBucket, role: iam.IRole) -> codepipeline.ActionConfig:
        account = role.principal_account
        if account is not None and account != cdk.Stack.of(scope).account:
            bucket.grant_read(iam.PrincipalWithConditions(
                iam.AccountPrincipal(account), {"ArnEquals": {"aws:PrincipalArn": role.role_arn}},
            ))
            # CDK's own grant would name the role: hand it a view of the bucket without its policy.
            bucket = s3.Bucket.from_bucket_name(scope, f"{self.action_properties.action_name}Artifacts",
                                                bucket.bucket_name)
        return super()._bound(scope, stage, bucket=bucket, role=role)
{%- endif %}
