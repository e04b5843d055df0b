"""Messaging (step 25){% if cookiecutter.engagement == "end-user-messaging" %}: Pinpoint's successors.

Email goes through SES (an email identity for the sender domain and a configuration set
whose delivery, bounce, complaint, open and click events land in the lake, or in CloudWatch
metrics without a lake); SMS through AWS End User Messaging (a configuration set, and a
phone pool when origination identities are configured).
{%- else %}: the seed's Amazon Pinpoint application.

Pinpoint reached end of support on 2026-10-30 and works only in accounts that still have
it; AWS End User Messaging and SES are its successors (engagement=end-user-messaging).
{%- endif %}
"""

from __future__ import annotations

{% if cookiecutter.engagement == "end-user-messaging" -%}
import aws_cdk as cdk
{% endif -%}
from aws_cdk import aws_iam as iam
{%- if cookiecutter.engagement == "end-user-messaging" %}
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ses as ses
from aws_cdk import aws_smsvoice as smsvoice
{%- else %}
from aws_cdk import aws_pinpoint as pinpoint
{%- endif %}
from constructs import Construct

{% if cookiecutter.__lake == "yes" -%}
from {{ cookiecutter.package_name }}.analytics.lake.infrastructure import Lake
{% endif -%}
from {{ cookiecutter.package_name }}.config import EnvironmentConfig

EVENTS_PREFIX = "events/messaging/"


class Engagement(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        lake: {{ "Lake | None" if cookiecutter.__lake == "yes" else "None" }},
    ) -> None:
        super().__init__(scope, construct_id)
        self.name = config.stack_name("messaging")
        # Delivery and engagement events become a second dataset of the lake, under their own prefix.
        self.events_stream = (
            lake.add_event_stream("MessagingEvents", name="messaging", prefix=EVENTS_PREFIX) if lake else None
        )
{%- if cookiecutter.engagement == "end-user-messaging" %}
        settings = config.section("engagement")
        self._email(settings)
        self._sms(settings, config)

    def _email(self, settings) -> None:
        self.configuration_set = ses.ConfigurationSet(
            self,
            "EmailConfigurationSet",
            configuration_set_name=f"{self.name}-email",
            reputation_metrics=True,
            sending_enabled=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
            tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,
        )
        if self.events_stream is not None:
            destination = ses.EventDestination.firehose_delivery_stream(delivery_stream=self.events_stream)
        else:
            destination = ses.EventDestination.cloud_watch_dimensions(
                [
                    ses.CloudWatchDimension(
                        name="campaign", source=ses.CloudWatchDimensionSource.MESSAGE_TAG, default_value="none"
                    )
                ]
            )
        self.configuration_set.add_event_destination(
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
        self.email_identity = ses.EmailIdentity(
            self,
            "SenderIdentity",
            identity=ses.Identity.domain(settings["sender_domain"]),
            configuration_set=self.configuration_set,
        )
        for number, record in enumerate(self.email_identity.dkim_records, start=1):
            cdk.CfnOutput(self, f"DkimRecord{number}", value=f"{record.name} CNAME {record.value}")

    def _sms(self, settings, config: EnvironmentConfig) -> None:
        role = iam.Role(
            self,
            "SmsEventsRole",
            assumed_by=iam.ServicePrincipal("sms-voice.amazonaws.com"),
            description="AWS End User Messaging writes SMS events with this role",
        )
        if self.events_stream is not None:
            self.events_stream.grant_put_records(role)
            destination = smsvoice.CfnConfigurationSet.EventDestinationProperty(
                event_destination_name="lake",
                enabled=True,
                matching_event_types=["ALL"],
                kinesis_firehose_destination=smsvoice.CfnConfigurationSet.KinesisFirehoseDestinationProperty(
                    delivery_stream_arn=self.events_stream.delivery_stream_arn, iam_role_arn=role.role_arn
                ),
            )
        else:
            event_logs = logs.LogGroup(
                self,
                "SmsEventLogs",
                retention=logs.RetentionDays.ONE_YEAR if config.retain_stateful else logs.RetentionDays.ONE_MONTH,
                removal_policy=config.stateful_removal_policy,
            )
            event_logs.grant_write(role)
            destination = smsvoice.CfnConfigurationSet.EventDestinationProperty(
                event_destination_name="logs",
                enabled=True,
                matching_event_types=["ALL"],
                cloud_watch_logs_destination=smsvoice.CfnConfigurationSet.CloudWatchLogsDestinationProperty(
                    log_group_arn=event_logs.log_group_arn, iam_role_arn=role.role_arn
                ),
            )
        self.sms_configuration_set = smsvoice.CfnConfigurationSet(
            self,
            "SmsConfigurationSet",
            configuration_set_name=f"{self.name}-sms",
            event_destinations=[destination],
        )
        self.sms_configuration_set.node.add_dependency(role)
        identities = list(settings.get("sms_origination_identities") or [])
        self.phone_pool = (
            smsvoice.CfnPool(
                self,
                "PhonePool",
                origination_identities=identities,
                mandatory_keywords=smsvoice.CfnPool.MandatoryKeywordsProperty(
                    help=smsvoice.CfnPool.MandatoryKeywordProperty(
                        message="Reply STOP to stop receiving messages."
                    ),
                    stop=smsvoice.CfnPool.MandatoryKeywordProperty(
                        message="You will no longer receive messages. Reply START to subscribe again."
                    ),
                ),
                deletion_protection_enabled=False,
            )
            if identities
            else None
        )
{%- else %}
        self.app = pinpoint.CfnApp(self, "App", name=self.name)
        if self.events_stream is not None:
            role = iam.Role(
                self,
                "EventStreamRole",
                assumed_by=iam.ServicePrincipal("pinpoint.amazonaws.com"),
                description="Pinpoint streams its engagement events into the lake with this role",
            )
            self.events_stream.grant_put_records(role)
            event_stream = pinpoint.CfnEventStream(
                self,
                "EventStream",
                application_id=self.app.ref,
                destination_stream_arn=self.events_stream.delivery_stream_arn,
                role_arn=role.role_arn,
            )
            event_stream.node.add_dependency(role)
{%- endif %}
