"""Step 15, the seed's choice: CodeDeploy blue/green for the Fargate service.

Two target groups and a test listener on the service's load balancer; CodeDeploy shifts
traffic (all at once behind an NLB, canary behind an ALB) and rolls back on failure or alarm.
The pipeline in the tooling account starts deployments through `deploy_role`.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from constructs import Construct

from {{ cookiecutter.package_name }}.config import EnvironmentConfig


class BlueGreenDeployment(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        service: ecs.FargateService,
        task_definition: ecs.TaskDefinition,
        front_door,
    ) -> None:
        super().__init__(scope, construct_id)
        delivery = config.section("delivery")
        name = config.stack_name("service")
        self.alarms = [
            cloudwatch.Alarm(
                self, f"{color}UnhealthyTargets",
                metric=front_door.unhealthy_targets(target_group),
                threshold=1, evaluation_periods=2,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=f"{color} targets fail health checks: roll the deployment back",
            )
            for color, target_group in (("Blue", front_door.target_group), ("Green", front_door.green_target_group))
        ]
        deployment_config = (
            codedeploy.EcsDeploymentConfig.ALL_AT_ONCE
            if front_door.kind == "NLB"  # an NLB shifts traffic all at once only
            else codedeploy.EcsDeploymentConfig.CANARY_10_PERCENT_5_MINUTES
        )
        self.application = codedeploy.EcsApplication(self, "Application", application_name=name)
        self.deployment_group = codedeploy.EcsDeploymentGroup(
            self, "DeploymentGroup",
            application=self.application,
            deployment_group_name=name,
            service=service,
            blue_green_deployment_config=codedeploy.EcsBlueGreenDeploymentConfig(
                blue_target_group=front_door.target_group,
                green_target_group=front_door.green_target_group,
                listener=front_door.listener,
                test_listener=front_door.test_listener,
                termination_wait_time=cdk.Duration.minutes(int(delivery.get("termination_wait_minutes", 5))),
            ),
            deployment_config=deployment_config,
            alarms=self.alarms,
            auto_rollback=codedeploy.AutoRollbackConfig(
                failed_deployment=True, stopped_deployment=True, deployment_in_alarm=True
            ),
        )
        self.deploy_role = iam.Role(
            self, "PipelineDeployRole",
            role_name=f"{name}-pipeline-deploy",
            assumed_by=iam.AccountPrincipal(delivery["tooling_account"]),
            description="The pipeline's CodeDeploy action: registers task definitions and starts deployments",
        )
        self.deploy_role.add_to_policy(iam.PolicyStatement(
            actions=["codedeploy:CreateDeployment", "codedeploy:GetDeployment", "codedeploy:GetApplication",
                     "codedeploy:GetApplicationRevision", "codedeploy:RegisterApplicationRevision",
                     "codedeploy:GetDeploymentConfig"],
            resources=[
                self.application.application_arn,
                self.deployment_group.deployment_group_arn,
                deployment_config.deployment_config_arn,
            ],
        ))
        self.deploy_role.add_to_policy(iam.PolicyStatement(
            actions=["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"], resources=["*"],
        ))
        self.deploy_role.add_to_policy(iam.PolicyStatement(
            actions=["iam:PassRole"],
            resources=[task_definition.task_role.role_arn, task_definition.obtain_execution_role().role_arn],
        ))
        artifacts = f"arn:aws:s3:::{delivery['artifact_bucket']}"
        self.deploy_role.add_to_policy(iam.PolicyStatement(
            actions=["s3:GetObject", "s3:GetObjectVersion"], resources=[f"{artifacts}/*"],
        ))
        self.deploy_role.add_to_policy(iam.PolicyStatement(
            actions=["kms:Decrypt", "kms:DescribeKey"],
            resources=[f"arn:aws:kms:{delivery['tooling_region']}:{delivery['tooling_account']}:key/*"],
            conditions={"StringEquals": {"kms:ViaService": f"s3.{delivery['tooling_region']}.amazonaws.com"}},
        ))
