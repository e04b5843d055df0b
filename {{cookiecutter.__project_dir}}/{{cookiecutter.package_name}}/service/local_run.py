"""`make run-service`: the container app on this machine, against DynamoDB and a Cognito user pool
served locally by moto.

No AWS account and no network: moto's server holds the table and the user pool in memory. A user
is signed in at start, and the command to call the app as AppSync would, with that user's token, is
printed.
"""

from __future__ import annotations

import json
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
LOCAL_USER, LOCAL_PASSWORD = "me@example.com", "Local-passw0rd!"


def _signed_in_user(endpoint: str) -> tuple[str, str, str]:
    """A user pool, its app client and a user's access token on the local server."""
    cognito = boto3.client("cognito-idp", endpoint_url=endpoint, region_name=REGION)
    pool_id = cognito.create_user_pool(PoolName="local", UsernameAttributes=["email"])["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="local")["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool_id, Username=LOCAL_USER, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=LOCAL_USER, Password=LOCAL_PASSWORD, Permanent=True)
    tokens = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": LOCAL_USER, "PASSWORD": LOCAL_PASSWORD},
    )["AuthenticationResult"]
    return pool_id, client_id, tokens["AccessToken"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
            "TABLE_NAME": TABLE_NAME,
            "DYNAMODB_ENDPOINT": endpoint,
        }
    )
    boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION).create_table(
        TableName=TABLE_NAME,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    pool_id, client_id, token = _signed_in_user(endpoint)
    os.environ.update({"USER_POOL_ID": pool_id, "USER_POOL_CLIENT_ID": client_id, "COGNITO_ENDPOINT": endpoint})
    app_port = int(os.environ.get("PORT", "8080"))
    body = json.dumps({"name": "first", "price": 9.5})
    print(
        f"curl -H 'x-caller-arn: local' -H 'x-user-token: {token}' -H 'content-type: application/json' "
        f"-d '{body}' http://127.0.0.1:{app_port}/items",
        flush=True,
    )
    sys.path.insert(0, str(RUNTIME_DIR))
    from items_service.main import configure_logging, create_app

    configure_logging()
    try:
        uvicorn.run(create_app(), host="127.0.0.1", port=app_port, log_config=None)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
