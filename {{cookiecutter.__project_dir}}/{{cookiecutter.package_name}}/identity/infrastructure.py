"""Step 1: who the users are. A Cognito user pool for sign-in and an identity pool that
turns a signed-in user into short-lived AWS credentials (for IAM-signed calls).

The identity pool's authenticated role starts with no permissions: the stage grants it
exactly the API (Api.grant_signed_in_users), so this unit depends on none.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_cognito_identitypool as identitypool
from constructs import Construct

from {{ cookiecutter.package_name }}.compliance import acknowledge
from {{ cookiecutter.package_name }}.config import EnvironmentConfig

# The project's cognito_mfa and cognito_threat_protection answers.
MFA_ANSWER = "{{ cookiecutter.cognito_mfa }}"
MFA = {"optional": cognito.Mfa.OPTIONAL, "required": cognito.Mfa.REQUIRED, "off": cognito.Mfa.OFF}[MFA_ANSWER]
FEATURE_PLAN = cognito.FeaturePlan.{{ cookiecutter.cognito_feature_plan.upper() }}
# Threat protection (compromised credentials, adaptive authentication) is a feature of the Plus plan.
THREAT_PROTECTION = {
    "off": None,
    "audit": cognito.StandardThreatProtectionMode.AUDIT_ONLY,
    "enforced": cognito.StandardThreatProtectionMode.FULL_FUNCTION,
}["{{ cookiecutter.cognito_threat_protection }}"]


@dataclass(frozen=True)
class IdentitySettings:
    """config/<env>.yaml `identity`: password length, token lifetimes and the SES domain users get mail from."""

    password_min_length: int = 12
    access_token_minutes: int = 60  # access and ID tokens
    refresh_token_days: int = 30
    email_domain: str = ""  # empty: Cognito's own sender


def user_pool_email(domain: str | None, region: str) -> cognito.UserPoolEmail:
    """Cognito's own sender allows about 50 messages a day: with an SES-verified domain (config
    `identity.email_domain`) the pool sends through SES from no-reply@<domain> instead."""
    if not domain:
        return cognito.UserPoolEmail.with_cognito()
    return cognito.UserPoolEmail.with_ses(
        from_email=f"no-reply@{domain}", ses_region=region, ses_verified_domain=domain
    )


class Identity(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, construct_id)
        settings = config.settings("identity", IdentitySettings)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            self_sign_up_enabled=True,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            password_policy=cognito.PasswordPolicy(
                min_length=settings.password_min_length,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=cdk.Duration.days(3),
            ),
            mfa=MFA,
            # Authenticator apps only: SMS would need an SNS role and a sandbox exit per account.
            mfa_second_factor=None if MFA == cognito.Mfa.OFF else cognito.MfaSecondFactor(otp=True, sms=False),
            feature_plan=FEATURE_PLAN,
            standard_threat_protection_mode=THREAT_PROTECTION,
            email=user_pool_email(settings.email_domain, config.region),
            deletion_protection=config.retain_stateful,
            removal_policy=config.stateful_removal_policy,
        )
        if MFA != cognito.Mfa.REQUIRED:
            acknowledge(
                self.user_pool,
                "AwsSolutions::AwsSolutions-COG2",
                f"MFA is {MFA_ANSWER} by the project's cognito_mfa answer; set it to required to enforce it",
            )
        if THREAT_PROTECTION is None:
            acknowledge(
                self.user_pool,
                "AwsSolutions::AwsSolutions-COG8",
                "threat protection is off by the project's cognito_threat_protection answer, so the pool "
                "stays on the Essentials plan; answer enforced or audit for the Plus plan",
            )
        # A public client (web and mobile apps cannot keep a secret): SRP sign-in, short-lived
        # access and ID tokens, refresh tokens that can be revoked.
        self.user_pool_client = self.user_pool.add_client(
            "AppClient",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True),
            access_token_validity=cdk.Duration.minutes(settings.access_token_minutes),
            id_token_validity=cdk.Duration.minutes(settings.access_token_minutes),
            refresh_token_validity=cdk.Duration.days(settings.refresh_token_days),
            enable_token_revocation=True,
            prevent_user_existence_errors=True,
        )
        self.identity_pool = identitypool.IdentityPool(
            self,
            "IdentityPool",
            allow_unauthenticated_identities=False,
            authentication_providers=identitypool.IdentityPoolAuthenticationProviders(
                user_pools=[
                    identitypool.UserPoolAuthenticationProvider(
                        user_pool=self.user_pool, user_pool_client=self.user_pool_client
                    )
                ]
            ),
        )
        cdk.CfnOutput(self, "UserPoolId", key="UserPoolId", value=self.user_pool.user_pool_id)
        cdk.CfnOutput(self, "UserPoolClientId", key="UserPoolClientId", value=self.user_pool_client.user_pool_client_id)
        cdk.CfnOutput(self, "IdentityPoolId", key="IdentityPoolId", value=self.identity_pool.identity_pool_id)

    @property
    def authenticated_role(self):
        """The role of signed-in identities; APIs grant it what it may call."""
        return self.identity_pool.authenticated_role
