"""The README's first-deploy steps are Makefile targets, in an order that works from empty accounts."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import ENVIRONMENT_NAMES, load_environments
from {{ cookiecutter.package_name }}.stage import DEPLOYED_WITH_BOOTSTRAP
from scripts.bootstrap_environment import bootstrap_arguments, tooling_environment

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = load_environments()
TOOLING = tooling_environment(ENVIRONMENTS)


def readme_steps() -> list[str]:
    """The numbered steps of the README's First deploy section, one string per step."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## First deploy\n(.*?)^## ", text, re.S | re.M)
    assert section, "README.md has no First deploy section"
    numbered = re.search(r"^1\. .*?(?=\n\n|\Z)", section.group(1), re.S | re.M)
    steps = re.split(r"^\d+\. ", numbered.group(0), flags=re.M)[1:] if numbered else []
    assert steps, "the First deploy section has no numbered steps"
    return [" ".join(step.split()) for step in steps]


def make_commands(step: str) -> list[list[str]]:
    return [command.split()[1:] for command in re.findall(r"`(make [^`]+)`", step)]


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))


def dry_run(arguments: list[str]) -> str:
    result = subprocess.run(["make", "-n", *arguments], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _environment(arguments: list[str]) -> str:
    return next((a.split("=", 1)[1] for a in arguments if a.startswith("ENV=")), "dev")


def test_every_step_names_a_makefile_target_and_an_environment():
    commands = [command for step in readme_steps() for command in make_commands(step)]
    assert commands
    for command in commands:
        assert command[0] in makefile_targets(), command
        assert _environment(command) in ENVIRONMENT_NAMES, command
        dry_run(command)


def test_every_environment_is_bootstrapped_before_anything_deploys_into_it():
    bootstrapped, deployed = [], []
    for step in readme_steps():
        for command in make_commands(step):
            recipe = dry_run(command)
            if command[0] == "bootstrap":
                assert f"scripts.bootstrap_environment --env {_environment(command)}" in recipe
                bootstrapped.append(_environment(command))
            for stage in re.findall(r'cdk@2 deploy "(\w+)/', recipe):
                target = next(e.name for e in ENVIRONMENTS if e.stage_id == stage)
                assert target in bootstrapped, f"{' '.join(command)} deploys {target} before its bootstrap"
                deployed.append(target)
    assert sorted(bootstrapped) == sorted(ENVIRONMENT_NAMES)
    assert deployed


@pytest.mark.parametrize("environment", ENVIRONMENTS, ids=lambda e: e.name)
def test_bootstrap_deploys_the_stacks_marked_for_it_which_deploy_and_destroy_leave_alone(assembly, environment):
    """What must exist before the pipeline (its action roles) deploys right after `cdk bootstrap`."""
    stacks = assembly.get_nested_assembly(f"assembly-{environment.stage_id}").stacks
    marked = [s.hierarchical_id for s in stacks if s.find_metadata_by_type(DEPLOYED_WITH_BOOTSTRAP)]
    for stack in stacks:  # deployed alone: `cdk deploy` would first deploy what it depends on
        if stack.hierarchical_id in marked:
            assert [d.id for d in stack.dependencies if not d.id.endswith(".assets")] == [], stack.hierarchical_id
    recipe = dry_run(["bootstrap", f"ENV={environment.name}"])
    assert re.findall(r'cdk@2 deploy "([^"]+)"', recipe) == marked
    assert recipe.index("scripts.bootstrap_environment") < recipe.index("cdk@2 deploy") if marked else True
    deployspec = ROOT / "{{ cookiecutter.package_name }}" / "delivery" / "deployspec.yml"
    # The Makefile's deploy and destroy, and the pipeline's own deploy step, filter the same stacks out.
    recipes = {target: dry_run([target]) for target in ("deploy", "destroy")}
    if deployspec.is_file():
        recipes["deployspec.yml"] = deployspec.read_text(encoding="utf-8")
    for target, recipe in recipes.items():
        listed = re.search(r"list \"\$?\w+/\*\".*? \| awk '\{print \$1\}' \| (grep -v [^|)]*)", recipe)
        if listed is None:  # no pipeline: every stack of the stage, and none is marked
            assert marked == [], target
            continue
        kept = subprocess.run(
            ["sh", "-c", listed.group(1)],
            input="".join(f"{s.hierarchical_id}\n" for s in stacks),
            capture_output=True,
            text=True,
        ).stdout.split()
        assert kept and not set(kept) & set(marked), (target, kept)
        assert sorted(kept) == sorted(
            s.hierarchical_id
            for s in stacks
            if s.hierarchical_id not in marked and not s.hierarchical_id.endswith("/Delivery")
        ), target


@pytest.mark.skipif(TOOLING is None, reason="no pipeline: each environment deploys from a workstation")
def test_the_pipeline_is_deployed_alone_and_builds_the_image_before_any_service(assembly):
    steps = readme_steps()
    targets = [command[0] for step in steps for command in make_commands(step)]
    assert "deploy" not in targets, "a Service stack deployed before the pipeline built an image waits for hours"
    (pipeline,) = [i for i, step in enumerate(steps) if ["pipeline"] in make_commands(step)]
    assert all(i < pipeline for i, step in enumerate(steps) if any(c[0] == "bootstrap" for c in make_commands(step)))
    assert re.findall(r'cdk@2 deploy "([^"]+)"', dry_run(["pipeline"])) == [f"{TOOLING.stage_id}/Delivery"]
    delivery = assembly.get_nested_assembly(f"assembly-{TOOLING.stage_id}").get_stack_by_name(
        TOOLING.stack_name("delivery")
    )
    assert [d.id for d in delivery.dependencies if not d.id.endswith(".assets")] == []
    assert "git push" in " ".join(steps[pipeline + 1 :])


@pytest.mark.skipif(TOOLING is None, reason="no pipeline: no account trusts another")
@pytest.mark.parametrize(
    "environment", [e for e in ENVIRONMENTS if TOOLING and e.account != TOOLING.account], ids=lambda e: e.name
)
def test_environments_the_pipeline_deploys_trust_the_tooling_account(environment):
    arguments = bootstrap_arguments(environment.name, ENVIRONMENTS)
    assert arguments[arguments.index("--trust") + 1] == TOOLING.account
    assert "--cloudformation-execution-policies" in arguments  # `cdk bootstrap --trust` requires it
    (step,) = [s for s in readme_steps() if ["bootstrap", f"ENV={environment.name}"] in make_commands(s)]
    assert f"--trust {TOOLING.account}" in step
    printed = subprocess.run(
        [sys.executable, "-m", "scripts.bootstrap_environment", "--env", environment.name, "--print"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"aws://{environment.account}/{environment.region} --trust {TOOLING.account}" in printed


def test_the_tooling_environment_trusts_no_one():
    for name in ENVIRONMENT_NAMES:
        environment = next(e for e in ENVIRONMENTS if e.name == name)
        if TOOLING is None or environment.account == TOOLING.account:
            assert bootstrap_arguments(name, ENVIRONMENTS) == [
                "bootstrap",
                f"aws://{environment.account}/{environment.region}",
            ]
