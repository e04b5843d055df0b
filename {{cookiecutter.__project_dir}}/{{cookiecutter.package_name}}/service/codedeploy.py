"""Step 15, the seed's choice: CodeDeploy blue/green for the Fargate service.

Two target groups and a test listener on the service's load balancer; CodeDeploy shifts
traffic (all at once behind an NLB, canary behind an ALB) and rolls back on failure or alarm.
The pipeline in the tooling account starts deployments through `PipelineDeployRole`, which a
stack of its own creates before the pipeline exists: CodePipeline checks at CreatePipeline that it
can assume every action's role.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from constructs import Construct

from {{ cookiecutter.package_name }} import compliance
from {{ cookiecutter.package_name }}.service import deployment
from {{ cookiecutter.package_name }}.service.front_door import FrontDoor
from {{ cookiecutter.package_name }}.service.settings import task_role_names

# An NLB shifts traffic all at once only; behind an ALB a canary takes 10% first.
DEPLOYMENT_CONFIG = codedeploy.EcsDeploymentConfig.{{ "ALL_AT_ONCE" if cookiecutter.vpc_link == "v1-nlb" else "CANARY_10_PERCENT_5_MINUTES" }}


class Deployment(deployment.Deployment):
    """The CodeDeploy controller: CloudFormation creates the service, CodeDeploy shifts every update."""

    test_listener = True

    def service_options(self) -> dict[str, Any]:
        return {"deployment_controller": ecs.DeploymentController(type=ecs.DeploymentControllerType.CODE_DEPLOY)}

    def attach(self, scope: Construct, *, service: ecs.FargateService, front_door: FrontDoor) -> None:
        BlueGreenDeployment(
            scope,
            "BlueGreen",
            name=self.name,
            service=service,
            front_door=front_door,
            termination_wait=cdk.Duration.minutes(self.settings.termination_wait_minutes),
        )


class BlueGreenDeployment(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        service: ecs.FargateService,
        front_door: FrontDoor,
        termination_wait: cdk.Duration,
    ) -> None:
        super().__init__(scope, construct_id)
        self.alarms = [
            cloudwatch.Alarm(
                self,
                f"{color}UnhealthyTargets",
                metric=front_door.unhealthy_targets(target_group),
                threshold=1,
                evaluation_periods=2,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=f"{color} targets fail health checks: roll the deployment back",
            )
            for color, target_group in (("Blue", front_door.target_group), ("Green", front_door.green_target_group))
        ]
        self.application = codedeploy.EcsApplication(self, "Application", application_name=name)
        self.deployment_group = codedeploy.EcsDeploymentGroup(
            self,
            "DeploymentGroup",
            application=self.application,
            deployment_group_name=name,
            service=service,
            blue_green_deployment_config=codedeploy.EcsBlueGreenDeploymentConfig(
                blue_target_group=front_door.target_group,
                green_target_group=front_door.green_target_group,
                listener=front_door.listener,
                test_listener=front_door.test_listener,
                termination_wait_time=termination_wait,
            ),
            deployment_config=DEPLOYMENT_CONFIG,
            alarms=self.alarms,
            auto_rollback=codedeploy.AutoRollbackConfig(
                failed_deployment=True, stopped_deployment=True, deployment_in_alarm=True
            ),
        )
        compliance.acknowledge(
            self.deployment_group.role,
            "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSCodeDeployRoleForECS]",
            "CodeDeploy's ECS blue/green role uses the AWS managed policy maintained for exactly that service",
        )


class PipelineDeployRole(Construct):
    """The role the pipeline's CodeDeploy action assumes in one environment, named `<service>-pipeline-deploy`.

    Its stack deploys with `make bootstrap`, before the pipeline and before the Service stack: the
    policies name the service's application, deployment group and task roles by their fixed names,
    which exist once the pipeline has deployed the Service stack.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service_name: str,
        tooling_account: str,
        tooling_region: str,
        artifact_bucket: str,
        pipeline_role_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        self.role = iam.Role(
            self,
            "Role",
            role_name=f"{service_name}-pipeline-deploy",
            # The pipeline's role alone, matched by ARN: the role need not exist yet, and a re-created
            # role of that name is trusted again (an ARN principal would turn into the old role's id).
            assumed_by=iam.AccountPrincipal(tooling_account).with_conditions(
                {"ArnEquals": {"aws:PrincipalArn": pipeline_role_arn}}
            ),
            description="The pipeline's CodeDeploy action: registers task definitions and starts deployments",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "codedeploy:CreateDeployment",
                    "codedeploy:GetDeployment",
                    "codedeploy:GetApplication",
                    "codedeploy:GetApplicationRevision",
                    "codedeploy:RegisterApplicationRevision",
                    "codedeploy:GetDeploymentConfig",
                ],
                resources=[
                    stack.format_arn(
                        service="codedeploy",
                        resource="application",
                        resource_name=service_name,
                        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                    ),
                    stack.format_arn(
                        service="codedeploy",
                        resource="deploymentgroup",
                        resource_name=f"{service_name}/{service_name}",
                        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                    ),
                    DEPLOYMENT_CONFIG.deployment_config_arn,
                ],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"],
                resources=["*"],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[
                    stack.format_arn(service="iam", region="", resource="role", resource_name=name)
                    for name in task_role_names(service_name)
                ],
            )
        )
        artifacts = f"arn:aws:s3:::{artifact_bucket}"
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:GetObjectVersion"],
                resources=[f"{artifacts}/*"],
            )
        )
        tooling_keys = f"arn:aws:kms:{tooling_region}:{tooling_account}:key/*"
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:DescribeKey"],
                resources=[tooling_keys],
                conditions={"StringEquals": {"kms:ViaService": f"s3.{tooling_region}.amazonaws.com"}},
            )
        )
        for finding, reason in (
            ("Resource::*", "ecs:RegisterTaskDefinition and DescribeTaskDefinition have no resource-level permissions"),
            (
                f"Resource::{artifacts}/*",
                "CodeDeploy reads the revision the pipeline wrote into its artifact bucket in the tooling account",
            ),
            (
                f"Resource::{tooling_keys}",
                "Decrypting pipeline artifacts through S3 only (kms:ViaService); the key lives in the tooling account",
            ),
        ):
            compliance.acknowledge(self.role, f"AwsSolutions::AwsSolutions-IAM5[{finding}]", reason)
