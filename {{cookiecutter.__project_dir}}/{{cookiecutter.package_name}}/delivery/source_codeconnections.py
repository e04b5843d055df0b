"""Step 13 with GitHub or GitLab: the repository is read through an existing CodeConnections connection."""

from __future__ import annotations

from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_codepipeline_actions as actions
from constructs import Construct

CONNECTION_ARN = "{{ cookiecutter.source_connection_arn }}"
REPOSITORY = "{{ cookiecutter.source_repository }}"


class Source(Construct):
    kind = "CodeConnections"

    def __init__(self, scope: Construct, construct_id: str, *, branch: str) -> None:
        super().__init__(scope, construct_id)
        self.branch = branch
        self.owner, self.repository_name = REPOSITORY.split("/", 1)
        self.connection_arn = CONNECTION_ARN

    def action(self, output: codepipeline.Artifact) -> actions.Action:
        return actions.CodeStarConnectionsSourceAction(
            action_name="CodeConnections",
            connection_arn=self.connection_arn,
            owner=self.owner,
            repo=self.repository_name,
            branch=self.branch,
            output=output,
            trigger_on_push=True,
        )
