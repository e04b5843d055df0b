"""Step 2, the web client: its configuration comes from the deployed stacks' outputs, and
every GraphQL document it sends is valid against the API's schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from graphql import FieldNode, OperationDefinitionNode, build_schema, parse, validate

from scripts.write_amplify_outputs import (
    REQUIRED_OUTPUTS,
    MissingOutputError,
    amplify_outputs,
    load_environment,
    main,
)
from tests.test_schema import APPSYNC_PRELUDE

REGION = "{{ cookiecutter.dev_region }}"
MFA = "{{ {'optional': 'OPTIONAL', 'required': 'ON', 'off': 'OFF'}[cookiecutter.cognito_mfa] }}"
DEPLOYED = {
    "UserPoolId": f"{REGION}_AbCdEf123",
    "UserPoolClientId": "1example23456789abcdefghij",
    "IdentityPoolId": f"{REGION}:0f1e2d3c-4b5a-4697-8877-665544332211",
    "GraphQLUrl": f"https://abcdefghijklmnopqrstuvwxyz.appsync-api.{REGION}.amazonaws.com/graphql",
    "GraphQLRegion": REGION,
}


@pytest.fixture(scope="module")
def environment():
    return load_environment("dev")


def outputs_file(environment, *, without: str = "") -> dict:
    """What `cdk deploy --outputs-file` writes for the dev stacks, optionally lacking one output."""
    stacks: dict[str, dict[str, str]] = {environment.stack_name("network"): {"VpcId": "vpc-0123"}}
    for unit, key in REQUIRED_OUTPUTS:
        stack = stacks.setdefault(environment.stack_name(unit), {})
        if key != without:
            stack[key] = DEPLOYED[key]
    return stacks


def test_outputs_become_the_configuration_aws_amplify_reads(environment):
    document = amplify_outputs(outputs_file(environment), environment)
    assert document["version"].startswith("1")
    assert document["auth"] == {
        "aws_region": REGION,
        "user_pool_id": DEPLOYED["UserPoolId"],
        "user_pool_client_id": DEPLOYED["UserPoolClientId"],
        "identity_pool_id": DEPLOYED["IdentityPoolId"],
        "username_attributes": ["email"],
        "standard_required_attributes": ["email"],
        "user_verification_types": ["email"],
        "unauthenticated_identities_enabled": False,
        "mfa_configuration": MFA,
        "mfa_methods": [] if MFA == "OFF" else ["TOTP"],
    }
    assert document["data"] == {
        "aws_region": REGION,
        "url": DEPLOYED["GraphQLUrl"],
        "default_authorization_type": "AMAZON_COGNITO_USER_POOLS",
        "authorization_types": [],
    }


@pytest.mark.parametrize(("unit", "key"), REQUIRED_OUTPUTS, ids=[key for _, key in REQUIRED_OUTPUTS])
def test_a_missing_output_is_named_with_its_stack(environment, unit, key):
    with pytest.raises(MissingOutputError) as raised:
        amplify_outputs(outputs_file(environment, without=key), environment)
    assert f"stack '{environment.stack_name(unit)}' has no output '{key}'" in str(raised.value)


def test_a_missing_stack_is_named(environment):
    stacks = outputs_file(environment)
    del stacks[environment.stack_name("api")]
    with pytest.raises(MissingOutputError, match=f"no outputs of stack '{environment.stack_name('api')}'"):
        amplify_outputs(stacks, environment)


def test_command_writes_the_file(environment, tmp_path, capsys):
    source, target = tmp_path / "cdk-outputs-dev.json", tmp_path / "public" / "amplify_outputs.json"
    source.write_text(json.dumps(outputs_file(environment)))
    assert main(["--env", "dev", "--outputs", str(source), "--out", str(target)]) == 0
    assert json.loads(target.read_text()) == amplify_outputs(outputs_file(environment), environment)
    assert str(target) in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cdk-outputs-dev.json not found"),
        ("{not json", "Expecting property name"),
        (json.dumps({}), "no outputs of stack"),
    ],
    ids=["no-file", "not-json", "no-stacks"],
)
def test_command_fails_clearly_and_writes_nothing(tmp_path, capsys, content, message):
    source, target = tmp_path / "cdk-outputs-dev.json", tmp_path / "amplify_outputs.json"
    if content is not None:
        source.write_text(content)
    assert main(["--env", "dev", "--outputs", str(source), "--out", str(target)]) == 1
    assert message in capsys.readouterr().err
    assert not target.exists()


@pytest.mark.parametrize(("unit", "key"), REQUIRED_OUTPUTS, ids=[key for _, key in REQUIRED_OUTPUTS])
def test_the_stacks_export_each_output_the_client_needs(dev, environment, unit, key):
    stack_id = unit.capitalize()
    output = dev.raw(stack_id).get("Outputs", {}).get(key)
    assert output is not None, f"{stack_id} stack exports no output '{key}'"


PROJECT = Path(__file__).resolve().parent.parent
SCHEMA = PROJECT / "{{ cookiecutter.package_name }}" / "api" / "schema.graphql"
CLIENT_OPERATIONS = PROJECT / "web" / "graphql" / "operations.ts"


def client_documents() -> dict[str, str]:
    """The GraphQL documents in web/graphql/operations.ts, by constant name (null ones left out)."""
    text = CLIENT_OPERATIONS.read_text(encoding="utf-8")
    return dict(re.findall(r"export const (\w+)(?:: string \| null)? = /\* GraphQL \*/ `(.*?)`;", text, re.DOTALL))


def test_client_has_its_documents():
    documents = client_documents()
    assert {"listItems", "createItem", "deleteItem", "onItemChanged"} <= set(documents)
    assert ("searchItems" in documents) is {{ "True" if cookiecutter.__search == "yes" else "False" }}
    assert ("recommendations" in documents) is {{ "True" if cookiecutter.__service == "yes" else "False" }}


@pytest.mark.parametrize("name", sorted(client_documents()))
def test_client_documents_are_valid_against_the_api_schema(name):
    schema = build_schema(APPSYNC_PRELUDE + SCHEMA.read_text(encoding="utf-8"))
    errors = validate(schema, parse(client_documents()[name]))
    assert not errors, f"{name}: {[error.message for error in errors]}"


def _top_fields(document: str) -> dict[tuple[str, str], set[str]]:
    """(operation type, root field) -> the names selected directly on that field."""
    found = {}
    for definition in parse(document).definitions:
        if isinstance(definition, OperationDefinitionNode):
            for selection in definition.selection_set.selections:
                if isinstance(selection, FieldNode) and selection.selection_set:
                    names = {s.name.value for s in selection.selection_set.selections if isinstance(s, FieldNode)}
                    found[(definition.operation.value, selection.name.value)] = names
    return found


def test_client_mutations_select_what_subscriptions_filter_on():
    """AppSync filters subscriptions on `owner` in the mutation's own result: a mutation that
    does not select it reaches no subscriber. The subscriptions select it too."""
    schema = build_schema(APPSYNC_PRELUDE + SCHEMA.read_text(encoding="utf-8"))
    subscribed = {
        argument.value
        for field in schema.subscription_type.fields.values()
        for directive in field.ast_node.directives
        if directive.name.value == "aws_subscribe"
        for argument in directive.arguments[0].value.values
    }
    selections = {
        key: names for document in client_documents().values() for key, names in _top_fields(document).items()
    }
    mutations = {field: names for (kind, field), names in selections.items() if kind == "mutation"}
    assert set(mutations) & subscribed, "the client sends no mutation that a subscription follows"
    for field in set(mutations) & subscribed:
        assert "owner" in mutations[field], f"mutation {field} does not select owner"
    for (kind, field), names in selections.items():
        if kind == "subscription":
            assert "owner" in names, f"subscription {field} does not select owner"
