"""The README's first commands are the Makefile's targets, and CI runs them in the README's order."""

from __future__ import annotations

import re
import shlex

from .conftest import ROOT


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
