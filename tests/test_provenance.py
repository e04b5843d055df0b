"""Provenance: `refarch new` writes the `.cruft.json` that `cruft create` writes, and cruft understands it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import answers, provenance, render, spec

from .conftest import ROOT, checkout_files, tree

GIVEN = {"edition": "app", "project_name": "Order Desk"}


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as a git repository of its own, the way a platform team publishes it."""
    repo = tmp_path_factory.mktemp("template")
    for relative in checkout_files():
        source = ROOT / relative
        if source.is_file():
            (repo / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / relative)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "template"], cwd=repo, check=True)
    return repo


def cruft(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cruft", *args], cwd=cwd, capture_output=True, text=True)


def test_cruft_create_and_refarch_new_write_identical_projects(template_repo, tmp_path, isolated_home):
    created = cruft(
        "create",
        str(template_repo),
        "--no-input",
        "--extra-context",
        json.dumps(GIVEN),
        "--output-dir",
        str(tmp_path / "cruft"),
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    ours = render.render(answers.resolve(GIVEN), tmp_path / "refarch", template=template_repo)
    theirs = tmp_path / "cruft" / "order-desk"
    assert tree(ours, exclude=(".cruft.json",)) == tree(theirs, exclude=(".cruft.json",))
    recorded = json.loads((ours / ".cruft.json").read_text())
    assert recorded["context"]["cookiecutter"].pop("_template_version") == spec.TEMPLATE_VERSION
    assert recorded == json.loads((theirs / ".cruft.json").read_text())


def test_cruft_check_accepts_the_provenance_refarch_writes(template_repo, tmp_path, isolated_home):
    project = render.render(answers.resolve(GIVEN), tmp_path, template=template_repo)
    state = json.loads((project / ".cruft.json").read_text())
    assert state["template"] == str(template_repo) and len(state["commit"]) == 40
    assert state["context"]["cookiecutter"]["project_name"] == "Order Desk"
    checked = cruft("check", cwd=project)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_render_from_a_checkout_records_the_repository_it_was_cloned_from(
    template_repo, tmp_path, isolated_home, monkeypatch
):
    """Not the checkout's path: its origin, which cruft can clone from anywhere."""
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(template_repo), str(checkout)], check=True)
    monkeypatch.setattr(provenance, "PACKAGE_DIR", checkout / "generator")
    monkeypatch.setattr(render, "template_dir", lambda: checkout)
    project = render.render(answers.resolve(GIVEN), tmp_path / "out")
    state = json.loads((project / ".cruft.json").read_text())
    head = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert (state["template"], state["commit"]) == (str(template_repo), head.strip())
    checked = cruft("check", cwd=project)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_without_an_origin_the_checkout_records_the_repository_named_in_pyproject(monkeypatch):
    monkeypatch.setattr(provenance, "PACKAGE_DIR", Path("/nonexistent/generator"))
    assert provenance.bundled_source() == ("https://github.com/your-org/refarch", None)


def test_a_recorded_url_carries_no_credentials():
    assert provenance.without_credentials("https://ci:s3cret@git.example.com/org/refarch.git") == (
        "https://git.example.com/org/refarch.git"
    )
    assert provenance.without_credentials("git@github.com:org/refarch.git") == "git@github.com:org/refarch.git"
