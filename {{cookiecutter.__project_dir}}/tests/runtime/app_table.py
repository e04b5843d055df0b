"""The application table's key, for the local tables the runtime tests create. tests/test_data.py
holds it equal to the key schema of the synthesised table, so the two cannot drift apart."""

from __future__ import annotations

KEY_SCHEMA = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
KEY_ATTRIBUTES = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}]


def create_table(client, name: str) -> None:
    """An on-demand table named `name` with the application table's key (a boto3 DynamoDB client)."""
    client.create_table(
        TableName=name, KeySchema=KEY_SCHEMA, AttributeDefinitions=KEY_ATTRIBUTES, BillingMode="PAY_PER_REQUEST"
    )
    client.get_waiter("table_exists").wait(TableName=name)
