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
# A cloud assembly synthesised before the session (`make mutation` runs `make synth` once): the
# environments' templates are read from it instead of synthesising the app in every test session.
ASSEMBLY_VARIABLE = "SYNTHESISED_ASSEMBLY"
TEMPLATES_ONLY = {"dev", "prod"}


def given_assembly() -> Path | None:
    given = os.environ.get(ASSEMBLY_VARIABLE)
    if not given:
        return None
    if not (Path(given) / "manifest.json").is_file():
        raise pytest.UsageError(f"{ASSEMBLY_VARIABLE}={given}: no cloud assembly there; run `make synth` first")
    return Path(given)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that synthesise the app are marked `synth`: `make mutation` runs the others. With a given
    assembly, tests that only read the templates need no synthesis."""
    synthesising = SYNTHESISED - TEMPLATES_ONLY if given_assembly() else SYNTHESISED
    for item in items:
        if synthesising & set(getattr(item, "fixturenames", ())):
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
    """Templates of one environment's stacks, by stack id (e.g. "Network"), read from the nested cloud
    assembly's manifest as the CDK CLI reads them."""

    def __init__(self, directory: Path) -> None:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        self._files = {
            artifact["displayName"].split("/")[-1]: directory / artifact["properties"]["templateFile"]
            for artifact in manifest["artifacts"].values()
            if artifact["type"] == "aws:cloudformation:stack"
        }

    def __contains__(self, stack_id: str) -> bool:
        return stack_id in self._files

    def ids(self) -> set[str]:
        return set(self._files)

    def raw(self, stack_id: str) -> dict:
        return json.loads(self._files[stack_id].read_text(encoding="utf-8"))

    def resources(self, stack_id: str, resource_type: str) -> dict[str, dict]:
        """The stack's resources of one type, by logical id (plain JSON, like Template.find_resources)."""
        return {
            logical_id: resource
            for logical_id, resource in self.raw(stack_id)["Resources"].items()
            if resource["Type"] == resource_type
        }

    def imported(self, value: dict) -> object:
        """What an Fn::ImportValue of another stack resolves to: the exporting stack's output value."""
        name = value["Fn::ImportValue"]
        (exported,) = [
            output["Value"]
            for stack_id in self._files
            for output in self.raw(stack_id).get("Outputs", {}).values()
            if output.get("Export", {}).get("Name") == name
        ]
        return exported

    def __getitem__(self, stack_id: str) -> assertions.Template:
        return assertions.Template.from_json(self.raw(stack_id))


@pytest.fixture(scope="session")
def assembly_dir(request: pytest.FixtureRequest, cloud_assembly_dir: Path) -> Path:
    """Where the environments' nested assemblies are: the given one, or this session's synthesis."""
    given = given_assembly()
    if given:
        return given
    request.getfixturevalue("assembly")
    return cloud_assembly_dir


@pytest.fixture(scope="session")
def dev(assembly_dir: Path) -> Templates:
    return Templates(assembly_dir / "assembly-Dev")


@pytest.fixture(scope="session")
def prod(assembly_dir: Path) -> Templates:
    return Templates(assembly_dir / "assembly-Prod")
