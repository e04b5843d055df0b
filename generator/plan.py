"""A dry run: what `refarch new` would create, rendered and synthesised in a temporary directory.

Nothing is written outside that directory. The resource counts come from the same
synthesis the project's own `make synth` runs, so they include what the CDK adds
(policies, log groups, custom resources).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from generator import render, spec
from generator.assembly import Assembly
from generator.errors import RefarchError


class PlanError(RefarchError):
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


@dataclass(frozen=True)
class AlwaysOn:
    """A resource of a synthesised stack that bills every hour it exists, and what drives its cost."""

    environment: str
    stack: str
    resource: str
    count: int
    driver: str


@dataclass
class Plan:
    project: str
    files: list[str]
    fixed_costs: list[FixedCost]
    prerequisites: list[Prerequisite] = field(default_factory=list)
    stacks: list[StackPlan] = field(default_factory=list)
    always_on: list[AlwaysOn] = field(default_factory=list)
    synthesised: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def fixed_costs(answers: dict[str, str]) -> list[FixedCost]:
    return [
        FixedCost(c.name, c.title, c.fixed_monthly_cost)
        for c in spec.enabled_components(answers)
        if c.fixed_monthly_cost
    ]


def prerequisites(answers: dict[str, str]) -> list[Prerequisite]:
    """What the AWS accounts need before the first deploy, for the enabled components."""
    return [
        Prerequisite(c.name, c.title, c.prerequisite_for(answers))
        for c in spec.enabled_components(answers)
        if c.prerequisite
    ]


def count_resources(cloud_assembly: Path) -> list[StackPlan]:
    """Resources per stack, in the order of the cloud assembly's manifests (one nested assembly per Stage)."""
    return [
        StackPlan(
            environment=stack.stage,
            stack=stack.id,
            stack_name=stack.name,
            resources=len(stack.read_template().get("Resources", {})),
        )
        for stack in Assembly(cloud_assembly).stacks
    ]


def _of_type(template: dict, resource_type: str) -> list[dict]:
    return [r.get("Properties", {}) for r in template.get("Resources", {}).values() if r.get("Type") == resource_type]


def _plain(value: object) -> str:
    """A property value as text; a value CloudFormation computes at deploy time shows as such."""
    return str(value) if isinstance(value, str | int | float) else "(set at deploy time)"


def _always_on_in(template: dict) -> list[tuple[str, int, str]]:
    """(what, how many, what drives its cost) for each always-on resource kind in one template."""
    found: list[tuple[str, int, str]] = []
    nat = _of_type(template, "AWS::EC2::NatGateway")
    if nat:
        found.append(("NAT gateway", len(nat), f"{len(nat)} (one per AZ) x hours, plus GB processed"))
    interface = [e for e in _of_type(template, "AWS::EC2::VPCEndpoint") if e.get("VpcEndpointType") == "Interface"]
    if interface:
        zones = max(len(e.get("SubnetIds", [])) for e in interface)
        found.append(
            (
                "interface VPC endpoint",
                len(interface),
                f"{len(interface)} endpoints x {zones} AZs = {len(interface) * zones} endpoint-hours per hour",
            )
        )
    for balancer in _of_type(template, "AWS::ElasticLoadBalancingV2::LoadBalancer"):
        kind = {"network": "NLB", "application": "ALB"}.get(balancer.get("Type", "application"), "load balancer")
        found.append((f"internal {kind}", 1, f"1 {kind} x hours, plus capacity units (LCU/NLCU) used"))
    minimum = {
        _plain(t.get("ResourceId")): t.get("MinCapacity")
        for t in _of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget")
        if t.get("ScalableDimension") == "ecs:service:DesiredCount"
    }
    tasks = _of_type(template, "AWS::ECS::TaskDefinition")
    for service in _of_type(template, "AWS::ECS::Service"):
        count = next(iter(minimum.values()), None) if minimum else service.get("DesiredCount", 1)
        size = next(
            (
                f"{int(t['Cpu']) / 1024:g} vCPU and {int(t['Memory']) / 1024:g} GB"
                for t in tasks
                if isinstance(t.get("Cpu"), str) and isinstance(t.get("Memory"), str)
            ),
            "",
        )
        found.append(("Fargate task", int(count or 1), f"{count} tasks at min_tasks x {size or 'their size'} x hours"))
    for acl in _of_type(template, "AWS::WAFv2::WebACL"):
        rules = len(acl.get("Rules", []))
        found.append(("WAF web ACL", 1, f"1 web ACL + {rules} rules per month, plus requests"))
    for domain in _of_type(template, "AWS::OpenSearchService::Domain"):
        cluster = domain.get("ClusterConfig", {})
        count, kind = cluster.get("InstanceCount", 1), _plain(cluster.get("InstanceType", "?"))
        volume = domain.get("EBSOptions", {}).get("VolumeSize")
        masters = cluster.get("DedicatedMasterCount") if cluster.get("DedicatedMasterEnabled") else 0
        extra = f" + {masters} dedicated masters" if masters else ""
        found.append(
            (
                "OpenSearch domain",
                1,
                f"{count} x {kind}{extra} x hours" + (f", plus {count} x {volume} GB EBS" if volume else ""),
            )
        )
    for pipeline in _of_type(template, "AWS::OSIS::Pipeline"):
        found.append(("OpenSearch Ingestion pipeline", 1, f"at least {pipeline.get('MinUnits', 1)} OCUs x hours"))
    for cluster in _of_type(template, "AWS::DAX::Cluster"):
        found.append(
            (
                "DAX cluster",
                1,
                f"{cluster.get('ReplicationFactor', 1)} x {_plain(cluster.get('NodeType', '?'))} x hours",
            )
        )
    for workgroup in _of_type(template, "AWS::RedshiftServerless::Workgroup"):
        capacity = workgroup.get("BaseCapacity", 128)
        found.append(
            (
                "Redshift Serverless workgroup",
                1,
                f"base capacity {capacity} RPUs x hours while queries and zero-ETL run",
            )
        )
    for cluster in _of_type(template, "AWS::Redshift::Cluster"):
        nodes = cluster.get("NumberOfNodes", 1)
        found.append(("Redshift cluster", 1, f"{nodes} x {_plain(cluster.get('NodeType', '?'))} x hours"))
    for pool in _of_type(template, "AWS::Cognito::UserPool"):
        if pool.get("UserPoolTier") == "PLUS":
            found.append(("Cognito user pool on the Plus plan", 1, "each monthly active user, from the first"))
    for resource_type, what in (
        ("AWS::KMS::Key", "customer managed KMS key"),
        ("AWS::CloudWatch::Alarm", "CloudWatch alarm"),
        ("AWS::SecretsManager::Secret", "Secrets Manager secret"),
    ):
        count = len(_of_type(template, resource_type))
        if count:
            found.append((what, count, f"{count} x per month"))
    return found


def always_on(cloud_assembly: Path) -> list[AlwaysOn]:
    """Every resource of the synthesised stacks that bills while it exists, used or not."""
    return [
        AlwaysOn(stack.stage, stack.id, what, count, driver)
        for stack in Assembly(cloud_assembly).stacks
        for what, count, driver in _always_on_in(stack.read_template())
    ]


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
        result = Plan(
            project=answers["project_slug"],
            files=files,
            fixed_costs=fixed_costs(answers),
            prerequisites=prerequisites(answers),
        )
        if synth:
            cloud_assembly = Path(scratch) / "cdk.out"
            synthesise(project, cloud_assembly)
            result.stacks = count_resources(cloud_assembly)
            result.always_on = always_on(cloud_assembly)
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
    if result.synthesised:
        lines += ["", "Always-on resources, counted in the synthesised stacks:"]
        lines += [f"  {a.environment}/{a.stack}: {a.resource}: {a.driver}" for a in result.always_on] or ["  none"]
    lines += ["", "Before the first deploy (besides credentials and a CDK bootstrap of each account and region):"]
    lines += [f"  {p.title}: {p.needs}" for p in result.prerequisites] or ["  nothing else"]
    return "\n".join(lines)
