"""The delivery unit's settings (config/<env>.yaml `delivery:`), with their defaults in one place.

The pipeline, source and image repositories and the artifacts live in one tooling environment
(`pipeline: true`); every environment names it, so that its tasks pull from that repository.
"""

from __future__ import annotations

from dataclasses import dataclass

from {{ cookiecutter.package_name }}.config import PROJECT_SLUG


@dataclass(frozen=True)
class DeliverySettings:
    tooling_account: str
    tooling_region: str
    repository_name: str
    artifact_bucket: str
    pipeline: bool = False  # this environment hosts the pipeline
    approval: bool = False  # a manual approval gates every deployment to this environment
    source_branch: str = "main"  # the branch whose commits the pipeline builds and deploys
    build_compute: str = "MEDIUM"  # a CodeBuild ComputeType name
    log_retention: str = "ONE_MONTH"  # a CloudWatch Logs RetentionDays name
    images_kept: int = 50
    initial_image_tag: str = "initial"  # the tag synthesis names without `-c image_tag=<commit>`
    # What a trusted (tooling) account deploys with, when another account hosts the pipeline.
    bootstrap_execution_policy: str = "arn:aws:iam::aws:policy/AdministratorAccess"


# The pipeline's own role, named so that each environment's deploy role can trust it alone.
PIPELINE_ROLE_NAME = f"{PROJECT_SLUG}-pipeline"


def pipeline_role_arn(tooling_account: str) -> str:
    return f"arn:aws:iam::{tooling_account}:role/{PIPELINE_ROLE_NAME}"
