"""cdk-nag and the bundled CloudFormation validator pass, and every acknowledgement is honest.

The acknowledgements are read back from the synthesised assembly (the
`aws:cdk:acknowledged-rules` metadata `refarch validate` reads too), wherever in the
units they were made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from {{ cookiecutter.package_name }} import compliance

CDK_NAG = "AwsSolutions::"


@dataclass(frozen=True)
class Acknowledged:
    path: str  # construct path, stage first
    finding: str
    reason: str


def acknowledgements(outdir: Path) -> list[Acknowledged]:
    """Every acknowledgement in the stacks' metadata of the assembly in `outdir` and its nested assemblies."""
    found = []
    for manifest_file in sorted(outdir.rglob("manifest.json")):
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        for artifact in manifest.get("artifacts", {}).values():
            if artifact.get("type") != "aws:cloudformation:stack":
                continue
            metadata = artifact.get("metadata", {})
            if "additionalMetadataFile" in artifact:
                metadata = json.loads((manifest_file.parent / artifact["additionalMetadataFile"]).read_text("utf-8"))
            for path, entries in metadata.items():
                for entry in entries:
                    if entry.get("type") == "aws:cdk:acknowledged-rules":
                        found += [
                            Acknowledged(path.lstrip("/"), finding, reason or "")
                            for finding, reason in entry["data"].items()
                        ]
    return found


@pytest.fixture(scope="module")
def acknowledged(assembly, cloud_assembly_dir: Path) -> list[Acknowledged]:
    return acknowledgements(cloud_assembly_dir)


def test_no_validation_plugin_reports_a_violation(validation_report):
    failures = {
        r["pluginName"]: [v["ruleName"] for v in r["violations"]]
        for r in validation_report["pluginReports"]
        if r["conclusion"] != "success" or r["violations"]
    }
    assert failures == {}


def test_cdk_nag_is_wired_in_and_fails_an_unacknowledged_finding(tmp_path):
    app = cdk.App(outdir=str(tmp_path))
    stage = cdk.Stage(app, "Probe")
    s3.Bucket(cdk.Stack(stage, "Stack"), "UnloggedBucket")
    compliance.apply(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()


def test_acknowledgements_are_read_from_the_assembly(tmp_path):
    app = cdk.App(outdir=str(tmp_path))
    stage = cdk.Stage(app, "Probe")
    bucket = s3.Bucket(cdk.Stack(stage, "Stack"), "UnloggedBucket", enforce_ssl=True)
    reason = "a probe bucket that is never deployed"
    compliance.acknowledge(bucket, "AwsSolutions::AwsSolutions-S1", reason)
    app.synth()
    assert acknowledgements(tmp_path) == [
        Acknowledged("Probe/Stack/UnloggedBucket", "AwsSolutions::AwsSolutions-S1", reason)
    ]


def test_every_acknowledgement_has_a_reason(acknowledged):
    assert acknowledged, "the assembly holds no acknowledgement: is the metadata still written?"
    for ack in acknowledged:
        assert len(ack.reason.split()) >= 5, ack
        assert "::" in ack.finding, ack


def test_every_cdk_nag_acknowledgement_excuses_a_finding_it_raised(acknowledged, validation_report):
    """An acknowledgement whose finding is gone (the construct or the environment's config changed) is stale.

    Only cdk-nag's: the CloudFormation validator's warnings never fail, and CDK acknowledges some itself.
    """
    used = {
        (suppressed["acknowledgedAt"], suppressed["acknowledgedId"])
        for report in validation_report["pluginReports"]
        for suppressed in report.get("suppressedViolations", [])
    }
    nag = [ack for ack in acknowledged if ack.finding.startswith(CDK_NAG)]
    assert nag, "no cdk-nag acknowledgement in the assembly"
    assert [ack for ack in nag if (ack.path, ack.finding) not in used] == []


def test_every_resource_is_tagged_with_project_and_environment(dev):
    for stack_id in dev.ids():
        for logical_id, resource in dev.raw(stack_id)["Resources"].items():
            tags = resource.get("Properties", {}).get("Tags")
            if isinstance(tags, list):
                keys = {t["Key"] for t in tags}
                assert {"project", "environment"} <= keys, (stack_id, logical_id)
