"""Step 8, stream-lambda choice: DynamoDB stream -> Lambda indexer -> `_bulk`.

Partial batch failures are retried by bisecting the batch; what still fails lands in a
dead-letter queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs

from {{ cookiecutter.package_name }}.compliance import acknowledge
from {{ cookiecutter.package_name }}.config import EnvironmentConfig
from {{ cookiecutter.package_name }}.functions import powertools_layer

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.search.infrastructure import Search, SearchSettings


def add_indexer(
    search: Search, *, config: EnvironmentConfig, settings: SearchSettings, table: dynamodb.ITableV2
) -> iam.IRole:
    """The table's stream feeds a Lambda that bulk-indexes changed items; returns the indexer's role."""
    role = search.lambda_role("IndexerRole")
    dead_letters = sqs.Queue(
        search,
        "IndexerDeadLetters",
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=cdk.Duration.days(14),
    )
    acknowledge(
        dead_letters,
        "AwsSolutions::AwsSolutions-SQS3",
        "this queue is itself the dead-letter destination of the indexer's stream event source",
    )
    indexer = search.function(
        "IndexerFunction",
        "indexer.handler",
        role,
        layers=[powertools_layer(search, config)],
        timeout=cdk.Duration.seconds(60),
        memory_size=settings.indexer_memory_mb,
    )
    indexer.add_environment("POWERTOOLS_SERVICE_NAME", "indexer")
    search.domain.grant_path_write("_bulk", role)
    indexer.add_event_source(
        event_sources.DynamoEventSource(
            table,
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            batch_size=settings.batch_size,
            max_batching_window=cdk.Duration.seconds(5),
            bisect_batch_on_error=True,
            retry_attempts=settings.retry_attempts,
            report_batch_item_failures=True,
            on_failure=event_sources.SqsDlq(dead_letters),
        )
    )
    return role
