"""What every Lambda function of the project shares: runtime, architecture, the Powertools layer, tracing.

Units import these defaults from here rather than from one another.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from {{ cookiecutter.package_name }}.compliance import XRAY_REASON, acknowledge
from {{ cookiecutter.package_name }}.config import EnvironmentConfig

LAMBDA_RUNTIME = lambda_.Runtime.PYTHON_3_14
LAMBDA_ARCHITECTURE = lambda_.Architecture.ARM_64
# The project's api_xray answer: X-Ray traces AppSync and every Lambda function.
XRAY = {{ "True" if cookiecutter.__xray == "yes" else "False" }}
LAMBDA_TRACING = lambda_.Tracing.ACTIVE if XRAY else lambda_.Tracing.DISABLED
# Functions use the public Powertools layer rather than bundling it (no Docker at synth).
POWERTOOLS_LAYER = "arn:aws:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python314-arm64:{version}"


@dataclass(frozen=True)
class FunctionSettings:
    """config/<env>.yaml `functions`: the version of the Powertools for AWS Lambda (Python) v3 layer."""

    powertools_layer_version: int = 27


def powertools_layer(scope: Construct, config: EnvironmentConfig) -> lambda_.ILayerVersion:
    version = config.settings("functions", FunctionSettings).powertools_layer_version
    arn = POWERTOOLS_LAYER.format(region=config.region, version=version)
    return lambda_.LayerVersion.from_layer_version_arn(scope, "PowertoolsLayer", arn)


def python_function(
    scope: Construct,
    construct_id: str,
    *,
    code: Path,
    handler: str,
    role: iam.IRole,
    log_group: logs.ILogGroup,
    **options: Any,
) -> lambda_.Function:
    """A function of the project's runtime and architecture, its code the folder `code` (a unit's runtime/)."""
    return lambda_.Function(
        scope,
        construct_id,
        runtime=LAMBDA_RUNTIME,
        architecture=LAMBDA_ARCHITECTURE,
        handler=handler,
        code=lambda_.Code.from_asset(str(code)),
        role=role,
        log_group=log_group,
        **options,
    )


def acknowledge_tracing(role: iam.IRole) -> None:
    """A traced function's role may write X-Ray segments, which only `Resource: *` allows."""
    if XRAY:
        acknowledge(role, "AwsSolutions::AwsSolutions-IAM5[Resource::*]", XRAY_REASON)
