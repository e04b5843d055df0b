"""Step 5: the HTTP resolver to the service tier's REST API, signed with IAM (execute-api).

The stage passes the service unit's REST API to the Api construct; here the construct is
built against a small REST API in a throwaway stack, so the seam is tested on its own.
"""

import aws_cdk as cdk
import pytest
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template

from {{ cookiecutter.package_name }}.api.infrastructure import Api
from {{ cookiecutter.package_name }}.config import load_environment

STRING = dynamodb.AttributeType.STRING
API_HOST = [".execute-api.{{ cookiecutter.dev_region }}.", {"Ref": "AWS::URLSuffix"}]


@pytest.fixture(scope="module")
def template() -> Template:
    config = load_environment("dev")
    app = cdk.App()
    stack = cdk.Stack(app, "HttpResolverProbe", env=config.env)
    rest_api = apigateway.RestApi(stack, "RestApi", deploy_options=apigateway.StageOptions(stage_name="v1"))
    recommendations = rest_api.root.add_resource("recommendations")
    recommendations.add_method("GET", apigateway.MockIntegration(), authorization_type=apigateway.AuthorizationType.IAM)
    api = Api(
        stack,
        "Api",
        config=config,
        user_pool=cognito.UserPool(stack, "Pool"),
        table=dynamodb.TableV2(stack, "Table", partition_key=dynamodb.Attribute(name="pk", type=STRING)),
        rest_api=rest_api,
    )
    api.grant_signed_in_users(iam.Role(stack, "Signed", assumed_by=iam.AccountRootPrincipal()))
    return Template.from_stack(stack)


def _statements(template, name_part):
    return [
        s
        for p in template.find_resources("AWS::IAM::Policy").values()
        if name_part in p["Properties"]["PolicyName"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_http_data_source_targets_the_rest_api_signed_for_execute_api(template):
    template.has_resource_properties(
        "AWS::AppSync::DataSource",
        {
            "Type": "HTTP",
            "HttpConfig": {
                "Endpoint": {"Fn::Join": ["", ["https://", {"Ref": Match.string_like_regexp("RestApi")}, *API_HOST]]},
                "AuthorizationConfig": {
                    "AuthorizationType": "AWS_IAM",
                    "AwsIamConfig": {"SigningRegion": "{{ cookiecutter.dev_region }}", "SigningServiceName": "execute-api"},
                },
            },
        },
    )


def test_resolver_knows_the_stage_and_forwards_the_caller(template):
    stage = {"Ref": Match.string_like_regexp("RestApiDeploymentStagev1")}
    template.has_resource_properties("AWS::AppSync::GraphQLApi", {"EnvironmentVariables": {"REST_API_STAGE": stage}})
    template.has_resource_properties(
        "AWS::AppSync::Resolver", {"TypeName": "Query", "FieldName": "recommendations", "Kind": "PIPELINE"}
    )


def test_appsync_may_invoke_only_the_recommendations_route(template):
    (statement,) = [s for s in _statements(template, "ServiceTier") if s["Action"] == "execute-api:Invoke"]
    api, stage, method_and_path = _route(statement["Resource"])
    assert api.startswith("RestApi") and stage.startswith("RestApiDeploymentStagev1")
    assert method_and_path == "/GET/recommendations"


def test_signed_in_users_may_invoke_exactly_the_rest_apis_methods(template):
    (statement,) = [s for s in _statements(template, "SignedInUserAccess") if s["Action"] == "execute-api:Invoke"]
    resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
    assert [_route(r)[2] for r in resources] == ["/GET/recommendations"]


def _route(arn):
    """(API reference, stage reference, method and path) of an execute-api ARN built by CloudFormation."""
    parts = arn["Fn::Join"][1]
    api, stage = [p["Ref"] for p in parts if isinstance(p, dict) and p.get("Ref") != "AWS::Partition"]
    return api, stage, parts[-1]
