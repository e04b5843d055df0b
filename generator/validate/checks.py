"""The checks of `refarch validate`, each a list of findings that name stack, logical id, rule and fix.

The answers recorded in .cruft.json still satisfy the spec; every environment synthesises;
every role a resource or trust policy names is created before its stack deploys; cdk-nag
reports no unacknowledged finding and every acknowledgement has a reason; cfn-lint reports
no error; the project's own tests pass.

Synthesis runs in a child process (the project's code, its package and jsii stay out
of this one) with aws-cdk-lib's bundled CloudFormation validator off by default:
cfn-lint checks the same templates afterwards, and the validator is most of the cost
of a synth.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator import answers as answer_sources
from generator import provenance, synthesis
from generator.assembly import Assembly, Stack
from generator.errors import RefarchError
from generator.spec import SpecError
from generator.validate.report import Finding

CFN_VALIDATOR = "CloudFormation Validate"  # the plugin name aws-cdk-lib's bundled validator reports under
# How to fix the findings that a build of this architecture meets most often.
KNOWN_FIXES = {
    "AwsSolutions-S1": "give the bucket server access logs (server_access_logs_bucket=...)",
    "AwsSolutions-S10": "set enforce_ssl=True on the bucket",
    "AwsSolutions-IAM4": "replace the AWS managed policy with a policy scoped to the resources the role uses",
    "AwsSolutions-IAM5": "name the resources and actions instead of a wildcard",
    "AwsSolutions-L1": "use the latest runtime of the function's language",
    "AwsSolutions-VPC7": "add a flow log to the VPC (vpc.add_flow_log)",
    "AwsSolutions-KMS5": "set enable_key_rotation=True on the key",
    "AwsSolutions-ECS4": "enable Container Insights on the cluster (container_insights_v2)",
    "AwsSolutions-APIG1": "turn on access logging for the API stage",
    "AwsSolutions-APIG2": "add request validation to the REST API",
    "AwsSolutions-APIG3": "associate a WAFv2 web ACL with the API stage",
    "AwsSolutions-SNS3": "set enforce_ssl=True on the topic",
    "AwsSolutions-SQS3": "give the queue a dead-letter queue",
    "AwsSolutions-SQS4": "set enforce_ssl=True on the queue",
    "AwsSolutions-EC23": "allow ingress from named CIDR ranges or security groups, not 0.0.0.0/0",
}


class CannotValidate(RefarchError):
    """Validation cannot start: the path is not a project, or a tool is missing."""


class NotAProject(CannotValidate):
    """The path is not a project rendered from this template."""


# --------------------------------------------------------------------------- the project


@dataclass(frozen=True)
class Project:
    root: Path
    answers: dict[str, object] | None  # None: rendered by plain cookiecutter, no .cruft.json
    environments: tuple[str, ...]

    @property
    def stage_ids(self) -> tuple[str, ...]:
        return tuple(name.capitalize() for name in self.environments)


def locate(path: Path) -> Project:
    """The project at `path`, or NotAProject saying what is missing."""
    root = path.resolve()
    if not root.is_dir():
        raise NotAProject(f"{path}: no such directory")
    expected = "a project rendered by `refarch new` (or cruft/cookiecutter from the refarch template)"
    for required in (root / "app.py", root / "config"):
        if not required.exists():
            raise NotAProject(f"{path}: missing {required.name}; expected {expected}")
    try:
        answers = provenance.read(root).answers if (root / provenance.CRUFT_FILE).exists() else None
    except provenance.ProvenanceError as problem:
        raise NotAProject(str(problem)) from None
    environments = tuple(sorted(p.stem for p in (root / "config").glob("*.yaml") if _is_environment_file(p)))
    if not environments:
        raise NotAProject(f"{path}: config/ has no <environment>.yaml with account and region; expected {expected}")
    return Project(root, answers, environments)


def _is_environment_file(path: Path) -> bool:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(content, dict) and {"account", "region"} <= set(content)


# --------------------------------------------------------------------------- checks


def check_answers(project: Project) -> list[Finding]:
    """The recorded answers, with defaults for options added since, must pass the spec."""
    try:
        answer_sources.resolve(project.answers)
    except SpecError as problem:
        text = str(problem)
        rule = text.split("'")[1] if text.startswith(("rule '", "option '", "unknown option '")) else "spec"
        return [
            Finding(
                "answers",
                rule,
                text,
                path=".cruft.json",
                fix="change the answer in .cruft.json and the project files that depend on it",
            )
        ]
    return []


def synthesise(project: Project, outdir: Path, *, python: str, cfn_validator: bool) -> list[Finding]:
    """Synthesise in a child process; findings only for a synth that wrote no usable assembly."""
    command = [python, synthesis.__file__, f"{project.root}={outdir}"]
    if not cfn_validator:
        command.insert(2, "--no-cfn-validator")
    env = {**os.environ, "JSII_DEPRECATED": os.environ.get("JSII_DEPRECATED", "fail")}
    result = subprocess.run(command, cwd=project.root, env=env, capture_output=True, text=True)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return [
            Finding(
                "synth",
                "synth",
                "the synthesis process failed: " + result.stderr.strip()[-2000:],
                fix=f"run `{python} app.py` in the project to see the error",
            )
        ]
    outcome = json.loads(lines[-1])
    if not outcome["ok"]:
        return [Finding("synth", "synth", outcome["error"], fix="fix the error above; `python app.py` reproduces it")]
    written = {p.name.removeprefix("assembly-") for p in outdir.glob("assembly-*")}
    return [
        Finding(
            "synth",
            "environment-not-synthesised",
            f"config/{name}.yaml has no stage assembly-{stage} in the output",
            fix="app.py should create one Stage per config/<env>.yaml",
        )
        for name, stage in zip(project.environments, project.stage_ids, strict=True)
        if stage not in written
    ]


def _acknowledgement(construct_path: str, finding_id: str) -> str:
    """The call that accepts a finding, written beside the construct in its unit."""
    inside_stage = construct_path.split("/", 1)[-1].removesuffix("/Resource")
    return f'compliance.acknowledge(<{inside_stage}>, "{finding_id}", "<why this is acceptable>")'


def policy_findings(assembly: Assembly) -> list[Finding]:
    """Unacknowledged violations in validation-report.json, and acknowledgements without a reason.

    Warnings of the bundled CloudFormation validator (on with --cfn-validator) do not
    fail, as cfn-lint's warnings do not; every cdk-nag finding does.
    """
    report_file = assembly.outdir / "validation-report.json"
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.is_file() else {}
    findings, unexplained = [], set()
    for plugin in report.get("pluginReports", []):
        prefix = plugin["pluginName"].replace(" ", "-")
        for violation in plugin.get("violations", []):
            if plugin["pluginName"] == CFN_VALIDATOR and violation.get("severity") == "warning":
                continue
            rule = violation["ruleName"]
            for construct in violation.get("violatingConstructs", []):
                stack, logical_id = assembly.locate(construct["constructPath"])
                finding_id = f"{prefix}::{rule}"
                fix = KNOWN_FIXES.get(rule.split("[")[0], "")
                fix = (
                    (fix + "; or, " if fix else "")
                    + "acknowledge it beside the construct: "
                    + _acknowledgement(construct["constructPath"], finding_id)
                )
                findings.append(
                    Finding(
                        "cdk-nag",
                        rule,
                        violation.get("description", ""),
                        stack,
                        logical_id,
                        construct["constructPath"],
                        fix,
                    )
                )
        for suppressed in plugin.get("suppressedViolations", []):
            if not str(suppressed.get("reason", "")).strip():
                unexplained.add((suppressed.get("acknowledgedAt", ""), suppressed.get("acknowledgedId", "")))
    unexplained |= {(ack.path, ack.finding) for ack in assembly.acknowledgements if not ack.reason.strip()}
    for path, finding_id in sorted(unexplained):
        stack, logical_id = assembly.locate(path)
        findings.append(
            Finding(
                "cdk-nag",
                finding_id.split("::")[-1],
                f"acknowledgement of {finding_id} has no reason",
                stack,
                logical_id,
                path,
                "write why the finding is acceptable in the acknowledgement's reason",
            )
        )
    return findings


# Roles `cdk bootstrap` creates in every environment, whatever the qualifier.
BOOTSTRAP_ROLE = re.compile(r":role/cdk-[a-z0-9]+-(deploy|file-publishing|image-publishing|lookup|cfn-exec)-role-")
PRINCIPAL_FIX = (
    "name the role's account as the principal and match the role with an aws:PrincipalArn condition, "
    "or create the role in this stack, in one it depends on, or in one `make bootstrap` deploys"
)


def _deployed_string(value: object, account: str) -> str | None:
    """A template value as CloudFormation deploys it, or None when a resource supplies it.

    A value from a resource (Ref, GetAtt, ImportValue) is ordered by CloudFormation itself.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        return {"AWS::Partition": "aws", "AWS::AccountId": account}.get(value["Ref"])
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        rendered = [_deployed_string(part, account) for part in parts]
        return None if None in rendered else separator.join(rendered)
    return None


def _principals(node: object) -> list[object]:
    """Values under every Principal/NotPrincipal of the policy documents inside a resource's properties.

    Documents written as JSON strings (a Logs resource policy, joined around resource attributes)
    are parsed; their resource parts cannot be principals.
    """
    if isinstance(node, dict) and "Fn::Join" in node and '"Statement"' in str(node["Fn::Join"][1][0]):
        separator, parts = node["Fn::Join"]
        node = separator.join(part if isinstance(part, str) else "(resource)" for part in parts)
    if isinstance(node, str):
        return _principals(json.loads(node)) if node.lstrip().startswith("{") and '"Statement"' in node else []
    if isinstance(node, list):
        return [principal for item in node for principal in _principals(item)]
    if not isinstance(node, dict):
        return []
    found: list[object] = []
    for key, value in node.items():
        found += _principal_values(value) if key in ("Principal", "NotPrincipal") else _principals(value)
    return found


def _principal_values(principal: object) -> list[object]:
    if isinstance(principal, list):
        return [value for item in principal for value in _principal_values(item)]
    if isinstance(principal, dict) and not any(key == "Ref" or key.startswith("Fn::") for key in principal):
        return [value for item in principal.values() for value in _principal_values(item)]
    return [principal]


def _named_roles(stack: Stack, template: dict) -> set[str]:
    """`iam::<account>:role/<path><name>` of every role with a fixed name the stack creates."""
    return {
        f"iam::{stack.account}:role{r['Properties'].get('Path', '/')}{r['Properties']['RoleName']}"
        for r in template.get("Resources", {}).values()
        if r.get("Type") == "AWS::IAM::Role" and isinstance(r.get("Properties", {}).get("RoleName"), str)
    }


def _role_arns(node: object) -> list[object]:
    """Values under every RoleArn key: the roles a resource is given, such as a pipeline action's."""
    if isinstance(node, list):
        return [value for item in node for value in _role_arns(item)]
    if not isinstance(node, dict):
        return []
    return [v for key, value in node.items() for v in ([value] if key == "RoleArn" else _role_arns(value))]


def principal_ordering_findings(assembly: Assembly) -> list[Finding]:
    """Roles named in resource or trust policies, or given by ARN, that do not exist yet when their stack deploys.

    KMS, S3, IAM and most services reject a policy whose principal does not exist, and CodePipeline
    checks at CreatePipeline that it can assume each action's role. A role ARN may be named only if
    the same stack or a stack it depends on creates it, if a stack the project's `make bootstrap`
    deploys creates it, or if it is a CDK bootstrap role; an account, a service or a resource
    attribute is always fine.
    """
    templates = {stack.template: stack.read_template() for stack in assembly.stacks}
    bootstrapped = set().union(*(_named_roles(s, templates[s.template]) for s in assembly.stacks if s.with_bootstrap))
    findings = []
    for stack in assembly.stacks:
        created = bootstrapped.union(*(_named_roles(s, templates[s.template]) for s in assembly.upstream(stack)))
        paths = assembly.logical_id_paths(stack)
        for logical_id, resource in templates[stack.template].get("Resources", {}).items():
            properties = resource.get("Properties", {})
            for principal in _principals(properties) + _role_arns(properties):
                arn = _deployed_string(principal, stack.account)
                if arn is None or ":role/" not in arn or BOOTSTRAP_ROLE.search(arn):
                    continue
                if arn.split(":", 2)[-1] not in created:
                    findings.append(
                        Finding(
                            "principals",
                            "principal-created-later",
                            f"{resource.get('Type')} names {arn}, but neither {stack.display}, nor a stack it "
                            "depends on, nor one `make bootstrap` deploys creates that role, so the stack fails "
                            "to deploy",
                            stack.display,
                            logical_id,
                            paths.get(logical_id, ""),
                            PRINCIPAL_FIX,
                            str(stack.template),
                        )
                    )
    return findings


def lint_findings(*assemblies: Assembly) -> tuple[list[Finding], list[Finding]]:
    """cfn-lint errors as findings, and its warnings (informational: they do not fail).

    One cfn-lint runner per region lints every template: loading the rules and schemas
    costs far more than linting one more template. Identical templates (the same stack
    in several matrix combinations) are linted once.
    """
    from cfnlint.api import ManualArgs
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    copies: dict[tuple[str, str], list[tuple[Assembly, Stack]]] = {}
    for assembly in assemblies:
        for stack in assembly.stacks:
            digest = hashlib.sha256(stack.template.read_bytes()).hexdigest()
            copies.setdefault((stack.region, digest), []).append((assembly, stack))
    by_file = {str(stacks[0][1].template): stacks for stacks in copies.values()}
    regions: dict[str, list[str]] = {}
    for (region, _), stacks in copies.items():
        regions.setdefault(region, []).append(str(stacks[0][1].template))
    findings, warnings = [], []
    for region, templates in sorted(regions.items()):
        for match in Runner(ConfigMixIn(["--template", *templates], **ManualArgs(regions=[region]))).run():
            same = by_file[str(match.filename)]
            path = list(getattr(match, "path", None) or [])
            logical_id = str(path[1]) if len(path) > 1 and path[0] == "Resources" else ""
            (findings if match.rule.id.startswith("E") else warnings).extend(
                [
                    Finding(
                        "cfn-lint",
                        match.rule.id,
                        match.message,
                        stack.display,
                        logical_id,
                        assembly.logical_id_paths(stack).get(logical_id, ""),
                        match.rule.shortdesc,
                        str(stack.template),
                    )
                    for assembly, stack in same
                ]
            )
    return findings, warnings


def project_interpreter(root: Path) -> str:
    """The project's own environment (`make install` creates .venv), else this interpreter."""
    venv_python = root / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def check_interpreter(project: Project, python: str, *, tests: bool) -> None:
    """Synthesis and the project's tests import the project's dependencies: say in one line what is missing."""
    modules = ["aws_cdk", "cdk_nag"] + (["pytest"] if tests else [])
    probe = (
        "import importlib.util, sys; print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))"
    )
    try:
        result = subprocess.run([python, "-c", probe, *modules], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as problem:
        raise CannotValidate(f"--python {python}: cannot run it ({problem})") from None
    missing = result.stdout.split()
    if result.returncode != 0 or missing:
        where = "its .venv" if python == str(project.root / ".venv" / "bin" / "python") else python
        raise CannotValidate(
            f"{where} lacks {', '.join(missing) or 'a working Python'}: run `make install` in {project.root} "
            "(or pass --python with an interpreter that has requirements.txt and requirements-dev.txt)"
        )


def run_project_tests(project: Project, *, python: str) -> list[Finding]:
    with tempfile.TemporaryDirectory(prefix="refarch-validate-") as scratch:
        junit = Path(scratch) / "junit.xml"
        env = {
            **os.environ,
            "JSII_DEPRECATED": os.environ.get("JSII_DEPRECATED", "fail"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        result = subprocess.run(
            [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}"],
            cwd=project.root,
            env=env,
            capture_output=True,
            text=True,
        )
        failed = _failed_tests(junit) if junit.is_file() else []
    if result.returncode not in (0, 5) and not failed:
        failed = [
            Finding(
                "tests",
                "pytest",
                (result.stdout + result.stderr).strip()[-2000:],
                fix="run `python -m pytest` in the project",
            )
        ]
    return failed


def _failed_tests(junit: Path) -> list[Finding]:
    findings = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is None:
            continue
        node = f"{case.get('classname', '')}.{case.get('name', '')}".strip(".")
        message = (problem.get("message") or problem.text or "").strip().splitlines()
        findings.append(
            Finding(
                "tests",
                node,
                message[0][:500] if message else "failed",
                fix=f'python -m pytest -q -k "{case.get("name", "")}"',
            )
        )
    return findings
