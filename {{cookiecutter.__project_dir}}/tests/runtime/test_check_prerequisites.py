"""The pre-deploy check finds a missing Quick Sight subscription or user before CloudFormation does."""

import importlib.util

import boto3
import pytest
from botocore.stub import Stubber

from {{ cookiecutter.package_name }}.config import PROJECT_ROOT, load_environment

SCRIPT = PROJECT_ROOT / "scripts" / "check_prerequisites.py"
SPEC = importlib.util.spec_from_file_location("check_prerequisites", SCRIPT)
check = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(check)


@pytest.fixture
def config():
    return load_environment("dev")


@pytest.fixture
def quicksight(config):
    client = boto3.client(
        "quicksight", region_name=config.region, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _subscription(edition: str, status: str = "ACCOUNT_CREATED") -> dict:
    return {"AccountInfo": {"AccountName": "acme", "Edition": edition, "AccountSubscriptionStatus": status}}


def _user(name: str) -> dict:
    return {
        "User": {
            "UserName": name,
            "Arn": f"arn:aws:quicksight:us-east-1:111111111111:user/default/{name}",
            "Role": "ADMIN",
            "Active": True,
        }
    }


def test_no_subscription_is_reported_with_what_to_do(quicksight, config):
    client, stubber = quicksight
    stubber.add_client_error(
        "describe_account_subscription",
        "ResourceNotFoundException",
        http_status_code=404,
        expected_params={"AwsAccountId": config.account},
    )
    (problem,) = check.check_quicksight(client, config)
    assert "no Quick Sight subscription" in problem and config.account in problem


def test_a_ready_account_has_no_problems(quicksight, config):
    client, stubber = quicksight
    user = config.section("bi")["quicksight_user"]
    stubber.add_response("describe_account_subscription", _subscription(check.REQUIRED_EDITION))
    stubber.add_response(
        "describe_user", _user(user), {"UserName": user, "AwsAccountId": config.account, "Namespace": "default"}
    )
    assert check.check_quicksight(client, config) == []


def test_a_missing_user_is_reported(quicksight, config):
    client, stubber = quicksight
    stubber.add_response("describe_account_subscription", _subscription("ENTERPRISE"))
    stubber.add_client_error("describe_user", "ResourceNotFoundException", http_status_code=404)
    problems = check.check_quicksight(client, config)
    assert any("does not exist in namespace 'default'" in p for p in problems)


def test_enterprise_features_on_a_standard_account_are_reported(quicksight, config):
    client, stubber = quicksight
    stubber.add_response("describe_account_subscription", _subscription("STANDARD"))
    stubber.add_response("describe_user", _user(config.section("bi")["quicksight_user"]))
    problems = check.check_quicksight(client, config)
    assert any("Enterprise" in p for p in problems) is (check.REQUIRED_EDITION == "ENTERPRISE")


def test_the_shipped_placeholder_metadata_blocks_a_deploy(config):
    problems = check.check_saml_metadata(config)
    assert bool(problems) is check.SAML_FEDERATION
