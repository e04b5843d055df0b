"""The impact comparison on cloud assemblies written here, resource by resource (no synthesis)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from generator import impact
from generator.cli import app

TABLE = {
    "Type": "AWS::DynamoDB::Table",
    "DeletionPolicy": "Retain",
    "Properties": {
        "TableName": "items",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
}
BUCKET = {"Type": "AWS::S3::Bucket", "Properties": {}, "Metadata": {"aws:cdk:path": "Dev/Data/Lake/Resource"}}
FUNCTION = {"Type": "AWS::Lambda::Function", "Properties": {"MemorySize": 128}}


def assembly(root: Path, resources: dict[str, dict]) -> Path:
    """A cloud assembly with one Stage (Dev) holding one stack (Data), as the CDK writes it."""
    stage = root / "assembly-Dev"
    stage.mkdir(parents=True)
    (stage / "DevData.template.json").write_text(json.dumps({"Resources": resources}))
    (stage / "manifest.json").write_text(
        json.dumps(
            {
                "artifacts": {
                    "DevData": {
                        "type": "aws:cloudformation:stack",
                        "environment": "aws://111111111111/us-east-1",
                        "displayName": "Dev/Data",
                        "properties": {"templateFile": "DevData.template.json", "stackName": "app-dev-data"},
                    }
                }
            }
        )
    )
    (root / "manifest.json").write_text(
        json.dumps(
            {
                "artifacts": {
                    "assembly-Dev": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Dev"}}
                }
            }
        )
    )
    return root


def changed(before: dict, after: dict) -> dict[str, tuple[str, bool]]:
    result = impact.compare(
        {"Dev/Data": ("us-east-1", {"Resources": before})}, {"Dev/Data": ("us-east-1", {"Resources": after})}
    )
    return {c.logical_id: (c.action, c.destructive) for c in result.changes}


def with_properties(resource: dict, **properties) -> dict:
    return {**resource, "Properties": {**resource["Properties"], **properties}}


def test_a_create_only_property_from_the_schemas_is_a_replacement():
    renamed = with_properties(TABLE, TableName="orders")
    assert changed({"Table": TABLE}, {"Table": renamed}) == {"Table": ("replaced", True)}


def test_a_key_schema_change_is_a_replacement_though_the_schema_does_not_mark_it():
    rekeyed = with_properties(TABLE, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    assert changed({"Table": TABLE}, {"Table": rekeyed}) == {"Table": ("replaced", True)}


def test_an_updatable_property_is_a_modification():
    assert changed({"Table": TABLE}, {"Table": with_properties(TABLE, BillingMode="PROVISIONED")}) == {
        "Table": ("modified", False)
    }
    assert changed({"Fn": FUNCTION}, {"Fn": with_properties(FUNCTION, MemorySize=256)}) == {"Fn": ("modified", False)}


def test_a_changed_logical_id_is_a_replacement_and_a_removed_stateful_resource_is_destructive():
    assert changed({"LakeA1": BUCKET}, {"LakeB2": BUCKET}) == {"LakeA1": ("replaced", True)}
    assert changed({"LakeA1": BUCKET, "Fn": FUNCTION}, {}) == {"LakeA1": ("removed", True), "Fn": ("removed", False)}
    assert changed({}, {"Fn": FUNCTION}) == {"Fn": ("added", False)}


def test_impact_command_compares_two_assemblies_and_refuses_until_the_resource_is_named(tmp_path):
    before = assembly(tmp_path / "before", {"Table": TABLE, "Fn": FUNCTION})
    after = assembly(tmp_path / "after", {"Table": with_properties(TABLE, TableName="orders")})
    runner = CliRunner()
    refused = runner.invoke(app, ["impact", str(before), str(after), "--format", "json"])
    assert refused.exit_code == 1
    changes = {
        c["reference"]: (c["action"], c["stateful"], c["retained"]) for c in json.loads(refused.output)["changes"]
    }
    assert changes == {"Dev/Data/Table": ("replaced", True, True), "Dev/Data/Fn": ("removed", False, False)}
    allowed = runner.invoke(app, ["impact", str(before), str(after), "--allow-replacement", "Dev/Data/Table"])
    assert allowed.exit_code == 0 and "ALLOWED stateful AWS::DynamoDB::Table Dev/Data/Table" in allowed.output


def test_an_unreadable_assembly_is_one_error_line_naming_the_file(tmp_path):
    before = assembly(tmp_path / "before", {"Fn": FUNCTION})
    after = assembly(tmp_path / "after", {"Fn": FUNCTION})
    (after / "assembly-Dev" / "manifest.json").write_text("{not json")
    result = CliRunner().invoke(app, ["impact", str(before), str(after)])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {after / 'assembly-Dev' / 'manifest.json'}: not a readable cloud assembly file")
