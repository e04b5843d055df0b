"""A template repository with three tagged releases, built from this checkout, behind a bare "remote".

- v0.2.0: this checkout;
- v0.3.0: renames `api_xray` to `api_tracing` (a migration), changes the README sentence the
  user edits (a conflict) and the Makefile the user does not (clean), deletes constraints.txt,
  adds a `runbook` component (off by default) and changes the table's partition key (a
  replacement of a stateful resource);
- v0.4.0: renames `api_tracing` to `xray_tracing` (a second migration).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app

from .conftest import ROOT, checkout_files

PROJECT_DIR = "{{cookiecutter.__project_dir}}"
GIT = ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com"]
ORIGINAL_SENTENCE = "Dev is disposable: destroying it deletes its data."
USER_SENTENCE = "Dev is yours to break: destroying it deletes its data."
TEMPLATE_SENTENCE = "Dev is disposable by design: destroying it deletes its data."
REST_OF_LINE = " Prod keeps its stateful resources\n"
runner = CliRunner()


def run(*args: str, cwd: Path) -> str:
    return subprocess.run(list(args), cwd=cwd, check=True, capture_output=True, text=True).stdout


def refarch(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def rename_everywhere(repo: Path, old: str, new: str) -> None:
    for path in repo.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            if old in text:
                path.write_text(text.replace(old, new), encoding="utf-8")


def release(repo: Path, version: str, migration: str) -> None:
    """Bump the version, declare the migration, regenerate cookiecutter.json from the edited spec, tag."""
    spec_file = repo / "generator" / "spec.py"
    text = re.sub(r'TEMPLATE_VERSION = "[^"]+"', f'TEMPLATE_VERSION = "{version}"', spec_file.read_text())
    if migration and "MIGRATIONS: tuple[Migration, ...] = ()" in text:
        text = text.replace(
            "MIGRATIONS: tuple[Migration, ...] = ()", f"MIGRATIONS: tuple[Migration, ...] = ({migration},)"
        )
    elif migration:
        text = text.replace(
            "MIGRATIONS: tuple[Migration, ...] = (", f"MIGRATIONS: tuple[Migration, ...] = ({migration}, "
        )
    spec_file.write_text(text)
    generated = subprocess.run(
        [sys.executable, "-c", "from generator import spec; print(spec.render_cookiecutter_json(), end='')"],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    (repo / "cookiecutter.json").write_text(generated)
    run("git", "add", "-A", cwd=repo)
    run(*GIT, "commit", "-q", "-m", f"Release {version}", cwd=repo)
    run("git", "tag", f"v{version}", cwd=repo)


def build_template_remote(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("template-work")
    for relative in checkout_files():
        source = ROOT / relative
        if source.is_file():
            (work / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, work / relative)
    run("git", "init", "-q", "-b", "main", cwd=work)
    release(work, "0.2.0", "")

    project = work / PROJECT_DIR
    rename_everywhere(work, "api_xray", "api_tracing")
    edit(project / "README.md", ORIGINAL_SENTENCE, TEMPLATE_SENTENCE)
    (project / "Makefile").write_text((project / "Makefile").read_text() + "\n# Keep the lock file current.\n")
    (project / "constraints.txt").unlink()
    (project / "RUNBOOK.md").write_text("# {{ cookiecutter.project_name }} runbook\n\nWho to call.\n")
    edit(project / "{{cookiecutter.package_name}}" / "data" / "infrastructure.py", 'name="pk"', 'name="id"')
    spec_file = work / "generator" / "spec.py"
    edit(
        spec_file,
        "OPTIONS: tuple[Option, ...] = _options()",
        "OPTIONS: tuple[Option, ...] = _options() + (\n"
        '    Option("runbook", "toggle", NO, "An operations runbook.", choices=TOGGLE, group="components"),\n)',
    )
    edit(
        spec_file,
        "COMPONENTS: tuple[Component, ...] = (",
        "COMPONENTS: tuple[Component, ...] = (\n"
        '    Component("runbook", "Operations runbook", "identity", (), enabled_when=(on("runbook"),),\n'
        '              paths=("RUNBOOK.md",)),',
    )
    release(work, "0.3.0", 'Migration("0.3.0", "rename_option", "api_xray", new_name="api_tracing")')

    rename_everywhere(work, "api_tracing", "xray_tracing")
    edit(
        spec_file,
        'Migration("0.3.0", "rename_option", "api_xray", new_name="xray_tracing")',
        'Migration("0.3.0", "rename_option", "api_xray", new_name="api_tracing")',
    )
    release(work, "0.4.0", 'Migration("0.4.0", "rename_option", "api_tracing", new_name="xray_tracing")')

    remote = tmp_path_factory.mktemp("remote") / "refarch.git"
    run("git", "clone", "-q", "--bare", str(work), str(remote), cwd=work)
    return remote


_RENDERED: dict[tuple, Path] = {}


def new_project(remote: Path, where: Path, version: str, *extra: str) -> Path:
    """`refarch new --template REMOTE@vVERSION` (each answer set rendered once, then copied), committed in git."""
    project = where / "modern-app"
    key = (remote, version, extra)
    if key in _RENDERED:
        shutil.copytree(_RENDERED[key], project)
    else:
        code, output = refarch(
            "new", "--template", f"{remote}@v{version}", "--edition", "minimal", "--output-dir", str(where), *extra
        )
        assert code == 0, output
        _RENDERED[key] = remote.parent / "renders" / str(len(_RENDERED))
        shutil.copytree(project, _RENDERED[key])
    run("git", "init", "-q", "-b", "main", cwd=project)
    run("git", "add", "-A", cwd=project)
    run(*GIT, "commit", "-q", "-m", "Generated", cwd=project)
    return project


def commit_all(project: Path, message: str) -> None:
    run("git", "add", "-A", cwd=project)
    run(*GIT, "commit", "-q", "-m", message, cwd=project)


def edit_as_user(project: Path) -> None:
    edit(project / "README.md", ORIGINAL_SENTENCE, USER_SENTENCE)
    (project / "app.py").write_text((project / "app.py").read_text() + "# Our own note.\n")
    commit_all(project, "Our edits")


def state(project: Path) -> dict:
    return json.loads((project / ".cruft.json").read_text())
