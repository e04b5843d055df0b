"""Who is calling: from what API Gateway adds to every IAM-signed call, and a verified user token.

- A Cognito identity-pool user signs with the pool's credentials; API Gateway passes the
  user's authentication provider, whose last segment is the user pool `sub`.
- AppSync's HTTP resolver signs as itself and forwards the signed-in user's own Cognito token
  in `x-user-token`. The token is verified against the user pool's JSON web keys (signature,
  issuer, expiry, token use and app client), so a principal allowed to invoke the API cannot
  act for a user without that user's token. No header naming a user is trusted.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fastapi import Header, HTTPException, Request
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import GuestProtocol, Key, KeySet

USER_TOKEN_HEADER = "x-user-token"  # the header api/resolvers/recommendations.js forwards
TOKEN_USES = {"access": "client_id", "id": "aud"}  # Cognito token kind -> the claim naming the app client
LEEWAY_SECONDS = 30
# An unknown key id refetches the pool's keys at most this often: invented key ids cannot make
# every request a call to Cognito (a rotated key appears in the key set before tokens use it).
REFETCH_INTERVAL_SECONDS = 60


@dataclass(frozen=True)
class Caller:
    owner: str  # the user pool `sub` of the user the request acts for


class InvalidTokenError(Exception):
    """The user token is not one the user pool issued to this app client, or it has expired."""


def fetch_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - an https URL from configuration
        return json.load(response)


class UserPoolTokens:
    """Verifies Cognito user pool tokens; the pool's keys are fetched once and again for an unknown key id,
    at most once per REFETCH_INTERVAL_SECONDS."""

    def __init__(
        self,
        *,
        region: str,
        user_pool_id: str,
        client_id: str,
        endpoint: str | None = None,
        fetch: Callable[[str], dict] = fetch_json,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        keys_base = f"{endpoint.rstrip('/')}/{user_pool_id}" if endpoint else self.issuer
        self.jwks_url = f"{keys_base}/.well-known/jwks.json"
        self.client_id = client_id
        self._fetch = fetch
        self._clock = clock
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> UserPoolTokens:
        """USER_POOL_ID and USER_POOL_CLIENT_ID are required; COGNITO_ENDPOINT targets a local server."""
        return cls(
            region=environ.get("AWS_REGION") or environ["AWS_DEFAULT_REGION"],
            user_pool_id=environ["USER_POOL_ID"],
            client_id=environ["USER_POOL_CLIENT_ID"],
            endpoint=environ.get("COGNITO_ENDPOINT") or None,
        )

    def _refresh(self) -> KeySet:
        self._keys = KeySet.import_key_set(self._fetch(self.jwks_url))
        self._fetched_at = self._clock()
        return self._keys

    def _key_for(self, token: GuestProtocol) -> Key:
        """The pool's key the token names; the key set is fetched again for a key id it lacks, unless
        it was fetched less than REFETCH_INTERVAL_SECONDS ago (the token is then rejected)."""
        kid = token.headers().get("kid")
        with self._lock:
            keys = self._keys if self._keys is not None else self._refresh()
            try:
                return keys.get_by_kid(kid)
            except InvalidKeyIdError:
                if self._clock() - self._fetched_at < REFETCH_INTERVAL_SECONDS:
                    raise
                return self._refresh().get_by_kid(kid)

    def owner(self, token: str) -> str:
        """The `sub` of a valid token; InvalidTokenError otherwise."""
        try:
            claims = jwt.decode(token, self._key_for, algorithms=["RS256"]).claims
            jwt.JWTClaimsRegistry(
                leeway=LEEWAY_SECONDS,
                iss={"essential": True, "value": self.issuer},
                exp={"essential": True},
                sub={"essential": True},
                token_use={"essential": True, "values": list(TOKEN_USES)},
            ).validate(claims)
            client_claim = TOKEN_USES[claims["token_use"]]
            if claims.get(client_claim) != self.client_id:
                raise InvalidTokenError(f"token was issued to another app client ({client_claim})")
        except (JoseError, ValueError) as error:
            raise InvalidTokenError(str(error)) from error
        return claims["sub"]


def owner_from_auth_provider(provider: str) -> str | None:
    """'cognito-idp.<region>.amazonaws.com/<pool>,cognito-idp...:CognitoSignIn:<sub>' -> '<sub>'."""
    if ":CognitoSignIn:" not in provider:
        return None
    sub = provider.rsplit(":CognitoSignIn:", 1)[1].strip()
    return sub or None


def caller(
    request: Request,
    x_caller_arn: str | None = Header(default=None),
    x_caller_auth_provider: str | None = Header(default=None),
    x_user_token: str | None = Header(default=None),
) -> Caller:
    if not x_caller_arn:
        raise HTTPException(status_code=401, detail="request was not signed through the API")
    owners = set()
    if x_caller_auth_provider:
        signed_for = owner_from_auth_provider(x_caller_auth_provider)
        if signed_for is None:
            raise HTTPException(status_code=403, detail="identity-pool caller without a user pool sign-in")
        owners.add(signed_for)
    if x_user_token:  # verified whenever present: an invented token cannot pass as a user's (nor evade WAF keys)
        try:
            owners.add(request.app.state.tokens.owner(x_user_token))
        except InvalidTokenError as error:
            raise HTTPException(status_code=401, detail=f"user token rejected: {error}") from error
        except OSError as error:
            raise HTTPException(status_code=503, detail="the user pool's keys cannot be fetched") from error
    if not owners:
        raise HTTPException(status_code=403, detail=f"no user to act for ({USER_TOKEN_HEADER} missing)")
    if len(owners) > 1:
        raise HTTPException(status_code=403, detail="the signature and the user token name different users")
    (owner,) = owners
    request.state.user_id = owner  # for the access log line
    return Caller(owner=owner)
