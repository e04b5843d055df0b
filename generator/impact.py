"""The infrastructure impact of a change: two renders synthesised, their CloudFormation compared stack by stack.

A resource is *replaced* when its logical id changes (CloudFormation creates the new one and
deletes the old) or when a create-only property changes. Create-only properties come from the
CloudFormation resource provider schemas that cfn-lint ships; a few properties the schemas do
not mark but that CloudFormation documents as "Update requires: Replacement" are added below.
Replacing or removing a stateful resource loses its data unless it is retained, so the gate
refuses it unless the user names the resource.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from generator import synthesis
from generator.assembly import Assembly
from generator.lifecycle import LifecycleError

# Resource types that hold data a replacement or deletion would lose.
STATEFUL_TYPES = frozenset(
    {
        "AWS::DynamoDB::Table",
        "AWS::DynamoDB::GlobalTable",
        "AWS::S3::Bucket",
        "AWS::Cognito::UserPool",
        "AWS::OpenSearchService::Domain",
        "AWS::Elasticsearch::Domain",
        "AWS::Redshift::Cluster",
        "AWS::RedshiftServerless::Namespace",
        "AWS::ECR::Repository",
        "AWS::CodeCommit::Repository",
        "AWS::KMS::Key",
        "AWS::Logs::LogGroup",
        "AWS::Kinesis::Stream",
        "AWS::SQS::Queue",
        "AWS::EFS::FileSystem",
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::Glue::Database",
        "AWS::Glue::Table",
    }
)
# "Update requires: Replacement" in the CloudFormation User Guide, not marked create-only in the schemas.
DOCUMENTED_REPLACEMENTS = {
    "AWS::DynamoDB::Table": ("/properties/KeySchema",),
    "AWS::DynamoDB::GlobalTable": ("/properties/KeySchema",),
}
IGNORED_TYPES = frozenset({"AWS::CDK::Metadata"})


class ImpactError(LifecycleError):
    """A render could not be synthesised; str() is one line."""


@dataclass
class Change:
    stack: str
    logical_id: str
    type: str
    action: str  # added | removed | modified | replaced
    stateful: bool
    reason: str = ""
    properties: list[str] = field(default_factory=list)
    retained: bool = False

    @property
    def reference(self) -> str:
        return f"{self.stack}/{self.logical_id}"

    @property
    def destructive(self) -> bool:
        return self.stateful and self.action in ("removed", "replaced")


@dataclass
class Impact:
    changes: list[Change] = field(default_factory=list)
    stacks_added: list[str] = field(default_factory=list)
    stacks_removed: list[str] = field(default_factory=list)

    def blocking(self, allowed: tuple[str, ...] | list[str] = ()) -> list[Change]:
        """Destructive changes to stateful resources not named (by logical id or stack/id) in `allowed`."""
        return [c for c in self.changes if c.destructive and c.logical_id not in allowed and c.reference not in allowed]

    def as_dict(self) -> dict:
        data = asdict(self)
        for change, entry in zip(self.changes, data["changes"], strict=True):
            entry["reference"] = change.reference
            entry["destructive"] = change.destructive
        return data


def create_only_paths(resource_type: str, region: str) -> tuple[str, ...]:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER, ResourceNotFoundError

    try:
        declared = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
    except ResourceNotFoundError:
        declared = {}
    return tuple(declared.get("createOnlyProperties", ())) + DOCUMENTED_REPLACEMENTS.get(resource_type, ())


def _at(properties: dict, pointer: str) -> object:
    value: object = properties
    for part in pointer.removeprefix("/properties/").split("/"):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def stacks(outdir: Path) -> dict[str, tuple[str, dict]]:
    """Every stack of a cloud assembly (nested Stage assemblies too): path -> (region, template)."""
    return {s.display: (s.region, s.read_template()) for s in Assembly(outdir).stacks}


def _resources(template: dict) -> dict[str, dict]:
    return {k: v for k, v in template.get("Resources", {}).items() if v.get("Type") not in IGNORED_TYPES}


def _path(resource: dict) -> str:
    return resource.get("Metadata", {}).get("aws:cdk:path", "")


def compare(before: dict[str, tuple[str, dict]], after: dict[str, tuple[str, dict]]) -> Impact:
    impact = Impact(stacks_added=sorted(set(after) - set(before)), stacks_removed=sorted(set(before) - set(after)))
    for name in sorted(set(before) | set(after)):
        region = (after.get(name) or before[name])[0]
        old = _resources(before[name][1]) if name in before else {}
        new = _resources(after[name][1]) if name in after else {}
        impact.changes.extend(_compare_stack(name, region, old, new))
    return impact


def _compare_stack(stack: str, region: str, old: dict[str, dict], new: dict[str, dict]) -> list[Change]:
    changes = []
    removed = {k: v for k, v in old.items() if k not in new}
    added = {k: v for k, v in new.items() if k not in old}
    # A logical id that changed: the same construct (or the only resource of its type) under a new id.
    for old_id, resource in list(removed.items()):
        match = next(
            (
                new_id
                for new_id, r in added.items()
                if r["Type"] == resource["Type"] and _path(r) and _path(r) == _path(resource)
            ),
            None,
        )
        if match is None:
            same_type = [i for i, r in added.items() if r["Type"] == resource["Type"]]
            others = [i for i, r in removed.items() if r["Type"] == resource["Type"]]
            match = same_type[0] if len(same_type) == 1 and len(others) == 1 else None
        if match is not None:
            del removed[old_id], added[match]
            changes.append(
                Change(
                    stack,
                    old_id,
                    resource["Type"],
                    "replaced",
                    resource["Type"] in STATEFUL_TYPES,
                    f"logical id changes to {match}",
                    retained=_retained(resource),
                )
            )
    for logical_id, resource in removed.items():
        changes.append(
            Change(
                stack,
                logical_id,
                resource["Type"],
                "removed",
                resource["Type"] in STATEFUL_TYPES,
                "no longer in the template",
                retained=_retained(resource),
            )
        )
    for logical_id, resource in added.items():
        changes.append(Change(stack, logical_id, resource["Type"], "added", resource["Type"] in STATEFUL_TYPES))
    for logical_id in sorted(set(old) & set(new)):
        before, after = old[logical_id], new[logical_id]
        stateful = before["Type"] in STATEFUL_TYPES
        if before["Type"] != after["Type"]:
            changes.append(
                Change(
                    stack,
                    logical_id,
                    after["Type"],
                    "replaced",
                    stateful,
                    f"type changes from {before['Type']}",
                    retained=_retained(before),
                )
            )
            continue
        old_properties, new_properties = before.get("Properties", {}), after.get("Properties", {})
        changed = sorted(
            k for k in set(old_properties) | set(new_properties) if old_properties.get(k) != new_properties.get(k)
        )
        if not changed and all(before.get(k) == after.get(k) for k in ("DeletionPolicy", "UpdateReplacePolicy")):
            continue
        create_only = [
            p for p in create_only_paths(before["Type"], region) if _at(old_properties, p) != _at(new_properties, p)
        ]
        if create_only:
            changes.append(
                Change(
                    stack,
                    logical_id,
                    before["Type"],
                    "replaced",
                    stateful,
                    "create-only " + ", ".join(p.removeprefix("/properties/") for p in create_only) + " changes",
                    changed,
                    retained=_retained(before),
                )
            )
        else:
            changes.append(Change(stack, logical_id, before["Type"], "modified", stateful, "", changed))
    return sorted(changes, key=lambda c: (c.action, c.logical_id))


def _retained(resource: dict) -> bool:
    return resource.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate", "Snapshot")


def interpreter(project: Path, python: str | None) -> str:
    """The project's own virtual environment when it has one, else the interpreter refarch runs in."""
    own = project / ".venv" / "bin" / "python"
    return python or (str(own) if own.is_file() else sys.executable)


def synthesise(projects: dict[str, Path], outdir: Path, *, python: str) -> dict[str, Path]:
    """Synthesise several projects in one process (one jsii runtime): name -> cloud assembly."""
    outputs = {name: outdir / name for name in projects}
    command = [
        python,
        synthesis.__file__,
        "--no-cfn-validator",
        *(f"{project}={outputs[name]}" for name, project in projects.items()),
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True)
    except OSError as problem:
        raise ImpactError(f"--python {python}: cannot run it ({problem.strerror or problem})") from None
    outcomes = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    failed = [o for o in outcomes if not o["ok"]]
    if len(outcomes) != len(projects) or failed:
        detail = failed[0]["error"] if failed else (result.stderr.strip().splitlines() or ["no output"])[-1]
        where = failed[0]["project"] if failed else ", ".join(map(str, projects.values()))
        raise ImpactError(f"cannot synthesise {where}: {detail.splitlines()[0]}")
    return outputs


def assess(before: Path, after: Path, outdir: Path, *, python: str | None = None) -> Impact:
    """Synthesise both renders and compare them."""
    outputs = synthesise({"before": before, "after": after}, outdir, python=interpreter(before, python))
    return compare(stacks(outputs["before"]), stacks(outputs["after"]))


def load(path: Path, outdir: Path, python: str | None) -> dict[str, tuple[str, dict]]:
    """A cloud assembly as it is, or a project synthesised first."""
    if (path / "manifest.json").is_file():
        return stacks(path)
    return stacks(synthesise({"render": path}, outdir, python=interpreter(path, python))["render"])


def summary(impact: dict) -> str:
    """One line per kind of change, and one per destructive change: for commit messages."""
    counts: dict[str, int] = {}
    for change in impact["changes"]:
        counts[change["action"]] = counts.get(change["action"], 0) + 1
    head = "Infrastructure impact: " + (", ".join(f"{n} {a}" for a, n in sorted(counts.items())) or "none")
    risky = [
        f"  {c['action']} stateful {c['type']} {c['reference']}: {c['reason']}"
        for c in impact["changes"]
        if c["destructive"]
    ]
    return "\n".join([head, *risky])


def report(impact: dict, allowed: tuple[str, ...] = ()) -> str:
    lines = ["  infrastructure impact:"]
    for stack in impact["stacks_added"]:
        lines.append(f"    stack added   {stack}")
    for stack in impact["stacks_removed"]:
        lines.append(f"    stack removed {stack}")
    for change in impact["changes"]:
        mark = "STATEFUL " if change["stateful"] else ""
        if change["destructive"]:
            mark = "ALLOWED " if change["logical_id"] in allowed or change["reference"] in allowed else "REFUSED "
            mark += "stateful "
        retained = " (retained on delete)" if change["retained"] and change["destructive"] else ""
        detail = f": {change['reason']}" if change["reason"] else ""
        props = (
            f" [{', '.join(change['properties'])}]" if change["properties"] and change["action"] == "modified" else ""
        )
        lines.append(f"    {change['action']:9} {mark}{change['type']} {change['reference']}{detail}{props}{retained}")
    if len(lines) == 1:
        lines.append("    no change to any stack")
    return "\n".join(lines)
