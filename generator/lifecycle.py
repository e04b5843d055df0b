"""A rendered project against its template: `refarch check` and `refarch diff`, and what update builds on.

Every comparison is made against a pristine render: the template at the recorded commit,
rendered again with the recorded answers. Answers for another version are migrated and
validated by that version's own `generator/spec.py`, not by the spec refarch was installed with.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType

from generator import provenance, template_source
from generator.errors import RefarchError
from generator.provenance import Provenance

# Never part of a project's own files: tool state, build output, dependencies.
IGNORED_DIRS = {".git", ".venv", "node_modules", "cdk.out", "__pycache__", ".pytest_cache", ".ruff_cache", "dist"}


class LifecycleError(RefarchError):
    """The project or its template cannot be compared or updated; str() is one line."""


# --------------------------------------------------------------------------- a template's own spec


def load_spec(template: Path) -> ModuleType:
    """The `generator/spec.py` of a template checkout, imported under a name of its own."""
    spec_file = template / "generator" / "spec.py"
    if not spec_file.is_file():
        from generator import spec

        return spec
    name = f"_refarch_template_spec_{abs(hash(str(spec_file.resolve())))}"
    if name in sys.modules:
        return sys.modules[name]
    module_spec = importlib.util.spec_from_file_location(name, spec_file)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    module_spec.loader.exec_module(module)
    return module


def complete_answers(template: Path, given: dict[str, object]) -> dict[str, str]:
    """Given answers checked and completed by the template's own spec (defaults from its cookiecutter.json)."""
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    template_spec = load_spec(template)
    try:
        for name, value in given.items():
            template_spec.check_value(name, template_spec.coerce(name, value))
        context = generate_context(
            context_file=str(template / "cookiecutter.json"),
            default_context={},
            extra_context={k: template_spec.coerce(k, v) for k, v in given.items()},
        )
        resolved = prompt_for_config(context, no_input=True)
        return template_spec.validate({o.name: resolved[o.name] for o in template_spec.OPTIONS})
    except ValueError as problem:  # the template's SpecError
        raise LifecycleError(str(problem)) from None


def migrate(template: Path, answers: dict[str, object], from_version: str | None) -> tuple[dict, list[str]]:
    """The answers after every migration the template declares since `from_version`, and their descriptions."""
    template_spec = load_spec(template)
    if not from_version or not hasattr(template_spec, "migrate"):
        return dict(answers), []
    migrated, applied = template_spec.migrate(dict(answers), from_version)
    return migrated, [f"{m.version}: {m.describe()}" for m in applied]


# --------------------------------------------------------------------------- pristine renders


def template_checkout(
    recorded: Provenance, scratch: Path, ref: str | None, *, name: str, location: str | None = None
) -> template_source.Checkout:
    """The template at `ref` (default: the recorded commit), cloned once per scratch directory."""
    from generator import render, spec

    location = location or recorded.template
    wanted = ref or recorded.commit
    try:
        repository = template_source.Repository(location, scratch)
        return repository.checkout(wanted, scratch / name)
    except template_source.TemplateSourceError as problem:
        bundled_location, bundled_commit = provenance.bundled_source()
        same_release = ref is None and (recorded.commit == bundled_commit or recorded.version == spec.TEMPLATE_VERSION)
        if location == bundled_location and same_release:
            return template_source.Checkout(
                render.template_dir(), location, bundled_commit, None, spec.TEMPLATE_VERSION
            )
        raise LifecycleError(f"{problem}; pass --template PATH|URL to use another copy") from None


def render_pristine(checkout: template_source.Checkout, answers: dict[str, object], into: Path) -> Path:
    from generator import render

    try:
        return render.render(
            dict(answers),
            into,
            template=checkout.directory,
            location=checkout.location,
            commit=checkout.commit,
            checkout=checkout.ref,
        )
    except (render.RenderError, ValueError) as problem:
        raise LifecycleError(f"rendering the template at {checkout.ref or checkout.commit}: {problem}") from None


def project_files(project: Path) -> dict[str, bytes]:
    """The project's files as git sees them (tracked and untracked, not ignored), else every file on disk."""
    listed = subprocess.run(
        ["git", "-C", str(project), "ls-files", "-z", "--cached", "--others", "--exclude-standard"], capture_output=True
    )
    inside = subprocess.run(["git", "-C", str(project), "rev-parse", "--show-prefix"], capture_output=True, text=True)
    if listed.returncode == 0 and inside.returncode == 0:
        names = [n for n in listed.stdout.decode().split("\0") if n]
    else:
        names = []
        for root, dirs, files in os.walk(project):
            dirs[:] = [d for d in dirs if d not in IGNORED_DIRS]
            names.extend(str(Path(root, f).relative_to(project)) for f in files)
    return {name: (project / name).read_bytes() for name in sorted(names) if (project / name).is_file()}


# --------------------------------------------------------------------------- check


@dataclass
class Status:
    project: str
    template: str
    current: str | None
    latest: str | None
    behind: int
    newer: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def up_to_date(self) -> bool:
        return self.behind == 0

    def as_dict(self) -> dict:
        return {**asdict(self), "up_to_date": self.up_to_date}


def check(project: Path, *, tags: dict[str, str] | None = None) -> Status:
    """The recorded version against the newest `vX.Y.Z` tag at the recorded template location."""
    from generator import spec

    recorded = provenance.read(project)
    note = ""
    try:
        tags = template_source.version_tags(recorded.template) if tags is None else tags
    except template_source.TemplateSourceError as problem:
        if recorded.template != provenance.bundled_source()[0]:
            raise LifecycleError(str(problem)) from None
        tags, note = {spec.TEMPLATE_VERSION: ""}, "template repository unreachable: compared with the bundled template"
    current = recorded.version or template_source.version_of_commit(tags, recorded.commit)
    if current is None:
        raise LifecycleError(f"{project}: commit {recorded.commit} of {recorded.template} is no tagged version")
    newer = [v for v in tags if spec.version_key(v) > spec.version_key(current)]
    return Status(
        str(project), recorded.template, current, template_source.latest_version(tags), len(newer), newer, note
    )


def current_version(recorded: Provenance, checkout: template_source.Checkout) -> str | None:
    return recorded.version or checkout.version


# --------------------------------------------------------------------------- diff


@dataclass
class Drift:
    """The project's own edits against a pristine render of its recorded version and answers."""

    modified: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)  # path -> (pristine, project)
    deleted: dict[str, bytes] = field(default_factory=dict)
    added: dict[str, bytes] = field(default_factory=dict)

    @property
    def edited(self) -> int:
        return len(self.modified) + len(self.deleted)

    def __bool__(self) -> bool:
        return bool(self.modified or self.deleted or self.added)

    def patch(self) -> str:
        chunks = []
        for path, (before, after) in self.modified.items():
            chunks.append(_unified(path, before, after))
        for path, before in self.deleted.items():
            chunks.append(_unified(path, before, None))
        for path, after in self.added.items():
            chunks.append(_unified(path, None, after))
        return "".join(chunks)

    def stat(self) -> str:
        rows = [(p, "modified") for p in self.modified] + [(p, "deleted") for p in self.deleted]
        rows += [(p, "added") for p in self.added]
        lines = [f" {status:8} {path}" for path, status in sorted(rows)]
        lines.append(f" {len(self.modified)} modified, {len(self.deleted)} deleted, {len(self.added)} added")
        return "\n".join(lines) + "\n"


def _lines(data: bytes | None) -> list[str] | None:
    if data is None:
        return []
    try:
        return data.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return None


def _unified(path: str, before: bytes | None, after: bytes | None) -> str:
    old, new = _lines(before), _lines(after)
    header = f"diff --refarch a/{path} b/{path}\n"
    if old is None or new is None:
        return header + f"Binary files a/{path} and b/{path} differ\n"
    text = "".join(
        difflib.unified_diff(
            old, new, "/dev/null" if before is None else f"a/{path}", "/dev/null" if after is None else f"b/{path}"
        )
    )
    return header + text + ("" if text.endswith("\n") else "\n\\ No newline at end of file\n")


def drift(project: Path, scratch: Path, *, location: str | None = None) -> Drift:
    recorded = provenance.read(project)
    checkout = template_checkout(recorded, scratch, None, name="recorded", location=location)
    pristine = render_pristine(checkout, recorded.answers, scratch / "pristine")
    return compare_trees(project_files(pristine), project_files(project))


def compare_trees(pristine: dict[str, bytes], ours: dict[str, bytes]) -> Drift:
    result = Drift()
    for path in sorted(set(pristine) | set(ours)):
        if path == provenance.CRUFT_FILE:
            continue
        if path not in ours:
            result.deleted[path] = pristine[path]
        elif path not in pristine:
            result.added[path] = ours[path]
        elif pristine[path] != ours[path]:
            result.modified[path] = (pristine[path], ours[path])
    return result
