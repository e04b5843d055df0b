"""cdk-nag and the bundled CloudFormation validator pass, and the ledger is honest."""

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from {{ cookiecutter.package_name }} import compliance


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


def test_every_acknowledgement_has_a_reason_and_matches_a_construct(app, assembly):
    for ack in compliance.LEDGER:
        assert len(ack.reason.split()) >= 5, ack
        assert "::" in ack.finding, ack
    assert compliance.unmatched(app) == []


def test_every_resource_is_tagged_with_project_and_environment(dev):
    for stack_id in dev.ids():
        for logical_id, resource in dev.raw(stack_id)["Resources"].items():
            tags = resource.get("Properties", {}).get("Tags")
            if isinstance(tags, list):
                keys = {t["Key"] for t in tags}
                assert {"project", "environment"} <= keys, (stack_id, logical_id)
