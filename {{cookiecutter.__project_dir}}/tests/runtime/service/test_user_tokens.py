"""The container acts for a user only on a token the user pool issued to the app client, verified
against the pool's JSON web keys: moto's Cognito (server mode) issues and serves the real thing."""

from __future__ import annotations

import base64
import json
import time

import pytest
from fastapi.testclient import TestClient
from items_service.identity import LEEWAY_SECONDS, REFETCH_INTERVAL_SECONDS, InvalidTokenError, UserPoolTokens
from items_service.main import create_app
from items_service.store import ItemStore
from joserfc import jwk, jwt
from moto.utilities.utils import load_resource

from .conftest import REGION, closed_port, create_user_pool

APPSYNC_ROLE = "arn:aws:sts::111111111111:assumed-role/appsync-http-resolver/APPSYNC_ASSUME_ROLE"
# The key moto signs every user pool token with (its JWKS serves the public half).
MOTO_SIGNING_KEY = jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
ROTATED_OUT = jwk.RSAKey.generate_key(2048, parameters={"kid": "rotated-out"})


@pytest.fixture
def tokens(local_environment) -> UserPoolTokens:
    return UserPoolTokens.from_environment(local_environment)


@pytest.fixture
def client(local_environment, tokens, behind_api_gateway):
    with TestClient(create_app(ItemStore.from_environment(local_environment), tokens)) as test_client:
        yield behind_api_gateway(test_client)


def forged(user_pool, *, without: str = "", **claims) -> str:
    """A token signed with the pool's own key, with claims a valid access token would have, changed
    (and the claim named `without` left out)."""
    now = int(time.time())
    valid = {
        "iss": f"https://cognito-idp.{REGION}.amazonaws.com/{user_pool.pool_id}",
        "sub": "someone",
        "client_id": user_pool.client_id,
        "token_use": "access",
        "iat": now,
        "exp": now + 3600,
    }
    payload = {name: value for name, value in {**valid, **claims}.items() if name != without}
    return jwt.encode({"alg": "RS256", "kid": "dummy"}, payload, MOTO_SIGNING_KEY)


def test_access_and_id_tokens_of_the_app_client_name_their_user(tokens, user_pool):
    alice = user_pool.sign_in("alice")
    assert tokens.owner(alice.access_token) == alice.sub
    assert tokens.owner(alice.id_token) == alice.sub
    assert tokens.jwks_url == f"{user_pool.endpoint}/{user_pool.pool_id}/.well-known/jwks.json"


def test_in_aws_the_keys_are_read_from_the_issuer_of_the_tasks_region():
    environ = {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-1", "USER_POOL_ID": "eu-west-1_Pool"}
    tokens = UserPoolTokens.from_environment({**environ, "USER_POOL_CLIENT_ID": "app"})
    assert tokens.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool"
    assert tokens.jwks_url == f"{tokens.issuer}/.well-known/jwks.json"
    local = UserPoolTokens(region="eu-west-1", user_pool_id="p", client_id="app", endpoint="http://127.0.0.1:5000/")
    assert local.jwks_url == "http://127.0.0.1:5000/p/.well-known/jwks.json"


def test_a_token_signed_with_the_pools_key_passes(tokens, user_pool):
    assert tokens.owner(forged(user_pool)) == "someone"


WRONG_CLAIMS = {
    "expired": {"exp": int(time.time()) - 120},
    "other issuer": {"iss": f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_Other"},
    "other client": {"client_id": "another-app-client"},
    "refresh token use": {"token_use": "refresh"},
    "no sub": {"sub": None},
}


@pytest.mark.parametrize("claims", WRONG_CLAIMS.values(), ids=WRONG_CLAIMS.keys())
def test_a_signed_token_with_a_wrong_claim_is_refused(tokens, user_pool, claims):
    with pytest.raises(InvalidTokenError):
        tokens.owner(forged(user_pool, **claims))


@pytest.mark.parametrize("claim", ["iss", "exp", "sub", "token_use", "client_id"])
def test_a_signed_token_without_a_required_claim_is_refused(tokens, user_pool, claim):
    with pytest.raises(InvalidTokenError):
        tokens.owner(forged(user_pool, without=claim))


def test_a_token_expired_within_the_leeway_still_passes(tokens, user_pool):
    """Clocks differ a little between Cognito and the task: LEEWAY_SECONDS, and no more."""
    now = int(time.time())
    assert tokens.owner(forged(user_pool, exp=now - LEEWAY_SECONDS + 10)) == "someone"
    with pytest.raises(InvalidTokenError):
        tokens.owner(forged(user_pool, exp=now - LEEWAY_SECONDS - 10))


def test_a_refusal_says_why(tokens, user_pool):
    with pytest.raises(InvalidTokenError) as refused:
        tokens.owner(forged(user_pool, client_id="another-app-client"))
    assert str(refused.value) == "token was issued to another app client (client_id)"
    with pytest.raises(InvalidTokenError) as refused:
        tokens.owner(forged(user_pool, exp=1))
    assert str(refused.value) == str(refused.value.__cause__) and "expired" in str(refused.value)


def _part(claims: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()


def _claims(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_tampered_tokens_and_tokens_of_other_pools_or_clients_are_refused(tokens, user_pool, moto_endpoint):
    header, payload, signature = user_pool.sign_in("alice").access_token.split(".")
    as_bob = {**_claims(payload), "sub": user_pool.sign_in("bob").sub}
    other_pool = create_user_pool(moto_endpoint, "elsewhere")
    other_client = user_pool.add_client("other app")
    for token in (
        ".".join([header, _part(as_bob), signature]),
        other_pool.sign_in("alice").access_token,
        user_pool.sign_in("alice", client_id=other_client).access_token,
        user_pool.sign_in("alice", client_id=other_client).id_token,
        "not-a-token",
    ):
        with pytest.raises(InvalidTokenError):
            tokens.owner(token)


def test_the_api_acts_for_the_tokens_user_and_no_one_named_in_a_header(client, user_pool):
    alice, bob = user_pool.sign_in("alice"), user_pool.sign_in("bob")
    created = client.post(
        "/items",
        json={"name": "lamp", "price": 3},
        headers={"x-caller-arn": APPSYNC_ROLE, "x-user-token": alice.access_token, "x-owner-sub": bob.sub},
    )
    assert created.status_code == 201 and created.json()["owner"] == alice.sub
    # Naming a user is not enough: without that user's token nothing is served.
    assert client.get("/items", headers={"x-caller-arn": APPSYNC_ROLE, "x-owner-sub": alice.sub}).status_code == 403
    refused = client.get("/items", headers={"x-caller-arn": APPSYNC_ROLE, "x-user-token": forged(user_pool, exp=1)})
    assert refused.status_code == 401 and "user token rejected" in refused.json()["detail"]


def test_while_the_pools_keys_cannot_be_fetched_the_api_answers_503(local_environment, user_pool, behind_api_gateway):
    alice = user_pool.sign_in("alice")
    with closed_port() as port:
        unreachable = UserPoolTokens.from_environment(
            {**local_environment, "COGNITO_ENDPOINT": f"http://127.0.0.1:{port}"}
        )
        with TestClient(create_app(ItemStore.from_environment(local_environment), unreachable)) as test_client:
            client = behind_api_gateway(test_client)
            answer = client.get("/items", headers={"x-caller-arn": APPSYNC_ROLE, "x-user-token": alice.access_token})
    assert (answer.status_code, answer.json()) == (503, {"detail": "the user pool's keys cannot be fetched"})


def test_an_identity_pool_caller_cannot_carry_another_users_token(client, user_pool):
    alice, bob = user_pool.sign_in("alice"), user_pool.sign_in("bob")
    pool = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Example"
    signed_by_alice = {
        "x-caller-arn": APPSYNC_ROLE,
        "x-caller-auth-provider": f"{pool},{pool}:CognitoSignIn:{alice.sub}",
    }
    assert client.get("/items", headers={**signed_by_alice, "x-user-token": alice.access_token}).status_code == 200
    refused = client.get("/items", headers={**signed_by_alice, "x-user-token": bob.access_token})
    assert (refused.status_code, refused.json()) == (
        403,
        {"detail": "the signature and the user token name different users"},
    )
    assert client.get("/items", headers={**signed_by_alice, "x-user-token": "invented"}).status_code == 401


def test_keys_are_fetched_once_and_again_for_an_unknown_key_id_at_most_once_a_minute(user_pool, local_environment):
    fetched = []
    real = UserPoolTokens.from_environment(local_environment)
    now = [1000.0]

    def fetch(url):
        fetched.append(url)
        if len(fetched) == 1:
            return {"keys": [ROTATED_OUT.as_dict(private=False)]}
        return {"keys": [*real._fetch(url)["keys"], ROTATED_OUT.as_dict(private=False)]}  # Cognito serves two

    tokens = UserPoolTokens(
        region=REGION,
        user_pool_id=user_pool.pool_id,
        client_id=user_pool.client_id,
        endpoint=user_pool.endpoint,
        fetch=fetch,
        clock=lambda: now[0],
    )
    alice = user_pool.sign_in("alice")
    with pytest.raises(InvalidTokenError):  # the first key set lacks the key, and was fetched just now
        tokens.owner(alice.access_token)
    now[0] += REFETCH_INTERVAL_SECONDS - 1
    with pytest.raises(InvalidTokenError):
        tokens.owner(alice.access_token)
    assert fetched == [tokens.jwks_url]
    now[0] += 1
    assert tokens.owner(alice.access_token) == alice.sub  # a minute later: fetched again
    assert tokens.owner(alice.id_token) == alice.sub
    invented = jwk.RSAKey.generate_key(2048, parameters={"kid": "invented"})
    for _ in range(3):  # invented key ids within the minute cost no fetch
        with pytest.raises(InvalidTokenError):
            tokens.owner(jwt.encode({"alg": "RS256", "kid": "invented"}, {"sub": alice.sub}, invented))
    assert fetched == [tokens.jwks_url, tokens.jwks_url]
