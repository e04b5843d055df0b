"""Email through SES, SMS through AWS End User Messaging: Pinpoint's successors (step 25).

Email goes through SES (an email identity for the sender domain and a configuration set
whose delivery, bounce, complaint, open and click events go to the events stream, or to
CloudWatch metrics without one); SMS through AWS End User Messaging (a configuration set, and a
phone pool when origination identities are configured).
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ses as ses
from aws_cdk import aws_smsvoice as smsvoice
from constructs import Construct

from {{ cookiecutter.package_name }}.config import EnvironmentConfig


@dataclass(frozen=True)
class EngagementSettings:
    """The `engagement` section of config/<env>.yaml."""

    sender_domain: str
    # ARNs of phone numbers or sender ids already provisioned in AWS End User Messaging SMS;
    # when given, a phone pool is created from them.
    sms_origination_identities: tuple[str, ...] = ()


def add_channels(
    scope: Construct, *, name: str, config: EnvironmentConfig, events_stream: firehose.IDeliveryStream | None
) -> iam.IRole | None:
    """The email and SMS channels in `scope`; returns the role that puts SMS events into `events_stream`."""
    settings = config.settings("engagement", EngagementSettings)
    _email(scope, name, settings, events_stream)
    role = _sms(scope, name, settings, config, events_stream)
    return role if events_stream is not None else None


def _email(
    scope: Construct, name: str, settings: EngagementSettings, events_stream: firehose.IDeliveryStream | None
) -> None:
    configuration_set = ses.ConfigurationSet(
        scope,
        "EmailConfigurationSet",
        configuration_set_name=f"{name}-email",
        reputation_metrics=True,
        sending_enabled=True,
        suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,
    )
    if events_stream is not None:
        destination = ses.EventDestination.firehose_delivery_stream(delivery_stream=events_stream)
    else:
        destination = ses.EventDestination.cloud_watch_dimensions(
            [
                ses.CloudWatchDimension(
                    name="campaign", source=ses.CloudWatchDimensionSource.MESSAGE_TAG, default_value="none"
                )
            ]
        )
    configuration_set.add_event_destination(
        "Events",
        destination=destination,
        events=[
            ses.EmailSendingEvent.SEND,
            ses.EmailSendingEvent.DELIVERY,
            ses.EmailSendingEvent.BOUNCE,
            ses.EmailSendingEvent.COMPLAINT,
            ses.EmailSendingEvent.REJECT,
            ses.EmailSendingEvent.OPEN,
            ses.EmailSendingEvent.CLICK,
        ],
    )
    # DKIM records for the domain are in the identity's outputs; publish them in your DNS.
    email_identity = ses.EmailIdentity(
        scope,
        "SenderIdentity",
        identity=ses.Identity.domain(settings.sender_domain),
        configuration_set=configuration_set,
    )
    for number, record in enumerate(email_identity.dkim_records, start=1):
        cdk.CfnOutput(scope, f"DkimRecord{number}", value=f"{record.name} CNAME {record.value}")


def _sms(
    scope: Construct,
    name: str,
    settings: EngagementSettings,
    config: EnvironmentConfig,
    events_stream: firehose.IDeliveryStream | None,
) -> iam.IRole:
    role = iam.Role(
        scope,
        "SmsEventsRole",
        assumed_by=iam.ServicePrincipal("sms-voice.amazonaws.com"),
        description="AWS End User Messaging writes SMS events with this role",
    )
    if events_stream is not None:  # stage.py grants the role PutRecords on the stream
        target = {
            "event_destination_name": "lake",
            "kinesis_firehose_destination": smsvoice.CfnConfigurationSet.KinesisFirehoseDestinationProperty(
                delivery_stream_arn=events_stream.delivery_stream_arn, iam_role_arn=role.role_arn
            ),
        }
    else:
        event_logs = logs.LogGroup(
            scope,
            "SmsEventLogs",
            retention=logs.RetentionDays.ONE_YEAR if config.retain_stateful else logs.RetentionDays.ONE_MONTH,
            removal_policy=config.stateful_removal_policy,
        )
        event_logs.grant_write(role)
        target = {
            "event_destination_name": "logs",
            "cloud_watch_logs_destination": smsvoice.CfnConfigurationSet.CloudWatchLogsDestinationProperty(
                log_group_arn=event_logs.log_group_arn, iam_role_arn=role.role_arn
            ),
        }
    destination = smsvoice.CfnConfigurationSet.EventDestinationProperty(
        enabled=True, matching_event_types=["ALL"], **target
    )
    sms_configuration_set = smsvoice.CfnConfigurationSet(
        scope,
        "SmsConfigurationSet",
        configuration_set_name=f"{name}-sms",
        event_destinations=[destination],
    )
    sms_configuration_set.node.add_dependency(role)
    identities = list(settings.sms_origination_identities)
    if identities:
        smsvoice.CfnPool(
            scope,
            "PhonePool",
            origination_identities=identities,
            mandatory_keywords=smsvoice.CfnPool.MandatoryKeywordsProperty(
                help=smsvoice.CfnPool.MandatoryKeywordProperty(message="Reply STOP to stop receiving messages."),
                stop=smsvoice.CfnPool.MandatoryKeywordProperty(
                    message="You will no longer receive messages. Reply START to subscribe again."
                ),
            ),
            deletion_protection_enabled=False,
        )
    return role
