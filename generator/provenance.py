"""`.cruft.json`: where a project came from (template location, commit, version) and its answers.

This is the one module that reads and writes the file. It keeps the shape cruft writes
(`template`, `commit`, `checkout`, `context`, `directory`) so `cruft check` and `cruft update`
keep working; refarch adds only `_template_version` inside the cookiecutter context, which
cruft carries along and drops when it regenerates the context itself (then the version is
found again from the commit's tag).
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

from generator.errors import RefarchError

CRUFT_FILE = ".cruft.json"
VERSION_KEY = "_template_version"
PACKAGE_DIR = Path(__file__).resolve().parent
# Written into the wheel by hatch_build.py: the repository the bundled template is published from.
BAKED_SOURCE = PACKAGE_DIR / "_source.json"
VERSION_RE = re.compile(r'^TEMPLATE_VERSION = "([^"]+)"', re.M)


class ProvenanceError(RefarchError):
    """A project's `.cruft.json` is missing or unreadable; str() is one line."""


@dataclass(frozen=True)
class Provenance:
    template: str
    commit: str | None
    checkout: str | None
    version: str | None
    context: dict

    @property
    def answers(self) -> dict[str, object]:
        """The public answers (cookiecutter's private `_` keys left out)."""
        return {k: v for k, v in self.context["cookiecutter"].items() if not k.startswith("_")}

    def state(self) -> dict:
        context = json.loads(json.dumps(self.context))
        cookiecutter = context["cookiecutter"]
        cookiecutter["_template"], cookiecutter["_commit"] = self.template, self.commit
        if self.version:
            cookiecutter[VERSION_KEY] = self.version
        else:
            cookiecutter.pop(VERSION_KEY, None)
        return {
            "template": self.template,
            "commit": self.commit,
            "checkout": self.checkout,
            "context": context,
            "directory": None,
        }

    def dumps(self) -> str:
        """The bytes cruft writes for the same state."""
        return json.dumps(self.state(), ensure_ascii=False, indent=2, separators=(",", ": ")) + "\n"


def read(project: Path) -> Provenance:
    path = project / CRUFT_FILE
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        cookiecutter = state["context"]["cookiecutter"]
        template = state["template"]
    except FileNotFoundError:
        raise ProvenanceError(f"{project}: no {CRUFT_FILE}; it was not rendered by refarch or cruft") from None
    except (OSError, ValueError, KeyError, TypeError) as problem:
        raise ProvenanceError(f"{path}: not cruft provenance ({type(problem).__name__}: {problem})") from None
    return Provenance(
        template=template,
        commit=state.get("commit"),
        checkout=state.get("checkout"),
        version=cookiecutter.get(VERSION_KEY),
        context=state["context"],
    )


def write(project: Path, provenance: Provenance) -> None:
    (project / CRUFT_FILE).write_text(provenance.dumps(), encoding="utf-8")


def template_version(template: Path) -> str | None:
    """The version a template directory declares in its generator/spec.py (read, not imported)."""
    spec_file = template / "generator" / "spec.py"
    if not spec_file.is_file():
        from generator import spec  # the wheel's template: its spec is this package's

        return spec.TEMPLATE_VERSION if template.resolve().parent == PACKAGE_DIR else None
    match = VERSION_RE.search(spec_file.read_text(encoding="utf-8"))
    return match[1] if match else None


def git_commit(directory: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(directory), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip() or None


def bundled_source() -> tuple[str, str | None]:
    """Where the template bundled with refarch is published, and at which commit.

    A wheel carries both, baked in at build time; a source checkout reports its `origin`
    remote (else the repository named in pyproject.toml) and its HEAD.
    """
    if BAKED_SOURCE.is_file():
        baked = json.loads(BAKED_SOURCE.read_text(encoding="utf-8"))
        return baked["repository"], baked.get("commit")
    checkout = PACKAGE_DIR.parent
    origin = subprocess.run(["git", "-C", str(checkout), "remote", "get-url", "origin"], capture_output=True, text=True)
    location = origin.stdout.strip() if origin.returncode == 0 and origin.stdout.strip() else canonical_repository()
    return without_credentials(location), git_commit(checkout)


def without_credentials(location: str) -> str:
    """A URL as it may be recorded in a file that is committed: no user or token in it."""
    return re.sub(r"^([a-z+]+://)[^/@]+@", r"\1", location)


def canonical_repository(pyproject: Path = PACKAGE_DIR.parent / "pyproject.toml") -> str:
    """The repository URL declared in pyproject.toml ([project.urls] Repository)."""
    try:
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["urls"]["Repository"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        raise ProvenanceError(f"{pyproject}: no [project.urls] Repository to record as the template") from None
