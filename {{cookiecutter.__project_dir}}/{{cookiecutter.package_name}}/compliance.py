"""cdk-nag AwsSolutions checks and the project's tags; acknowledgements sit beside their constructs.

A unit accepts a finding with `acknowledge(construct, finding, reason)` next to the construct
it excuses, so the acknowledgement comes and goes with its unit. The project's tests read
every acknowledgement back from the synthesised assembly: each has a reason and excuses a
finding cdk-nag actually raised.
"""

from __future__ import annotations

import aws_cdk as cdk
import cdk_nag
from constructs import IConstruct

from {{ cookiecutter.package_name }}.config import PROJECT_SLUG

XRAY_REASON = "X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions (Resource *)"


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    """Accept one cdk-nag finding on `construct` and below it, for `reason`; called beside the construct."""
    cdk.Validations.of(construct).acknowledge(cdk.Acknowledgment(id=finding, reason=reason))


def logical_id(construct: IConstruct) -> str:
    """The logical id of a construct's CloudFormation resource, as cdk-nag names it in a finding."""
    stack = cdk.Stack.of(construct)
    return stack.resolve(stack.get_logical_id(construct.node.default_child))


def stages(app: cdk.App) -> list[cdk.Stage]:
    return [child for child in app.node.children if isinstance(child, cdk.Stage)]


def apply(app: cdk.App) -> None:
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    for stage in stages(app):
        cdk.Tags.of(stage).add("project", PROJECT_SLUG)  # aspects stop at stage boundaries
