"""Step 9: an AWS WAF web ACL on the REST API stage: AWS managed rules and rate limits.

AppSync's HTTP resolver calls arrive from AppSync's shared egress addresses, so a per-IP limit
would make every user share one budget. Calls that carry a user token (api.USER_TOKEN_HEADER,
which the container verifies) are counted per token, that is per signed-in user; all other calls
(identity-pool users signing themselves) per source IP.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from {{ cookiecutter.package_name }}.service.api import USER_TOKEN_HEADER

MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


class ApiFirewall(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: apigateway.Stage,
        requests_per_5_minutes: int,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        rules = [
            wafv2.CfnWebACL.RuleProperty(
                name=group,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=group
                    )
                ),
                visibility_config=_visibility(group),
            )
            for priority, group in enumerate(MANAGED_RULE_GROUPS)
        ]
        with_user_token = wafv2.CfnWebACL.StatementProperty(
            size_constraint_statement=wafv2.CfnWebACL.SizeConstraintStatementProperty(
                field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(single_header={"Name": USER_TOKEN_HEADER}),
                comparison_operator="GT",
                size=0,
                text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")],
            )
        )
        per_user = wafv2.CfnWebACL.RateBasedStatementProperty(
            aggregate_key_type="CUSTOM_KEYS",
            custom_keys=[
                wafv2.CfnWebACL.RateBasedStatementCustomKeyProperty(
                    header=wafv2.CfnWebACL.RateLimitHeaderProperty(
                        name=USER_TOKEN_HEADER,
                        text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")],
                    )
                )
            ],
            limit=requests_per_5_minutes,
            scope_down_statement=with_user_token,
        )
        per_ip = wafv2.CfnWebACL.RateBasedStatementProperty(
            aggregate_key_type="IP",
            limit=requests_per_5_minutes,
            scope_down_statement=wafv2.CfnWebACL.StatementProperty(
                not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=with_user_token)
            ),
        )
        for name, statement in (("RateLimitPerUser", per_user), ("RateLimitPerIp", per_ip)):
            rules.append(
                wafv2.CfnWebACL.RuleProperty(
                    name=name,
                    priority=len(rules),
                    action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                    statement=wafv2.CfnWebACL.StatementProperty(rate_based_statement=statement),
                    visibility_config=_visibility(name),
                )
            )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility("RestApi"),
            rules=rules,
        )
        wafv2.CfnWebACLAssociation(self, "Association", resource_arn=stage.stage_arn, web_acl_arn=self.web_acl.attr_arn)
        # WAF logs only to log groups named aws-waf-logs-*, given by ARN without the trailing ":*".
        log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"aws-waf-logs-{cdk.Names.unique_resource_name(self, max_length=60)}",
            retention=log_retention,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.web_acl.attr_arn,
            log_destination_configs=[
                cdk.Stack.of(self).format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name=log_group.log_group_name,
                    arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                )
            ],
        )
