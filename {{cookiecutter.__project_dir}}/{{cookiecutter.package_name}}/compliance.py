"""cdk-nag AwsSolutions checks, tags, and the one ledger of acknowledged findings.

Every acknowledgement names the construct (path inside a stage), the exact finding
id and why the finding is accepted. The project's tests assert that every entry
still matches a construct, so the ledger cannot silently go stale.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
import cdk_nag
from constructs import IConstruct

from {{ cookiecutter.package_name }}.config import PROJECT_SLUG


@dataclass(frozen=True)
class Acknowledgement:
    path: str  # construct path inside a stage, e.g. "Network/Network/Vpc"
    finding: str  # exact finding id, e.g. "AwsSolutions::AwsSolutions-IAM5[Resource::*]"
    reason: str


{%- if cookiecutter.analytics == "yes" %}
# Data Firehose's S3 destination grants (aws_kinesisfirehose L2): the stream's roles write only to the
# lake bucket and use only the lake key, but the generated policy names action groups and bucket/*.
_FIREHOSE_TO_LAKE = (
    ("Action::s3:Abort*", "Firehose aborts its own failed multipart uploads into the lake bucket only"),
    ("Action::s3:DeleteObject*", "the L2 destination grant includes deletes Firehose uses to clean up partial objects"),
    ("Action::s3:GetBucket*", "Firehose reads the location and settings of the one lake bucket it writes to"),
    ("Action::s3:GetObject*", "Firehose reads back objects it writes when resuming a multipart delivery to the lake"),
    ("Action::s3:List*", "Firehose lists its own uploads in the one lake bucket it delivers to"),
    ("Resource::<StorageBucket5CB7C8EA.Arn>/*", "the stream picks object keys per arrival day, so writes any key"),
    ("Action::kms:GenerateDataKey*", "Firehose encrypts the stream and the lake objects with the one lake key only"),
    ("Action::kms:ReEncrypt*", "the L2 key grant to Firehose re-encrypts with the one lake key only"),
)
_LAKE_STREAMS = ("LogDelivery",{% if cookiecutter.engagement != "none" %} "MessagingEvents",{% endif %})
{%- endif %}

LEDGER: tuple[Acknowledgement, ...] = (
{%- if cookiecutter.analytics == "yes" %}
    *(
        Acknowledgement(f"Lake/Lake/{stream}", f"AwsSolutions::AwsSolutions-IAM5[{finding}]", reason)
        for stream in _LAKE_STREAMS
        for finding, reason in _FIREHOSE_TO_LAKE
    ),
    Acknowledgement(
        "Lake/Lake/CrawlerPolicy",
        "AwsSolutions::AwsSolutions-IAM5[Resource::<StorageBucket5CB7C8EA.Arn>/logs/*]",
        "the crawler reads every object under the log prefix it catalogues and nothing else in the lake",
    ),
    Acknowledgement(
        "Lake/Lake/CrawlerPolicy",
        "AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:"
        "log-group:/aws-glue/crawlers*]",
        "Glue names the crawler's log group after the role and security configuration at run time",
    ),
{%- if cookiecutter.bi == "yes" %}
    Acknowledgement(
        "Lake/Lake/QuickSightReaderPolicy",
        "AwsSolutions::AwsSolutions-IAM5[Resource::<StorageBucket5CB7C8EA.Arn>/logs/*]",
        "Quick Sight's Athena queries read every object under the log prefix and nothing else in the lake",
    ),
    Acknowledgement(
        "Lake/Lake/QuickSightReaderPolicy",
        "AwsSolutions::AwsSolutions-IAM5[Resource::<StorageQueryResults8DE7DCEE.Arn>/athena/*]",
        "Athena writes each query's results under a new key below the workgroup's results prefix",
    ),
    Acknowledgement(
        "Analytics/Bi/Prerequisites/Subscription",
        "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
        "quicksight:DescribeAccountSubscription has no resource type; the guard only reads the subscription",
    ),
    Acknowledgement(
        "Analytics/AWS679f53fac002430cb0da5b7982bd2287",
        "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AWSLambdaBasicExecutionRole]",
        "the CDK SDK-call provider behind the Quick Sight guard only writes its own CloudWatch logs",
    ),
{%- if cookiecutter.quicksight_edition == "enterprise" %}
    Acknowledgement(
        "Analytics/Bi/VpcConnectionRole",
        "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
        "Quick Sight creates and describes network interfaces whose ids do not exist before it runs",
    ),
{%- endif %}
{%- endif %}
{%- endif %}
{%- if cookiecutter.engagement == "pinpoint" %}
    Acknowledgement(
        "Engagement/Engagement",
        "CloudFormation-Validate::W3696",
        "engagement=pinpoint keeps the seed's Pinpoint for accounts that still have it; "
        "end-user-messaging is its successor",
    ),
{%- endif %}
)


def find(scope: IConstruct, path: str) -> IConstruct | None:
    node = scope
    for part in path.split("/"):
        node = node.node.try_find_child(part)
        if node is None:
            return None
    return node


def stages(app: cdk.App) -> list[cdk.Stage]:
    return [child for child in app.node.children if isinstance(child, cdk.Stage)]


def unmatched(app: cdk.App) -> list[Acknowledgement]:
    """Ledger entries that match no construct in some stage."""
    return [ack for stage in stages(app) for ack in LEDGER if find(stage, ack.path) is None]


def apply(app: cdk.App) -> None:
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    for stage in stages(app):
        cdk.Tags.of(stage).add("project", PROJECT_SLUG)  # aspects stop at stage boundaries
        for ack in LEDGER:
            target = find(stage, ack.path)
            if target is not None:
                cdk.Validations.of(target).acknowledge(cdk.Acknowledgment(id=ack.finding, reason=ack.reason))
