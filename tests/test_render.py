"""Render level: every edition and every option value, through plain cookiecutter.

In the manner of cookiecutter-django's generation tests: readable ids, parsed files,
no unrendered template syntax, `ruff check` and `ruff format` clean Python, exact inventories per edition.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from generator import answers, matrix, spec

from .conftest import ROOT, tree

CASES = matrix.value_cases() + matrix.pairwise_cases()
TEMPLATE_SYNTAX = ("{{", "{%", "{#")
BINARY_SUFFIXES = {".png", ".ico", ".jpg", ".woff", ".woff2"}


def bake(cookies, given: dict[str, str]) -> Path:
    result = cookies.bake(extra_context=given, template=str(ROOT))
    assert result.exit_code == 0, result.exception
    return Path(result.project_path)


@pytest.fixture(params=CASES, ids=[c.id for c in CASES])
def case(request) -> matrix.Case:
    return request.param


def test_case_renders_clean_parseable_files(cookies, case):
    project = bake(cookies, case.given)
    for path in sorted(project.rglob("*")):
        if not path.is_file() or path.suffix in BINARY_SUFFIXES:
            continue
        text = path.read_text(encoding="utf-8")
        relative = path.relative_to(project).as_posix()
        for marker in TEMPLATE_SYNTAX:
            assert marker not in text, f"{relative}: unrendered {marker}"
        if path.suffix == ".py":
            ast.parse(text, filename=relative)
        elif path.suffix in (".yaml", ".yml"):
            yaml.safe_load(text)
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".toml":
            tomllib.loads(text)
    for command in (["check"], ["format", "--check"]):
        lint = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--no-cache", str(project)], capture_output=True, text=True
        )
        assert lint.returncode == 0, f"ruff {' '.join(command)}:\n{lint.stdout}"


def test_case_leaves_no_file_of_a_disabled_component(cookies, case):
    project = bake(cookies, case.given)
    resolved = answers.resolve(case.given)
    for relative in spec.disabled_paths(resolved):
        assert not (project / relative).exists(), relative
    for component in spec.enabled_components(resolved):
        for relative in component.paths:
            assert (project / relative.format(package=resolved["package_name"])).exists(), relative
        for pattern in component.tests:
            assert list(project.glob(pattern)), f"{component.name}: no test file {pattern}"


def test_cookiecutter_resolves_the_same_answers_as_refarch(cookies, case):
    project = bake(cookies, case.given)
    config = yaml.safe_load((project / "config" / "dev.yaml").read_text())
    resolved = answers.resolve(case.given)
    assert config["account"] == resolved["dev_account_id"]
    assert len(config["availability_zones"]) == int(resolved["az_count"])


@pytest.mark.parametrize("edition", list(spec.EDITIONS))
def test_exact_file_inventory_per_edition(cookies, edition, request):
    project = bake(cookies, {"edition": edition})
    files = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    inventory = ROOT / "tests" / "inventories" / f"{edition}.txt"
    if request.config.getoption("--update-inventories") and files != inventory.read_text().split():
        inventory.write_text("\n".join(files) + "\n")
        pytest.fail(f"inventories rewritten; review the diff of {inventory.relative_to(ROOT)}")
    assert files == inventory.read_text().split()


def test_rendering_twice_gives_identical_bytes(cookies, tmp_path):
    """Also in a second process with another hash seed: set or dict order must not reach a file."""
    first = bake(cookies, {"edition": "full"})
    second = bake(cookies, {"edition": "full"})
    assert tree(first) == tree(second)
    config = tmp_path / "cookiecutterrc.yaml"
    config.write_text(
        yaml.safe_dump({"cookiecutters_dir": str(tmp_path / "templates"), "replay_dir": str(tmp_path / "replay")})
    )
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    rendered = subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            "--config-file",
            str(config),
            "--output-dir",
            str(tmp_path / "out"),
            str(ROOT),
            "edition=full",
        ],
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rendered.returncode == 0, rendered.stderr
    assert tree(tmp_path / "out" / first.name) == tree(first)
