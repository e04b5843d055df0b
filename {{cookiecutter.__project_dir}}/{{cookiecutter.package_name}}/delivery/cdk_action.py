"""Steps 15-16: `cdk deploy` of one environment's stacks with the image just built.

With rolling updates or ECS native blue/green, ECS itself replaces the tasks when the task
definition changes, so this one action deploys the environment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions
from constructs import Construct

from {{ cookiecutter.package_name }}.config import EnvironmentConfig


@dataclass(frozen=True)
class DeployInputs:
    """What one environment's deploy actions start from: its deploy project, the commit and the build output."""

    project: codebuild.IProject
    source_output: codepipeline.Artifact
    build_output: codepipeline.Artifact


# The deploy projects only read the pipeline's artifacts: CDK grants them no writes.
DEPLOY_WRITES_ARTIFACTS = False


def cdk_deploy_action(
    *, action_name: str, inputs: DeployInputs, outputs: Sequence[codepipeline.Artifact] = ()
) -> actions.CodeBuildAction:
    return actions.CodeBuildAction(
        action_name=action_name,
        project=inputs.project,
        input=inputs.source_output,
        extra_inputs=[inputs.build_output],
        outputs=list(outputs) or None,
        run_order=2,
    )


def deploy_actions(scope: Construct, *, environment: EnvironmentConfig, inputs: DeployInputs) -> list[actions.Action]:
    return [cdk_deploy_action(action_name="Deploy", inputs=inputs)]
