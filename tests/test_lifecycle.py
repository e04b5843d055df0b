"""The lifecycle of a project: check, diff, update with git conflicts and migrations, fleet, cruft.

The template's releases are described in tests/template_releases.py. Updates run with
`--no-synth` here; tests/test_lifecycle_impact.py covers the infrastructure-impact gate.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from generator import lifecycle

from .template_releases import (
    GIT,
    REST_OF_LINE,
    TEMPLATE_SENTENCE,
    USER_SENTENCE,
    commit_all,
    edit_as_user,
    new_project,
    refarch,
    run,
    state,
)


def test_new_from_a_template_url_records_location_commit_version_and_answers(template_remote, tmp_path):
    project = new_project(template_remote, tmp_path, "0.2.0")
    recorded = state(project)
    tag_commit = run("git", "rev-parse", "v0.2.0^{commit}", cwd=template_remote).strip()
    assert recorded["template"] == str(template_remote) and recorded["commit"] == tag_commit
    assert recorded["checkout"] == "v0.2.0" and recorded["directory"] is None
    cookiecutter = recorded["context"]["cookiecutter"]
    assert cookiecutter["_template_version"] == "0.2.0" and cookiecutter["edition"] == "minimal"
    assert cookiecutter["api_xray"] == "yes" and cookiecutter["_commit"] == tag_commit
    readme = (project / "README.md").read_text()
    section = readme.split("\n## Keeping this project current\n", 1)[1].split("\n## ", 1)[0]
    assert all(f"refarch {command}" in section for command in ("check", "diff --stat", "update --dry-run"))


def test_check_reports_current_and_latest_and_exits_by_status(template_remote, tmp_path):
    behind = new_project(template_remote, tmp_path / "old", "0.3.0")
    code, output = refarch("check", str(behind), "--format", "json")
    assert code == 1
    assert {k: json.loads(output)[k] for k in ("current", "latest", "behind")} == {
        "current": "0.3.0",
        "latest": "0.4.0",
        "behind": 1,
    }
    current = new_project(template_remote, tmp_path / "new", "0.4.0")
    code, output = refarch("check", str(current))
    assert code == 0 and "0.4.0 is the latest" in output
    code, output = refarch("check", str(tmp_path))
    assert code == 2 and "no .cruft.json" in output


def test_check_finds_the_version_from_the_tag_when_the_file_does_not_record_it(template_remote, tmp_path):
    project = new_project(template_remote, tmp_path, "0.2.0")
    recorded = state(project)
    del recorded["context"]["cookiecutter"]["_template_version"]  # as cruft update leaves it
    (project / ".cruft.json").write_text(json.dumps(recorded))
    assert lifecycle.check(project).current == "0.2.0"


def test_diff_shows_only_the_projects_own_edits(template_remote, tmp_path):
    project = new_project(template_remote, tmp_path, "0.2.0")
    assert refarch("diff", str(project), "--exit-code") == (0, "")
    edit_as_user(project)
    (project / "constraints.txt").unlink()
    code, output = refarch("diff", str(project), "--stat", "--exit-code")
    assert code == 1
    assert re.findall(r"^ (\w+) +(\S+)$", output, re.M) == [
        ("modified", "README.md"),
        ("modified", "app.py"),
        ("deleted", "constraints.txt"),
    ]
    code, patch = refarch("diff", str(project))
    assert code == 0 and f"+{USER_SENTENCE}{REST_OF_LINE}" in patch and "+# Our own note.\n" in patch


def test_update_dry_run_prints_the_file_plan_and_writes_nothing(template_remote, tmp_path):
    project = new_project(template_remote, tmp_path, "0.2.0")
    edit_as_user(project)
    head = run("git", "rev-parse", "HEAD", cwd=project)
    code, output = refarch("update", str(project), "--to", "v0.3.0", "--dry-run", "--no-synth", "--format", "json")
    assert code == 0, output
    plan = json.loads(output)
    files = {f["path"]: f["kind"] for f in plan["files"]}
    assert files == {
        "Makefile": "clean",
        "README.md": "conflicting",
        "constraints.txt": "removed",
        "modern_app/data/infrastructure.py": "clean",
        "modern_app/functions.py": "clean",  # its comment names the renamed option
    }
    assert plan["migrations"] == ["0.3.0: option 'api_xray' is renamed 'api_tracing'"]
    assert (plan["from_version"], plan["to_version"], plan["written"]) == ("0.2.0", "0.3.0", False)
    assert run("git", "rev-parse", "HEAD", cwd=project) == head
    assert run("git", "status", "--porcelain", cwd=project) == ""


def test_update_merges_clean_changes_and_leaves_conflicts_to_git(template_remote, tmp_path):
    project = new_project(template_remote, tmp_path, "0.2.0")
    edit_as_user(project)
    code, output = refarch("update", str(project), "--to", "v0.3.0", "--no-synth")
    assert code == 1 and "resolve 1 conflict" in output
    unmerged = run("git", "ls-files", "-u", cwd=project).splitlines()
    assert sorted(line.split()[2] for line in unmerged) == ["1", "2", "3"]
    assert {line.split("\t")[1] for line in unmerged} == {"README.md"}
    readme = (project / "README.md").read_text()
    assert (
        f"<<<<<<< project\n{USER_SENTENCE}{REST_OF_LINE}=======\n{TEMPLATE_SENTENCE}{REST_OF_LINE}"
        ">>>>>>> template 0.3.0\n"
    ) in readme
    assert "both modified:   README.md" in run("git", "status", cwd=project)
    assert not list(project.rglob("*.rej")) and not list(project.rglob("*.orig"))
    assert (project / "app.py").read_text().endswith("# Our own note.\n")
    assert (project / "Makefile").read_text().endswith("# Keep the lock file current.\n")
    assert not (project / "constraints.txt").exists() and not (project / "RUNBOOK.md").exists()
    recorded = state(project)
    answers = recorded["context"]["cookiecutter"]
    assert recorded["commit"] == run("git", "rev-parse", "v0.3.0^{commit}", cwd=template_remote).strip()
    assert answers["_template_version"] == "0.3.0" and answers["api_tracing"] == "yes" and "api_xray" not in answers
    (project / "README.md").write_text(
        readme.split("<<<<<<< project\n")[0]
        + USER_SENTENCE
        + REST_OF_LINE
        + readme.split(">>>>>>> template 0.3.0\n")[1]
    )
    run("git", "add", "README.md", cwd=project)
    run(*GIT, "commit", "-q", "--no-edit", cwd=project)
    parents = run("git", "log", "-1", "--format=%P", cwd=project).split()
    assert len(parents) == 2  # the update is a merge whose second parent is the pristine template
    assert refarch("check", str(project))[0] == 1 and refarch("diff", str(project), "--exit-code")[0] == 1


def test_a_project_two_releases_behind_updates_in_one_step_through_every_migration(template_remote, tmp_path):
    project = new_project(template_remote, tmp_path, "0.2.0", "--set", "api_xray=no")
    code, output = refarch("update", str(project), "--no-synth")
    assert code == 0, output
    assert "migration 0.3.0: option 'api_xray' is renamed 'api_tracing'" in output
    assert "migration 0.4.0: option 'api_tracing' is renamed 'xray_tracing'" in output
    answers = state(project)["context"]["cookiecutter"]
    assert answers["xray_tracing"] == "no" and answers["_template_version"] == "0.4.0"
    assert not {"api_xray", "api_tracing"} & set(answers)
    assert refarch("check", str(project))[0] == 0


def test_a_file_the_user_deleted_stays_deleted(template_remote, tmp_path):
    project = new_project(template_remote, tmp_path, "0.2.0")
    (project / "Makefile").unlink()
    commit_all(project, "We build without make")
    code, output = refarch("update", str(project), "--to", "v0.3.0", "--no-synth")
    assert code == 0, output
    assert re.search(r"kept +Makefile +\(deleted in the project; stays deleted", output)
    assert not (project / "Makefile").exists() and run("git", "ls-files", "-u", cwd=project) == ""


def test_set_turns_a_component_on_and_off(template_remote, tmp_path):
    project = new_project(template_remote, tmp_path, "0.3.0")
    code, output = refarch("update", str(project), "--to", "v0.3.0", "--set", "runbook=yes", "--no-synth")
    assert code == 0, output
    assert re.search(r"added +RUNBOOK.md", output) and (project / "RUNBOOK.md").read_text().startswith("# Modern App")
    assert state(project)["context"]["cookiecutter"]["runbook"] == "yes"
    run(*GIT, "commit", "-q", "--no-edit", cwd=project)
    code, output = refarch("update", str(project), "--to", "v0.3.0", "--set", "runbook=no", "--no-synth")
    assert code == 0 and re.search(r"removed +RUNBOOK.md", output) and not (project / "RUNBOOK.md").exists()


def test_an_edited_file_of_a_component_turned_off_is_kept(template_remote, tmp_path):
    project = new_project(template_remote, tmp_path, "0.3.0", "--set", "runbook=yes")
    (project / "RUNBOOK.md").write_text("# Our runbook\n")
    commit_all(project, "Our runbook")
    code, output = refarch("update", str(project), "--to", "v0.3.0", "--set", "runbook=no", "--no-synth")
    assert code == 0 and re.search(r"kept +RUNBOOK.md +\(removed by the template; kept", output)
    assert (project / "RUNBOOK.md").read_text() == "# Our runbook\n"


def test_a_dirty_work_tree_is_refused(template_remote, tmp_path):
    project = new_project(template_remote, tmp_path, "0.2.0")
    (project / "app.py").write_text("# unsaved work\n")
    code, output = refarch("update", str(project), "--no-synth")
    assert code == 2 and "uncommitted changes" in output and "git stash" in output
    assert (project / "app.py").read_text() == "# unsaved work\n" and state(project)["commit"]


def test_answers_are_validated_by_the_target_spec_before_anything_is_written(template_remote, tmp_path):
    project = new_project(template_remote, tmp_path, "0.2.0")
    code, output = refarch("update", str(project), "--set", "xray_tracing=maybe", "--no-synth")
    assert code == 2 and "option 'xray_tracing': 'maybe' is not allowed" in output
    code, output = refarch("update", str(project), "--set", "api_xray=no", "--no-synth")
    assert code == 2 and "unknown option 'api_xray'" in output
    assert run("git", "status", "--porcelain", cwd=project) == ""


def cruft(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cruft", *args], cwd=cwd, capture_output=True, text=True)


def test_cruft_check_and_update_work_on_a_refarch_project(template_remote, tmp_path, isolated_home):
    project = new_project(template_remote, tmp_path, "0.3.0")
    checked = cruft("check", cwd=project)
    assert checked.returncode == 1 and "out of date" in checked.stdout
    updated = cruft("update", "--skip-apply-ask", "--allow-untracked-files", cwd=project)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert cruft("check", cwd=project).returncode == 0
    assert state(project)["commit"] == run("git", "rev-parse", "v0.4.0^{commit}", cwd=template_remote).strip()
    assert lifecycle.check(project).current == "0.4.0"


def test_fleet_lists_every_project_and_updates_each_on_a_branch(template_remote, tmp_path):
    roots = tmp_path / "org"
    conflicted = new_project(template_remote, roots / "alpha", "0.2.0")
    edit_as_user(conflicted)
    behind = new_project(template_remote, roots / "beta", "0.3.0")
    current = new_project(template_remote, roots / "gamma", "0.4.0")
    code, output = refarch("fleet", str(roots), "--format", "json")
    assert code == 0, output
    rows = {Path(r["path"]).parent.name: r for r in json.loads(output)}
    assert {n: (r["version"], r["behind"], r["edited"], r["edition"]) for n, r in rows.items()} == {
        "alpha": ("0.2.0", 2, 2, "minimal"),
        "beta": ("0.3.0", 1, 0, "minimal"),
        "gamma": ("0.4.0", 0, 0, "minimal"),
    }
    assert "identity" in rows["alpha"]["components"] and "search" not in rows["alpha"]["components"]
    code, output = refarch("fleet", str(roots), "--format", "github-matrix")
    assert [Path(e["project"]).parent.name for e in json.loads(output)["include"]] == ["alpha", "beta"]

    heads = {p: run("git", "rev-parse", "HEAD", cwd=p) for p in (conflicted, behind, current)}
    code, output = refarch("fleet", "update", str(roots), "--branch", "template-0.4", "--no-synth", "--format", "json")
    assert code == 1
    outcomes = {Path(o["path"]).parent.name: o for o in json.loads(output)}
    assert {n: o["status"] for n, o in outcomes.items()} == {"alpha": "conflict", "beta": "updated", "gamma": "current"}
    assert outcomes["alpha"]["detail"] == "README.md"
    for project, head in heads.items():
        assert run("git", "rev-parse", "HEAD", cwd=project) == head
        assert run("git", "branch", "--show-current", cwd=project) == "main\n"
        assert run("git", "status", "--porcelain", cwd=project) == ""
    assert run("git", "branch", "--list", "template-0.4", cwd=conflicted) == ""
    message = run("git", "log", "-1", "--format=%B", "template-0.4", cwd=behind)
    assert message.startswith("Update the template from 0.3.0 to 0.4.0")
    assert (
        json.loads(run("git", "show", "template-0.4:.cruft.json", cwd=behind))["commit"]
        == run("git", "rev-parse", "v0.4.0^{commit}", cwd=template_remote).strip()
    )
