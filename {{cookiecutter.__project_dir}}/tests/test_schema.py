"""Step 3: api/schema.graphql is a valid schema once AppSync's scalars and directives are declared."""

from pathlib import Path

import pytest
from graphql import GraphQLNonNull, build_schema, get_named_type, validate_schema

from {{ cookiecutter.package_name }}.api import infrastructure as api_unit

SEARCH = {{ "True" if cookiecutter.__search == "yes" else "False" }}
SERVICE_TIER = {{ "True" if cookiecutter.__service == "yes" else "False" }}

APPSYNC_PRELUDE = (api_unit.HERE / "appsync_prelude.graphql").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def schema():
    source = api_unit.SCHEMA.read_text(encoding="utf-8")
    built = build_schema(APPSYNC_PRELUDE + source)
    assert validate_schema(built) == []
    return built


def test_queries_mutations_and_subscriptions(schema):
    assert {"getItem", "listItems"} <= set(schema.query_type.fields)
    assert ("searchItems" in schema.query_type.fields) is SEARCH
    assert ("recommendations" in schema.query_type.fields) is SERVICE_TIER
    assert set(schema.mutation_type.fields) == {"createItem", "updateItem", "deleteItem", "placeOrder"}
    assert set(schema.subscription_type.fields) == {"onOrderPlaced", "onItemChanged"}


def test_subscriptions_follow_existing_mutations_of_the_same_type(schema):
    for name, field in schema.subscription_type.fields.items():
        (directive,) = [d for d in field.ast_node.directives if d.name.value == "aws_subscribe"]
        mutations = [v.value for v in directive.arguments[0].value.values]
        assert mutations, name
        for mutation in mutations:
            produced = schema.mutation_type.fields[mutation].type
            assert get_named_type(produced) is get_named_type(field.type), (name, mutation)


def test_owner_is_never_an_argument(schema):
    """Resolvers take the owner from the caller's identity; no operation may accept one."""
    for root in (schema.query_type, schema.mutation_type, schema.subscription_type):
        for name, field in root.fields.items():
            assert "owner" not in field.args, name
            for argument in field.args.values():
                input_type = get_named_type(argument.type)
                assert "owner" not in getattr(input_type, "fields", {}), (name, input_type)


def test_every_owned_type_exposes_its_owner(schema):
    for type_name in ("Item", "Order"):
        owner = schema.type_map[type_name].fields["owner"]
        assert isinstance(owner.type, GraphQLNonNull)


def test_every_js_resolver_file_belongs_to_a_field(schema):
    fields = {name for root in (schema.query_type, schema.mutation_type) for name in root.fields}
    shared = {"owner", "ownSubscription"}
    files = {path.stem for path in Path(api_unit.RESOLVERS).glob("*.js")}
    assert files - shared <= fields
