"""Step 1: Cognito user pool, app client and identity pool; signed-in users may call exactly this API."""

import dataclasses

import aws_cdk as cdk
from aws_cdk.assertions import Template

from {{ cookiecutter.package_name }}.config import load_environment
from {{ cookiecutter.package_name }}.identity.infrastructure import Identity

MFA = "{{ {"optional": "OPTIONAL", "required": "ON", "off": "OFF"}[cookiecutter.cognito_mfa] }}"  # CloudFormation values
THREAT_PROTECTION = "{{ cookiecutter.cognito_threat_protection }}"
FEATURE_PLAN = "{{ cookiecutter.cognito_feature_plan.upper() }}"


def _only(template, resource_type):
    resources = template.find_resources(resource_type)
    assert len(resources) == 1, resources
    return next(iter(resources.values()))


def test_user_pool_has_a_strong_password_policy_and_email_sign_in(dev):
    pool = _only(dev["Identity"], "AWS::Cognito::UserPool")["Properties"]
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"))
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AutoVerifiedAttributes"] == ["email"]


def test_mfa_follows_the_answer_with_authenticator_apps_only(dev):
    pool = _only(dev["Identity"], "AWS::Cognito::UserPool")["Properties"]
    assert pool["MfaConfiguration"] == MFA
    if MFA == "OFF":
        assert "EnabledMfas" not in pool
    else:
        assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]


def test_threat_protection_and_feature_plan_follow_the_answer(dev):
    pool = _only(dev["Identity"], "AWS::Cognito::UserPool")["Properties"]
    assert pool["UserPoolTier"] == FEATURE_PLAN
    if THREAT_PROTECTION == "off":
        assert "UserPoolAddOns" not in pool
    else:
        assert FEATURE_PLAN == "PLUS"
        expected = "ENFORCED" if THREAT_PROTECTION == "enforced" else "AUDIT"
        assert pool["UserPoolAddOns"]["AdvancedSecurityMode"] == expected


def test_app_client_is_public_with_short_lived_tokens(dev):
    client = _only(dev["Identity"], "AWS::Cognito::UserPoolClient")["Properties"]
    assert client["GenerateSecret"] is False
    assert "ALLOW_USER_SRP_AUTH" in client["ExplicitAuthFlows"]
    assert "ALLOW_USER_PASSWORD_AUTH" not in client["ExplicitAuthFlows"]
    assert client["AccessTokenValidity"] <= 60 and client["TokenValidityUnits"]["AccessToken"] == "minutes"
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["EnableTokenRevocation"] is True


def test_identity_pool_admits_only_signed_in_users_of_this_pool(dev):
    identity = dev["Identity"]
    ((pool_id, pool),) = identity.find_resources("AWS::Cognito::IdentityPool").items()
    pool = pool["Properties"]
    assert pool["AllowUnauthenticatedIdentities"] is False
    (user_pool_id,) = identity.find_resources("AWS::Cognito::UserPool")
    ((client_id, client),) = identity.find_resources("AWS::Cognito::UserPoolClient").items()
    assert client["Properties"]["UserPoolId"] == {"Ref": user_pool_id}
    (provider,) = pool["CognitoIdentityProviders"]
    assert provider["ClientId"] == {"Ref": client_id}
    assert provider["ProviderName"]["Fn::Join"][1][-2:] == ["/", {"Ref": user_pool_id}]
    assert provider["ServerSideTokenCheck"] is True
    (attachment,) = identity.find_resources("AWS::Cognito::IdentityPoolRoleAttachment").values()
    attachment = attachment["Properties"]
    assert attachment["IdentityPoolId"] == {"Ref": pool_id}
    roles = identity.find_resources("AWS::IAM::Role")
    for kind in ("authenticated", "unauthenticated"):
        (role_id, attribute) = attachment["Roles"][kind]["Fn::GetAtt"]
        trust = roles[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
        assert attribute == "Arn" and trust["ForAnyValue:StringLike"]["cognito-identity.amazonaws.com:amr"] == kind
        assert trust["StringEquals"]["cognito-identity.amazonaws.com:aud"] == {"Ref": pool_id}


def test_signed_in_users_may_call_exactly_this_apis_fields(dev):
    policies = [
        p["Properties"]
        for p in dev["Api"].find_resources("AWS::IAM::Policy").values()
        if "SignedInUserAccess" in p["Properties"]["PolicyName"]
    ]
    assert len(policies) == 1
    statements = policies[0]["PolicyDocument"]["Statement"]
    graphql = [s for s in statements if s["Action"] == "appsync:GraphQL"]
    assert len(graphql) == 1
    for resource in graphql[0]["Resource"]:
        suffix = resource["Fn::Join"][1][-1]
        assert suffix.startswith("/types/") and "/fields/" in suffix and "*" not in suffix, suffix
    # The policy is attached to the identity pool's authenticated role (an export of the Identity stack).
    (attachment,) = dev["Identity"].find_resources("AWS::Cognito::IdentityPoolRoleAttachment").values()
    authenticated = attachment["Properties"]["Roles"]["authenticated"]["Fn::GetAtt"][0]
    (role,) = policies[0]["Roles"]
    assert dev.imported(role) == {"Ref": authenticated}


def test_user_pool_is_kept_in_prod_and_disposable_in_dev(dev, prod):
    assert _only(prod["Identity"], "AWS::Cognito::UserPool")["DeletionPolicy"] == "Retain"
    prod["Identity"].has_resource_properties("AWS::Cognito::UserPool", {"DeletionProtection": "ACTIVE"})
    assert _only(dev["Identity"], "AWS::Cognito::UserPool")["DeletionPolicy"] == "Delete"


def test_identity_outputs_for_clients(dev):
    outputs = dev.raw("Identity")["Outputs"]
    (user_pool_id,) = dev["Identity"].find_resources("AWS::Cognito::UserPool")
    (client_id,) = dev["Identity"].find_resources("AWS::Cognito::UserPoolClient")
    (identity_pool_id,) = dev["Identity"].find_resources("AWS::Cognito::IdentityPool")
    assert outputs["UserPoolId"]["Value"] == {"Ref": user_pool_id}
    assert outputs["UserPoolClientId"]["Value"] == {"Ref": client_id}
    assert outputs["IdentityPoolId"]["Value"] == {"Ref": identity_pool_id}


def test_identity_pool_roles_start_with_no_permissions(dev):
    """Only the Api stack grants the authenticated role anything (exactly its fields)."""
    identity = dev["Identity"]
    identity.resource_count_is("AWS::IAM::Policy", 0)
    for role in identity.find_resources("AWS::IAM::Role").values():
        properties = role["Properties"]
        assert not properties.get("Policies") and not properties.get("ManagedPolicyArns"), properties
        (statement,) = properties["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Principal"] == {"Federated": "cognito-identity.amazonaws.com"}
        assert "cognito-identity.amazonaws.com:aud" in statement["Condition"]["StringEquals"]


def _user_pool_with(identity_settings: dict) -> dict:
    config = load_environment("prod")
    sections = {**config.sections, "identity": {**config.section("identity"), **identity_settings}}
    stack = cdk.Stack(cdk.App(), "IdentityProbe", env=config.env)
    Identity(stack, "Identity", config=dataclasses.replace(config, sections=sections))
    return _only(Template.from_stack(stack), "AWS::Cognito::UserPool")["Properties"]


def test_an_email_domain_makes_the_user_pool_send_through_ses():
    email = _user_pool_with({"email_domain": "mail.example.org"})["EmailConfiguration"]
    assert email["EmailSendingAccount"] == "DEVELOPER"
    assert email["From"] == "no-reply@mail.example.org"
    assert ":identity/mail.example.org" in str(email["SourceArn"])


def test_without_an_email_domain_cognito_sends(dev, prod):
    """The shipped configuration leaves email_domain empty: SES needs a verified domain first."""
    for env in (dev, prod):
        pool = _only(env["Identity"], "AWS::Cognito::UserPool")["Properties"]
        assert pool["EmailConfiguration"]["EmailSendingAccount"] == "COGNITO_DEFAULT"
    assert _user_pool_with({"email_domain": ""})["EmailConfiguration"]["EmailSendingAccount"] == "COGNITO_DEFAULT"
