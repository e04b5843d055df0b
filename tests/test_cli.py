"""The `refarch` CLI: options, rendering, interactive questions, and refusals before any write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from generator import answers, render, spec
from generator.cli import app

from .conftest import ROOT, tree

runner = CliRunner()


def run(*args: str, **kwargs):
    return runner.invoke(app, list(args), catch_exceptions=False, **kwargs)


def recorded_answers(project: Path) -> dict[str, str]:
    context = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    return {o.name: context[o.name] for o in spec.OPTIONS}


def test_options_json_lists_every_option_with_its_metadata():
    result = run("options", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [o["name"] for o in data["options"]] == [o.name for o in spec.OPTIONS]
    for option in data["options"]:
        assert {"type", "choices", "default", "asked_when", "help"} <= option.keys()
    assert set(data["editions"]) == set(spec.EDITIONS)


def test_options_text_shows_choices_defaults_and_when_asked():
    result = run("options")
    assert result.exit_code == 0
    assert "vpc_link (choice) [v1-nlb/v2-alb]" in result.stdout
    assert "asked when: service_tier=yes" in result.stdout


def test_new_without_input_renders_the_defaults_and_prints_next_steps(tmp_path):
    result = run("new", "--no-input", "--output-dir", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    project = tmp_path / "modern-app"
    assert recorded_answers(project) == answers.resolve({})
    assert f"cd {project}" in result.stdout and "make install synth" in result.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["modern-app"], "no staging directory may remain"


def test_config_file_then_set_then_edition_precedence(tmp_path):
    config = tmp_path / "answers.yaml"
    config.write_text(yaml.safe_dump({"project_name": "Shop Front", "search": False, "az_count": 2}))
    out = tmp_path / "out"
    result = run("new", "--no-input", "--config", str(config), "--edition", "app",
                 "--set", "dax=no", "--set", "search=yes", "--output-dir", str(out))
    assert result.exit_code == 0, result.stderr
    recorded = recorded_answers(out / "shop-front")
    assert recorded["edition"] == "app" and recorded["package_name"] == "shop_front"
    assert recorded["search"] == "yes", "--set wins over the config file"
    assert recorded["dax"] == "no", "user overrides win over the edition"
    assert recorded["az_count"] == "2" and recorded["delivery"] == "no"


def _typed_answers(typed: dict[str, str]) -> tuple[str, list[str]]:
    """Keyboard input for an interactive run, and the options that will be asked, in order."""
    lines, asked, known = [], [], {}
    resolved = answers.resolve({k: v for k, v in typed.items() if not k.startswith("!")})
    for option in spec.OPTIONS:
        if spec.is_asked(option, known):
            asked.append(option.name)
            if f"!{option.name}" in typed:
                lines.append(typed[f"!{option.name}"])  # a bad answer first: asked again
            lines.append(typed.get(option.name, ""))
        known[option.name] = resolved[option.name]
    return "\n".join(lines) + "\n", asked


def test_interactive_asks_only_what_applies_and_asks_again_on_a_bad_answer(tmp_path):
    typed = {"project_name": "Field App", "service_tier": "no", "!dev_account_id": "1234",
             "dev_account_id": "333333333333"}
    keyboard, asked = _typed_answers(typed)
    result = runner.invoke(app, ["new", "--output-dir", str(tmp_path)], input=keyboard)
    assert result.exit_code == 0, result.output
    for skipped in ("vpc_link", "dax", "delivery", "deployment", "analytics", "quicksight_edition"):
        assert skipped not in asked and f"{skipped}:" not in result.output
    assert "option 'dev_account_id': '1234' is not a 12-digit AWS account id" in result.output
    recorded = recorded_answers(tmp_path / "field-app")
    assert recorded["dev_account_id"] == "333333333333" and recorded["dax"] == "no"


NEGATIVE = [
    ("unknown-option", {"serch": "no"}, "unknown option 'serch' (did you mean 'search'?)"),
    ("wrong-type", {"az_count": "three"}, "option 'az_count': expected an integer"),
    ("not-a-choice", {"search": "maybe"}, "option 'search': 'maybe' is not allowed; expected one of yes, no"),
    ("slug-with-space", {"project_slug": "My App"}, "option 'project_slug': 'My App' must be"),
    ("slug-path-separator", {"project_slug": "a/b"}, "option 'project_slug': 'a/b' must be a plain directory name"),
    ("slug-parent", {"project_slug": ".."}, "option 'project_slug': '..' must be a plain directory name"),
    ("package-keyword", {"package_name": "class"}, "option 'package_name': 'class' is a Python keyword"),
    ("package-not-identifier", {"package_name": "my-app"}, "option 'package_name': 'my-app' must be"),
    ("account-not-12-digits", {"dev_account_id": "12345"}, "option 'dev_account_id': '12345' is not a 12-digit"),
    ("not-a-region", {"prod_region": "us-east-9"}, "option 'prod_region': 'us-east-9' is not an AWS region"),
    ("service-not-in-region", {"dev_region": "ca-west-1", "prod_region": "us-east-1"},
     "option 'dev_region': 'ca-west-1' does not offer"),
    ("forbidden-combination", {"service_tier": "no", "dax": "yes"},
     "rule 'dax-needs-service-tier': dax=yes needs service_tier=yes, because DAX lives in the VPC"),
    ("serverless-needs-3-azs", {"az_count": "2", "warehouse": "serverless"},
     "rule 'redshift-serverless-needs-3-azs'"),
]
PLAIN_COOKIECUTTER_IGNORES = {"unknown-option"}  # cookiecutter drops unknown keys before any hook runs


@pytest.mark.parametrize(("given", "message"), [c[1:] for c in NEGATIVE], ids=[c[0] for c in NEGATIVE])
def test_bad_input_fails_through_the_cli_with_one_line_and_writes_nothing(tmp_path, given, message):
    assignments = [arg for key, value in given.items() for arg in ("--set", f"{key}={value}")]
    result = run("new", "--no-input", *assignments, "--output-dir", str(tmp_path / "out"))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize(
    ("given", "message"),
    [c[1:] for c in NEGATIVE if c[0] not in PLAIN_COOKIECUTTER_IGNORES],
    ids=[c[0] for c in NEGATIVE if c[0] not in PLAIN_COOKIECUTTER_IGNORES],
)
def test_bad_input_fails_through_plain_cookiecutter_before_anything_is_written(cookies, capfd, given, message):
    result = cookies.bake(extra_context=given, template=str(ROOT))
    assert result.exit_code != 0
    assert type(result.exception).__name__ == "FailedHookException"
    assert message in capfd.readouterr().err
    output = Path(result.project_path).parent if result.project_path else None
    assert output is None or not any(output.iterdir())


def test_malformed_yaml_config_is_named_with_its_line(tmp_path):
    config = tmp_path / "answers.yaml"
    config.write_text("search: yes\n  dax: [no\n")
    result = run("new", "--no-input", "--config", str(config), "--output-dir", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --config {config}: malformed YAML at line")
    assert not (tmp_path / "out").exists()


def test_config_that_is_not_a_mapping_is_refused(tmp_path):
    config = tmp_path / "answers.yaml"
    config.write_text("- search\n- dax\n")
    result = run("new", "--no-input", "--config", str(config), "--output-dir", str(tmp_path))
    assert result.exit_code == 2 and "expected a mapping of option: value, got list" in result.stderr


def test_wrong_type_in_yaml_config_is_named(tmp_path):
    config = tmp_path / "answers.yaml"
    config.write_text("az_count: [2, 3]\n")
    result = run("new", "--no-input", "--config", str(config), "--output-dir", str(tmp_path))
    assert result.exit_code == 2 and "option 'az_count': expected one of 2, 3, got list" in result.stderr


def test_existing_project_is_kept_without_force_and_replaced_with_it(tmp_path):
    existing = tmp_path / "modern-app"
    existing.mkdir()
    (existing / "mine.txt").write_text("keep me")
    refused = run("new", "--no-input", "--output-dir", str(tmp_path))
    assert refused.exit_code == 2 and "already exists; pass --force" in refused.stderr
    assert (existing / "mine.txt").read_text() == "keep me"
    replaced = run("new", "--no-input", "--force", "--output-dir", str(tmp_path))
    assert replaced.exit_code == 0
    assert not (existing / "mine.txt").exists() and (existing / "app.py").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["modern-app"]


def test_a_failure_while_rendering_leaves_the_existing_project_untouched(tmp_path, monkeypatch):
    existing = tmp_path / "modern-app"
    existing.mkdir()
    (existing / "mine.txt").write_text("keep me")

    def half_written(*, repo_dir, context, output_dir):
        Path(output_dir, "modern-app").mkdir()
        Path(output_dir, "modern-app", "partial.txt").write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render, "generate_files", half_written)
    result = run("new", "--no-input", "--force", "--output-dir", str(tmp_path))
    assert result.exit_code == 2 and "No space left on device" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["modern-app"]
    assert sorted(p.name for p in existing.iterdir()) == ["mine.txt"]


@pytest.mark.parametrize("given", [{"edition": "full"}, {"edition": "minimal"},
                                   {"edition": "app", "search": "no", "egress": "nat-gateway"}],
                         ids=["full", "minimal", "app-custom"])
def test_refarch_and_plain_cookiecutter_give_identical_bytes(cookies, tmp_path, given):
    baked = cookies.bake(extra_context=given, template=str(ROOT))
    assert baked.exit_code == 0, baked.exception
    project = render.render(answers.resolve(given), tmp_path)
    assert tree(project, exclude=(".cruft.json",)) == tree(Path(baked.project_path))
