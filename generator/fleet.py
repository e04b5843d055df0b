"""Every refarch project under some roots: which version each is on, how far behind, how far it drifted.

`fleet update` gives each project a new branch with the update committed, made in a linked
work tree so that the branch the project has checked out is never touched. For more projects
than one machine should take, `matrix` emits the list a CI system's own runners fan out.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from generator import lifecycle, provenance, template_source, update
from generator.errors import RefarchError

SKIPPED_DIRS = lifecycle.IGNORED_DIRS | {".tox", "build"}
Progress = Callable[[str], None]


@dataclass
class Row:
    path: str
    version: str | None = None
    latest: str | None = None
    behind: int | None = None
    edition: str = ""
    components: list[str] = field(default_factory=list)
    edited: int | None = None
    added: int | None = None
    validate: str | None = None
    error: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def discover(roots: list[Path]) -> list[Path]:
    """Directories holding a `.cruft.json`, not descending into a project once found."""
    found = []
    for root in roots:
        for directory, dirs, files in os.walk(root):
            if provenance.CRUFT_FILE in files:
                found.append(Path(directory).resolve())
                dirs[:] = []
                continue
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
    return sorted(set(found))


def survey(
    roots: list[Path], *, drift: bool = True, validate: bool = False, progress: Progress | None = None
) -> list[Row]:
    from generator import spec

    tags_by_location: dict[str, dict[str, str] | Exception] = {}
    rows = []
    for project in discover(roots):
        if progress:
            progress(str(project))
        row = Row(str(project))
        rows.append(row)
        try:
            recorded = provenance.read(project)
            if recorded.template not in tags_by_location:
                try:
                    tags_by_location[recorded.template] = template_source.version_tags(recorded.template)
                except template_source.TemplateSourceError as problem:
                    tags_by_location[recorded.template] = problem
            tags = tags_by_location[recorded.template]
            status = lifecycle.check(project, tags=None if isinstance(tags, Exception) else tags)
            row.version, row.latest, row.behind = status.current, status.latest, status.behind
            row.edition = str(recorded.answers.get("edition", ""))
            migrated, _ = spec.migrate(recorded.answers, status.current) if status.current else (recorded.answers, [])
            row.components = [c.name for c in spec.enabled_components(migrated) if not c.contains]
            if drift:
                with tempfile.TemporaryDirectory(prefix="refarch-fleet-") as scratch:
                    found = lifecycle.drift(project, Path(scratch))
                row.edited, row.added = found.edited, len(found.added)
            if validate:
                row.validate = _validate(project)
        except RefarchError as problem:
            row.error = str(problem)
    return rows


def _validate(project: Path) -> str:
    from generator import validate

    try:
        result = validate.validate(project, tests=False)
    except validate.CannotValidate as problem:
        return f"error: {problem}"
    return "passed" if result.passed else f"failed ({len(result.findings())} findings)"


def table(rows: list[Row], *, validate: bool = False) -> str:
    header = ["path", "version", "behind", "edition", "edited", "components"] + (["validate"] if validate else [])
    body = []
    for row in rows:
        cells = [
            row.path,
            row.version or "?",
            "?" if row.behind is None else str(row.behind),
            row.edition,
            "?" if row.edited is None else str(row.edited),
            " ".join(row.components) or "-",
        ]
        if validate:
            cells.append(row.validate or "-")
        if row.error:
            cells = [row.path, f"error: {row.error}"]
        body.append(cells)
    return _columns([header, *body])


def _columns(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows if len(r) > i) for i in range(max(map(len, rows)))]
    return "\n".join("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows)


def github_matrix(rows: list[Row]) -> dict:
    """The `strategy.matrix` of a GitHub Actions job: one entry per project behind its template."""
    return {"include": [{"project": r.path, "from": r.version, "to": r.latest} for r in rows if r.behind]}


@dataclass
class Outcome:
    path: str
    status: str  # updated | current | conflict | refused | dirty | error
    detail: str = ""
    branch: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def update_all(
    roots: list[Path],
    *,
    branch: str,
    to: str | None = None,
    synth: bool = True,
    allow_replacement: tuple[str, ...] = (),
    progress: Progress | None = None,
) -> list[Outcome]:
    outcomes = []
    for project in discover(roots):
        if progress:
            progress(str(project))
        outcomes.append(
            update_on_branch(project, branch=branch, to=to, synth=synth, allow_replacement=allow_replacement)
        )
    return outcomes


def update_on_branch(
    project: Path, *, branch: str, to: str | None, synth: bool, allow_replacement: tuple[str, ...]
) -> Outcome:
    """The update committed on a new branch, made in a linked work tree; the checked-out branch is not touched."""
    try:
        update.require_clean_repository(project)
        if update.git(project, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False).returncode == 0:
            return Outcome(str(project), "error", f"branch {branch} already exists")
        if lifecycle.check(project).up_to_date and to is None:
            return Outcome(str(project), "current", "already on the latest version")
    except RefarchError as problem:
        status = "dirty" if "uncommitted" in str(problem) else "error"
        return Outcome(str(project), status, str(problem))
    with tempfile.TemporaryDirectory(prefix="refarch-branch-") as scratch:
        work_tree = Path(scratch) / "work"
        update.git(project, "worktree", "add", "--quiet", "-b", branch, str(work_tree), "HEAD")
        keep = False
        try:
            plan = update.update(work_tree, to=to, synth=synth, allow_replacement=allow_replacement)
            if plan.conflicts:
                return Outcome(str(project), "conflict", ", ".join(plan.conflicts))
            message = update.commit_message(plan)
            update.git(work_tree, "commit", "--quiet", "--no-verify", "-m", message, env=_identity(project))
            keep = True
            return Outcome(str(project), "updated", f"{plan.from_version} -> {plan.to_version}", branch)
        except update.UpdateRefused as problem:
            return Outcome(str(project), "refused", str(problem))
        except RefarchError as problem:
            return Outcome(str(project), "error", str(problem))
        finally:
            update.git(project, "worktree", "remove", "--force", str(work_tree), check=False)
            if not keep:
                update.git(project, "branch", "--quiet", "-D", branch, check=False)


def _identity(project: Path) -> dict:
    """The repository's own committer when it has one, refarch's otherwise."""
    configured = subprocess.run(["git", "-C", str(project), "config", "user.email"], capture_output=True)
    return {} if configured.returncode == 0 else update.IDENTITY


def outcomes_table(outcomes: list[Outcome]) -> str:
    rows = [["path", "status", "branch", "detail"]]
    rows += [[o.path, o.status, o.branch or "-", o.detail] for o in outcomes]
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return _columns(rows) + "\n" + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
