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


XRAY_REASON = "X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions (Resource *)"

{%- if cookiecutter.__lake == "yes" %}
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
    # Identity (step 1)
{%- if cookiecutter.cognito_mfa != "required" %}
    Acknowledgement("Identity/Identity/UserPool", "AwsSolutions::AwsSolutions-COG2",
                    "MFA is {{ cookiecutter.cognito_mfa }} by the project's cognito_mfa answer; set it to required to enforce it"),
{%- endif %}
{%- if cookiecutter.cognito_threat_protection == "off" %}
    Acknowledgement("Identity/Identity/UserPool", "AwsSolutions::AwsSolutions-COG8",
                    "threat protection is off by the project's cognito_threat_protection answer, so the pool "
                    "stays on the Essentials plan; answer enforced or audit for the Plus plan"),
{%- endif %}
    # GraphQL API (steps 3-7)
    Acknowledgement("Api/Api/GraphqlApi", "AwsSolutions::AwsSolutions-ASC3",
                    "request-level and field logs are on; verbose content (headers with the users' tokens, "
                    "arguments and results with their data) is excluded on purpose"),
    Acknowledgement("Api/Api/GraphqlApi/ApiLogsRole",
                    "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                    "AWSAppSyncPushToCloudWatchLogs]",
                    "the AWS-maintained AppSync logging policy only writes to AppSync's own log groups"),
    Acknowledgement("Api/LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a",
                    "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                    "AWSLambdaBasicExecutionRole]",
                    "CDK's log retention function sets the retention of the AppSync log group AppSync creates itself"),
    Acknowledgement("Api/LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a", "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
                    "CDK's log retention function must set retention on a log group whose name AppSync chooses"),
    Acknowledgement("Api/Api/GraphqlApi/Orders/ServiceRole",
                    "AwsSolutions::AwsSolutions-IAM5[Resource::<ApiOrdersFunction86B16E85.Arn>:*]",
                    "AppSync may invoke the orders function and its versions; the wildcard covers only qualifiers"),
{%- if cookiecutter.__xray == "yes" %}
    Acknowledgement("Api/Api/OrdersFunctionRole", "AwsSolutions::AwsSolutions-IAM5[Resource::*]", XRAY_REASON),
{%- endif %}
{%- if cookiecutter.__search == "yes" %}
    # Search (steps 7-8)
    Acknowledgement("Search/Search/Domain", "AwsSolutions::AwsSolutions-OS1",
                    "AppSync's OpenSearch data source reaches only domains outside a VPC; access needs IAM "
                    "signatures and fine-grained access control, over HTTPS only"),
    Acknowledgement("Search/Search/Domain", "AwsSolutions::AwsSolutions-OS3",
                    "callers are AppSync and Lambda, which have no fixed IP addresses; every request is IAM signed"),
    Acknowledgement("Search/Search/Domain", "AwsSolutions::AwsSolutions-OS5",
                    "the domain has no resource policy: only roles of this account granted by IAM policies reach "
                    "it, and fine-grained access control maps each to its index permissions"),
    Acknowledgement("Search/Search/Domain", "AwsSolutions::AwsSolutions-OS4",
                    "dev runs one data node without dedicated masters to save cost; prod sets master_nodes "
                    "in config/prod.yaml"),
    Acknowledgement("Search/Search/Domain", "AwsSolutions::AwsSolutions-OS7",
                    "dev runs one data node, so zone awareness cannot apply; prod spreads data nodes over two zones"),
{%- if cookiecutter.__xray == "yes" %}
    Acknowledgement("Search/Search/SetupRole", "AwsSolutions::AwsSolutions-IAM5[Resource::*]", XRAY_REASON),
{%- endif %}
{%- if cookiecutter.search_indexing == "zero-etl" %}
    Acknowledgement("Search/Search/ZeroEtl/ExportBucket", "AwsSolutions::AwsSolutions-S1",
                    "the bucket only stages the table's point-in-time exports for the pipeline; they expire in a week"),
    Acknowledgement("Search/Search/ZeroEtl/PipelineRole",
                    "AwsSolutions::AwsSolutions-IAM5[Resource::<SearchZeroEtlExportBucket8566DE47.Arn>/export/*]",
                    "the pipeline writes and reads export files whose names DynamoDB chooses, under export/ only"),
    Acknowledgement("Search/Search/ZeroEtl/PipelineRole",
                    "AwsSolutions::AwsSolutions-IAM5[Resource::<SearchDomain62FD613E.Arn>/*]",
                    "the ingestion sink checks cluster and index before bulk writes; fine-grained access control "
                    "limits the role to the items index"),
{%- for env in ("dev", "prod") %}
    # The table lives in the Stateful stack: its ARN reaches this finding as that stack's export.
    Acknowledgement("Search/Search/ZeroEtl/PipelineRole",
                    "AwsSolutions::AwsSolutions-IAM5[Resource::{{ cookiecutter.project_slug }}-{{ env }}-stateful:"
                    "ExportsOutputFnGetAttDataTableFDBAD0F2Arn2713A995/export/*]",
                    "DescribeExport names exports by ids DynamoDB assigns; only the table's export/ prefix is fixed"),
{%- endfor %}
{%- endif %}
{%- if cookiecutter.search_indexing == "stream-lambda" %}
    Acknowledgement("Search/Search/IndexerDeadLetters", "AwsSolutions::AwsSolutions-SQS3",
                    "this queue is itself the dead-letter destination of the indexer's stream event source"),
{%- if cookiecutter.__xray == "yes" %}
    Acknowledgement("Search/Search/IndexerRole", "AwsSolutions::AwsSolutions-IAM5[Resource::*]", XRAY_REASON),
{%- endif %}
{%- endif %}
{%- endif %}
{%- if cookiecutter.__lake == "yes" %}
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
{%- if cookiecutter.__quicksight == "yes" %}
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
{%- endif %}
{%- endif %}
{%- if cookiecutter.warehouse != "none" %}
    # Warehouse (step 23): the custom resource that creates the integration's database
    Acknowledgement(
        "Warehouse/Warehouse/IntegrationDatabaseRole",
        "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
        "Data API statements have no ARN; the condition limits the role to statements it started itself",
    ),
{%- if cookiecutter.warehouse == "serverless" %}
{%- for env in ("dev", "prod") %}
    Acknowledgement(
        "Warehouse/Warehouse/IntegrationDatabaseRole",
        "AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:"
        "<AWS::AccountId>:secret:redshift!{{ cookiecutter.project_slug }}-{{ env }}-warehouse-*]",
        "CloudFormation does not return the namespace's managed admin secret; Secrets Manager adds a random "
        "suffix to the name Redshift gives it",
    ),
{%- endfor %}
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
{%- if cookiecutter.__service == "yes" %}
{%- for env, account, region in (("dev", cookiecutter.dev_account_id, cookiecutter.dev_region),
                                 ("prod", cookiecutter.prod_account_id, cookiecutter.prod_region)) %}
{%- for method in ("GET", "PUT", "DELETE") %}
    # The REST API lives in the Service stack: its id and stage reach this finding as the stack's exports.
    Acknowledgement(
        "Api/Api/SignedInUserAccess",
        "AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:execute-api:{{ region }}:{{ account }}:"
        "{{ cookiecutter.project_slug }}-{{ env }}-service:ExportsOutputRefServiceApiRestApiD01AE7DFE6BD94BF/"
        "{{ cookiecutter.project_slug }}-{{ env }}-service:ExportsOutputRefServiceApiRestApiDeploymentStagev17B15D8913DB84E4F"
        "/{{ method }}/items/*]",
        "the one method on /items/{id}: API Gateway writes the path parameter of a method ARN as a wildcard",
    ),
{%- endfor %}
{%- endfor %}
{%- endif %}
)


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    """Accept one cdk-nag finding on `construct` and below it, for `reason`; called beside the construct."""
    cdk.Validations.of(construct).acknowledge(cdk.Acknowledgment(id=finding, reason=reason))


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
    """Ledger entries that match no construct in any stage (some units live in one environment only)."""
    return [ack for ack in LEDGER if all(find(stage, ack.path) is None for stage in stages(app))]


def apply(app: cdk.App) -> None:
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    for stage in stages(app):
        cdk.Tags.of(stage).add("project", PROJECT_SLUG)  # aspects stop at stage boundaries
        for ack in LEDGER:
            target = find(stage, ack.path)
            if target is not None:
                cdk.Validations.of(target).acknowledge(cdk.Acknowledgment(id=ack.finding, reason=ack.reason))
