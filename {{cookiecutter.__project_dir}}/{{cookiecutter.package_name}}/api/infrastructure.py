"""Steps 3-7: the AppSync GraphQL API and its four kinds of resolvers.

- DynamoDB resolvers (step 6) for the item operations, owner-scoped in the resolver code;
- a Lambda resolver (step 4) for placing orders, with Powertools and the caller's claims;
- an HTTP resolver (step 5) to the service tier's REST API, signed with IAM, when a REST API is given;
- an OpenSearch resolver (step 7) for full-text search, when a search domain is given.

Every resolver is a pipeline whose first step (resolvers/owner.js) derives the owner from
the caller's identity. `grant_signed_in_users` gives the identity pool's authenticated role
exactly this API's fields (and the REST API's methods); the stage calls it, and the policy
lives in this unit's stack, so the Identity stack depends on no API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_opensearchservice as opensearch
from constructs import Construct

from {{ cookiecutter.package_name }}.compliance import acknowledge, logical_id
from {{ cookiecutter.package_name }}.config import EnvironmentConfig
from {{ cookiecutter.package_name }}.functions import (
    LAMBDA_TRACING,
    XRAY,
    acknowledge_tracing,
    powertools_layer,
    python_function,
)

HERE = Path(__file__).resolve().parent
SCHEMA = HERE / "schema.graphql"
RESOLVERS = HERE / "resolvers"
RUNTIME = HERE / "runtime"
JS = appsync.FunctionRuntime.JS_1_0_0
# Exactly what the DynamoDB resolvers in resolvers/ do.
TABLE_RESOLVER_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
)


@dataclass(frozen=True)
class ApiSettings:
    """config/<env>.yaml `api`: AppSync's field log level, how long logs are kept, the resolver's memory."""

    field_log_level: str = "ERROR"  # NONE, ERROR, INFO, DEBUG or ALL
    log_retention: str = "ONE_MONTH"  # a CloudWatch Logs RetentionDays name
    lambda_memory_mb: int = 256


@dataclass(frozen=True)
class SearchBackend:
    """What the API needs from the search unit: the domain and the role AppSync queries it with."""

    domain: opensearch.IDomain
    query_role: iam.IRole


class Api(Construct):
    """The GraphQL API. `search` comes from the search unit and `rest_api` from the service unit
    (its deployment stage and methods are read); each resolver kind exists only when given."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        user_pool: cognito.IUserPool,
        table: dynamodb.ITableV2,
        search: SearchBackend | None = None,
        rest_api: apigateway.RestApi | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        settings = config.settings("api", ApiSettings)
        stack = cdk.Stack.of(self)
        self._fields: list[tuple[str, str]] = []
        self._rest_api = rest_api

        self.api = appsync.GraphqlApi(
            self,
            "GraphqlApi",
            name=f"{stack.stack_name}-graphql",
            definition=appsync.Definition.from_file(str(SCHEMA)),
            authorization_config=appsync.AuthorizationConfig(
                default_authorization=appsync.AuthorizationMode(
                    authorization_type=appsync.AuthorizationType.USER_POOL,
                    user_pool_config=appsync.UserPoolConfig(user_pool=user_pool),
                ),
                additional_authorization_modes=[
                    appsync.AuthorizationMode(authorization_type=appsync.AuthorizationType.IAM)
                ],
            ),
            # Request-level logs and field logs at the configured level, without verbose content:
            # headers (the users' tokens), arguments and results stay out of the logs in every stage.
            log_config=appsync.LogConfig(
                field_log_level=appsync.FieldLogLevel[settings.field_log_level],
                exclude_verbose_content=True,
                retention=logs.RetentionDays[settings.log_retention],
            ),
            xray_enabled=XRAY,
            environment_variables={"REST_API_STAGE": rest_api.deployment_stage.stage_name} if rest_api else None,
        )
        self._acknowledge_logging()

        self._owner_code = appsync.Code.from_asset(str(RESOLVERS / "owner.js"))
        self._table_resolvers(table)
        self._lambda_resolver(config, settings, table)
        self._subscription_resolvers()
        if search is not None:
            self._search_resolver(search)
        if rest_api is not None:
            self._http_resolver(rest_api)

        cdk.CfnOutput(self, "GraphQLUrl", key="GraphQLUrl", value=self.api.graphql_url)
        cdk.CfnOutput(self, "GraphQLRegion", key="GraphQLRegion", value=stack.region)

    def _acknowledge_logging(self) -> None:
        """What AppSync's logging setup needs: its managed policy, and CDK's retention function."""
        acknowledge(
            self.api,
            "AwsSolutions::AwsSolutions-ASC3",
            "request-level and field logs are on; verbose content (headers with the users' tokens, "
            "arguments and results with their data) is excluded on purpose",
        )
        acknowledge(
            self.api.node.find_child("ApiLogsRole"),
            "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSAppSyncPushToCloudWatchLogs]",
            "the AWS-maintained AppSync logging policy only writes to AppSync's own log groups",
        )
        # CDK's singleton that sets the retention of the log group AppSync creates and names itself.
        stack = cdk.Stack.of(self)
        (retention,) = (child for child in stack.node.children if child.node.id.startswith("LogRetention"))
        acknowledge(
            retention,
            "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            "CDK's log retention function sets the retention of the AppSync log group AppSync creates itself",
        )
        acknowledge(
            retention,
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            "CDK's log retention function must set retention on a log group whose name AppSync chooses",
        )

    # ------------------------------------------------------------------ resolvers

    def _pipeline(self, type_name: str, field_name: str, data_source: appsync.BaseDataSource, code: str) -> None:
        """A resolver for one field: owner.js first, then the data source function in `code`."""
        function = appsync.AppsyncFunction(
            self,
            f"{type_name}{field_name[0].upper()}{field_name[1:]}Function",
            name=f"{type_name}_{field_name}",
            api=self.api,
            data_source=data_source,
            code=appsync.Code.from_asset(str(RESOLVERS / code)),
            runtime=JS,
        )
        appsync.Resolver(
            self,
            f"{type_name}{field_name[0].upper()}{field_name[1:]}Resolver",
            api=self.api,
            type_name=type_name,
            field_name=field_name,
            pipeline_config=[function],
            code=self._owner_code,
            runtime=JS,
        )
        self._fields.append((type_name, field_name))

    def _table_resolvers(self, table: dynamodb.ITableV2) -> None:
        """Step 6: item operations straight against the table, keyed by the caller's partition."""
        role = iam.Role(self, "TableSourceRole", assumed_by=iam.ServicePrincipal("appsync.amazonaws.com"))
        table.grant(role, *TABLE_RESOLVER_ACTIONS)
        # The data source gets the role and the table as references, so that it cannot add its default
        # read-write grant on top (neither to the role nor as a resource policy on the other stack's table).
        self.table_source = appsync.DynamoDbDataSource(
            self,
            "TableSource",
            api=self.api,
            name="Table",
            table=dynamodb.TableV2.from_table_name(self, "TableRef", table.table_name),
            service_role=iam.Role.from_role_arn(self, "TableSourceRoleRef", role.role_arn, mutable=False),
        )
        self._pipeline("Query", "getItem", self.table_source, "getItem.js")
        self._pipeline("Query", "listItems", self.table_source, "listItems.js")
        self._pipeline("Mutation", "createItem", self.table_source, "createItem.js")
        self._pipeline("Mutation", "updateItem", self.table_source, "updateItem.js")
        self._pipeline("Mutation", "deleteItem", self.table_source, "deleteItem.js")

    def _lambda_resolver(self, config: EnvironmentConfig, settings: ApiSettings, table: dynamodb.ITableV2) -> None:
        """Step 4: placeOrder runs in Lambda (direct resolver: AppSync passes the identity through)."""
        role = iam.Role(self, "OrdersFunctionRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        log_group = logs.LogGroup(
            self,
            "OrdersFunctionLogs",
            retention=logs.RetentionDays[settings.log_retention],
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.orders_function = python_function(
            self,
            "OrdersFunction",
            code=RUNTIME,
            handler="handler.handler",
            layers=[powertools_layer(self, config)],
            role=role,
            log_group=log_group,
            memory_size=settings.lambda_memory_mb,
            timeout=cdk.Duration.seconds(10),
            tracing=LAMBDA_TRACING,
            environment={"TABLE_NAME": table.table_name, "POWERTOOLS_SERVICE_NAME": "orders"},
        )
        log_group.grant_write(role)
        table.grant(role, "dynamodb:BatchGetItem", "dynamodb:PutItem")
        acknowledge_tracing(role)
        self.lambda_source = self.api.add_lambda_data_source("Orders", self.orders_function)
        function_id = logical_id(self.orders_function)
        acknowledge(
            self.lambda_source.node.find_child("ServiceRole"),
            f"AwsSolutions::AwsSolutions-IAM5[Resource::<{function_id}.Arn>:*]",
            "AppSync may invoke the orders function and its versions; the wildcard covers only qualifiers",
        )
        self.lambda_source.create_resolver("MutationPlaceOrderResolver", type_name="Mutation", field_name="placeOrder")
        self._fields.append(("Mutation", "placeOrder"))

    def _subscription_resolvers(self) -> None:
        """Subscriptions deliver only the subscriber's own events (enhanced filtering)."""
        local = self.api.add_none_data_source("Local")
        self._pipeline("Subscription", "onOrderPlaced", local, "ownSubscription.js")
        self._pipeline("Subscription", "onItemChanged", local, "ownSubscription.js")

    def _search_resolver(self, search: SearchBackend) -> None:
        """Step 7: searchItems queries OpenSearch with a role the search unit maps to read-only access."""
        # Imported immutable: the search unit grants this role exactly the search path, and
        # the data source must not add its own read-write grant on top.
        role = iam.Role.from_role_arn(self, "SearchQueryRole", search.query_role.role_arn, mutable=False)
        self.search_source = appsync.OpenSearchDataSource(
            self, "SearchSource", api=self.api, name="Search", domain=search.domain, service_role=role
        )
        self._pipeline("Query", "searchItems", self.search_source, "searchItems.js")

    def _http_resolver(self, rest_api: apigateway.RestApi) -> None:
        """Step 5: recommendations come from the service tier's REST API, signed with IAM (execute-api)."""
        stack = cdk.Stack.of(self)
        endpoint = f"https://{rest_api.rest_api_id}.execute-api.{stack.region}.{stack.url_suffix}"
        self.http_source = self.api.add_http_data_source(
            "ServiceTier",
            endpoint,
            authorization_config=appsync.AwsIamConfig(signing_region=stack.region, signing_service_name="execute-api"),
        )
        route = rest_api.arn_for_execute_api("GET", "/recommendations", rest_api.deployment_stage.stage_name)
        self.http_source.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["execute-api:Invoke"], resources=[route])
        )
        self._pipeline("Query", "recommendations", self.http_source, "recommendations.js")

    # ------------------------------------------------------------------ access

    def grant_signed_in_users(self, role: iam.IRole) -> None:
        """Signed-in identities may call exactly this API's fields and, with a service tier,
        exactly the REST API's methods. The policy lives here, in the stack that knows both ARNs."""
        rest_api = self._rest_api
        statements = [
            iam.PolicyStatement(
                actions=["appsync:GraphQL"],
                resources=[f"{self.api.arn}/types/{type_name}/fields/{field}" for type_name, field in self._fields],
            )
        ]
        if rest_api is not None and rest_api.methods:
            statements.append(
                iam.PolicyStatement(
                    actions=["execute-api:Invoke"], resources=[method.method_arn for method in rest_api.methods]
                )
            )
        access = iam.Policy(self, "SignedInUserAccess", roles=[role], statements=statements)
        if rest_api is not None:
            self._acknowledge_method_wildcards(access, rest_api)

    @staticmethod
    def _acknowledge_method_wildcards(access: iam.Policy, rest_api: apigateway.RestApi) -> None:
        """API Gateway writes a path parameter of a method ARN as `*`; cdk-nag names the REST API's id and
        stage, which reach this stack as the REST API's stack's exports, by their export names."""
        owner = cdk.Stack.of(rest_api)
        wildcards = [(method, re.sub(r"\{[^}]*\}", "*", method.resource.path)) for method in rest_api.methods]
        wildcards = [(method, path) for method, path in wildcards if "*" in path]
        if not wildcards or owner.node.path == cdk.Stack.of(access).node.path:
            return  # within one stack the ARN holds no exports; no wildcard, no finding
        api_id, stage = (
            owner.resolve(owner.export_value(value))["Fn::ImportValue"]
            for value in (rest_api.rest_api_id, rest_api.deployment_stage.stage_name)
        )
        prefix = f"arn:{owner.partition}:execute-api:{owner.region}:{owner.account}:{api_id}/{stage}"
        for method, path in wildcards:
            acknowledge(
                access,
                f"AwsSolutions::AwsSolutions-IAM5[Resource::{prefix}/{method.http_method}{path}]",
                f"the one method on {method.resource.path}: API Gateway writes the path parameter "
                "of a method ARN as a wildcard",
            )
