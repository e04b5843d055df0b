"""Pre-deploy check: what CloudFormation cannot create for Quick Sight must already exist.

The Quick Sight account subscription and the user granted the data source and dataset
have no CloudFormation resource; without them the Analytics stack fails halfway through
its deploy. Run before `cdk deploy` (make deploy runs it):

    python scripts/check_prerequisites.py --env dev

Exit status 0 when every prerequisite is met, 1 with one line per problem otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from {{ cookiecutter.package_name }}.config import EnvironmentConfig, load_environment  # noqa: E402

# The edition the generated stacks rely on (Enterprise: column-level security).
REQUIRED_EDITION = "{{ cookiecutter.quicksight_edition | upper }}"
SAML_FEDERATION = {{ "True" if cookiecutter.__saml_federation == "yes" else "False" }}
PLACEHOLDER_ENTITY_ID = "https://idp.example.com/REPLACE-WITH-YOUR-IDP-METADATA"
ENTERPRISE_EDITIONS = ("ENTERPRISE", "ENTERPRISE_AND_Q")


def check_quicksight(client, config: EnvironmentConfig) -> list[str]:
    """Problems with the Quick Sight subscription and user of one environment (empty when ready)."""
    from botocore.exceptions import ClientError

    try:
        account = client.describe_account_subscription(AwsAccountId=config.account)["AccountInfo"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "ResourceNotFoundException":
            return [
                f"{config.name}: account {config.account} has no Quick Sight subscription; sign up for Quick Sight "
                f"({REQUIRED_EDITION.lower()} edition) in the console before deploying"
            ]
        raise
    problems = []
    status = account.get("AccountSubscriptionStatus")
    if status != "ACCOUNT_CREATED":
        problems.append(f"{config.name}: the Quick Sight subscription is {status}, not ACCOUNT_CREATED")
    edition = account.get("Edition", "")
    if REQUIRED_EDITION == "ENTERPRISE" and edition not in ENTERPRISE_EDITIONS:
        problems.append(
            f"{config.name}: the project was generated for the Enterprise edition but the account has {edition}; "
            "upgrade the subscription or regenerate with quicksight_edition=standard"
        )
    settings = config.section("bi")
    user = settings["quicksight_user"]
    namespace = settings.get("quicksight_namespace", "default")
    try:
        client.describe_user(UserName=user, AwsAccountId=config.account, Namespace=namespace)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        problems.append(
            f"{config.name}: Quick Sight user '{user}' does not exist in namespace '{namespace}'; "
            "create it or set bi.quicksight_user in the config"
        )
    return problems


def check_saml_metadata(config: EnvironmentConfig) -> list[str]:
    """The shipped sample IdP metadata must be replaced before SAML federation is deployed."""
    if not SAML_FEDERATION:
        return []
    relative = config.section("bi").get("saml_metadata_file", "config/idp-metadata.xml")
    path = PROJECT_ROOT / relative
    if not path.is_file():
        return [f"{config.name}: SAML metadata file {relative} does not exist"]
    if PLACEHOLDER_ENTITY_ID in path.read_text(encoding="utf-8"):
        return [f"{config.name}: {relative} is still the placeholder; save your identity provider's metadata there"]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="dev", help="environment name (config/<env>.yaml)")
    args = parser.parse_args(argv)
    config = load_environment(args.env)

    import boto3

    client = boto3.client("quicksight", region_name=config.region)
    problems = check_saml_metadata(config) + check_quicksight(client, config)
    for problem in problems:
        print(f"prerequisite missing: {problem}", file=sys.stderr)
    if not problems:
        print(f"{config.name}: Quick Sight prerequisites are met")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
