"""The repository itself: the README's first commands are the Makefile's targets, CI runs them in the
README's order, and the generator's own Python is `ruff format` and `ruff check` clean."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest

from .conftest import ROOT

# Every Python file of the generator; the template's project folder is checked once rendered (test_render).
GENERATOR_PYTHON = ("generator", "tests", "benchmarks", "hooks", "hatch_build.py")


def readme_make_commands() -> list[str]:
    """`make` targets of the README's first shell block, in order."""
    block = re.search(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL).group(1)
    commands = [shlex.split(line.split("#", 1)[0]) for line in block.splitlines() if line.strip()]
    return [words[1] for words in commands if words[:1] == ["make"]]


def test_every_readme_command_is_a_makefile_target():
    targets = set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), re.MULTILINE))
    commands = readme_make_commands()
    assert commands[:2] == ["demo", "test"]
    assert set(commands) <= targets


def test_ci_runs_the_readme_commands_in_order():
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    made = [line.split()[1] for line in lines if line.startswith("make ")]
    assert made == readme_make_commands()[:2]


@pytest.mark.parametrize("command", [["format", "--check"], ["check"]], ids=["ruff format", "ruff check"])
def test_the_generators_python_is_ruff_clean(command):
    """With the settings in pyproject.toml (line length, rules), as `ruff` run at the root applies them."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "--no-cache", *GENERATOR_PYTHON],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
