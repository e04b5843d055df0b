"""Who is calling: taken from the request context API Gateway adds to every IAM-signed call.

- A Cognito identity-pool user signs with the pool's credentials; API Gateway passes the
  user's authentication provider, whose last segment is the user pool `sub`. Any `x-owner-sub`
  header is ignored for these callers, so a user cannot act for another.
- A service principal (AppSync's HTTP resolver role) signs on behalf of the signed-in user and
  forwards that user's `sub` in `x-owner-sub`. Only principals granted execute-api:Invoke get here.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Header, HTTPException, Request


@dataclass(frozen=True)
class Caller:
    owner: str  # the user pool `sub` of the user the request acts for
    principal: str  # the IAM principal that signed the request


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
    x_owner_sub: str | None = Header(default=None),
) -> Caller:
    if not x_caller_arn:
        raise HTTPException(status_code=401, detail="request was not signed through the API")
    if x_caller_auth_provider:
        owner = owner_from_auth_provider(x_caller_auth_provider)
        if owner is None:
            raise HTTPException(status_code=403, detail="identity-pool caller without a user pool sign-in")
    elif x_owner_sub:
        owner = x_owner_sub.strip()
    else:
        raise HTTPException(status_code=403, detail="no user to act for (x-owner-sub missing)")
    request.state.user_id = owner  # for the access log line
    return Caller(owner=owner, principal=x_caller_arn)
