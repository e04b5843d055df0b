"""Render the template atomically and record provenance the way cruft does.

The context is built with the same cookiecutter calls that `cruft create` makes, so
the project tree and its `.cruft.json` match what cruft would write.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from cookiecutter.exceptions import CookiecutterException, FailedHookException
from cookiecutter.generate import generate_context, generate_files
from cookiecutter.prompt import prompt_for_config

from generator import provenance as provenance_file
from generator.spec import SpecError

PACKAGE_DIR = Path(__file__).resolve().parent


class RenderError(RuntimeError):
    """Rendering failed; nothing was written."""


def template_dir() -> Path:
    """The template bundled in the wheel, or the source checkout's root."""
    bundled = PACKAGE_DIR / "template"
    return bundled if (bundled / "cookiecutter.json").is_file() else PACKAGE_DIR.parent


def template_commit(template: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(template), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip() or None


def build_context(template: Path, answers: dict[str, str], *, location: str | None = None,
                  commit: str | None = None) -> dict:
    """`location` and `commit` say where the template is published (default: the directory and its HEAD)."""
    context = generate_context(
        context_file=str(template / "cookiecutter.json"), default_context={}, extra_context=answers
    )
    context["cookiecutter"] = prompt_for_config(context, no_input=True)
    context["cookiecutter"]["_template"] = location or str(template)
    context["cookiecutter"]["_commit"] = commit if location else template_commit(template)
    return context


def provenance(context: dict, *, template: Path, checkout: str | None = None) -> str:
    return provenance_file.Provenance(
        template=context["cookiecutter"]["_template"], commit=context["cookiecutter"]["_commit"], checkout=checkout,
        version=provenance_file.template_version(template), context=context,
    ).dumps()


def render(answers: dict[str, str], output_dir: Path, *, force: bool = False, template: Path | None = None,
           location: str | None = None, commit: str | None = None, checkout: str | None = None) -> Path:
    """Render into a temporary directory beside the target, then move it into place.

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
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".refarch-", dir=output_dir))
    except OSError as problem:
        raise RenderError(f"--output-dir {output_dir}: {problem.strerror or problem}") from None
    try:
        context = build_context(template, answers, location=location, commit=commit)
        source = _without_bytecode(template, staging / ".template")
        project = Path(generate_files(repo_dir=str(source), context=context, output_dir=str(staging)))
        (project / ".cruft.json").write_text(provenance(context, template=template, checkout=checkout),
                                             encoding="utf-8")
        _move_into_place(project, target, retired=staging / ".previous")
    except FailedHookException as problem:
        raise RenderError(f"template hook failed: {problem}") from None
    except CookiecutterException as problem:
        raise RenderError(f"rendering failed: {problem}") from None
    except OSError as problem:
        raise RenderError(f"cannot write {target}: {problem.strerror or problem}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _without_bytecode(template: Path, scratch: Path) -> Path:
    """pip byte-compiles the template inside an installed wheel; render from a copy without __pycache__."""
    if not any(template.rglob("__pycache__")):
        return template
    shutil.copytree(template, scratch, ignore=shutil.ignore_patterns("__pycache__"))
    return scratch


def _move_into_place(project: Path, target: Path, *, retired: Path) -> None:
    """Swap the new project in; if that fails, the old one goes back where it was."""
    had_previous = target.exists()
    if had_previous:
        target.rename(retired)
    try:
        project.rename(target)
    except OSError:
        if had_previous:
            retired.rename(target)
        raise
