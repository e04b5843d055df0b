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

from {{ cookiecutter.package_name }}.config import {% if cookiecutter.__delivery == "yes" %}ENVIRONMENT_NAMES, {% endif %}PROJECT_SLUG{% if cookiecutter.__delivery == "yes" %}, load_environments{% endif %}


@dataclass(frozen=True)
class Acknowledgement:
    path: str  # construct path inside a stage, e.g. "Network/Network/Vpc"
    finding: str  # exact finding id, e.g. "AwsSolutions::AwsSolutions-IAM5[Resource::*]"
    reason: str


XRAY_REASON = "X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions (Resource *)"

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
    # Identity (step 1)
{%- if cookiecutter.cognito_mfa != "required" %}
    Acknowledgement("Identity/Identity/UserPool", "AwsSolutions::AwsSolutions-COG2",
                    "MFA is {{ cookiecutter.cognito_mfa }} by the project's cognito_mfa answer; set it to required to enforce it"),
{%- endif %}
{%- if cookiecutter.cognito_threat_protection == "off" %}
    Acknowledgement("Identity/Identity/UserPool", "AwsSolutions::AwsSolutions-COG8",
                    "threat protection is off by the project's cognito_threat_protection answer, so the pool "
                    "stays on the Essentials plan; answer enforced or audit for the Plus plan"),
{%- endif %}
    # GraphQL API (steps 3-7)
    Acknowledgement("Api/Api/GraphqlApi", "AwsSolutions::AwsSolutions-ASC3",
                    "request-level and field logs are on; verbose content (headers with the users' tokens, "
                    "arguments and results with their data) is excluded on purpose"),
    Acknowledgement("Api/Api/GraphqlApi/ApiLogsRole",
                    "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                    "AWSAppSyncPushToCloudWatchLogs]",
                    "the AWS-maintained AppSync logging policy only writes to AppSync's own log groups"),
    Acknowledgement("Api/LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a",
                    "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                    "AWSLambdaBasicExecutionRole]",
                    "CDK's log retention function sets the retention of the AppSync log group AppSync creates itself"),
    Acknowledgement("Api/LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a", "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
                    "CDK's log retention function must set retention on a log group whose name AppSync chooses"),
    Acknowledgement("Api/Api/GraphqlApi/Orders/ServiceRole",
                    "AwsSolutions::AwsSolutions-IAM5[Resource::<ApiOrdersFunction86B16E85.Arn>:*]",
                    "AppSync may invoke the orders function and its versions; the wildcard covers only qualifiers"),
{%- if cookiecutter.__xray == "yes" %}
    Acknowledgement("Api/Api/OrdersFunctionRole", "AwsSolutions::AwsSolutions-IAM5[Resource::*]", XRAY_REASON),
{%- endif %}
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
{%- for env, account, region in (("dev", cookiecutter.dev_account_id, cookiecutter.dev_region),
                                 ("prod", cookiecutter.prod_account_id, cookiecutter.prod_region)) %}
{%- for method in ("GET", "PUT", "DELETE") %}
    # The REST API lives in the Service stack: its id and stage reach this finding as the stack's exports.
    Acknowledgement(
        "Api/Api/SignedInUserAccess",
        "AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:execute-api:{{ region }}:{{ account }}:"
        "{{ cookiecutter.project_slug }}-{{ env }}-service:ExportsOutputRefServiceApiRestApiD01AE7DFE6BD94BF/"
        "{{ cookiecutter.project_slug }}-{{ env }}-service:ExportsOutputRefServiceApiRestApiDeploymentStagev17B15D8913DB84E4F"
        "/{{ method }}/items/*]",
        "the one method on /items/{id}: API Gateway writes the path parameter of a method ARN as a wildcard",
    ),
{%- endfor %}
{%- endfor %}
{%- endif %}
){% if cookiecutter.__delivery == "yes" %} + _delivery_acknowledgements(){% endif %}


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    """Accept one cdk-nag finding on `construct` and below it, for `reason`; called beside the construct."""
    cdk.Validations.of(construct).acknowledge(cdk.Acknowledgment(id=finding, reason=reason))


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
    """Ledger entries that match no construct in any stage (some units live in one environment only)."""
    return [ack for ack in LEDGER if all(find(stage, ack.path) is None for stage in stages(app))]


def apply(app: cdk.App) -> None:
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    for stage in stages(app):
        cdk.Tags.of(stage).add("project", PROJECT_SLUG)  # aspects stop at stage boundaries
        for ack in LEDGER:
            target = find(stage, ack.path)
            if target is not None:
                cdk.Validations.of(target).acknowledge(cdk.Acknowledgment(id=ack.finding, reason=ack.reason))
