"""The rendered project's README: its diagram, prerequisites, units and cost note come from the spec."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator import answers, diagram, matrix, readme, spec

from .conftest import ROOT, render_with_refarch, tree

CASES = matrix.value_cases()


def bake(cookies, given: dict[str, str]) -> Path:
    result = cookies.bake(extra_context=given, template=str(ROOT))
    assert result.exit_code == 0, result.exception
    return Path(result.project_path)


def sections(text: str) -> dict[str, str]:
    return {m.group("name"): m.group("body") for m in readme.MARKER.finditer(text)}


@pytest.fixture(params=CASES, ids=[c.id for c in CASES])
def case(request) -> matrix.Case:
    return request.param


TEMPLATE_README = ROOT / "{{cookiecutter.__project_dir}}" / "README.md"


@pytest.mark.parametrize("edition", list(spec.EDITIONS))
def test_the_hook_fills_every_section_of_the_rendered_readme(cookies, edition):
    resolved = answers.resolve({"edition": edition})
    found = sections((bake(cookies, {"edition": edition}) / "README.md").read_text(encoding="utf-8"))
    assert found == {name: build(resolved) for name, build in readme.SECTIONS.items()}


def test_readme_carries_the_diagram_prerequisites_and_costs_of_its_answers(case):
    resolved = answers.resolve(case.given)
    found = sections(readme.fill_text(TEMPLATE_README.read_text(encoding="utf-8"), resolved))
    assert set(found) == set(readme.SECTIONS)
    assert found["diagram"] == diagram.markdown(resolved)
    enabled = spec.enabled_components(resolved)
    listed = [line for line in found["prerequisites"].splitlines() if line.startswith("- ")]
    assert len(listed) == 1 + sum(1 for c in enabled if c.prerequisite)
    for component in spec.COMPONENTS:
        mentioned = f"- {component.title} (" in found["prerequisites"]
        assert mentioned == (component.enabled(resolved) and bool(component.prerequisite)), component.name
        assert (f"- {component.title}: " in found["costs"]) == (
            component.enabled(resolved) and bool(component.fixed_monthly_cost)
        ), component.name


def test_every_readme_folder_holds_an_enabled_component(case):
    """The folders the README lists are paths of enabled components (which the render tests find on disk)."""
    resolved = answers.resolve(case.given)
    package = resolved["package_name"]
    paths = {p.format(package=package) for c in spec.enabled_components(resolved) for p in c.paths}
    folders = re.findall(r"^\| `([^`]+)/` \|", readme.units(resolved), re.M)
    assert folders
    for folder in folders:
        assert any(p == folder or p.startswith(folder + "/") for p in paths), folder


def test_readme_names_the_two_commands_and_the_deploy_and_destroy_steps(cookies):
    text = (bake(cookies, {"edition": "minimal"}) / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    commands = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    assert "make install synth" in commands and "make test" in commands
    assert "make deploy ENV=dev" in commands and "make destroy ENV=dev" in commands


def test_prerequisites_fill_in_the_answers():
    arn = spec.OPTIONS_BY_NAME["source_connection_arn"].example
    resolved = answers.resolve(
        {
            "edition": "full",
            "source": "codeconnections",
            "source_connection_arn": arn,
            "sender_domain": "mail.example.org",
            "quicksight_user": "analyst",
        }
    )
    text = readme.prerequisites(resolved)
    for value in (arn, "mail.example.org", "analyst", "aws://111111111111/us-east-1", "aws://222222222222/us-east-1"):
        assert value in text
    assert "{" not in text


def test_a_project_without_fixed_costs_says_so():
    text = readme.costs(answers.resolve({"edition": "minimal"}))
    assert text.startswith("No component of this project has a fixed monthly cost")


def test_filling_again_changes_nothing(cookies):
    project = bake(cookies, {"edition": "app"})
    before = (project / "README.md").read_text(encoding="utf-8")
    readme.fill(project / "README.md", answers.resolve({"edition": "app"}))
    assert (project / "README.md").read_text(encoding="utf-8") == before


def test_an_unknown_section_is_an_error():
    with pytest.raises(KeyError, match="nope"):
        readme.fill_text("<!-- refarch:begin nope -->\n<!-- refarch:end nope -->\n", {})


def test_refarch_and_cookiecutter_write_the_same_readme(cookies, tmp_path):
    given = {"edition": "app", "search": "no", "egress": "nat-gateway"}
    baked = bake(cookies, given)
    rendered = render_with_refarch(given, tmp_path)
    assert tree(rendered, exclude=(".cruft.json",)) == tree(baked)
