"""Steps 9-11: REST API -> VPC link -> load balancer -> Fargate with auto scaling, and the DAX cache."""

import ast
import dataclasses
import json
from pathlib import Path

import pytest
import yaml
from aws_cdk.assertions import Match

from {{ cookiecutter.package_name }}.config import ConfigError, load_environment
from {{ cookiecutter.package_name }}.service.api import USER_TOKEN_HEADER
from {{ cookiecutter.package_name }}.service.settings import ServiceSettings
from tests.runtime.appsync_js import call
from tests.security_groups import by_description

VPC_LINK = "{{ cookiecutter.vpc_link }}"
WAF = {{ "True" if cookiecutter.__waf == "yes" else "False" }}
DAX = {{ "True" if cookiecutter.__dax == "yes" else "False" }}
ANALYTICS = {{ "True" if cookiecutter.__lake == "yes" else "False" }}
CONTAINER_PORT, LISTENER_PORT, DAX_TLS_PORT = 8080, 80, 9111
ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "{{ cookiecutter.package_name }}"
# Modules any unit may import: the rest of the project meets it only in stage.py.
NEUTRAL_MODULES = ("compliance", "config", "functions", "networking", "storage")
SHARED_MODULES = {PACKAGE} | {f"{PACKAGE}.{name}" for name in NEUTRAL_MODULES}
ROUTES = {
    ("GET", "recommendations"),
    ("GET", "items"),
    ("POST", "items"),
    ("GET", "{item_id}"),
    ("PUT", "{item_id}"),
    ("DELETE", "{item_id}"),
}


def _resources(env, kind):
    return env["Service"].find_resources(kind)


def _only(env, kind):
    found = _resources(env, kind)
    assert len(found) == 1, (kind, list(found))
    return next(iter(found.items()))


def _path_parts(env):
    resources = env.raw("Service")["Resources"]
    return {
        key: value["Properties"]["PathPart"]
        for key, value in resources.items()
        if value["Type"] == "AWS::ApiGateway::Resource"
    }


# --------------------------------------------------------------------------- step 9: REST API


def test_every_method_is_iam_authorised_and_proxies_privately_through_the_vpc_link(dev):
    methods = _resources(dev, "AWS::ApiGateway::Method")
    parts = _path_parts(dev)
    seen = set()
    link_type = "AWS::ApiGateway::VpcLink" if VPC_LINK == "v1-nlb" else "AWS::ApiGatewayV2::VpcLink"
    link_id, _ = _only(dev, link_type)
    for method in methods.values():
        properties = method["Properties"]
        seen.add((properties["HttpMethod"], parts[properties["ResourceId"]["Ref"]]))
        assert properties["AuthorizationType"] == "AWS_IAM"
        integration = properties["Integration"]
        assert integration["Type"] == "HTTP_PROXY"
        assert integration["ConnectionType"] == "VPC_LINK"
        assert integration["ConnectionId"] == {"Ref": link_id}
        headers = integration["RequestParameters"]
        assert headers["integration.request.header.x-caller-arn"] == "context.identity.userArn"
        assert headers["integration.request.header.x-caller-auth-provider"] == (
            "context.identity.cognitoAuthenticationProvider"
        )
    assert seen == ROUTES


def test_recommendations_pass_their_optional_limit_to_the_backend(dev):
    parts = _path_parts(dev)
    (method,) = [
        m["Properties"]
        for m in _resources(dev, "AWS::ApiGateway::Method").values()
        if parts[m["Properties"]["ResourceId"]["Ref"]] == "recommendations"
    ]
    assert method["RequestParameters"] == {"method.request.querystring.limit": False}
    assert method["Integration"]["RequestParameters"]["integration.request.querystring.limit"] == (
        "method.request.querystring.limit"
    )
    assert method["Integration"]["Uri"]["Fn::Join"][1][-1].endswith("/recommendations")


def test_backend_paths_are_exact_and_carry_no_stage_name(dev):
    stage = dev["Service"].find_resources("AWS::ApiGateway::Stage")
    stage_name = next(iter(stage.values()))["Properties"]["StageName"]
    for method in _resources(dev, "AWS::ApiGateway::Method").values():
        uri = method["Properties"]["Integration"]["Uri"]["Fn::Join"][1]
        path = uri[-1]
        assert path.startswith((f":{LISTENER_PORT}/items", f":{LISTENER_PORT}/recommendations")), uri
        assert f"/{stage_name}/" not in path and not path.startswith(f":{LISTENER_PORT}/{stage_name}")


def test_vpc_link_targets_the_load_balancer(dev):
    balancer_id, _ = _only(dev, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    if VPC_LINK == "v1-nlb":
        _, link = _only(dev, "AWS::ApiGateway::VpcLink")
        assert link["Properties"]["TargetArns"] == [{"Ref": balancer_id}]
        assert not _resources(dev, "AWS::ApiGatewayV2::VpcLink")
    else:
        (listener_id,) = [
            key
            for key, listener in _resources(dev, "AWS::ElasticLoadBalancingV2::Listener").items()
            if listener["Properties"]["Port"] == LISTENER_PORT
        ]
        for method in _resources(dev, "AWS::ApiGateway::Method").values():
            assert method["Properties"]["Integration"]["IntegrationTarget"] == {"Ref": listener_id}
        assert not _resources(dev, "AWS::ApiGateway::VpcLink")


def test_request_validation_and_body_model(dev):
    _, validator = _only(dev, "AWS::ApiGateway::RequestValidator")
    assert validator["Properties"]["ValidateRequestBody"] is True
    assert validator["Properties"]["ValidateRequestParameters"] is True
    _, model = _only(dev, "AWS::ApiGateway::Model")
    schema = model["Properties"]["Schema"]
    assert schema["required"] == ["name", "price"]
    assert schema["properties"]["price"] == {"type": "number", "minimum": 0}
    assert schema["additionalProperties"] is False
    for method in _resources(dev, "AWS::ApiGateway::Method").values():
        properties = method["Properties"]
        assert "RequestValidatorId" in properties
        has_model = "RequestModels" in properties
        assert has_model == (properties["HttpMethod"] in ("POST", "PUT"))


def test_stage_logs_access_and_execution_and_throttles_per_environment(dev, prod):
    for env, rate in ((dev, 50), (prod, 500)):
        env["Service"].has_resource_properties(
            "AWS::ApiGateway::Stage",
            {
                "AccessLogSetting": {
                    "DestinationArn": Match.any_value(),
                    "Format": Match.string_like_regexp("requestId"),
                },
                "TracingEnabled": True,
                "MethodSettings": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "LoggingLevel": "INFO",
                                "DataTraceEnabled": False,
                                "MetricsEnabled": True,
                                "ThrottlingRateLimit": rate,
                            }
                        )
                    ]
                ),
            },
        )
    dev["Service"].resource_count_is("AWS::ApiGateway::Account", 1)


def test_web_acl_guards_the_stage_only_when_chosen(dev):
    acls = _resources(dev, "AWS::WAFv2::WebACL")
    associations = _resources(dev, "AWS::WAFv2::WebACLAssociation")
    if not WAF:
        assert acls == {} and associations == {}
        return
    ((acl_id, acl),) = acls.items()
    assert acl["Properties"]["Scope"] == "REGIONAL"
    names = {rule["Name"] for rule in acl["Properties"]["Rules"]}
    assert {
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "RateLimitPerUser",
        "RateLimitPerIp",
    } == names
    (association,) = associations.values()
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    (logging,) = _resources(dev, "AWS::WAFv2::LoggingConfiguration").values()
    assert logging["Properties"]["ResourceArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    # WAF accepts only log groups named aws-waf-logs-*, by ARN without the trailing ":*".
    ((prefix, group_ref),) = [d["Fn::Join"][1] for d in logging["Properties"]["LogDestinationConfigs"]]
    assert prefix.startswith("arn:aws:logs:") and prefix.endswith(":log-group:")
    group = _resources(dev, "AWS::Logs::LogGroup")[group_ref["Ref"]]
    assert group["Properties"]["LogGroupName"].startswith("aws-waf-logs-")


def test_rate_limits_count_per_user_token_and_per_ip_only_without_one(dev):
    """AppSync's HTTP resolver calls share AppSync's egress addresses: they are counted per forwarded
    user token (the header the resolver sends), everything else per source IP."""
    if not WAF:
        return
    (acl,) = _resources(dev, "AWS::WAFv2::WebACL").values()
    rules = {
        rule["Name"]: rule["Statement"]["RateBasedStatement"]
        for rule in acl["Properties"]["Rules"]
        if "RateBasedStatement" in rule["Statement"]
    }
    headers = call(
        "recommendations.js",
        "request",
        {
            "args": {},
            "env": {"REST_API_STAGE": "v1"},
            "stash": {"owner": "u"},
            "identity": {"sub": "u", "claims": {"sub": "u"}},
            "request": {"headers": {"authorization": "token"}},
        },
    )["params"]["headers"]
    assert set(headers) - {"accept", "user-agent"} == {USER_TOKEN_HEADER}
    # The common rule set's NoUserAgent_HEADER rule blocks a request without one (it is not excluded).
    assert headers["user-agent"].strip()
    (common,) = [r for r in acl["Properties"]["Rules"] if r["Name"] == "AWSManagedRulesCommonRuleSet"]
    excluded = common["Statement"]["ManagedRuleGroupStatement"].get("RuleActionOverrides", [])
    assert "NoUserAgent_HEADER" not in {o["Name"] for o in excluded}

    per_user, per_ip = rules["RateLimitPerUser"], rules["RateLimitPerIp"]
    assert per_user["AggregateKeyType"] == "CUSTOM_KEYS"
    assert [key["Header"]["Name"] for key in per_user["CustomKeys"]] == [USER_TOKEN_HEADER]
    carries_token = per_user["ScopeDownStatement"]["SizeConstraintStatement"]
    assert carries_token["FieldToMatch"] == {"SingleHeader": {"Name": USER_TOKEN_HEADER}}
    assert (carries_token["ComparisonOperator"], carries_token["Size"]) == ("GT", 0)
    assert per_ip["AggregateKeyType"] == "IP"
    assert per_ip["ScopeDownStatement"] == {"NotStatement": {"Statement": per_user["ScopeDownStatement"]}}
    assert per_user["Limit"] == per_ip["Limit"]


def test_the_container_verifies_tokens_of_this_environments_user_pool(dev):
    """USER_POOL_ID and USER_POOL_CLIENT_ID are references to the Identity stack's pool and app client."""
    (task,) = _resources(dev, "AWS::ECS::TaskDefinition").values()
    (app,) = [c for c in task["Properties"]["ContainerDefinitions"] if c["Name"] == "app"]
    environment = {variable["Name"]: json.dumps(variable["Value"]) for variable in app["Environment"]}
    identity = dev.raw("Identity")["Resources"]
    expected = {"USER_POOL_ID": "AWS::Cognito::UserPool", "USER_POOL_CLIENT_ID": "AWS::Cognito::UserPoolClient"}
    for name, kind in expected.items():
        (logical_id,) = [key for key, resource in identity.items() if resource["Type"] == kind]
        assert logical_id in environment[name] and "-identity" in environment[name], (name, environment[name])


def test_rest_api_url_is_a_stack_output_with_a_stable_key(dev):
    outputs = dev.raw("Service")["Outputs"]
    assert "RestApiUrl" in outputs


# --------------------------------------------------------------------------- step 10: load balancer and Fargate


def test_load_balancer_is_internal_with_one_listener_port(dev):
    _, balancer = _only(dev, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert balancer["Properties"]["Scheme"] == "internal"
    assert balancer["Properties"]["Type"] == ("network" if VPC_LINK == "v1-nlb" else "application")
    listeners = _resources(dev, "AWS::ElasticLoadBalancingV2::Listener")
    ports = sorted(listener["Properties"]["Port"] for listener in listeners.values())
    assert ports[0] == LISTENER_PORT
    dev["Service"].has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {
            "TargetType": "ip",
            "Port": CONTAINER_PORT,
            "HealthCheckPath": "/health",
        },
    )


def test_cluster_has_container_insights(dev):
    dev["Service"].has_resource_properties(
        "AWS::ECS::Cluster",
        {
            "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}],
        },
    )


def test_tasks_run_privately_over_every_zone_with_a_circuit_breaker(dev):
    _, service = _only(dev, "AWS::ECS::Service")
    properties = service["Properties"]
    assert properties["LaunchType"] == "FARGATE"
    network = properties["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert network["AssignPublicIp"] == "DISABLED"
    assert len(network["Subnets"]) >= 2
    assert properties["HealthCheckGracePeriodSeconds"] > 0
    configuration = properties["DeploymentConfiguration"]
    if "DeploymentCircuitBreaker" in configuration:
        assert configuration["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    else:
        assert properties["DeploymentController"]["Type"] == "CODE_DEPLOY"
    assert properties["LoadBalancers"][0]["ContainerName"] == "app"


def test_tasks_roles_have_fixed_names_and_no_other_account_may_assume_a_role_here(dev, prod):
    """The pipeline's deploy role (a stack `make bootstrap` deploys) passes these roles by name."""
    for env, name in ((dev, "dev"), (prod, "prod")):
        resources = env.raw("Service")["Resources"]
        (task,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ECS::TaskDefinition"]
        names = [
            resources[task[key]["Fn::GetAtt"][0]]["Properties"].get("RoleName")
            for key in ("TaskRoleArn", "ExecutionRoleArn")
        ]
        assert names == [f"{{ cookiecutter.project_slug }}-{name}-service-{role}" for role in ("task", "execution")]
        for role in env["Service"].find_resources("AWS::IAM::Role").values():
            for statement in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]:
                assert set(statement["Principal"]) == {"Service"}, statement


def test_container_is_healthy_read_only_and_configured_for_the_table(dev):
    _, task = _only(dev, "AWS::ECS::TaskDefinition")
    (container,) = [c for c in task["Properties"]["ContainerDefinitions"] if c["Name"] == "app"]
    assert container["ReadonlyRootFilesystem"] is True
    assert container["HealthCheck"]["Command"][:2] == ["CMD", "python"]
    assert container["PortMappings"] == [{"ContainerPort": CONTAINER_PORT, "Protocol": "tcp"}]
    names = {e["Name"] for e in container["Environment"]}
    assert "TABLE_NAME" in names
    assert ("DAX_ENDPOINT" in names) == DAX


def test_auto_scaling_per_environment_on_cpu_and_load(dev, prod):
    for env, low, high in ((dev, 1, 3), (prod, 2, 10)):
        env["Service"].has_resource_properties(
            "AWS::ApplicationAutoScaling::ScalableTarget",
            {
                "MinCapacity": low,
                "MaxCapacity": high,
                "ScalableDimension": "ecs:service:DesiredCount",
            },
        )
    policies = [p["Properties"] for p in _resources(dev, "AWS::ApplicationAutoScaling::ScalingPolicy").values()]
    tracking = [
        p["TargetTrackingScalingPolicyConfiguration"] for p in policies if p["PolicyType"] == "TargetTrackingScaling"
    ]
    metrics = {
        t["PredefinedMetricSpecification"]["PredefinedMetricType"]
        for t in tracking
        if "PredefinedMetricSpecification" in t
    }
    assert "ECSServiceAverageCPUUtilization" in metrics
    if VPC_LINK == "v1-nlb":
        alarms = _resources(dev, "AWS::CloudWatch::Alarm").values()
        assert any(a["Properties"].get("MetricName") == "ActiveFlowCount" for a in alarms)
        assert any(p["PolicyType"] == "StepScaling" for p in policies)
    else:
        assert "ALBRequestCountPerTarget" in metrics


def test_security_groups_allow_exactly_the_request_path(dev):
    template = dev.raw("Service")
    tasks = by_description(template, "Service tasks")
    if VPC_LINK == "v1-nlb":
        balancer = by_description(template, "Service NLB")
        assert balancer.ingress == set()  # VPC link v1 arrives over PrivateLink, not through the group
        _, nlb = _only(dev, "AWS::ElasticLoadBalancingV2::LoadBalancer")
        assert nlb["Properties"]["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "off"
    else:
        balancer = by_description(template, "Service ALB")
        link = by_description(template, "VPC link v2")
        listener_ports = {(link.logical_id, p, p) for p in (LISTENER_PORT,)}
        assert {r for r in balancer.ingress if r[1] == LISTENER_PORT} == listener_ports
        assert all(r[0] == link.logical_id for r in balancer.ingress)
        assert link.ingress == set()
        assert all(r[0] == balancer.logical_id for r in link.egress)
    assert balancer.egress == {(tasks.logical_id, CONTAINER_PORT, CONTAINER_PORT)}
    assert tasks.ingress == {(balancer.logical_id, CONTAINER_PORT, CONTAINER_PORT)}
    expected_egress = {("0.0.0.0/0", 443, 443)}
    if DAX:
        expected_egress.add((by_description(template, "DAX").logical_id, DAX_TLS_PORT, DAX_TLS_PORT))
    assert tasks.egress == expected_egress


# --------------------------------------------------------------------------- step 11: DAX


@pytest.mark.skipif(not DAX, reason="DAX is off")
def test_dax_cluster_is_encrypted_in_private_subnets_with_per_environment_size(dev, prod):
    for env, node_type, nodes in ((dev, "dax.t3.small", 1), (prod, "dax.r5.large", 3)):
        env["Service"].has_resource_properties(
            "AWS::DAX::Cluster",
            {
                "SSESpecification": {"SSEEnabled": True},
                "ClusterEndpointEncryptionType": "TLS",
                "NodeType": node_type,
                "ReplicationFactor": nodes,
            },
        )
    _, subnet_group = _only(dev, "AWS::DAX::SubnetGroup")
    assert len(subnet_group["Properties"]["SubnetIds"]) >= 2


@pytest.mark.skipif(not DAX, reason="DAX is off")
def test_dax_is_reached_by_the_tasks_only_and_its_role_touches_only_the_table(dev):
    template = dev.raw("Service")
    cache = by_description(template, "DAX")
    tasks = by_description(template, "Service tasks")
    assert cache.ingress == {(tasks.logical_id, DAX_TLS_PORT, DAX_TLS_PORT)}
    assert cache.egress == set()
    role_id = _only(dev, "AWS::DAX::Cluster")[1]["Properties"]["IAMRoleARN"]["Fn::GetAtt"][0]
    policies = [
        p["Properties"]
        for p in _resources(dev, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
    ]
    statements = [s for p in policies for s in p["PolicyDocument"]["Statement"]]
    assert statements and all(s["Effect"] == "Allow" for s in statements)
    for statement in statements:
        assert all(a.startswith("dynamodb:") for a in statement["Action"])
        # Exactly the table's ARN, published by the stateful stack: no wildcard, no other table.
        export = statement["Resource"]["Fn::ImportValue"]
        assert export.split(":")[0].endswith("-stateful") and "DataTable" in export


@pytest.mark.skipif(DAX, reason="DAX is on")
def test_without_dax_there_is_no_cache_and_tasks_read_dynamodb_directly(dev):
    for kind in ("AWS::DAX::Cluster", "AWS::DAX::SubnetGroup", "AWS::DAX::ParameterGroup"):
        assert _resources(dev, kind) == {}


DELIVERY = {{ "True" if cookiecutter.__delivery == "yes" else "False" }}


@pytest.mark.skipif(DELIVERY, reason="the pipeline deploys the service")
def test_without_delivery_the_image_is_a_cdk_asset_and_nothing_deploys_it(dev):
    assert "Delivery" not in dev
    _, task = _only(dev, "AWS::ECS::TaskDefinition")
    (container,) = [c for c in task["Properties"]["ContainerDefinitions"] if c["Name"] == "app"]
    assert "cdk-hnb659fds-container-assets" in str(container["Image"])
    assert _resources(dev, "AWS::CodeDeploy::DeploymentGroup") == {}
    assert len(_resources(dev, "AWS::ElasticLoadBalancingV2::TargetGroup")) == 1


def test_app_logs_go_to_the_lake_through_firelens_or_else_to_cloudwatch(dev):
    _, task = _only(dev, "AWS::ECS::TaskDefinition")
    containers = {c["Name"]: c for c in task["Properties"]["ContainerDefinitions"]}
    app_logs = containers["app"]["LogConfiguration"]
    if not ANALYTICS:
        assert set(containers) == {"app"} and app_logs["LogDriver"] == "awslogs"
        return
    router = containers["log-router"]
    assert router["FirelensConfiguration"]["Type"] == "fluentbit" and router["Essential"] is True
    assert router["LogConfiguration"]["LogDriver"] == "awslogs"
    assert app_logs["LogDriver"] == "awsfirelens"
    assert app_logs["Options"]["Name"] == "kinesis_firehose" and app_logs["Options"]["log_key"] == "log"
    stream = app_logs["Options"]["delivery_stream"]
    assert stream.endswith("-logs") and stream in str(dev.raw("Lake")["Resources"])
    # The tasks may put records into the lake's log stream, and the load balancer still targets the app.
    grants = [
        s
        for p in _resources(dev, "AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s["Action"] == "firehose:PutRecordBatch"
    ]
    assert len(grants) == 1 and "LakeLogDelivery" in str(grants[0]["Resource"])
    (service,) = [s["Properties"] for s in _resources(dev, "AWS::ECS::Service").values()]
    assert service["LoadBalancers"][0]["ContainerName"] == "app"


def _project_imports(module: Path) -> set[str]:
    """The project modules a file imports (`from pkg import x` counts as pkg.x)."""
    found = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == PACKAGE:
            found |= {node.module} if node.module != PACKAGE else {f"{PACKAGE}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == PACKAGE}
    return found


@pytest.mark.parametrize("unit", ["service", "data", "delivery"])
def test_units_import_only_themselves_and_shared_modules(unit):
    """Units meet in stage.py: the service receives the table's name and the cache's endpoint as values."""
    folder = ROOT / PACKAGE / unit
    if not folder.is_dir():
        pytest.skip(f"no {unit} unit in this project")
    for module in sorted(folder.glob("*.py")):
        own = f"{PACKAGE}.{unit}"
        foreign = {m for m in _project_imports(module) if m != own and not m.startswith(f"{own}.")} - SHARED_MODULES
        assert foreign == set(), f"{module.relative_to(ROOT)} imports {sorted(foreign)}"


def test_config_files_write_only_service_keys_that_differ_between_environments():
    """Everything else takes its default from ServiceSettings, in one place."""
    sections = [yaml.safe_load((ROOT / "config" / f"{name}.yaml").read_text())["service"] for name in ("dev", "prod")]
    assert set(sections[0]) <= set(sections[1]), "prod.yaml lacks a key dev.yaml sets"
    for key in sections[0]:
        assert sections[0][key] != sections[1][key], f"service.{key} is the same in both files: leave it to the default"
    defaults = {field.name for field in dataclasses.fields(ServiceSettings)}
    assert set(sections[1]) <= defaults


def test_an_unknown_service_key_is_refused_naming_the_file_and_key(tmp_path):
    text = (ROOT / "config" / "dev.yaml").read_text().replace("service:\n", "service:\n  listener_prot: 81\n", 1)
    (tmp_path / "dev.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"config/dev.yaml: service: unknown key 'listener_prot'"):
        load_environment("dev", tmp_path).settings("service", ServiceSettings)
