"""The application's DynamoDB table (step 12): the one store every tier reads and writes."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from {{ cookiecutter.package_name }}.config import ConfigError, EnvironmentConfig

# With search, the table's stream of changes feeds the index.
STREAM = {{ "dynamodb.StreamViewType.NEW_AND_OLD_IMAGES" if cookiecutter.__search == "yes" else "None" }}


@dataclass(frozen=True)
class DataSettings:
    """config/<env>.yaml `data`: the table's billing; provisioned capacity needs both capacities."""

    billing: str = "on-demand"  # or provisioned
    read_capacity: int = 0  # fixed read capacity units
    max_write_capacity: int = 0  # write capacity autoscales up to this


def table_billing(settings: DataSettings, where: str) -> dynamodb.Billing:
    if settings.billing == "on-demand":
        return dynamodb.Billing.on_demand()
    if settings.billing != "provisioned":
        raise ConfigError(f"{where}.billing: expected on-demand or provisioned, got {settings.billing!r}")
    if settings.read_capacity <= 0 or settings.max_write_capacity <= 0:
        raise ConfigError(f"{where}: billing provisioned needs read_capacity and max_write_capacity above 0")
    return dynamodb.Billing.provisioned(
        read_capacity=dynamodb.Capacity.fixed(settings.read_capacity),
        write_capacity=dynamodb.Capacity.autoscaled(max_capacity=settings.max_write_capacity),
    )


class Data(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, construct_id)
        billing = table_billing(config.settings("data", DataSettings), f"config/{config.name}.yaml: data")
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
            dynamo_stream=STREAM,
        )
        cdk.CfnOutput(self, "TableName", value=self.table.table_name)
