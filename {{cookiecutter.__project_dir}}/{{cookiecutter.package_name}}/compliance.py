"""cdk-nag AwsSolutions checks and the project's tags; acknowledgements sit beside their constructs.

A unit accepts a finding with `acknowledge(construct, finding, reason)` next to the construct
it excuses, so the acknowledgement comes and goes with its unit. The project's tests read
every acknowledgement back from the synthesised assembly: each has a reason and excuses a
finding cdk-nag actually raised.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
import cdk_nag
from constructs import IConstruct

from {{ cookiecutter.package_name }}.config import {% if cookiecutter.__delivery == "yes" %}ENVIRONMENT_NAMES, {% endif %}PROJECT_SLUG{% if cookiecutter.__delivery == "yes" %}, load_environments{% endif %}

XRAY_REASON = "X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions (Resource *)"


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    """Accept one cdk-nag finding on `construct` and below it, for `reason`; called beside the construct."""
    cdk.Validations.of(construct).acknowledge(cdk.Acknowledgment(id=finding, reason=reason))


def stages(app: cdk.App) -> list[cdk.Stage]:
    return [child for child in app.node.children if isinstance(child, cdk.Stage)]


def apply(app: cdk.App) -> None:
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    for stage in stages(app):
        cdk.Tags.of(stage).add("project", PROJECT_SLUG)  # aspects stop at stage boundaries
    apply_ledger(app)


# --------------------------------------------------------------------------- ledger
# Acknowledgements not yet beside their constructs, by construct path inside a stage.
# Once LEDGER is empty, delete from here to the end of the file, the call to apply_ledger
# above, `dataclass` from the imports, and the ledger test in tests/test_compliance.py.


@dataclass(frozen=True)
class Acknowledgement:
    path: str  # construct path inside a stage, e.g. "Network/Network/Vpc"
    finding: str  # exact finding id, e.g. "AwsSolutions::AwsSolutions-IAM5[Resource::*]"
    reason: str
{%- if cookiecutter.__delivery == "yes" %}


def _delivery_acknowledgements() -> tuple[Acknowledgement, ...]:
    """What CDK itself grants the pipeline's roles, with the tooling account and region from config."""
    tooling = next(e for e in load_environments() if e.section("delivery").get("pipeline"))
    region, account = tooling.region, tooling.account
    artifact_grants = (
        "Action::s3:Abort*", "Action::s3:DeleteObject*", "Action::s3:GetBucket*", "Action::s3:GetObject*",
        "Action::s3:List*", "Resource::<DeliveryArtifactsAC79D864.Arn>/*", "Action::kms:GenerateDataKey*",
        "Action::kms:ReEncrypt*",
    )
    projects = {"Build": "DeliveryBuildD765F282"} | {
        f"Deploy{name.capitalize()}": logical_id
        for name, logical_id in (("dev", "DeliveryDeployDev8FAD7258"), ("prod", "DeliveryDeployProd83C531D4"))
        if name in ENVIRONMENT_NAMES
    }
    roles = [f"Delivery/Delivery/{project}/Role" for project in projects] + [
        "Delivery/Delivery/Pipeline/Role",
        "Delivery/Delivery/Pipeline/Source/{{ "CodeCommit" if cookiecutter.source == "codecommit" else "CodeConnections" }}/CodePipelineActionRole",
    ]
    entries = [
        Acknowledgement(role, f"AwsSolutions::AwsSolutions-IAM5[{finding}]",
                        "CDK's artifact grant: objects under the pipeline's own bucket, encrypted with its own key")
        for role in roles
        for finding in artifact_grants
    ]
    for project, logical_id in projects.items():
        entries += [
            Acknowledgement(
                f"Delivery/Delivery/{project}/Role",
                f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:logs:{region}:{account}:log-group:"
                f"/aws/codebuild/<{logical_id}>:*]",
                "CodeBuild's default log streams: scoped to the log group named after this project",
            ),
            Acknowledgement(
                f"Delivery/Delivery/{project}/Role",
                f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:codebuild:{region}:{account}:"
                f"report-group/<{logical_id}>-*]",
                "CodeBuild test reports: scoped to the report groups named after this project",
            ),
        ]
    entries.append(Acknowledgement(
        "Delivery/Delivery/Build/Role", "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
        "ecr:GetAuthorizationToken has no resource-level permissions; pushes stay scoped to the repository",
    ))
{%- if cookiecutter.notification_email %}
    entries += [
        Acknowledgement(
            f"Delivery/Delivery/Pipeline/Deploy{environment.stage_id}/Approve/CodePipelineActionRole",
            "AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
            "The approval action publishes to the notification topic, which its key encrypts",
        )
        for environment in load_environments()
        if environment.section("delivery").get("approval")
    ]
{%- endif %}
{%- if cookiecutter.deployment == "codedeploy-blue-green" %}
    bucket = tooling.section("delivery")["artifact_bucket"]
    entries += [
        Acknowledgement(
            "Service/Service/BlueGreen/PipelineDeployRole",
            f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:s3:::{bucket}/*]",
            "CodeDeploy reads the revision the pipeline wrote into its artifact bucket in the tooling account",
        ),
        Acknowledgement(
            "Service/Service/BlueGreen/PipelineDeployRole",
            f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:kms:{region}:{account}:key/*]",
            "Decrypting pipeline artifacts through S3 only (kms:ViaService); the key lives in the tooling account",
        ),
    ]
{%- endif %}
    return tuple(entries)
{%- endif %}


LEDGER: tuple[Acknowledgement, ...] = (
{%- if cookiecutter.__service == "yes" %}
    Acknowledgement(
        "Service/Service/Api/RestApi",
        "AwsSolutions::AwsSolutions-COG4",
        "Methods use IAM (SigV4) authorization: AppSync's HTTP resolver and identity-pool users sign their calls",
    ),
{%- if cookiecutter.__waf == "no" %}
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
{%- if cookiecutter.vpc_link == "v1-nlb" %}
        "NLB access logs exist for TLS listeners only; API Gateway access logs record every request it forwards",
{%- else %}
        "The internal ALB is reached only through the VPC link; API Gateway access logs record every request",
{%- endif %}
    ),
    Acknowledgement(
        "Service/Service/TaskDefinition/Resource",
        "AwsSolutions::AwsSolutions-ECS2",
        "Environment variables carry only non-secret settings: table name, DAX endpoint, port and log level",
    ),
{%- if cookiecutter.__delivery == "yes" and cookiecutter.deployment == "ecs-blue-green" %}
    Acknowledgement(
        "Service/Service/FargateService/AlternateTargetRole",
        "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
        "AmazonECSInfrastructureRolePolicyForLoadBalancers]",
        "ECS blue/green swaps target groups with the AWS managed policy made for that infrastructure role",
    ),
{%- endif %}
{%- if cookiecutter.__delivery == "yes" and cookiecutter.deployment == "codedeploy-blue-green" %}
    Acknowledgement(
        "Service/Service/BlueGreen/DeploymentGroup/ServiceRole",
        "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSCodeDeployRoleForECS]",
        "CodeDeploy's ECS blue/green role uses the AWS managed policy maintained for exactly that service",
    ),
    Acknowledgement(
        "Service/Service/BlueGreen/PipelineDeployRole",
        "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
        "ecs:RegisterTaskDefinition and DescribeTaskDefinition have no resource-level permissions",
    ),
{%- endif %}
    Acknowledgement(
        "Service/Service/TaskDefinition/ExecutionRole/DefaultPolicy",
        "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
        "ecr:GetAuthorizationToken has no resource-level permissions; image pulls stay scoped to the repository",
    ),
{%- if cookiecutter.__lake == "yes" %}
    Acknowledgement(
        "Service/Service/TaskDefinition/ExecutionRole/DefaultPolicy",
        "AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:ecr:*:*:repository/aws-for-fluent-bit]",
        "the FireLens router image is pulled from the AWS-owned aws-for-fluent-bit repository, "
        "whose account differs by region",
    ),
{%- endif %}
{%- endif %}
){% if cookiecutter.__delivery == "yes" %} + _delivery_acknowledgements(){% endif %}


def find(scope: IConstruct, path: str) -> IConstruct | None:
    node = scope
    for part in path.split("/"):
        node = node.node.try_find_child(part)
        if node is None:
            return None
    return node


def unmatched(app: cdk.App) -> list[Acknowledgement]:
    """Ledger entries that match no construct in any stage (some units live in one environment only)."""
    return [ack for ack in LEDGER if all(find(stage, ack.path) is None for stage in stages(app))]


def apply_ledger(app: cdk.App) -> None:
    for stage in stages(app):
        for ack in LEDGER:
            target = find(stage, ack.path)
            if target is not None:
                acknowledge(target, ack.finding, ack.reason)
