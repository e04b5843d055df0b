"""The container app's tests run against DynamoDB and a Cognito user pool served locally by moto
(server mode, no network): the pool issues real RS256-signed tokens and serves its JSON web keys."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import httpx
import jsonschema
import pytest
from moto.server import ThreadedMotoServer

from ..app_table import create_table
from ..lambda_import import import_runtime

RUNTIME_DIR = Path(__file__).resolve().parents[3] / "{{ cookiecutter.package_name }}" / "service" / "runtime"
# `from items_service.store import ...` as in the container, each module named by its package path.
import_runtime(
    "{{ cookiecutter.package_name }}.service.runtime",
    "items_service",
    "items_service.jsonlog",
    "items_service.identity",
    "items_service.store",
    "items_service.main",
    "items_service.healthcheck",
)
TABLE_NAME = "items-test"
REGION = "us-east-1"
PASSWORD = "Local-test-passw0rd!"


@contextmanager
def closed_port() -> Iterator[int]:
    """A port nothing listens on and nothing else can take meanwhile: bound here, never listening."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def local_client(service: str, endpoint: str):
    return boto3.client(
        service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


@dataclass(frozen=True)
class SignedIn:
    sub: str
    access_token: str
    id_token: str


@dataclass
class UserPool:
    """A user pool and app client on the local server; `sign_in` creates a user and returns its tokens."""

    endpoint: str
    pool_id: str
    client_id: str
    users: dict[str, SignedIn] = field(default_factory=dict)

    def sign_in(self, name: str, *, client_id: str | None = None) -> SignedIn:
        cognito = local_client("cognito-idp", self.endpoint)
        username = f"{name}@example.com"
        if name not in self.users:
            cognito.admin_create_user(UserPoolId=self.pool_id, Username=username, MessageAction="SUPPRESS")
            cognito.admin_set_user_password(
                UserPoolId=self.pool_id, Username=username, Password=PASSWORD, Permanent=True
            )
        tokens = cognito.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=client_id or self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        attributes = cognito.admin_get_user(UserPoolId=self.pool_id, Username=username)["UserAttributes"]
        sub = next(a["Value"] for a in attributes if a["Name"] == "sub")
        signed_in = SignedIn(sub=sub, access_token=tokens["AccessToken"], id_token=tokens["IdToken"])
        if client_id is None:
            self.users[name] = signed_in
        return signed_in

    def add_client(self, name: str) -> str:
        client = local_client("cognito-idp", self.endpoint).create_user_pool_client(
            UserPoolId=self.pool_id, ClientName=name, ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
        )
        return client["UserPoolClient"]["ClientId"]


def create_user_pool(endpoint: str, name: str) -> UserPool:
    cognito = local_client("cognito-idp", endpoint)
    pool_id = cognito.create_user_pool(PoolName=name, UsernameAttributes=["email"])["UserPool"]["Id"]
    pool = UserPool(endpoint=endpoint, pool_id=pool_id, client_id="")
    pool.client_id = pool.add_client("app")
    return pool


@pytest.fixture(scope="session")
def user_pool(moto_endpoint: str) -> UserPool:
    return create_user_pool(moto_endpoint, "users")


@pytest.fixture
def local_environment(moto_endpoint: str, user_pool: UserPool, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A fresh table on the local server and the environment the task definition would set."""
    environment = {
        "TABLE_NAME": TABLE_NAME,
        "AWS_DEFAULT_REGION": REGION,
        "DYNAMODB_ENDPOINT": moto_endpoint,
        "USER_POOL_ID": user_pool.pool_id,
        "USER_POOL_CLIENT_ID": user_pool.client_id,
        "COGNITO_ENDPOINT": moto_endpoint,  # the user pool's keys
    }
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = local_client("dynamodb", moto_endpoint)
    if TABLE_NAME in client.list_tables()["TableNames"]:
        client.delete_table(TableName=TABLE_NAME)
    create_table(client, TABLE_NAME)
    return environment


@pytest.fixture(scope="session")
def item_body_model(dev) -> dict:
    """The JSON schema API Gateway checks POST and PUT item bodies against, from the synthesised stack."""
    resources = dev.raw("Service")["Resources"]
    models = {
        method["Properties"]["RequestModels"]["application/json"]["Ref"]
        for method in resources.values()
        if method["Type"] == "AWS::ApiGateway::Method" and method["Properties"]["HttpMethod"] in ("POST", "PUT")
    }
    (model_id,) = models
    return resources[model_id]["Properties"]["Schema"]


@pytest.fixture
def behind_api_gateway(item_body_model):
    """Holds every item body a test client sends to both contracts: the app refuses (422) exactly the
    bodies API Gateway's model would have refused before they reached the container."""
    validator = jsonschema.Draft4Validator(item_body_model)

    def agree(response: httpx.Response) -> None:
        request = response.request
        if request.method not in ("POST", "PUT") or not request.url.path.startswith("/items"):
            return
        body = json.loads(request.content)
        refused_by_model = [error.message for error in validator.iter_errors(body)]
        assert (response.status_code == 422) == bool(refused_by_model), (body, response.status_code, refused_by_model)

    def attach(client: httpx.Client) -> httpx.Client:
        client.event_hooks = {**client.event_hooks, "response": [*client.event_hooks["response"], agree]}
        return client

    return attach
