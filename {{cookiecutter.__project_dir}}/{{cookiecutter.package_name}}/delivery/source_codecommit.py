"""Step 13, the seed's choice: a CodeCommit repository (generally available again since 2025-11-24)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_codecommit as codecommit
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions
from constructs import Construct

from {{ cookiecutter.package_name }}.config import PROJECT_SLUG


class Source(Construct):
    kind = "CodeCommit"

    def __init__(self, scope: Construct, construct_id: str, *, branch: str) -> None:
        super().__init__(scope, construct_id)
        self.branch = branch
        self.repository = codecommit.Repository(
            self,
            "Repository",
            repository_name=PROJECT_SLUG,
            description="Application, infrastructure and pipeline code",
        )
        # The source history outlives the stack, like the image repository and artifacts beside it.
        self.repository.apply_removal_policy(cdk.RemovalPolicy.RETAIN)

    def action(self, output: codepipeline.Artifact) -> actions.Action:
        return actions.CodeCommitSourceAction(
            action_name="CodeCommit",
            repository=self.repository,
            branch=self.branch,
            output=output,
            trigger=actions.CodeCommitTrigger.EVENTS,
        )
