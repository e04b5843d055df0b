"""Every synthesised template passes cfn-lint with no errors (warnings are reported, not fatal)."""

from pathlib import Path

from cfnlint.api import ManualArgs, lint_file


def test_templates_have_no_cfn_lint_errors(assembly, cloud_assembly_dir: Path):
    templates = sorted(cloud_assembly_dir.glob("assembly-*/*.template.json"))
    assert templates, "synthesis wrote no templates"
    errors = [
        f"{template.name}: {match.rule.id} {match.message}"
        for template in templates
        for match in lint_file(template, ManualArgs(regions=["{{ cookiecutter.dev_region }}", "{{ cookiecutter.prod_region }}"]))
        if match.rule.id.startswith("E")
    ]
    assert errors == []
