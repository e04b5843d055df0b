"""A dry run: what `refarch new` would create, rendered and synthesised in a temporary directory.

Nothing is written outside that directory. The resource counts come from the same
synthesis the project's own `make synth` runs, so they include what the CDK adds
(policies, log groups, custom resources).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from generator import render, spec


class PlanError(RuntimeError):
    """The dry run could not synthesise the project."""


@dataclass(frozen=True)
class StackPlan:
    environment: str  # the Stage, e.g. "Dev"
    stack: str  # the stack id inside the Stage, e.g. "Network"
    stack_name: str  # the CloudFormation stack name
    resources: int


@dataclass(frozen=True)
class FixedCost:
    component: str
    title: str
    cost: str


@dataclass(frozen=True)
class Prerequisite:
    component: str
    title: str
    needs: str


@dataclass
class Plan:
    project: str
    files: list[str]
    fixed_costs: list[FixedCost]
    prerequisites: list[Prerequisite] = field(default_factory=list)
    stacks: list[StackPlan] = field(default_factory=list)
    synthesised: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def fixed_costs(answers: dict[str, str]) -> list[FixedCost]:
    return [FixedCost(c.name, c.title, c.fixed_monthly_cost)
            for c in spec.enabled_components(answers) if c.fixed_monthly_cost]


def prerequisites(answers: dict[str, str]) -> list[Prerequisite]:
    """What the AWS accounts need before the first deploy, for the enabled components."""
    return [Prerequisite(c.name, c.title, c.prerequisite_for(answers))
            for c in spec.enabled_components(answers) if c.prerequisite]


def count_resources(cloud_assembly: Path) -> list[StackPlan]:
    """Resources per stack, in the order of the cloud assembly's manifests (one nested assembly per Stage)."""
    stacks: list[StackPlan] = []
    manifest = json.loads((cloud_assembly / "manifest.json").read_text(encoding="utf-8"))
    for artifact in manifest.get("artifacts", {}).values():
        if artifact.get("type") != "cdk:cloud-assembly":
            continue
        nested = cloud_assembly / artifact["properties"]["directoryName"]
        stage = artifact["properties"].get("displayName", nested.name)
        stage_manifest = json.loads((nested / "manifest.json").read_text(encoding="utf-8"))
        for stack in stage_manifest.get("artifacts", {}).values():
            if stack.get("type") != "aws:cloudformation:stack":
                continue
            properties = stack["properties"]
            template = json.loads((nested / properties["templateFile"]).read_text(encoding="utf-8"))
            stacks.append(StackPlan(
                environment=stage,
                stack=stack.get("displayName", "").split("/")[-1],
                stack_name=properties.get("stackName", ""),
                resources=len(template.get("Resources", {})),
            ))
    return stacks


def synthesise(project: Path, cloud_assembly: Path) -> None:
    """Run the project's app.py as `cdk synth` would, with this interpreter (it needs aws-cdk-lib)."""
    env = {**os.environ, "CDK_OUTDIR": str(cloud_assembly), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, "app.py"], cwd=project, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip() or result.stdout.strip()).splitlines()[-12:]
        hint = ""
        if "No module named 'aws_cdk'" in result.stderr:
            hint = " (install aws-cdk-lib, e.g. pip install 'refarch[test]', or pass --no-synth)"
        raise PlanError("synthesis failed" + hint + ":\n" + "\n".join(last))


def plan(answers: dict[str, str], *, synth: bool = True) -> Plan:
    """Render into a temporary directory, list the files, synthesise, count; then delete it all."""
    with tempfile.TemporaryDirectory(prefix="refarch-plan-") as scratch:
        project = render.render(answers, Path(scratch) / "out")
        files = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
        result = Plan(project=answers["project_slug"], files=files, fixed_costs=fixed_costs(answers),
                      prerequisites=prerequisites(answers))
        if synth:
            cloud_assembly = Path(scratch) / "cdk.out"
            synthesise(project, cloud_assembly)
            result.stacks = count_resources(cloud_assembly)
            result.synthesised = True
    return result


def report(result: Plan) -> str:
    """The plan as text for a terminal."""
    lines = [f"{result.project}/ would contain {len(result.files)} files:"]
    lines += [f"  {path}" for path in result.files]
    if result.synthesised:
        lines += ["", "Stacks (CloudFormation resources from a synth):"]
        width = max((len(f"{s.environment}/{s.stack}") for s in result.stacks), default=0)
        for stack in result.stacks:
            lines.append(f"  {f'{stack.environment}/{stack.stack}':<{width}}  {stack.resources:>4}  {stack.stack_name}")
        per_environment: dict[str, int] = {}
        for stack in result.stacks:
            per_environment[stack.environment] = per_environment.get(stack.environment, 0) + stack.resources
        lines.append("  " + "; ".join(f"{env}: {count} resources" for env, count in per_environment.items()))
    else:
        lines += ["", "Stacks: not synthesised (--no-synth)."]
    lines += ["", "Fixed monthly cost (billed while deployed, used or not):"]
    lines += [f"  {c.title}: {c.cost}" for c in result.fixed_costs] or ["  none"]
    lines += ["", "Before the first deploy (besides credentials and a CDK bootstrap of each account and region):"]
    lines += [f"  {p.title}: {p.needs}" for p in result.prerequisites] or ["  nothing else"]
    return "\n".join(lines)
