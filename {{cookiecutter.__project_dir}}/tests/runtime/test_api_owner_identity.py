"""Both API runtimes derive the same owner from one identity: resolvers/owner.js (every
DynamoDB, search and HTTP resolver) and the orders Lambda (api/runtime/handler.py)."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.api.runtime import handler

from .appsync_js import call

SUB = "3f1c2b9a-0000-4000-8000-00000000000a"
POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab"
IDENTITIES = {
    "user pool token": {"sub": SUB, "claims": {"sub": SUB}},
    "identity pool": {
        "cognitoIdentityId": "us-east-1:1",
        "cognitoIdentityAuthProvider": f"{POOL},{POOL}:CognitoSignIn:{SUB}",
    },
    "identity pool, quoted": {
        "cognitoIdentityId": "us-east-1:1",
        "cognitoIdentityAuthProvider": f'"{POOL}","{POOL}:CognitoSignIn:{SUB}"',
    },
    "identity pool, not signed in": {
        "cognitoIdentityId": "us-east-1:1",
        "cognitoIdentityAuthProvider": "graph.facebook.com",
    },
    "identity pool, empty sub": {
        "cognitoIdentityId": "us-east-1:1",
        "cognitoIdentityAuthProvider": f'"{POOL}:CognitoSignIn:"',
    },
    "IAM user": {"accountId": "111111111111", "userArn": "arn:aws:iam::111111111111:user/ops"},
    "none": None,
}


def lambda_owner(identity):
    try:
        return handler.owner_of(identity)
    except handler.OrderError:
        return None


@pytest.mark.parametrize("identity", IDENTITIES.values(), ids=IDENTITIES.keys())
def test_owner_js_and_the_orders_lambda_agree(identity):
    assert call("owner.js", "ownerOf", identity) == lambda_owner(identity)


def test_a_signed_in_user_is_the_same_owner_under_both_auth_modes():
    owners = {name: call("owner.js", "ownerOf", identity) for name, identity in IDENTITIES.items()}
    assert owners["user pool token"] == owners["identity pool"] == owners["identity pool, quoted"] == SUB
    assert {
        owners[name] for name in ("identity pool, not signed in", "identity pool, empty sub", "IAM user", "none")
    } == {None}
