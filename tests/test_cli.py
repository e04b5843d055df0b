"""The `refarch` CLI: options, rendering, interactive questions, and refusals before any write."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from generator import answers, render, spec
from generator.cli import app

from .conftest import ROOT, tree
from .terminal import REFARCH, converse

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
    result = run(
        "new",
        "--no-input",
        "--config",
        str(config),
        "--edition",
        "app",
        "--set",
        "dax=no",
        "--set",
        "search=yes",
        "--output-dir",
        str(out),
    )
    assert result.exit_code == 0, result.stderr
    recorded = recorded_answers(out / "shop-front")
    assert recorded["edition"] == "app" and recorded["package_name"] == "shop_front"
    assert recorded["search"] == "yes", "--set wins over the config file"
    assert recorded["dax"] == "no", "user overrides win over the edition"
    assert recorded["az_count"] == "2" and recorded["delivery"] == "no"


def test_interactive_run_on_a_terminal_presets_the_edition_and_asks_again_only_the_offending_answer(tmp_path):
    """A real terminal: the edition's components are preset; a rule broken by an answer re-asks that answer."""
    talk = converse(["new", "--output-dir", str(tmp_path)], {"project_name": ["Field App"], "az_count": ["2", "3"]})
    assert talk.status == 0, talk.transcript
    assert "customise" in talk.asked and talk.asked.index("customise") == talk.asked.index("edition") + 1
    components = {o.name for o in spec.OPTIONS if o.group == "components"}
    assert not components & set(talk.asked), "an edition presets its components"
    assert talk.asked.count("az_count") == 2
    assert "rule 'redshift-serverless-needs-3-azs'" in talk.transcript
    assert talk.asked[-1] == "write" and "Answers:" in talk.transcript and "Components:" in talk.transcript
    recorded = recorded_answers(tmp_path / "field-app")
    assert recorded["az_count"] == "3" and recorded["warehouse"] == "serverless"


def test_minimal_edition_asks_no_question_about_parts_it_does_not_have(tmp_path):
    talk = converse(["new", "--edition", "minimal", "--output-dir", str(tmp_path)], {})
    assert talk.status == 0, talk.transcript
    for absent in ("search", "search_indexing", "service_tier", "vpc_link", "warehouse", "engagement", "sender_domain"):
        assert absent not in talk.asked
    assert len(talk.asked) < 19


def test_customising_the_components_asks_them(tmp_path):
    talk = converse(["new", "--output-dir", str(tmp_path)], {"customise": ["yes"], "search": ["no"]})
    assert talk.status == 0, talk.transcript
    assert {"search", "service_tier", "warehouse"} <= set(talk.asked)
    assert recorded_answers(tmp_path / "modern-app")["search"] == "no"


def test_declining_the_summary_writes_nothing(tmp_path):
    talk = converse(["new", "--output-dir", str(tmp_path / "out")], {"write": ["n"]})
    assert talk.status == 1 and "Nothing written." in talk.transcript
    assert not (tmp_path / "out").exists()


def test_without_a_terminal_nothing_is_asked_and_config_answers_are_used(tmp_path):
    config = tmp_path / "answers.yaml"
    config.write_text("project_name: Batch App\nedition: app\n")
    result = subprocess.run(
        [str(REFARCH), "new", "--config", str(config), "--force", "--output-dir", str(tmp_path)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert recorded_answers(tmp_path / "batch-app")["edition"] == "app"


def test_missing_required_answers_without_a_terminal_get_one_line_each(tmp_path):
    result = subprocess.run(
        [
            str(REFARCH),
            "new",
            "--edition",
            "app",
            "--set",
            "delivery=yes",
            "--set",
            "source=codeconnections",
            "--set",
            "warehouse=serverless",
            "--set",
            "az_count=2",
            "--output-dir",
            str(tmp_path),
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("error: rule '") for line in lines), result.stderr
    assert "codeconnections-needs-connection-arn" in result.stderr and "redshift-serverless" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_yaml_values_are_taken_as_written(tmp_path):
    config = tmp_path / "answers.yaml"
    config.write_text("prod_account_id: 012345670123\nsearch: no\ndescription: 1.0\nweb_client: Y\n")
    result = run("new", "--no-input", "--config", str(config), "--output-dir", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    recorded = recorded_answers(tmp_path / "modern-app")
    assert recorded["prod_account_id"] == "012345670123" and recorded["description"] == "1.0"
    assert recorded["search"] == "no" and recorded["web_client"] == "yes"


def test_a_yaml_value_that_is_not_a_single_value_is_refused_naming_its_key(tmp_path):
    config = tmp_path / "answers.yaml"
    config.write_text("search: [no]\n")
    result = run("new", "--no-input", "--config", str(config), "--output-dir", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: --config {config}: option 'search' must be a single value, not a list"


def test_saved_answers_render_the_same_project_again(tmp_path):
    saved = tmp_path / "answers.yaml"
    first = run(
        "new",
        "--no-input",
        "--edition",
        "app",
        "--set",
        "prod_account_id=012345678901",
        "--set",
        "dax=no",
        "--save-answers",
        str(saved),
        "--output-dir",
        str(tmp_path / "first"),
    )
    assert first.exit_code == 0, first.stderr
    again = run("new", "--no-input", "--config", str(saved), "--output-dir", str(tmp_path / "again"))
    assert again.exit_code == 0, again.stderr
    assert answers.load_config_file(saved) == recorded_answers(tmp_path / "first" / "modern-app")
    assert tree(tmp_path / "first") == tree(tmp_path / "again")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("y", "yes"),
        ("YES", "yes"),
        ("True", "yes"),
        ("1", "yes"),
        ("on", "yes"),
        ("n", "no"),
        ("No", "no"),
        ("FALSE", "no"),
        ("0", "no"),
        ("off", "no"),
    ],
)
def test_yes_no_answers_take_the_usual_spellings(typed, meant):
    assert answers.resolve({"search": typed})["search"] == meant


def test_options_show_each_default_resolved_per_edition():
    result = run("options")
    assert result.exit_code == 0
    assert "{{" not in result.stdout
    assert "web_client (toggle) [yes/no]" in result.stdout
    assert "default: full: yes, app: yes, minimal: no; asked when: always" in result.stdout  # search
    data = json.loads(run("options", "--json").stdout)
    search = next(o for o in data["options"] if o["name"] == "search")
    assert search["default_by_edition"] == {"full": "yes", "app": "yes", "minimal": "no"}


def test_editions_list_what_each_turns_on():
    data = json.loads(run("editions", "--json").stdout)
    assert list(data) == list(spec.EDITIONS)
    names = {edition: {c["name"] for c in about["components"]} for edition, about in data.items()}
    assert {"delivery", "lake", "warehouse"} <= names["full"]
    assert "delivery" not in names["app"] and "service" in names["app"]
    assert names["minimal"] == {"identity", "web_client", "graphql_api", "xray", "dynamodb_resolver", "table"}
    text = run("editions").stdout
    assert "minimal: Cognito, AppSync and DynamoDB only" in text


def test_version_names_refarch_and_the_template():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"refarch {spec.TEMPLATE_VERSION}, template {spec.TEMPLATE_VERSION}"


def test_shell_completion_completes_commands():
    env = {**os.environ, "_REFARCH_COMPLETE": "complete_bash", "COMP_WORDS": "refarch edi", "COMP_CWORD": "1"}
    result = subprocess.run([str(REFARCH)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.split() == ["editions"]


def test_diagram_refuses_a_suffix_it_cannot_write_and_follows_one_it_can(tmp_path):
    refused = run("diagram", "-o", str(tmp_path / "arch.pdf"))
    assert refused.exit_code == 2 and not (tmp_path / "arch.pdf").exists()
    assert refused.stderr.strip() == (
        f"error: --output {tmp_path / 'arch.pdf'}: cannot write '.pdf'; "
        "use one of .mmd, .mermaid, .md, .dot, .gv, .svg, .png"
    )
    assert run("diagram", "-o", str(tmp_path / "arch.dot")).exit_code == 0
    assert (tmp_path / "arch.dot").read_text().startswith("digraph")


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
    (
        "service-not-in-region",
        {"dev_region": "ca-west-1", "prod_region": "us-east-1"},
        "option 'dev_region': 'ca-west-1' does not offer",
    ),
    (
        "forbidden-combination",
        {"service_tier": "no", "dax": "yes"},
        "rule 'dax-needs-service-tier': dax=yes needs service_tier=yes, because DAX lives in the VPC",
    ),
    ("serverless-needs-3-azs", {"az_count": "2", "warehouse": "serverless"}, "rule 'redshift-serverless-needs-3-azs'"),
    (
        "derived-package-keyword",
        {"project_slug": "class"},
        "option 'package_name': project_slug 'class' makes package_name 'class', which is a Python keyword",
    ),
    ("slug-too-long", {"project_slug": "a" * 300}, f"option 'project_slug': '{'a' * 300}' must be 1-32 lowercase"),
    ("slug-empty", {"project_slug": ""}, "option 'project_slug': '' must be 1-32 lowercase"),
    (
        "threat-protection-needs-plus",
        {"cognito_threat_protection": "audit"},
        "rule 'threat-protection-needs-plus': cognito_threat_protection=enforced|audit needs cognito_feature_plan=plus",
    ),
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
def test_bad_input_fails_through_plain_cookiecutter_before_anything_is_written(
    cookies, capfd, tmp_path, given, message
):
    result = cookies.bake(extra_context=given, template=str(ROOT))
    assert result.exit_code != 0
    assert type(result.exception).__name__ == "FailedHookException"
    assert message in capfd.readouterr().err
    # pytest-cookies bakes into tmp_path/cookies/bakeNN (and reports no project_path on failure).
    bakes = {path.name: sorted(path.rglob("*")) for path in (tmp_path / "cookies").iterdir()}
    assert bakes == {"bake00": []}


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


def test_existing_project_is_kept_without_force_and_force_keeps_what_the_template_does_not_write(tmp_path):
    existing = tmp_path / "modern-app"
    existing.mkdir()
    (existing / "mine.txt").write_text("keep me")
    (existing / "app.py").write_text("# an older app.py\n")
    refused = run("new", "--no-input", "--output-dir", str(tmp_path))
    assert refused.exit_code == 2 and "already exists; pass --force" in refused.stderr
    assert (existing / "mine.txt").read_text() == "keep me"
    replaced = run("new", "--no-input", "--force", "--output-dir", str(tmp_path))
    assert replaced.exit_code == 0, replaced.stderr
    assert (existing / "mine.txt").read_text() == "keep me"
    assert (existing / "app.py").read_text() != "# an older app.py\n"
    assert "Replaced 1 changed file(s): app.py" in replaced.stdout
    assert "Kept what the template does not write: mine.txt" in replaced.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["modern-app"]


def git(project: Path, *args: str) -> str:
    identity = ["-c", "user.name=Dev", "-c", "user.email=dev@example.com"]
    return subprocess.run(
        ["git", *identity, "-C", str(project), *args], capture_output=True, text=True, check=True
    ).stdout


def test_force_keeps_the_git_history_and_untracked_folders_of_a_project(tmp_path):
    project = render.render(answers.resolve({"edition": "minimal"}), tmp_path)
    git(project, "init", "-q")
    (project / "notes").mkdir()
    (project / "notes" / "decisions.md").write_text("ours\n")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "first")
    head = git(project, "rev-parse", "HEAD")
    (project / "app.py").write_text((project / "app.py").read_text() + "# tuned\n")
    git(project, "commit", "-qam", "tune")
    result = run("new", "--no-input", "--edition", "minimal", "--force", "--output-dir", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert git(project, "rev-parse", "HEAD~1") == head, "the history is intact"
    assert (project / "notes" / "decisions.md").read_text() == "ours\n"
    assert git(project, "status", "--porcelain") == " M app.py\n", "only the template's own file changed"
    assert "Replaced 1 changed file(s): app.py" in result.stdout


def test_force_refuses_a_work_tree_with_uncommitted_changes(tmp_path):
    project = render.render(answers.resolve({"edition": "minimal"}), tmp_path)
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "first")
    (project / "app.py").write_text("# uncommitted work\n")
    result = run("new", "--no-input", "--edition", "minimal", "--force", "--output-dir", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: --force: {project} has 1 uncommitted change; commit or stash them first (git stash -u), then run again"
    )
    assert (project / "app.py").read_text() == "# uncommitted work\n"


@pytest.mark.parametrize("where", ["build-folder", "checkout-root"])
def test_rendering_from_inside_the_checkout_takes_only_the_template(where):
    """The README's `make demo` renders into build/ of the checkout; the default `--output-dir .` too."""
    slug = f"inside-{where}-{os.getpid()}"
    output = ROOT / "build" if where == "build-folder" else ROOT
    target = output / slug
    arguments = ["new", "--no-input", "--edition", "minimal", "--set", f"project_slug={slug}", "--force"]
    try:
        result = subprocess.run(
            [str(REFARCH), *arguments, *(["--output-dir", "build"] if where == "build-folder" else [])],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        files = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
        assert "app.py" in files and not {f for f in files if f.startswith((".venv", ".tools", "build", "generator"))}
        assert not [p for p in output.iterdir() if p.name.startswith(".refarch-")], "no staging folder remains"
    finally:
        shutil.rmtree(target, ignore_errors=True)


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


@pytest.mark.parametrize(
    "given",
    [{"edition": "full"}, {"edition": "minimal"}, {"edition": "app", "search": "no", "egress": "nat-gateway"}],
    ids=["full", "minimal", "app-custom"],
)
def test_refarch_and_plain_cookiecutter_give_identical_bytes(cookies, tmp_path, given):
    baked = cookies.bake(extra_context=given, template=str(ROOT))
    assert baked.exit_code == 0, baked.exception
    project = render.render(answers.resolve(given), tmp_path)
    assert tree(project, exclude=(".cruft.json",)) == tree(Path(baked.project_path))


@pytest.mark.parametrize("name", ["日本語アプリ", "Café Crème!"])
def test_a_name_in_any_script_gets_a_transliterated_slug_through_both_entry_points(cookies, tmp_path, name):
    result = run(
        "new",
        "--no-input",
        "--edition",
        "minimal",
        "--set",
        f"project_name={name}",
        "--output-dir",
        str(tmp_path / "cli"),
    )
    assert result.exit_code == 0, result.stderr
    (project,) = (tmp_path / "cli").iterdir()
    baked = cookies.bake(extra_context={"edition": "minimal", "project_name": name}, template=str(ROOT))
    assert baked.exit_code == 0, baked.exception
    assert Path(baked.project_path).name == project.name
    recorded = recorded_answers(project)
    assert spec.SLUG_RE.match(recorded["project_slug"]) and recorded["package_name"].isidentifier()
    assert recorded["project_name"] == name


def test_plain_cookiecutter_takes_yes_no_answers_in_any_spelling_and_renders_the_same_project(cookies, tmp_path):
    spelled = {"edition": "app", "search": "N", "dax": "FALSE", "api_waf": "0", "api_xray": "Off", "delivery": "Y"}
    baked = cookies.bake(extra_context=spelled, template=str(ROOT))
    assert baked.exit_code == 0, baked.exception
    meant = {name: spec.coerce(name, value) for name, value in spelled.items()}
    assert meant == {
        "edition": "app",
        "search": "no",
        "dax": "no",
        "api_waf": "no",
        "api_xray": "no",
        "delivery": "yes",
    }
    project = render.render(answers.resolve(meant), tmp_path / "cli")
    assert tree(Path(baked.project_path), exclude=(".cruft.json",)) == tree(project, exclude=(".cruft.json",))
