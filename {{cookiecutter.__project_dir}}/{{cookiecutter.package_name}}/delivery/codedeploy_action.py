"""Steps 15-16 with CodeDeploy blue/green: `cdk deploy`, then CodeDeploy shifts traffic to the new image.

With CodeDeploy blue/green, CloudFormation may not replace the task definition of the running
service, so `cdk deploy` keeps the deployed image and writes CodeDeploy's inputs; CodeDeploy then
shifts traffic to the new one, through the environment's pipeline deploy role.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from {{ cookiecutter.package_name }}.config import EnvironmentConfig
from {{ cookiecutter.package_name }}.delivery.cdk_action import DeployInputs, cdk_deploy_action

# The deploy projects write CodeDeploy's inputs (task definition, AppSpec) as an output artifact.
DEPLOY_WRITES_ARTIFACTS = True


def deploy_actions(scope: Construct, *, environment: EnvironmentConfig, inputs: DeployInputs) -> list[actions.Action]:
    deploy_output = codepipeline.Artifact(f"{environment.stage_id}TaskDefinition")
    return [
        cdk_deploy_action(action_name="Infrastructure", inputs=inputs, outputs=[deploy_output]),
        _codedeploy_action(scope, environment, deploy_output, inputs.build_output),
    ]


def _codedeploy_action(
    scope: Construct,
    environment: EnvironmentConfig,
    deploy_output: codepipeline.Artifact,
    build_output: codepipeline.Artifact,
) -> actions.Action:
    """Blue/green through the environment's deployment group, started with its pipeline deploy role."""
    name = environment.stack_name("service")
    application = codedeploy.EcsApplication.from_ecs_application_arn(
        scope,
        f"{environment.stage_id}Application",
        f"arn:aws:codedeploy:{environment.region}:{environment.account}:application:{name}",
    )
    group = codedeploy.EcsDeploymentGroup.from_ecs_deployment_group_attributes(
        scope, f"{environment.stage_id}DeploymentGroup", application=application, deployment_group_name=name
    )
    return _CodeDeployEcsDeployAction(
        action_name="BlueGreen",
        deployment_group=group,
        task_definition_template_file=deploy_output.at_path("taskdef.json"),
        app_spec_template_file=deploy_output.at_path("appspec.yaml"),
        container_image_inputs=[
            actions.CodeDeployEcsContainerImageInput(input=build_output, task_definition_placeholder="IMAGE1_NAME")
        ],
        role=iam.Role.from_role_arn(
            scope,
            f"{environment.stage_id}DeployRole",
            f"arn:aws:iam::{environment.account}:role/{name}-pipeline-deploy",
            mutable=False,
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
            bucket.grant_read(
                iam.PrincipalWithConditions(
                    iam.AccountPrincipal(account),
                    {"ArnEquals": {"aws:PrincipalArn": role.role_arn}},
                )
            )
            # CDK's own grant would name the role: hand it a view of the bucket without its policy.
            bucket = s3.Bucket.from_bucket_name(
                scope, f"{self.action_properties.action_name}Artifacts", bucket.bucket_name
            )
        return super()._bound(scope, stage, bucket=bucket, role=role)
