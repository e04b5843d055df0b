"""Synthesise the app once per test session, exactly as `cdk synth` would."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("JSII_DEPRECATED", "fail")

from aws_cdk import assertions, cx_api  # noqa: E402

from app import build_app  # noqa: E402

SYNTHESISED = {"app", "assembly", "validation_report", "dev", "prod"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that read the synthesised app are marked `synth`: `make mutation` runs the others."""
    for item in items:
        if SYNTHESISED & set(getattr(item, "fixturenames", ())):
            item.add_marker("synth")


@pytest.fixture(scope="session")
def cloud_assembly_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cdk.out")


@pytest.fixture(scope="session")
def app(cloud_assembly_dir: Path):
    return build_app(outdir=str(cloud_assembly_dir))


@pytest.fixture(scope="session")
def assembly(app) -> cx_api.CloudAssembly:
    return app.synth()


@pytest.fixture(scope="session")
def validation_report(assembly, cloud_assembly_dir: Path) -> dict:
    return json.loads((cloud_assembly_dir / "validation-report.json").read_text(encoding="utf-8"))


class Templates:
    """Templates of one environment's stacks, by stack id (e.g. "Network")."""

    def __init__(self, stage_assembly: cx_api.CloudAssembly) -> None:
        self._stacks = {s.stack_name: s for s in stage_assembly.stacks}
        self._by_id = {s.hierarchical_id.split("/")[-1]: s for s in stage_assembly.stacks}

    def __contains__(self, stack_id: str) -> bool:
        return stack_id in self._by_id

    def ids(self) -> set[str]:
        return set(self._by_id)

    def raw(self, stack_id: str) -> dict:
        return self._by_id[stack_id].template

    def imported(self, value: dict) -> object:
        """What an Fn::ImportValue of another stack resolves to: the exporting stack's output value."""
        name = value["Fn::ImportValue"]
        (exported,) = [
            output["Value"]
            for stack_id in self._by_id
            for output in self.raw(stack_id).get("Outputs", {}).values()
            if output.get("Export", {}).get("Name") == name
        ]
        return exported

    def __getitem__(self, stack_id: str) -> assertions.Template:
        return assertions.Template.from_json(self.raw(stack_id))


@pytest.fixture(scope="session")
def dev(assembly) -> Templates:
    return Templates(assembly.get_nested_assembly("assembly-Dev"))


@pytest.fixture(scope="session")
def prod(assembly) -> Templates:
    return Templates(assembly.get_nested_assembly("assembly-Prod"))
