"""`make run-service`: the container app on this machine, against DynamoDB served locally by moto.

No AWS account and no network: moto's server holds the table in memory. Call it as AppSync would:
  curl -H 'x-caller-arn: local' -H 'x-owner-sub: me' -d '{"name": "first"}' http://127.0.0.1:8080/items
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import boto3
import uvicorn
from moto.server import ThreadedMotoServer

RUNTIME_DIR = Path(__file__).resolve().parent / "runtime"
TABLE_NAME = "items-local"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update({
        "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": REGION,
        "TABLE_NAME": TABLE_NAME, "DYNAMODB_ENDPOINT": endpoint,
    })
    boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION).create_table(
        TableName=TABLE_NAME,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    sys.path.insert(0, str(RUNTIME_DIR))
    from items_service.main import configure_logging, create_app

    configure_logging()
    try:
        uvicorn.run(create_app(), host="127.0.0.1", port=int(os.environ.get("PORT", "8080")), log_config=None)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
