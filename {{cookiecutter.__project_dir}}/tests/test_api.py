"""Steps 3-7: the AppSync API, its auth modes, logging, tracing and its resolvers by kind."""

from pathlib import Path

from aws_cdk.assertions import Match

from {{ cookiecutter.package_name }}.api import infrastructure as api_unit

XRAY = {{ "True" if cookiecutter.__xray == "yes" else "False" }}
SEARCH = {{ "True" if cookiecutter.__search == "yes" else "False" }}
SERVICE_TIER = {{ "True" if cookiecutter.__service == "yes" else "False" }}
SCHEMA = Path(api_unit.__file__).with_name("schema.graphql")
RESOLVERS = Path(api_unit.__file__).with_name("resolvers")


def _by_type(template, resource_type):
    return [r["Properties"] for r in template.find_resources(resource_type).values()]


def test_user_pools_by_default_and_iam_as_well(dev):
    dev["Api"].has_resource_properties(
        "AWS::AppSync::GraphQLApi",
        {
            "AuthenticationType": "AMAZON_COGNITO_USER_POOLS",
            "AdditionalAuthenticationProviders": [{"AuthenticationType": "AWS_IAM"}],
            "UserPoolConfig": Match.object_like({"DefaultAction": "ALLOW"}),
        },
    )


def test_request_logging_and_tracing_without_verbose_content(dev, prod):
    for env in (dev, prod):
        (api,) = _by_type(env["Api"], "AWS::AppSync::GraphQLApi")
        # Verbose content would log every request's headers (the users' tokens), arguments and results.
        assert api["LogConfig"]["ExcludeVerboseContent"] is True
        assert api["LogConfig"]["FieldLogLevel"] in ("ERROR", "INFO", "DEBUG", "ALL")
        assert "CloudWatchLogsRoleArn" in api["LogConfig"]
        assert api["XrayEnabled"] is XRAY


def test_schema_is_the_projects_schema_file(dev):
    (schema,) = _by_type(dev["Api"], "AWS::AppSync::GraphQLSchema")
    assert schema["Definition"] == SCHEMA.read_text(encoding="utf-8")


def test_data_sources_by_kind(dev):
    kinds = sorted(ds["Type"] for ds in _by_type(dev["Api"], "AWS::AppSync::DataSource"))
    expected = ["AMAZON_DYNAMODB", "AWS_LAMBDA", "NONE"]
    expected += (["AMAZON_OPENSEARCH_SERVICE"] if SEARCH else []) + (["HTTP"] if SERVICE_TIER else [])
    assert kinds == sorted(expected)


def test_every_js_resolver_is_a_pipeline_that_starts_with_the_owner_check(dev, cloud_assembly_dir):
    """owner.js is each pipeline's own code (its request runs before any function); the one function
    runs the field's resolver file against the field's data source."""
    resources = dev.raw("Api")["Resources"]
    resolvers = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::AppSync::Resolver"]
    direct = [r for r in resolvers if r.get("Kind", "UNIT") == "UNIT"]
    assert [(r["TypeName"], r["FieldName"]) for r in direct] == [("Mutation", "placeOrder")]
    sources = {
        r["Properties"]["Name"]: r["Properties"]["Type"]
        for r in resources.values()
        if r["Type"] == "AWS::AppSync::DataSource"
    }
    wiring = {}
    for resolver in (r for r in resolvers if r.get("Kind") == "PIPELINE"):
        assert resolver["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}
        assert _code(resolver, cloud_assembly_dir) == _resolver_file("owner.js")
        ((function_id, attribute),) = [f["Fn::GetAtt"] for f in resolver["PipelineConfig"]["Functions"]]
        function = resources[function_id]
        assert function["Type"] == "AWS::AppSync::FunctionConfiguration" and attribute == "FunctionId"
        function = function["Properties"]
        assert function["Runtime"] == {"Name": "APPSYNC_JS", "RuntimeVersion": "1.0.0"}
        code = _code(function, cloud_assembly_dir)
        (file,) = [f.name for f in RESOLVERS.glob("*.js") if _resolver_file(f.name) == code]
        wiring[(resolver["TypeName"], resolver["FieldName"])] = (file, sources[function["DataSourceName"]])
    expected = {
        ("Query", "getItem"): ("getItem.js", "AMAZON_DYNAMODB"),
        ("Query", "listItems"): ("listItems.js", "AMAZON_DYNAMODB"),
        ("Mutation", "createItem"): ("createItem.js", "AMAZON_DYNAMODB"),
        ("Mutation", "updateItem"): ("updateItem.js", "AMAZON_DYNAMODB"),
        ("Mutation", "deleteItem"): ("deleteItem.js", "AMAZON_DYNAMODB"),
        ("Subscription", "onOrderPlaced"): ("ownSubscription.js", "NONE"),
        ("Subscription", "onItemChanged"): ("ownSubscription.js", "NONE"),
    }
    if SEARCH:
        expected[("Query", "searchItems")] = ("searchItems.js", "AMAZON_OPENSEARCH_SERVICE")
    if SERVICE_TIER:
        expected[("Query", "recommendations")] = ("recommendations.js", "HTTP")
    assert wiring == expected


def _resolver_file(name):
    return (RESOLVERS / name).read_bytes()


def _code(resolver_or_function, cloud_assembly_dir):
    """The bytes of the code asset a resolver or function points to (s3://<bucket>/<hash>.js)."""
    object_key = resolver_or_function["CodeS3Location"].rsplit("/", 1)[1]
    return (cloud_assembly_dir / f"asset.{object_key}").read_bytes()


def test_lambda_resolver_runs_the_handler_with_powertools(dev):
    functions = [f for f in _by_type(dev["Api"], "AWS::Lambda::Function") if f.get("Handler") == "handler.handler"]
    assert len(functions) == 1
    function = functions[0]
    assert function["Runtime"] == "python3.14"
    assert "TABLE_NAME" in function["Environment"]["Variables"]
    assert any("AWSLambdaPowertoolsPythonV3-python314-arm64" in layer for layer in function["Layers"])
    assert function.get("TracingConfig", {}).get("Mode", "PassThrough") == ("Active" if XRAY else "PassThrough")


def test_table_resolvers_may_do_exactly_their_operations(dev):
    (source,) = [d for d in _by_type(dev["Api"], "AWS::AppSync::DataSource") if d["Type"] == "AMAZON_DYNAMODB"]
    role_id = source["ServiceRoleArn"]["Fn::GetAtt"][0]
    policies = [p for p in _by_type(dev["Api"], "AWS::IAM::Policy") if p["Roles"] == [{"Ref": role_id}]]
    actions = sorted(a for p in policies for s in p["PolicyDocument"]["Statement"] for a in _list(s["Action"]))
    assert actions == sorted(api_unit.TABLE_RESOLVER_ACTIONS)


def test_orders_function_may_only_read_items_and_write_orders(dev):
    statements = [
        s
        for p in _by_type(dev["Api"], "AWS::IAM::Policy")
        if "OrdersFunctionRole" in p["PolicyName"]
        for s in p["PolicyDocument"]["Statement"]
    ]
    dynamodb = sorted(a for s in statements for a in _list(s["Action"]) if a.startswith("dynamodb:"))
    assert dynamodb == ["dynamodb:BatchGetItem", "dynamodb:PutItem"]


def test_no_policy_of_the_api_allows_every_action(dev):
    for policy in _by_type(dev["Api"], "AWS::IAM::Policy"):
        for statement in policy["PolicyDocument"]["Statement"]:
            for action in _list(statement["Action"]):
                assert action != "*" and not action.endswith(":*"), (policy["PolicyName"], action)


def test_api_outputs_for_clients(dev):
    outputs = dev.raw("Api")["Outputs"]
    assert outputs["GraphQLUrl"]["Value"]["Fn::GetAtt"][1] == "GraphQLUrl"
    assert outputs["GraphQLRegion"]["Value"] == "{{ cookiecutter.dev_region }}"


def _list(value):
    return value if isinstance(value, list) else [value]
