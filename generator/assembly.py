"""A synthesised cloud assembly (cdk.out): its stacks, their templates, and where each construct ended up.

The one reader of `manifest.json` for `refarch plan`, `refarch validate` and `refarch impact`:
a Stage is a nested assembly with a manifest of its own, read in the order the manifests list them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from generator.errors import RefarchError

# Stack metadata the project's stage.py writes on a stack that `make bootstrap` deploys.
DEPLOYED_WITH_BOOTSTRAP = "deployed-with-bootstrap"


class AssemblyError(RefarchError):
    """A manifest or template of the cloud assembly cannot be read."""


@dataclass(frozen=True)
class Stack:
    display: str  # "Dev/Api": stage and stack id
    name: str  # the CloudFormation stack name
    region: str
    template: Path
    account: str = ""
    artifact_id: str = ""
    dependencies: tuple[str, ...] = ()  # artifact ids of the stacks (and assets) deployed before it
    stage: str = ""  # the Stage's name, e.g. "Dev"; empty for a stack outside any Stage
    with_bootstrap: bool = False  # the project's `make bootstrap` deploys it, before anything else

    @property
    def id(self) -> str:
        """The stack's id inside its Stage, e.g. "Api"."""
        return self.display.split("/")[-1]

    def read_template(self) -> dict:
        return _load(self.template)


@dataclass(frozen=True)
class Acknowledgement:
    """A finding accepted on a construct (`Validations.of(construct).acknowledge`), with its reason."""

    stack: str  # the stack's display name, e.g. "Dev/Api"
    path: str  # the construct path the finding is acknowledged at
    finding: str  # plugin and rule, e.g. "AwsSolutions::AwsSolutions-IAM5[Resource::*]"
    reason: str


def _load(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as problem:
        raise AssemblyError(
            f"{path}: not a readable cloud assembly file ({type(problem).__name__}: {problem})"
        ) from None


class Assembly:
    """The stacks of a cloud assembly, where each construct path ended up, and the acknowledged findings."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self.stacks: list[Stack] = []
        self.logical_ids: dict[str, tuple[Stack, str]] = {}  # construct path -> (stack, logical id)
        self.stack_paths: dict[str, Stack] = {}
        self.acknowledgements: list[Acknowledgement] = []
        self._read(outdir / "manifest.json", stage="")

    def _read(self, manifest: Path, *, stage: str) -> None:
        """A manifest's stacks, then those of its nested assemblies (one per Stage)."""
        try:
            artifacts = _load(manifest).get("artifacts", {})
            for artifact_id, artifact in artifacts.items():
                if artifact.get("type") == "cdk:cloud-assembly":
                    directory = artifact["properties"]["directoryName"]
                    nested = manifest.parent / directory / "manifest.json"
                    self._read(nested, stage=artifact["properties"].get("displayName", Path(directory).name))
                if artifact.get("type") == "aws:cloudformation:stack":
                    self._add_stack(manifest.parent, artifact_id, artifact, stage)
        except (KeyError, TypeError, AttributeError) as problem:
            raise AssemblyError(
                f"{manifest}: not a cloud assembly manifest ({type(problem).__name__}: {problem})"
            ) from None

    def _add_stack(self, directory: Path, artifact_id: str, artifact: dict, stage: str) -> None:
        properties = artifact.get("properties", {})
        account, region = artifact.get("environment", "aws://unknown/us-east-1").rsplit("/", 2)[-2:]
        metadata = artifact.get("metadata", {})
        if "additionalMetadataFile" in artifact:
            metadata = _load(directory / artifact["additionalMetadataFile"])
        stack = Stack(
            display=artifact.get("displayName", artifact_id),
            name=properties.get("stackName", artifact_id),
            region=region,
            template=directory / properties["templateFile"],
            account=account,
            artifact_id=artifact_id,
            dependencies=tuple(artifact.get("dependencies", ())),
            stage=stage,
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
                    self.acknowledgements += [
                        Acknowledgement(stack.display, path.lstrip("/"), finding, reason or "")
                        for finding, reason in entry["data"].items()
                    ]

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
