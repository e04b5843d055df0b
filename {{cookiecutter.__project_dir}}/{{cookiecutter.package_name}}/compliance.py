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


LEDGER: tuple[Acknowledgement, ...] = (
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
