"""Federated sign-in to Quick Sight through a SAML 2.0 identity provider (step 24).

The IdP's metadata file (config: bi.saml_metadata_file) becomes an IAM SAML provider;
users the IdP signs in assume the role below and are registered in Quick Sight as
readers under their federated identity (the standard Quick Sight SAML set-up).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from {{ cookiecutter.package_name }}.analytics.bi.infrastructure import bi_settings
from {{ cookiecutter.package_name }}.config import PROJECT_ROOT, ConfigError, EnvironmentConfig

# The shipped sample metadata carries this entity id; scripts/check_prerequisites.py refuses to deploy it.
PLACEHOLDER_ENTITY_ID = "https://idp.example.com/REPLACE-WITH-YOUR-IDP-METADATA"


def metadata_document(config: EnvironmentConfig) -> str:
    relative = bi_settings(config).saml_metadata_file
    path = PROJECT_ROOT / relative
    if not path.is_file():
        raise ConfigError(
            f"config/{config.name}.yaml: bi.saml_metadata_file '{relative}' does not exist; "
            "save your identity provider's SAML metadata XML there"
        )
    return path.read_text(encoding="utf-8")


class QuickSightFederation(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, construct_id)
        self.provider = iam.SamlProvider(
            self,
            "IdentityProvider",
            name=config.stack_name("idp"),
            metadata_document=iam.SamlMetadataDocument.from_xml(metadata_document(config)),
        )
        # Trust: sts:AssumeRoleWithSAML from this provider, for the AWS sign-in audience only.
        self.role = iam.Role(
            self,
            "QuickSightFederatedRole",
            assumed_by=iam.SamlConsolePrincipal(self.provider),
            max_session_duration=cdk.Duration.hours(8),
            description="Assumed through SAML by the identity provider's users to open Quick Sight as readers",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["quicksight:CreateReader"],
                # Each federated user may register only itself: ${aws:userid} is role-id:session-name.
                resources=[f"arn:{cdk.Aws.PARTITION}:quicksight::{cdk.Aws.ACCOUNT_ID}:user/" + "${aws:userid}"],
            )
        )
        cdk.CfnOutput(self, "SamlProviderArn", value=self.provider.saml_provider_arn)
        cdk.CfnOutput(self, "QuickSightFederatedRoleArn", value=self.role.role_arn)
