"""cdk-nag AwsSolutions checks, tags, and the one ledger of acknowledged findings.

Every acknowledgement names the construct (path inside a stage), the exact finding
id and why the finding is accepted. The project's tests assert that every entry
still matches a construct, so the ledger cannot silently go stale.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
import cdk_nag
from constructs import IConstruct

from {{ cookiecutter.package_name }}.config import PROJECT_SLUG


@dataclass(frozen=True)
class Acknowledgement:
    path: str  # construct path inside a stage, e.g. "Network/Network/Vpc"
    finding: str  # exact finding id, e.g. "AwsSolutions::AwsSolutions-IAM5[Resource::*]"
    reason: str


LEDGER: tuple[Acknowledgement, ...] = (
{%- if cookiecutter.service_tier == "yes" %}
    Acknowledgement(
        "Service/Service/Api/RestApi",
        "AwsSolutions::AwsSolutions-COG4",
        "Methods use IAM (SigV4) authorization: AppSync's HTTP resolver and identity-pool users sign their calls",
    ),
{%- if cookiecutter.api_waf == "no" %}
    Acknowledgement(
        "Service/Service/Api/RestApi",
        "AwsSolutions::AwsSolutions-APIG3",
        "The project was generated with api_waf=no: IAM authorization and stage throttling guard the API instead",
    ),
{%- endif %}
    Acknowledgement(
        "Service/Service/Api/RestApi/CloudWatchRole",
        "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AmazonAPIGatewayPushToCloudWatchLogs]",
        "API Gateway's account-level logging role uses the AWS managed policy made for exactly that purpose",
    ),
    Acknowledgement(
        "Service/Service/FrontDoor/LoadBalancer",
        "AwsSolutions::AwsSolutions-ELB2",
        "The internal load balancer is reached only through the VPC link; API Gateway access logs record every request",
    ),
    Acknowledgement(
        "Service/Service/TaskDefinition/Resource",
        "AwsSolutions::AwsSolutions-ECS2",
        "Environment variables carry only non-secret settings: table name, DAX endpoint, port and log level",
    ),
    Acknowledgement(
        "Service/Service/TaskDefinition/ExecutionRole/DefaultPolicy",
        "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
        "ecr:GetAuthorizationToken has no resource-level permissions; image pulls stay scoped to the repository",
    ),
{%- endif %}
)


def find(scope: IConstruct, path: str) -> IConstruct | None:
    node = scope
    for part in path.split("/"):
        node = node.node.try_find_child(part)
        if node is None:
            return None
    return node


def stages(app: cdk.App) -> list[cdk.Stage]:
    return [child for child in app.node.children if isinstance(child, cdk.Stage)]


def unmatched(app: cdk.App) -> list[Acknowledgement]:
    """Ledger entries that match no construct in some stage."""
    return [ack for stage in stages(app) for ack in LEDGER if find(stage, ack.path) is None]


def apply(app: cdk.App) -> None:
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    for stage in stages(app):
        cdk.Tags.of(stage).add("project", PROJECT_SLUG)  # aspects stop at stage boundaries
        for ack in LEDGER:
            target = find(stage, ack.path)
            if target is not None:
                cdk.Validations.of(target).acknowledge(cdk.Acknowledgment(id=ack.finding, reason=ack.reason))
