"""Step 12: the DynamoDB table: on-demand, PITR, encryption; kept in prod, disposable in dev."""

from tests.runtime.app_table import KEY_ATTRIBUTES, KEY_SCHEMA

SEARCH = {{ "True" if cookiecutter.__search == "yes" else "False" }}


def _table(templates):
    tables = templates["Stateful"].find_resources("AWS::DynamoDB::GlobalTable")
    assert len(tables) == 1
    return next(iter(tables.values()))


def test_table_is_on_demand_encrypted_with_point_in_time_recovery(dev):
    table = _table(dev)["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSESpecification"]["SSEEnabled"] is True
    replica = table["Replicas"][0]
    assert replica["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_prod_keeps_the_table_and_dev_may_destroy_it(dev, prod):
    assert _table(prod)["DeletionPolicy"] == "Retain"
    assert _table(prod)["Properties"]["Replicas"][0]["DeletionProtectionEnabled"] is True
    assert _table(dev)["DeletionPolicy"] == "Delete"


def test_stream_only_when_search_indexes_the_table(dev):
    stream = _table(dev)["Properties"].get("StreamSpecification")
    if SEARCH:
        assert stream == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    else:
        assert stream is None


def test_table_key_is_the_one_the_runtime_tests_build_their_tables_with(dev):
    table = _table(dev)["Properties"]
    assert table["KeySchema"] == KEY_SCHEMA
    key_names = {key["AttributeName"] for key in KEY_SCHEMA}
    assert [a for a in table["AttributeDefinitions"] if a["AttributeName"] in key_names] == KEY_ATTRIBUTES
