"""Messaging (step 25): the channels of the project's engagement answer, in {{ cookiecutter.engagement | replace("-", "_") }}.py.

Delivery and engagement events go to `events_stream` when stage.py passes one (the lake's
messaging stream); stage.py then lets `events_role` put records into it.
"""

from __future__ import annotations

from aws_cdk import aws_kinesisfirehose as firehose
from constructs import Construct

from {{ cookiecutter.package_name }}.config import EnvironmentConfig
from {{ cookiecutter.package_name }}.engagement.{{ cookiecutter.engagement | replace("-", "_") }} import add_channels


class Engagement(Construct):
    EVENTS_PREFIX = "events/messaging/"  # where the lake keeps this unit's events

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        events_stream: firehose.IDeliveryStream | None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.name = config.stack_name("messaging")
        self.events_role = add_channels(self, name=self.name, config=config, events_stream=events_stream)
