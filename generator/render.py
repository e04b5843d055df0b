"""Render the template atomically and record provenance the way cruft does.

The context is built with the same cookiecutter calls that `cruft create` makes, so
the project tree and its `.cruft.json` match what cruft would write.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cookiecutter.exceptions import CookiecutterException, FailedHookException
from cookiecutter.generate import generate_context, generate_files
from cookiecutter.prompt import prompt_for_config

from generator import provenance as provenance_file
from generator.errors import RefarchError
from generator.spec import SpecError

PACKAGE_DIR = Path(__file__).resolve().parent


class RenderError(RefarchError):
    """Rendering failed; nothing was written."""


def template_dir() -> Path:
    """The template bundled in the wheel, or the source checkout's root."""
    bundled = PACKAGE_DIR / "template"
    return bundled if (bundled / "cookiecutter.json").is_file() else PACKAGE_DIR.parent


def build_context(
    template: Path, answers: dict[str, str], *, location: str | None = None, commit: str | None = None
) -> dict:
    """`location` and `commit` say where the template is published (default: the directory and its HEAD)."""
    context = generate_context(
        context_file=str(template / "cookiecutter.json"), default_context={}, extra_context=answers
    )
    context["cookiecutter"] = prompt_for_config(context, no_input=True)
    context["cookiecutter"]["_template"] = location or str(template)
    context["cookiecutter"]["_commit"] = commit if location else provenance_file.git_commit(template)
    return context


def provenance(context: dict, *, template: Path, checkout: str | None = None) -> provenance_file.Provenance:
    return provenance_file.Provenance(
        template=context["cookiecutter"]["_template"],
        commit=context["cookiecutter"]["_commit"],
        checkout=checkout,
        version=provenance_file.template_version(template),
        context=context,
    )


TEMPLATE_PARTS = ("cookiecutter.json", "hooks", "{{cookiecutter.__project_dir}}")


@dataclass
class Rendered:
    """What a render did to the target folder, for the user to see."""

    project: Path
    replaced: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def render(answers: dict[str, str], output_dir: Path, **options) -> Path:
    """Render into a temporary directory beside the target, then move it into place (see render_project)."""
    return render_project(answers, output_dir, **options).project


def render_project(
    answers: dict[str, str],
    output_dir: Path,
    *,
    force: bool = False,
    template: Path | None = None,
    location: str | None = None,
    commit: str | None = None,
    checkout: str | None = None,
) -> Rendered:
    """Render atomically; with `force`, an existing target keeps everything the template does not write.

    `location`, `commit` and `checkout` are recorded in `.cruft.json`; for the bundled template
    they default to the repository it is published from.
    """
    if template is None and location is None:
        location, commit = provenance_file.bundled_source()
    template = template or template_dir()
    output_dir = output_dir.resolve()
    target = output_dir / answers["project_slug"]
    if target.exists() and not force:
        raise SpecError(f"--output-dir: {target} already exists; pass --force to replace it")
    if target.exists():
        _refuse_uncommitted_changes(target)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".refarch-", dir=output_dir))
    except OSError as problem:
        raise RenderError(f"--output-dir {output_dir}: {problem.strerror or problem}") from None
    try:
        context = build_context(template, answers, location=location, commit=commit)
        source = _template_parts(template, staging / ".template")
        project = Path(generate_files(repo_dir=str(source), context=context, output_dir=str(staging)))
        provenance_file.write(project, provenance(context, template=template, checkout=checkout))
        result = Rendered(target)
        if target.exists():
            result.replaced = _changed_files(project, target)
        _move_into_place(project, target, retired=staging / ".previous", kept=result.kept)
    except FailedHookException as problem:
        raise RenderError(f"template hook failed: {problem}") from None
    except CookiecutterException as problem:
        raise RenderError(f"rendering failed: {problem}") from None
    except OSError as problem:
        raise RenderError(f"cannot write {target}: {problem.strerror or problem}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _template_parts(template: Path, scratch: Path) -> Path:
    """Render from the template's own parts: never the rest of a checkout (.venv, build/, the output itself).

    cookiecutter reads only these parts, so the template is used in place unless pip's
    byte-compiling left `__pycache__` in them (an installed wheel); then only these parts are copied.
    """
    parts = [template / part for part in TEMPLATE_PARTS]
    if not any(next(part.rglob("__pycache__"), None) for part in parts if part.is_dir()):
        return template
    scratch.mkdir()
    for part in parts:
        if part.is_dir():
            shutil.copytree(part, scratch / part.name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(part, scratch / part.name)
    return scratch


def _refuse_uncommitted_changes(target: Path) -> None:
    """--force may overwrite tracked files: their uncommitted edits would be lost."""
    try:
        status = subprocess.run(
            ["git", "-C", str(target), "status", "--porcelain", "--", "."], capture_output=True, text=True
        )
    except OSError:
        return
    if status.returncode == 0 and status.stdout.strip():
        changed = len(status.stdout.splitlines())
        raise SpecError(
            f"--force: {target} has {changed} uncommitted change{'s' if changed != 1 else ''}; "
            "commit or stash them first (git stash -u), then run again"
        )


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def _changed_files(project: Path, target: Path) -> list[str]:
    """Files of the existing target that the new render overwrites with different bytes."""
    existing = _files(target)
    return sorted(
        name
        for name in _files(project)
        if name in existing and (target / name).read_bytes() != (project / name).read_bytes()
    )


def _carry_over(target: Path, project: Path, moved: list[str]) -> None:
    """Move every entry of the target that the template does not write (.git, user files) into the new project.

    A folder the template writes nothing in moves in one rename; `moved` grows as entries move,
    so that a failure can put each one back.
    """

    def walk(relative: Path) -> None:
        for entry in sorted((target / relative).iterdir()):
            name = relative / entry.name
            destination = project / name
            if not destination.exists() and not destination.is_symlink():
                destination.parent.mkdir(parents=True, exist_ok=True)
                entry.rename(destination)
                moved.append(name.as_posix())
            elif entry.is_dir() and not entry.is_symlink() and destination.is_dir():
                walk(name)

    walk(Path())


def _move_into_place(project: Path, target: Path, *, retired: Path, kept: list[str]) -> None:
    """Swap the new project in, keeping what the template does not write; on failure, everything goes back."""
    retired_old = False
    try:
        if target.exists():
            _carry_over(target, project, kept)
            target.rename(retired)
            retired_old = True
        project.rename(target)
    except OSError:
        old = retired if retired_old else target
        for name in reversed(kept):
            (old / name).parent.mkdir(parents=True, exist_ok=True)
            (project / name).rename(old / name)
        if retired_old:
            retired.rename(target)
        raise
