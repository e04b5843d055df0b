"""The application's DynamoDB table (step 12): the one store every tier reads and writes."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from {{ cookiecutter.package_name }}.config import EnvironmentConfig


class Data(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, construct_id)
        settings = config.section("data")
        billing = (
            dynamodb.Billing.on_demand()
            if settings.get("billing", "on-demand") == "on-demand"
            else dynamodb.Billing.provisioned(
                read_capacity=dynamodb.Capacity.fixed(int(settings["read_capacity"])),
                write_capacity=dynamodb.Capacity.autoscaled(max_capacity=int(settings["max_write_capacity"])),
            )
        )
        self.table = dynamodb.TableV2(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing=billing,
            encryption=dynamodb.TableEncryptionV2.aws_managed_key(),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=config.retain_stateful,
            removal_policy=config.stateful_removal_policy,
{%- if cookiecutter.__search == "yes" %}
            dynamo_stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
{%- endif %}
        )
        cdk.CfnOutput(self, "TableName", value=self.table.table_name)
