"""The installed artefact carries the template: build the wheel, install it in a clean venv, render."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from generator import answers, render

from .conftest import ROOT, tree

# pip wheel fetches the build backend (hatchling); the clean venv installs the dependencies.
pytestmark = pytest.mark.registry


@pytest.fixture(scope="module")
def published_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare clone of this checkout, standing in for the repository the wheel's template is published from."""
    remote = tmp_path_factory.mktemp("published") / "refarch.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(ROOT), str(remote)], check=True)
    return remote


@pytest.fixture(scope="module")
def installed_refarch(tmp_path_factory: pytest.TempPathFactory, published_repository: Path) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    baked = {**os.environ, "REFARCH_TEMPLATE_URL": str(published_repository)}
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        env=baked,
    )
    wheel = next(dist.glob("refarch-*.whl"))
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-c", str(ROOT / "constraints.txt"), str(wheel)],
        check=True,
        capture_output=True,
    )
    return env_dir / "bin" / "refarch"


def test_installed_wheel_renders_the_same_project_as_the_source_tree(installed_refarch, tmp_path):
    rendered = subprocess.run(
        [str(installed_refarch), "new", "--no-input", "--edition", "full", "--output-dir", str(tmp_path / "wheel")],
        capture_output=True,
        text=True,
    )
    assert rendered.returncode == 0, rendered.stderr
    source = render.render(answers.resolve({"edition": "full"}), tmp_path / "source")
    assert tree(tmp_path / "wheel" / "modern-app", exclude=(".cruft.json",)) == tree(source, exclude=(".cruft.json",))


def test_installed_wheel_validates_in_its_hooks_without_the_source_tree(installed_refarch, tmp_path):
    refused = subprocess.run(
        [str(installed_refarch), "new", "--no-input", "--set", "dev_account_id=1", "--output-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert refused.returncode == 2 and "option 'dev_account_id'" in refused.stderr
    assert not any(tmp_path.iterdir())


def test_a_project_rendered_from_the_wheel_records_the_published_repository(
    installed_refarch, published_repository, tmp_path, isolated_home
):
    """The wheel's own path would exist only on this machine; cruft must be able to clone what is recorded."""
    rendered = subprocess.run(
        [str(installed_refarch), "new", "--no-input", "--edition", "minimal", "--output-dir", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert rendered.returncode == 0, rendered.stderr
    project = tmp_path / "modern-app"
    state = json.loads((project / ".cruft.json").read_text())
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert (state["template"], state["commit"]) == (str(published_repository), head.strip())
    checked = subprocess.run([sys.executable, "-m", "cruft", "check"], cwd=project, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
