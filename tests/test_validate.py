"""`refarch validate`: passes a fresh project, and names stack, logical id and rule when broken."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator import validate as validation
from generator.assembly import Assembly
from generator.cli import app
from generator.validate import checks

from .conftest import render_with_refarch

BROKEN_BUILD = '''

_build_without_probes = build_app


def build_app(*, outdir: str | None = None) -> cdk.App:
    """The same app with two non-compliant buckets and an invalid queue in every stage's Stateful stack."""
    from aws_cdk import aws_s3

    app = _build_without_probes(outdir=outdir)
    for stage in compliance.stages(app):
        stack = stage.node.find_child("Stateful")
        aws_s3.Bucket(stack, "ProbeBucket", enforce_ssl=True)
        explained_badly = aws_s3.Bucket(stack, "ProbeAcknowledgedBucket", enforce_ssl=True)
        unexplained = cdk.Acknowledgment(id="AwsSolutions::AwsSolutions-S1", reason="")
        cdk.Validations.of(explained_badly).acknowledge(unexplained)
        cdk.CfnResource(stack, "ProbeQueue", type="AWS::SQS::Queue", properties={"VisibilityTimeout": "soon"})
    return app
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_with_refarch({"edition": "minimal", "project_slug": "validated"}, tmp_path_factory.mktemp("validate"))


def run_cli(*args: str):
    return CliRunner().invoke(app, ["validate", *args])


@pytest.mark.synth
def test_a_freshly_rendered_project_passes(project):
    report = validation.validate(project, tests=False)
    assert [(c.name, c.status) for c in report.checks] == [
        ("answers", "passed"),
        ("synth", "passed"),
        ("principals", "passed"),
        ("cdk-nag", "passed"),
        ("cfn-lint", "passed"),
        ("tests", "skipped"),
    ]
    assert report.passed
    assert sorted(p.name for p in (project / "cdk.out").glob("assembly-*")) == ["assembly-Dev", "assembly-Prod"]


def acknowledged_in_metadata(outdir: Path) -> dict[str, list[dict[str, str]]]:
    """Every `aws:cdk:acknowledged-rules` entry of the assembly's stacks, by stack, read from the files directly."""
    found: dict[str, list[dict[str, str]]] = {}
    for manifest in sorted(outdir.glob("assembly-*/manifest.json"), key=lambda m: m.parent.name):
        for artifact in json.loads(manifest.read_text())["artifacts"].values():
            if artifact["type"] != "aws:cloudformation:stack":
                continue
            metadata = artifact.get("metadata", {})
            if "additionalMetadataFile" in artifact:
                metadata = json.loads((manifest.parent / artifact["additionalMetadataFile"]).read_text())
            for path, entries in metadata.items():
                for entry in entries:
                    if entry["type"] == "aws:cdk:acknowledged-rules":
                        found.setdefault(artifact["displayName"], []).extend(
                            {"path": path.lstrip("/"), "finding": finding, "reason": reason}
                            for finding, reason in entry["data"].items()
                        )
    return found


def ledger_in_text(text: str) -> dict[str, list[dict[str, str]]]:
    """The acknowledgement ledger of the text report, parsed back: stack -> [{path, finding, reason}]."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  Acknowledged findings ("))
    count = int(lines[start].split("(")[1].split(")")[0])
    ledger: dict[str, list[dict[str, str]]] = {}
    entries: list[dict[str, str]] = []
    for line in lines[start + 1 :]:
        indent = len(line) - len(line.lstrip(" "))
        if indent == 4 and line.strip() != "none":
            entries = ledger.setdefault(line.strip(), [])
        elif indent == 6:
            path, finding = line.strip().split("  ")
            entries.append({"path": path, "finding": finding})
        elif indent == 8 and line[8:].startswith("reason: "):
            entries[-1]["reason"] = line[8:].removeprefix("reason: ")
        elif indent < 4:
            break
    assert count == sum(len(entries) for entries in ledger.values())
    return ledger


@pytest.mark.synth
def test_the_report_lists_every_acknowledgement_of_the_assembly_by_stack_with_its_reason(project):
    text = run_cli(str(project), "--no-tests")
    assert text.exit_code == 0, text.output
    report = json.loads(run_cli(str(project), "--no-tests", "--format", "json").stdout)
    expected = acknowledged_in_metadata(project / "cdk.out")
    assert {stack.split("/")[0] for stack in expected} == {"Dev", "Prod"}
    assert report["acknowledgements"] == expected
    assert ledger_in_text(text.stdout) == expected
    assert all(entry["reason"].strip() for entries in expected.values() for entry in entries)
    assert text.stdout.rstrip().endswith("PASSED")


def test_the_ledger_groups_by_stack_and_shows_a_missing_reason(tmp_path):
    outdir = write_assembly(tmp_path)
    stage = outdir / "assembly-Dev"
    manifest = json.loads((stage / "manifest.json").read_text())
    manifest["artifacts"]["DevQueues1234"]["metadata"]["/Dev/Queues/Jobs/Dead"] = [
        {"type": "aws:cdk:acknowledged-rules", "data": {"AwsSolutions::SQS3": "this is the dead-letter queue"}}
    ]
    manifest["artifacts"]["DevTopics5678"] = {
        "type": "aws:cloudformation:stack",
        "environment": "aws://111111111111/eu-west-1",
        "displayName": "Dev/Topics",
        "properties": {"templateFile": "DevQueues1234.template.json", "stackName": "app-dev-topics"},
        "metadata": {
            "/Dev/Topics/Alerts": [{"type": "aws:cdk:acknowledged-rules", "data": {"AwsSolutions::SNS3": "internal"}}]
        },
    }
    (stage / "manifest.json").write_text(json.dumps(manifest))
    report = validation.Report(tmp_path, [], Assembly(outdir).acknowledgements)
    expected = {
        "Dev/Queues": [
            {"path": "Dev/Queues/Jobs", "finding": "AwsSolutions::SQS3", "reason": " "},
            {
                "path": "Dev/Queues/Jobs/Dead",
                "finding": "AwsSolutions::SQS3",
                "reason": "this is the dead-letter queue",
            },
        ],
        "Dev/Topics": [{"path": "Dev/Topics/Alerts", "finding": "AwsSolutions::SNS3", "reason": "internal"}],
    }
    assert report.to_dict()["acknowledgements"] == expected
    expected["Dev/Queues"][0]["reason"] = "(none)"
    assert ledger_in_text(report.to_text()) == expected
    assert validation.Report(tmp_path, []).to_dict()["acknowledgements"] is None
    assert "Acknowledged findings" not in validation.Report(tmp_path, []).to_text()


@pytest.mark.synth
def test_a_broken_project_fails_naming_stack_logical_id_rule_and_fix(project, tmp_path):
    broken = Path(shutil.copytree(project, tmp_path / "broken"))
    (broken / "app.py").write_text((broken / "app.py").read_text() + textwrap.dedent(BROKEN_BUILD))
    cruft = json.loads((broken / ".cruft.json").read_text())
    cruft["context"]["cookiecutter"].update(dax="yes", service_tier="no")
    (broken / ".cruft.json").write_text(json.dumps(cruft))
    junit = tmp_path / "junit.xml"

    result = run_cli(str(broken), "--no-tests", "--format", "json", "--junit", str(junit))

    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["passed"] is False
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["answers"]["status"] == "failed"
    assert checks["answers"]["findings"][0]["rule"] == "dax-needs-service-tier"
    assert checks["synth"]["status"] == "passed"
    nag = checks["cdk-nag"]["findings"]
    unlogged = [f for f in nag if f["rule"] == "AwsSolutions-S1" and "ProbeBucket/" in f["path"]]
    assert {f["stack"] for f in unlogged} == {"Dev/Stateful", "Prod/Stateful"}
    assert all(f["logical_id"].startswith("ProbeBucket") for f in unlogged)
    assert 'compliance.acknowledge(<Stateful/ProbeBucket>, "AwsSolutions::AwsSolutions-S1"' in unlogged[0]["fix"]
    assert "server access logs" in unlogged[0]["fix"]
    unexplained = {(f["stack"], f["path"]) for f in nag if "has no reason" in f["message"]}
    assert unexplained == {(f"{s}/Stateful", f"{s}/Stateful/ProbeAcknowledgedBucket") for s in ("Dev", "Prod")}
    lint = checks["cfn-lint"]["findings"]
    assert {(f["stack"], f["logical_id"], f["path"]) for f in lint} == {
        (f"{s}/Stateful", "ProbeQueue", f"{s}/Stateful/ProbeQueue") for s in ("Dev", "Prod")
    }
    assert all(f["rule"].startswith("E") and "soon" in f["message"] for f in lint)
    assert checks["tests"]["status"] == "skipped"

    suites = {s.get("name"): s for s in ET.parse(junit).getroot().iter("testsuite")}
    assert int(suites["cdk-nag"].get("failures")) == len(checks["cdk-nag"]["findings"])
    names = [case.get("name") for case in suites["cdk-nag"].iter("testcase")]
    assert any(name.startswith("Dev/Stateful ProbeBucket") and name.endswith("AwsSolutions-S1") for name in names)
    assert suites["tests"].find("testcase/skipped") is not None


def test_failing_project_tests_are_named(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_unit.py").write_text(
        "def test_holds():\n    assert True\n\n\ndef test_breaks():\n    assert 1 == 2, 'the table is gone'\n"
    )
    findings = checks.run_project_tests(checks.Project(tmp_path, {}, ("dev",)), python=sys.executable)
    assert [(f.rule, "the table is gone" in f.message) for f in findings] == [("tests.test_unit.test_breaks", True)]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (None, "no such directory"),
        ({}, "missing app.py"),
        ({"app.py": ""}, "missing config"),
        ({".cruft.json": "{}", "app.py": "", "config/dev.yaml": ""}, "not cruft provenance"),
        (
            {".cruft.json": '{"template": "t", "context": {"cookiecutter": {}}}', "app.py": "", "config/": ""},
            "config/ has no",
        ),
        (
            {
                ".cruft.json": '{"template": "t", "context": {"cookiecutter": {}}}',
                "app.py": "",
                "config/x.yaml": "a: 1",
            },
            "config/ has no",
        ),
    ],
)
def test_a_path_that_is_not_a_generated_project_is_a_clear_error(tmp_path, files, message):
    for relative, text in (files or {}).items():
        target = tmp_path / relative
        if relative.endswith("/"):
            target.mkdir()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    result = run_cli(str(tmp_path if files is not None else tmp_path / "missing"))
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_output_format_is_refused(tmp_path):
    result = run_cli(str(tmp_path), "--format", "yaml")
    assert result.exit_code == 2
    assert "--format" in result.output


def write_dev_stage(outdir: Path) -> Path:
    """The top-level manifest of an assembly with one nested stage, Dev; returns the stage's folder."""
    stage = outdir / "assembly-Dev"
    stage.mkdir(parents=True)
    (outdir / "manifest.json").write_text(
        json.dumps(
            {
                "artifacts": {
                    "assembly-Dev": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Dev"}}
                }
            }
        )
    )
    return stage


def write_assembly(outdir: Path, report: dict | None = None) -> Path:
    """A cloud assembly as aws-cdk-lib writes it: a nested assembly per stage, metadata per stack."""
    stage = write_dev_stage(outdir)
    (stage / "manifest.json").write_text(
        json.dumps(
            {
                "artifacts": {
                    "DevQueues1234": {
                        "type": "aws:cloudformation:stack",
                        "environment": "aws://111111111111/eu-west-1",
                        "displayName": "Dev/Queues",
                        "properties": {"templateFile": "DevQueues1234.template.json", "stackName": "app-dev-queues"},
                        "metadata": {
                            "/Dev/Queues/Jobs/Resource": [{"type": "aws:cdk:logicalId", "data": "JobsQueue9A1B"}],
                            "/Dev/Queues/Jobs": [
                                {"type": "aws:cdk:acknowledged-rules", "data": {"AwsSolutions::SQS3": " "}}
                            ],
                        },
                    }
                }
            }
        )
    )
    (stage / "DevQueues1234.template.json").write_text(
        json.dumps(
            {"Resources": {"JobsQueue9A1B": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": "soon"}}}}
        )
    )
    (outdir / "validation-report.json").write_text(json.dumps(report or {"pluginReports": []}))
    return outdir


def test_identical_templates_are_linted_once_and_reported_for_each_copy(tmp_path):
    first = Assembly(write_assembly(tmp_path / "one"))
    second = Assembly(write_assembly(tmp_path / "two"))
    errors, _ = checks.lint_findings(first, second)
    assert sorted((Path(f.template).parts[-3], f.stack, f.logical_id, f.path) for f in errors) == [
        (copy, "Dev/Queues", "JobsQueue9A1B", "Dev/Queues/Jobs/Resource") for copy in ("one", "two")
    ]


def test_report_violations_and_blank_reasons_are_located_by_construct_path(tmp_path):
    violation = {
        "ruleName": "AwsSolutions-SQS4",
        "description": "The SQS queue does not require SSL.",
        "severity": "error",
        "violatingConstructs": [{"constructPath": "Dev/Queues/Jobs/Resource"}],
    }
    warning = {
        "ruleName": "W3010",
        "description": "Avoid hardcoding availability zones",
        "severity": "warning",
        "violatingConstructs": [{"constructPath": "Dev/Queues/Jobs/Resource"}],
    }
    report = {
        "pluginReports": [
            {"pluginName": "AwsSolutions", "violations": [violation], "suppressedViolations": []},
            {"pluginName": "CloudFormation Validate", "violations": [warning], "suppressedViolations": []},
        ]
    }
    findings = checks.policy_findings(Assembly(write_assembly(tmp_path, report)))
    assert [(f.rule, f.stack, f.logical_id) for f in findings] == [
        ("AwsSolutions-SQS4", "Dev/Queues", "JobsQueue9A1B"),
        ("SQS3", "Dev/Queues", "JobsQueue9A1B"),
    ]
    assert "enforce_ssl=True" in findings[0].fix
    assert 'compliance.acknowledge(<Queues/Jobs>, "AwsSolutions::AwsSolutions-SQS4"' in findings[0].fix
    assert "has no reason" in findings[1].message


@pytest.mark.synth
def test_a_project_without_cruft_provenance_is_validated_and_the_report_says_so(tmp_path):
    project = render_with_refarch({"edition": "minimal", "project_slug": "plain-baked"}, tmp_path)
    (project / ".cruft.json").unlink()
    result = run_cli(str(project), "--no-tests", "--verbose", "--format", "text")
    assert result.exit_code == 0, result.output
    assert "SKIPPED answers: answers in .cruft.json satisfy the spec (no .cruft.json" in result.stdout
    report = json.loads(run_cli(str(project), "--no-tests", "--format", "json").stdout)
    lint = next(c for c in report["checks"] if c["name"] == "cfn-lint")
    assert lint["detail"].endswith(f"{len(lint['warnings'])} warnings")
    for warning in lint["warnings"]:
        assert f"warning {warning['rule']}: {warning['message']}" in result.stdout


def test_a_project_environment_without_aws_cdk_is_named_with_what_to_install(tmp_path):
    project = render_with_refarch({"edition": "minimal", "project_slug": "no-deps"}, tmp_path)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / ".venv")], check=True)
    result = run_cli(str(project), "--no-tests")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"error: its .venv lacks aws_cdk, cdk_nag: run `make install` in {project} "
        "(or pass --python with an interpreter that has requirements.txt and requirements-dev.txt)"
    ]


def test_the_project_environment_is_preferred_to_refarchs_own(tmp_path):
    project = render_with_refarch({"edition": "minimal", "project_slug": "own-venv"}, tmp_path)
    assert checks.project_interpreter(project) == sys.executable
    (project / ".venv" / "bin").mkdir(parents=True)
    (project / ".venv" / "bin" / "python").symlink_to(sys.executable)
    assert checks.project_interpreter(project) == str(project / ".venv" / "bin" / "python")


def _role(name: str | None, trusted: object) -> dict:
    properties = {
        "AssumeRolePolicyDocument": {
            "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"AWS": trusted}}]
        }
    }
    return {"Type": "AWS::IAM::Role", "Properties": properties | ({"RoleName": name} if name else {})}


def write_stage(outdir: Path, stacks: dict[str, tuple[list[str], dict]]) -> Path:
    """One stage whose stacks (id -> (dependencies, resources)) deploy into account 111111111111."""
    stage = write_dev_stage(outdir)
    artifacts = {}
    for stack_id, (dependencies, resources) in stacks.items():
        artifacts[stack_id] = {
            "type": "aws:cloudformation:stack",
            "environment": "aws://111111111111/eu-west-1",
            "displayName": f"Dev/{stack_id}",
            "dependencies": [*dependencies, f"{stack_id}.assets"],
            "properties": {"templateFile": f"{stack_id}.template.json", "stackName": f"app-dev-{stack_id.lower()}"},
            "metadata": {
                f"/Dev/{stack_id}/{lid}/Resource": [{"type": "aws:cdk:logicalId", "data": lid}] for lid in resources
            },
        }
        (stage / f"{stack_id}.template.json").write_text(json.dumps({"Resources": resources}))
    (stage / "manifest.json").write_text(json.dumps({"artifacts": artifacts}))
    return outdir


def test_a_role_named_before_the_stack_that_creates_it_is_a_principal_ordering_finding(tmp_path):
    later = "arn:aws:iam::111111111111:role/app-later"
    joined = {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":role/app-later"]]
    }
    logs_policy = {
        "Fn::Join": [
            "",
            [
                '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"' + later + '"},'
                '"Action":"logs:PutLogEvents","Resource":"',
                {"Fn::GetAtt": ["Logs", "Arn"]},
                '"}]}',
            ],
        ]
    }
    assembly = Assembly(
        write_stage(
            tmp_path,
            {
                "First": (
                    [],
                    {
                        "Key": {
                            "Type": "AWS::KMS::Key",
                            "Properties": {
                                "KeyPolicy": {
                                    "Statement": [
                                        {
                                            "Effect": "Allow",
                                            "Principal": {"AWS": [later, "arn:aws:iam::222222222222:root"]},
                                            "Action": "kms:Decrypt",
                                            "Resource": "*",
                                        }
                                    ]
                                }
                            },
                        },
                        "Trusting": _role(None, joined),
                        "LogsPolicy": {
                            "Type": "AWS::Logs::ResourcePolicy",
                            "Properties": {"PolicyDocument": logs_policy},
                        },
                        "Bootstrap": _role(
                            None, "arn:aws:iam::111111111111:role/cdk-hnb659fds-deploy-role-111111111111-eu-west-1"
                        ),
                        "Attribute": _role(None, {"Fn::GetAtt": ["Other", "Arn"]}),
                        "Early": _role("app-early", "arn:aws:iam::111111111111:root"),
                    },
                ),
                "Later": (
                    ["First"],
                    {
                        "Role": _role("app-later", "arn:aws:iam::111111111111:root"),
                        "TrustsEarly": _role(None, "arn:aws:iam::111111111111:role/app-early"),
                        "TrustsOwn": _role(None, later),
                    },
                ),
            },
        )
    )
    findings = checks.principal_ordering_findings(assembly)
    assert sorted((f.stack, f.logical_id, f.path) for f in findings) == [
        ("Dev/First", lid, f"Dev/First/{lid}/Resource") for lid in ("Key", "LogsPolicy", "Trusting")
    ]
    assert all(f.check == "principals" and later in f.message and "aws:PrincipalArn" in f.fix for f in findings)


@pytest.mark.parametrize("with_bootstrap", [False, True], ids=["created-later", "created-by-bootstrap"])
def test_a_pipeline_action_role_is_ordered_like_a_principal(tmp_path, with_bootstrap):
    """CodePipeline assumes each action's role at CreatePipeline: a stack `make bootstrap` deploys may create it."""
    pipeline = {
        "Type": "AWS::CodePipeline::Pipeline",
        "Properties": {"Stages": [{"Actions": [{"RoleArn": "arn:aws:iam::111111111111:role/app-deploy"}]}]},
    }
    outdir = write_stage(
        tmp_path,
        {"Delivery": ([], {"Pipeline": pipeline}), "Access": ([], {"Role": _role("app-deploy", "111111111111")})},
    )
    (manifest_path,) = [p for p in outdir.glob("**/manifest.json") if '"Access"' in p.read_text()]
    manifest = json.loads(manifest_path.read_text())
    if with_bootstrap:
        manifest["artifacts"]["Access"]["metadata"]["/Dev/Access"] = [{"type": "deployed-with-bootstrap", "data": True}]
    manifest_path.write_text(json.dumps(manifest))
    findings = validation.principal_ordering_findings(validation.Assembly(outdir))
    assert [(f.stack, f.logical_id) for f in findings] == ([] if with_bootstrap else [("Dev/Delivery", "Pipeline")])
