"""The seed's Amazon Pinpoint application (step 25).

Pinpoint reached end of support on 2026-10-30 and works only in accounts that still have
it; AWS End User Messaging and SES are its successors (engagement=end-user-messaging).
"""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_pinpoint as pinpoint
from constructs import Construct

from {{ cookiecutter.package_name }}.compliance import acknowledge
from {{ cookiecutter.package_name }}.config import EnvironmentConfig


def add_channels(
    scope: Construct, *, name: str, config: EnvironmentConfig, events_stream: firehose.IDeliveryStream | None
) -> iam.IRole | None:
    """The Pinpoint app in `scope`; returns the role that streams its events into `events_stream`."""
    app = pinpoint.CfnApp(scope, "App", name=name)
    acknowledge(
        scope,
        "CloudFormation-Validate::W3696",
        "engagement=pinpoint keeps the seed's Pinpoint for accounts that still have it; "
        "end-user-messaging is its successor",
    )
    if events_stream is None:
        return None
    role = iam.Role(
        scope,
        "EventStreamRole",
        assumed_by=iam.ServicePrincipal("pinpoint.amazonaws.com"),
        description="Pinpoint streams its engagement events into the lake with this role",
    )
    event_stream = pinpoint.CfnEventStream(
        scope,
        "EventStream",
        application_id=app.ref,
        destination_stream_arn=events_stream.delivery_stream_arn,
        role_arn=role.role_arn,
    )
    event_stream.node.add_dependency(role)  # and the grant stage.py adds to it
    return role
