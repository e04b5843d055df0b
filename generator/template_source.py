"""Template repositories: a location (path or git URL) and a ref, fetched into a scratch directory.

Releases are git tags `vX.Y.Z`; the newest tag is the latest version. Only git is used, so a
platform team's fork on any git host, a local path or a bare repository all work the same.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from generator import provenance, spec
from generator.errors import RefarchError

TAG_PREFIX = "v"


class TemplateSourceError(RefarchError):
    """A template location or ref that cannot be read; str() is one line."""


@dataclass(frozen=True)
class Checkout:
    """A template's files at one commit, in a local directory."""

    directory: Path
    location: str
    commit: str | None
    ref: str | None
    version: str | None


def split_ref(value: str) -> tuple[str, str | None]:
    """`PATH|URL[@REF]` -> (location, ref); `git@host:org/repo` keeps its user part."""
    location, at, ref = value.rpartition("@")
    if not at or not location or not ref or ":" in ref:
        return value, None
    return location, ref


def normalise_location(location: str) -> str:
    """A local path is recorded absolute, so it means the same from any working directory."""
    if "://" in location or (":" in location and not Path(location).exists()):
        return location
    return str(Path(location).expanduser().resolve())


def _git(*args: str, cwd: Path | None = None) -> str:
    # Never wait for a password prompt: an unreachable or private template is an error, not a hang.
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    )
    if result.returncode != 0:
        raise TemplateSourceError(f"git {args[0]}: {result.stderr.strip().splitlines()[-1:] or ['failed']}"[:300])
    return result.stdout


def version_tags(location: str) -> dict[str, str]:
    """Every `vX.Y.Z` tag at the location: version -> commit (annotated tags peeled)."""
    try:
        listed = _git("ls-remote", "--tags", location)
    except TemplateSourceError as problem:
        raise TemplateSourceError(f"template {location} is not reachable ({problem})") from None
    tags: dict[str, str] = {}
    for line in listed.splitlines():
        sha, _, ref = line.partition("\t")
        name = ref.removeprefix("refs/tags/")
        peeled = name.endswith("^{}")
        name = name.removesuffix("^{}")
        try:
            spec.version_key(name)
        except spec.SpecError:
            continue
        if not name.startswith(TAG_PREFIX):
            continue
        if peeled or name[1:] not in tags:
            tags[name[1:]] = sha
    return dict(sorted(tags.items(), key=lambda item: spec.version_key(item[0])))


def latest_version(tags: dict[str, str]) -> str | None:
    return next(reversed(tags), None)


def version_of_commit(tags: dict[str, str], commit: str | None) -> str | None:
    return next((version for version, sha in tags.items() if sha == commit), None)


class Repository:
    """One local clone of a template location, for as many checkouts as an update needs."""

    def __init__(self, location: str, scratch: Path) -> None:
        self.location = location
        self.clone = scratch / "template.git"
        if not self.clone.exists():
            try:
                _git("clone", "--quiet", "--bare", location, str(self.clone))
            except TemplateSourceError as problem:
                raise TemplateSourceError(f"template {location} cannot be cloned ({problem})") from None

    def resolve(self, ref: str | None) -> str:
        target = ref or "HEAD"
        for candidate in (target, f"refs/tags/{target}", f"refs/tags/{TAG_PREFIX}{target}"):
            result = subprocess.run(
                ["git", "-C", str(self.clone), "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}"],
                capture_output=True,
                text=True,
            )
            if result.returncode == 0:
                return result.stdout.strip()
        raise TemplateSourceError(f"--to {target}: no such tag, branch or commit in template {self.location}")

    def checkout(self, ref: str | None, directory: Path) -> Checkout:
        """The files of `ref` (default: the default branch) extracted into `directory`."""
        commit = self.resolve(ref)
        archive = subprocess.run(
            ["git", "-C", str(self.clone), "archive", "--format=tar", commit], capture_output=True, check=True
        )
        directory.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(directory, filter="tar")
        location = provenance.without_credentials(self.location)  # cloned with them, recorded without
        return Checkout(directory, location, commit, ref, provenance.template_version(directory))


def fetch(value: str, scratch: Path) -> Checkout:
    """`PATH|URL[@REF]` as a local checkout; a plain directory (not git) is used where it is."""
    location, ref = split_ref(value)
    location = normalise_location(location)
    local = Path(location)
    if local.is_dir() and ref is None and not (local / ".git").exists() and not (local / "HEAD").is_file():
        if not (local / "cookiecutter.json").is_file():
            raise TemplateSourceError(f"--template {value}: no cookiecutter.json there")
        return Checkout(local, location, None, None, provenance.template_version(local))
    checkout = Repository(location, scratch).checkout(ref, scratch / "checkout")
    if not (checkout.directory / "cookiecutter.json").is_file():
        raise TemplateSourceError(f"--template {value}: no cookiecutter.json at {checkout.commit}")
    return checkout
