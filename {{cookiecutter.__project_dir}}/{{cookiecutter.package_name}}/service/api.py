"""Step 9: the REST API in front of the service: IAM-authorised, validated, throttled, logged.

Callers sign with SigV4: AppSync's HTTP resolver (which forwards the signed-in user's own
Cognito token in `x-user-token`, verified by the container) and Cognito identity-pool users.
API Gateway adds who signed the call as headers the container trusts (`x-caller-arn`,
`x-caller-auth-provider`); each method proxies to an exact backend path, so the stage name never
reaches the container. Item bodies carry the GraphQL API's CreateItemInput fields.
"""

from __future__ import annotations

from typing import Protocol

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_logs as logs
from constructs import Construct

from {{ cookiecutter.package_name }} import compliance
from {{ cookiecutter.package_name }}.service.settings import ServiceSettings

ITEM_ID = "item_id"
# The signed-in user's Cognito token, forwarded by AppSync's HTTP resolver (api/resolvers/recommendations.js).
USER_TOKEN_HEADER = "x-user-token"
# (method, API path, backend path): the domain's read and write endpoints, and the recommendations
# AppSync's HTTP resolver asks for (step 5).
ROUTES: tuple[tuple[str, str, str], ...] = (
    ("GET", "/recommendations", "/recommendations"),
    ("GET", "/items", "/items"),
    ("POST", "/items", "/items"),
    ("GET", "/items/{item_id}", "/items/{item_id}"),
    ("PUT", "/items/{item_id}", "/items/{item_id}"),
    ("DELETE", "/items/{item_id}", "/items/{item_id}"),
)
WITH_BODY = {"POST", "PUT"}
# Optional query strings per API path, declared on the method and passed on to the backend.
QUERY_STRINGS = {"/recommendations": ("limit",)}
CALLER_HEADERS = {
    "integration.request.header.x-caller-arn": "context.identity.userArn",
    "integration.request.header.x-caller-auth-provider": "context.identity.cognitoAuthenticationProvider",
    "integration.request.header.x-request-id": "context.requestId",
}


class FrontDoor(Protocol):
    def integration(
        self, http_method: str, path: str, request_parameters: dict[str, str]
    ) -> apigateway.Integration: ...

    def bind_method(self, method: apigateway.Method) -> None: ...


class ServiceApi(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, name: str, settings: ServiceSettings, front_door: FrontDoor
    ) -> None:
        super().__init__(scope, construct_id)
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=logs.RetentionDays[settings.log_retention],
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.rest_api = apigateway.RestApi(
            self,
            "RestApi",
            rest_api_name=name,
            description="Items owned by the signed-in user, served by the Fargate service",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=cdk.RemovalPolicy.DESTROY,
            default_method_options=apigateway.MethodOptions(authorization_type=apigateway.AuthorizationType.IAM),
            deploy_options=apigateway.StageOptions(
                stage_name=settings.api_stage,
                access_log_destination=apigateway.LogGroupLogDestination(access_logs),
                access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                logging_level=apigateway.MethodLoggingLevel.INFO,
                data_trace_enabled=False,
                metrics_enabled=True,
                tracing_enabled=True,
                throttling_rate_limit=settings.throttle_rate,
                throttling_burst_limit=settings.throttle_burst,
            ),
        )
        compliance.acknowledge(
            self.rest_api,
            "AwsSolutions::AwsSolutions-COG4",
            "Methods use IAM (SigV4) authorization: AppSync's HTTP resolver and identity-pool users sign their calls",
        )
        compliance.acknowledge(
            self.rest_api.node.find_child("CloudWatchRole"),
            "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "API Gateway's account-level logging role uses the AWS managed policy made for exactly that purpose",
        )
        self.validator = self.rest_api.add_request_validator(
            "Validator", validate_request_body=True, validate_request_parameters=True
        )
        item_input = self.rest_api.add_model(
            "ItemInput",
            content_type="application/json",
            model_name="ItemInput",
            schema=apigateway.JsonSchema(
                schema=apigateway.JsonSchemaVersion.DRAFT4,
                type=apigateway.JsonSchemaType.OBJECT,
                required=["name", "price"],
                additional_properties=False,
                properties={
                    "name": apigateway.JsonSchema(type=apigateway.JsonSchemaType.STRING, min_length=1, max_length=200),
                    # Nullable, as in the GraphQL API's CreateItemInput.
                    "description": apigateway.JsonSchema(
                        type=[apigateway.JsonSchemaType.STRING, apigateway.JsonSchemaType.NULL], max_length=2000
                    ),
                    "price": apigateway.JsonSchema(type=apigateway.JsonSchemaType.NUMBER, minimum=0),
                },
            ),
        )
        for http_method, api_path, backend_path in ROUTES:
            resource = self.rest_api.root.resource_for_path(api_path)
            with_id = "{" + ITEM_ID + "}" in api_path
            parameters = dict(CALLER_HEADERS)
            method_parameters: dict[str, bool] = {}
            if with_id:
                parameters[f"integration.request.path.{ITEM_ID}"] = f"method.request.path.{ITEM_ID}"
                method_parameters[f"method.request.path.{ITEM_ID}"] = True
            for name in QUERY_STRINGS.get(api_path, ()):
                parameters[f"integration.request.querystring.{name}"] = f"method.request.querystring.{name}"
                method_parameters[f"method.request.querystring.{name}"] = False
            method = resource.add_method(
                http_method,
                front_door.integration(http_method, backend_path, parameters),
                request_validator=self.validator,
                request_parameters=method_parameters or None,
                request_models={"application/json": item_input} if http_method in WITH_BODY else None,
            )
            front_door.bind_method(method)
        self.url = self.rest_api.url
