"""Shared fixtures: the template root, isolated cookiecutter config, rendering helpers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator import answers, render

ROOT = Path(__file__).resolve().parent.parent
NODE22 = ROOT / ".tools" / "node_modules" / ".bin" / "node"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-inventories", action="store_true", help="rewrite tests/inventories/*.txt")


@pytest.fixture(scope="session", autouse=True)
def _synth_environment():
    """Deprecated CDK APIs fail; jsii uses a supported Node.js when one is installed in .tools/."""
    os.environ.setdefault("JSII_DEPRECATED", "fail")
    if NODE22.exists():
        os.environ.setdefault("JSII_NODE", str(NODE22))


@pytest.fixture
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's ~/.cookiecutterrc or replay directory must not leak into cruft or cookiecutter runs."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("COOKIECUTTER_CONFIG", raising=False)
    return home


def render_with_refarch(given: dict[str, str], output_dir: Path, **kwargs) -> Path:
    return render.render(answers.resolve(given), output_dir, **kwargs)


def checkout_files() -> list[str]:
    """The checkout's tracked and unignored files, relative, without the running virtual environment
    wherever it sits (a venv inside the checkout need not be named in .gitignore)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    venv = Path(sys.prefix).resolve()
    return [relative for relative in filter(None, listed) if not (ROOT / relative).resolve().is_relative_to(venv)]


def tree(directory: Path, *, exclude: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every file below `directory`, by relative path, with its bytes."""
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.relative_to(directory).as_posix() not in exclude
    }


@pytest.fixture(scope="session")
def template_remote(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare repository with the template's tagged releases (tests/template_releases.py)."""
    from .template_releases import build_template_remote

    return build_template_remote(tmp_path_factory)


def run_own_tests(project: Path) -> subprocess.CompletedProcess:
    """The rendered project's own pytest suite, as its `make test` runs it (deprecated CDK APIs fail)."""
    env = {**os.environ, "JSII_DEPRECATED": "fail", "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
