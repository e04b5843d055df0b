"""`refarch validate`: check a generated project the way CI should, and say what to fix.

Checks, in order: the answers recorded in .cruft.json still satisfy the spec; every
environment synthesises; every role a resource or trust policy names, or a resource is
given by ARN, is created before its stack deploys; cdk-nag reports no unacknowledged finding and every
acknowledgement has a reason; cfn-lint reports no error; the project's own tests pass.
Findings name the stack, the logical id, the rule and, where known, the fix.

Synthesis runs in a child process (the project's code, its package and jsii stay out
of this one) with aws-cdk-lib's bundled CloudFormation validator off by default:
cfn-lint checks the same templates afterwards, and the validator is most of the cost
of a synth.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from generator import answers as answer_sources
from generator import synthesis
from generator.spec import SpecError

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
CFN_VALIDATOR = "CloudFormation Validate"  # the plugin name aws-cdk-lib's bundled validator reports under
CHECKS = {
    "answers": "answers in .cruft.json satisfy the spec",
    "synth": "every environment synthesises",
    "principals": "every role a policy names or a resource is given exists before its stack deploys",
    "cdk-nag": "no unacknowledged finding, every acknowledgement has a reason",
    "cfn-lint": "no errors in the templates",
    "tests": "the project's own tests pass",
}
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


class CannotValidate(RuntimeError):
    """Validation cannot start: the path is not a project, or a tool is missing."""


class NotAProject(CannotValidate):
    """The path is not a project rendered from this template."""


@dataclass
class Finding:
    check: str
    rule: str
    message: str
    stack: str = ""
    logical_id: str = ""
    path: str = ""
    fix: str = ""
    template: str = ""

    def location(self) -> str:
        return " ".join(part for part in (self.stack, self.logical_id) if part) or self.path or "-"


@dataclass
class CheckResult:
    name: str
    status: str
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    detail: str = ""
    warnings: list[Finding] = field(default_factory=list)

    @property
    def title(self) -> str:
        return CHECKS[self.name]


@dataclass
class Report:
    project: Path
    checks: list[CheckResult]

    @property
    def passed(self) -> bool:
        return all(check.status != FAILED for check in self.checks)

    def findings(self) -> list[Finding]:
        return [finding for check in self.checks for finding in check.findings]

    def to_dict(self) -> dict:
        return {
            "project": str(self.project),
            "passed": self.passed,
            "checks": [
                {
                    "name": c.name,
                    "title": c.title,
                    "status": c.status,
                    "seconds": round(c.seconds, 2),
                    "detail": c.detail,
                    "findings": [asdict(f) for f in c.findings],
                    "warnings": [asdict(f) for f in c.warnings],
                }
                for c in self.checks
            ],
        }

    def to_junit(self) -> str:
        """JUnit XML: one test suite per check, one failing test case per finding."""
        root = ET.Element(
            "testsuites",
            name="refarch validate",
            tests=str(self._count_cases()),
            failures=str(len(self.findings())),
            time=f"{sum(c.seconds for c in self.checks):.2f}",
        )
        for check in self.checks:
            suite = ET.SubElement(
                root,
                "testsuite",
                name=check.name,
                time=f"{check.seconds:.2f}",
                tests=str(max(1, len(check.findings))),
                failures=str(len(check.findings)),
                skipped="1" if check.status == SKIPPED else "0",
            )
            if not check.findings:
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname=f"refarch.validate.{check.name}",
                    name=check.title,
                    time=f"{check.seconds:.2f}",
                )
                if check.status == SKIPPED:
                    ET.SubElement(case, "skipped", message=check.detail)
                elif check.status == FAILED:
                    ET.SubElement(case, "failure", message=check.detail, type=check.name).text = check.detail
                continue
            for finding in check.findings:
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname=f"refarch.validate.{check.name}",
                    name=f"{finding.location()} {finding.rule}",
                )
                failure = ET.SubElement(case, "failure", message=finding.message, type=finding.rule)
                failure.text = "\n".join(
                    f"{label}: {value}"
                    for label, value in (
                        ("stack", finding.stack),
                        ("logical id", finding.logical_id),
                        ("construct", finding.path),
                        ("rule", finding.rule),
                        ("message", finding.message),
                        ("fix", finding.fix),
                    )
                    if value
                )
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"

    def _count_cases(self) -> int:
        return sum(max(1, len(check.findings)) for check in self.checks)


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
    cruft = root / ".cruft.json"
    for required in (root / "app.py", root / "config"):
        if not required.exists():
            raise NotAProject(f"{path}: missing {required.name}; expected {expected}")
    try:
        context = json.loads(cruft.read_text(encoding="utf-8"))["context"]["cookiecutter"] if cruft.exists() else None
    except (ValueError, KeyError, TypeError) as problem:
        raise NotAProject(f"{cruft}: not cruft provenance (no context.cookiecutter: {problem})") from None
    environments = tuple(sorted(p.stem for p in (root / "config").glob("*.yaml") if _is_environment_file(p)))
    if not environments:
        raise NotAProject(f"{path}: config/ has no <environment>.yaml with account and region; expected {expected}")
    answers = {k: v for k, v in context.items() if not k.startswith("_")} if context is not None else None
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


@dataclass(frozen=True)
class Stack:
    display: str  # "Dev/Api": stage and stack id
    name: str  # the CloudFormation stack name
    region: str
    template: Path
    account: str = ""
    artifact_id: str = ""
    dependencies: tuple[str, ...] = ()  # artifact ids of the stacks (and assets) deployed before it
    with_bootstrap: bool = False  # the project's `make bootstrap` deploys it, before anything else


# Stack metadata the project's stage.py writes on a stack that `make bootstrap` deploys.
DEPLOYED_WITH_BOOTSTRAP = "deployed-with-bootstrap"


class Assembly:
    """The stacks of a cloud assembly and where each construct path ended up."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self.stacks: list[Stack] = []
        self.logical_ids: dict[str, tuple[Stack, str]] = {}  # construct path -> (stack, logical id)
        self.stack_paths: dict[str, Stack] = {}
        self.acknowledgements: list[tuple[Stack, str, str, str]] = []  # (stack, path, finding id, reason)
        self._read(outdir / "manifest.json")

    def _read(self, manifest: Path) -> None:
        """A manifest's stacks, then those of its nested assemblies (one per Stage)."""
        artifacts = json.loads(manifest.read_text(encoding="utf-8")).get("artifacts", {})
        for artifact_id, artifact in artifacts.items():
            if artifact.get("type") == "cdk:cloud-assembly":
                self._read(manifest.parent / artifact["properties"]["directoryName"] / "manifest.json")
            if artifact.get("type") != "aws:cloudformation:stack":
                continue
            properties = artifact.get("properties", {})
            account, region = artifact.get("environment", "aws://unknown/us-east-1").rsplit("/", 2)[-2:]
            metadata = artifact.get("metadata", {})
            if "additionalMetadataFile" in artifact:
                metadata = json.loads((manifest.parent / artifact["additionalMetadataFile"]).read_text("utf-8"))
            stack = Stack(
                display=artifact.get("displayName", artifact_id),
                name=properties.get("stackName", artifact_id),
                region=region,
                template=manifest.parent / properties["templateFile"],
                account=account,
                artifact_id=artifact_id,
                dependencies=tuple(artifact.get("dependencies", ())),
                with_bootstrap=any(
                    entry.get("type") == DEPLOYED_WITH_BOOTSTRAP for entries in metadata.values() for entry in entries
                ),
            )
            self.stacks.append(stack)
            self.stack_paths[stack.display] = stack
            for path, entries in metadata.items():
                for entry in entries:
                    if entry.get("type") == "aws:cdk:logicalId":
                        self.logical_ids[path.lstrip("/")] = (stack, entry["data"])
                    elif entry.get("type") == "aws:cdk:acknowledged-rules":
                        for finding_id, reason in entry["data"].items():
                            self.acknowledgements.append((stack, path.lstrip("/"), finding_id, reason or ""))

    def locate(self, construct_path: str) -> tuple[str, str]:
        """(stack, logical id) of a construct path, as far as they can be told."""
        for candidate in (construct_path, f"{construct_path}/Resource"):
            if candidate in self.logical_ids:
                stack, logical_id = self.logical_ids[candidate]
                return stack.display, logical_id
        parts = construct_path.split("/")
        for end in range(len(parts), 0, -1):
            prefix = "/".join(parts[:end])
            if prefix in self.stack_paths:
                return prefix, ""
        return "", ""

    def logical_id_paths(self, stack: Stack) -> dict[str, str]:
        return {logical_id: path for path, (owner, logical_id) in self.logical_ids.items() if owner == stack}

    def upstream(self, stack: Stack) -> list[Stack]:
        """The stack and every stack deployed before it (its dependencies, transitively)."""
        by_id = {s.artifact_id: s for s in self.stacks if s.template.parent == stack.template.parent}
        found: dict[str, Stack] = {}
        pending = [stack]
        while pending:
            current = pending.pop()
            if current.artifact_id not in found:
                found[current.artifact_id] = current
                pending += [by_id[d] for d in current.dependencies if d in by_id]
        return list(found.values())


def _ledger_entry(construct_path: str, finding_id: str) -> str:
    inside_stage = construct_path.split("/", 1)[-1]
    return f'Acknowledgement("{inside_stage}", "{finding_id}", "<why this is acceptable>")'


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
                    + "acknowledge it in compliance.LEDGER: "
                    + _ledger_entry(construct["constructPath"], finding_id)
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
    unexplained |= {
        (path, finding_id) for _, path, finding_id, reason in assembly.acknowledgements if not reason.strip()
    }
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
                "write why the finding is acceptable in the entry's reason (compliance.LEDGER)",
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
    templates = {stack.template: json.loads(stack.template.read_text(encoding="utf-8")) for stack in assembly.stacks}
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


def _import_cfn_lint() -> None:
    import cfnlint.api  # noqa: F401


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


# --------------------------------------------------------------------------- the run

Progress = Callable[[str, CheckResult | None], None]


def validate(
    path: Path,
    *,
    tests: bool = True,
    cfn_validator: bool = False,
    python: str | None = None,
    outdir: Path | None = None,
    progress: Progress | None = None,
) -> Report:
    """Run every check on the project at `path`; raises CannotValidate before doing anything."""
    project = locate(path)
    if importlib.util.find_spec("cfnlint") is None:
        raise CannotValidate("refarch validate needs cfn-lint: pip install 'refarch[validate]'")
    python = python or project_interpreter(project.root)
    check_interpreter(project, python, tests=tests)
    outdir = (outdir or project.root / "cdk.out").resolve()
    notify = progress or (lambda name, result: None)
    results: list[CheckResult] = []

    def run(name: str, action: Callable[[], tuple[list[Finding], str]], *, skip: str = "") -> CheckResult:
        notify(name, None)
        started = time.perf_counter()
        if skip:
            result = CheckResult(name, SKIPPED, detail=skip)
        else:
            findings, detail, *warnings = action()
            result = CheckResult(
                name, FAILED if findings else PASSED, time.perf_counter() - started, findings, detail, *warnings
            )
        results.append(result)
        notify(name, result)
        return result

    no_provenance = "" if project.answers is not None else "no .cruft.json (rendered by plain cookiecutter)"
    run("answers", lambda: (check_answers(project), ""), skip=no_provenance)
    # Importing cfn-lint takes seconds: do it while the child process synthesises.
    threading.Thread(target=_import_cfn_lint, daemon=True).start()
    synth = run(
        "synth",
        lambda: (
            synthesise(project, outdir, python=python, cfn_validator=cfn_validator),
            "CloudFormation validator " + ("on" if cfn_validator else "off; cfn-lint runs"),
        ),
    )
    no_assembly = "" if synth.status == PASSED else "synthesis failed"
    assembly = Assembly(outdir) if not no_assembly else None
    run("principals", lambda: (principal_ordering_findings(assembly), ""), skip=no_assembly)
    run("cdk-nag", lambda: (policy_findings(assembly), ""), skip=no_assembly)

    def lint() -> tuple[list[Finding], str, list[Finding]]:
        findings, warnings = lint_findings(assembly)
        return findings, f"{len(assembly.stacks)} templates, {len(warnings)} warnings", warnings

    run("cfn-lint", lint, skip=no_assembly)
    run("tests", lambda: (run_project_tests(project, python=python), ""), skip="" if tests else "--no-tests")
    return Report(project.root, results)
