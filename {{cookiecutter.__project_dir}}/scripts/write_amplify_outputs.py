"""Write the web client's amplify_outputs.json from the deployed stacks' outputs.

`make deploy` runs `cdk deploy --outputs-file cdk-outputs-<env>.json`, which holds
{"<stack name>": {"<output key>": value}}. This script picks the outputs the client
needs from the Identity and Api stacks and writes them in the form aws-amplify 6 reads
with `Amplify.configure()` (schema version 1), so no id is ever copied by hand:

    python -m scripts.write_amplify_outputs --env dev
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path

from {{ cookiecutter.package_name }}.config import PROJECT_ROOT, ConfigError, EnvironmentConfig, load_environment

DEFAULT_OUTPUT = PROJECT_ROOT / "web" / "public" / "amplify_outputs.json"

# (unit whose stack exports it, output key): exactly what the client is configured with.
REQUIRED_OUTPUTS = (
    ("identity", "UserPoolId"),
    ("identity", "UserPoolClientId"),
    ("identity", "IdentityPoolId"),
    ("api", "GraphQLUrl"),
    ("api", "GraphQLRegion"),
)
# How the user pool is set up (identity unit): users sign in with a verified email.
MFA_CONFIGURATION = "{{ {'optional': 'OPTIONAL', 'required': 'ON', 'off': 'OFF'}[cookiecutter.cognito_mfa] }}"


class MissingOutputError(LookupError):
    """The outputs file lacks a stack or an output the client needs; str() names it."""


def _required(stack_outputs: Mapping[str, Mapping[str, object]], source: str, stack: str, key: str) -> str:
    if stack not in stack_outputs:
        found = ", ".join(sorted(stack_outputs)) or "none"
        raise MissingOutputError(
            f"{source}: no outputs of stack '{stack}' (stacks found: {found}); "
            f"deploy it with --outputs-file, e.g. `make deploy`"
        )
    value = stack_outputs[stack].get(key)
    if not isinstance(value, str) or not value:
        raise MissingOutputError(f"{source}: stack '{stack}' has no output '{key}'")
    return value


def amplify_outputs(
    stack_outputs: Mapping[str, Mapping[str, object]], environment: EnvironmentConfig, source: str = "outputs"
) -> dict:
    """The amplify_outputs.json document for one environment's deployed stacks."""
    values = {
        key: _required(stack_outputs, source, environment.stack_name(unit), key) for unit, key in REQUIRED_OUTPUTS
    }
    user_pool_id = values["UserPoolId"]
    if "_" not in user_pool_id:
        raise MissingOutputError(f"{source}: UserPoolId '{user_pool_id}' is not a user pool id (<region>_<id>)")
    if not values["GraphQLUrl"].startswith("https://"):
        raise MissingOutputError(f"{source}: GraphQLUrl '{values['GraphQLUrl']}' is not an https:// URL")
    auth = {
        "aws_region": user_pool_id.split("_", 1)[0],
        "user_pool_id": user_pool_id,
        "user_pool_client_id": values["UserPoolClientId"],
        "identity_pool_id": values["IdentityPoolId"],
        "username_attributes": ["email"],
        "standard_required_attributes": ["email"],
        "user_verification_types": ["email"],
        "unauthenticated_identities_enabled": False,
        "mfa_configuration": MFA_CONFIGURATION,
        "mfa_methods": [] if MFA_CONFIGURATION == "OFF" else ["TOTP"],
    }
    data = {
        "aws_region": values["GraphQLRegion"],
        "url": values["GraphQLUrl"],
        "default_authorization_type": "AMAZON_COGNITO_USER_POOLS",
        "authorization_types": [],
    }
    return {"version": "1", "auth": auth, "data": data}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="dev", help="environment in config/ (default: dev)")
    parser.add_argument("--outputs", type=Path, help="cdk deploy --outputs-file (default: cdk-outputs-<env>.json)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUTPUT, help=f"file to write (default: {DEFAULT_OUTPUT})")
    args = parser.parse_args(argv)
    outputs_file = args.outputs or PROJECT_ROOT / f"cdk-outputs-{args.env}.json"
    if not outputs_file.is_file():
        print(f"error: {outputs_file} not found; deploy first with `make deploy ENV={args.env}`", file=sys.stderr)
        return 1
    try:
        environment = load_environment(args.env)
        stack_outputs = json.loads(outputs_file.read_text(encoding="utf-8"))
        document = amplify_outputs(stack_outputs, environment, source=str(outputs_file))
    except (OSError, ConfigError, MissingOutputError, json.JSONDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} for {args.env} ({document['data']['url']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
