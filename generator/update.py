"""`refarch update`: a three-way merge of the template's change into the project, with git's own machinery.

The recorded version and the target version are rendered with the project's (migrated)
answers and stored as two commits in the project's repository: the pristine render of
the recorded version, and the target render on top of it. `git merge-recursive` then
merges the second into the work tree with the first as the merge base, so conflicts are
git conflicts (index stages, markers, `git status`, `git mergetool`), and MERGE_HEAD is
written so that `git commit` records the update as a merge whose second parent is the
template's pristine history.

The base is rendered afresh on every update rather than kept on a branch: CI clones are
shallow and single-branch, and a branch a user deletes or never pushed would break the
update; rendering it again needs only the template repository and the recorded commit.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from generator import lifecycle, provenance
from generator.lifecycle import LifecycleError

IDENTITY = {
    "GIT_AUTHOR_NAME": "refarch",
    "GIT_AUTHOR_EMAIL": "refarch@localhost",
    "GIT_COMMITTER_NAME": "refarch",
    "GIT_COMMITTER_EMAIL": "refarch@localhost",
}
PLAN_KINDS = ("added", "clean", "merged", "conflicting", "removed", "kept")


@dataclass
class FileChange:
    path: str
    kind: str  # one of PLAN_KINDS
    note: str = ""


@dataclass
class UpdatePlan:
    project: str
    from_version: str | None
    to_version: str | None
    to_commit: str
    answers_changed: dict[str, list[str]] = field(default_factory=dict)  # option -> [old, new]
    migrations: list[str] = field(default_factory=list)
    files: list[FileChange] = field(default_factory=list)
    impact: dict | None = None
    written: bool = False

    def of_kind(self, kind: str) -> list[FileChange]:
        return [f for f in self.files if f.kind == kind]

    @property
    def conflicts(self) -> list[str]:
        return [f.path for f in self.of_kind("conflicting")]

    def as_dict(self) -> dict:
        return asdict(self)


class UpdateRefused(LifecycleError):
    """The update would replace or delete stateful resources; nothing was written."""

    def __init__(self, message: str, plan: UpdatePlan) -> None:
        super().__init__(message)
        self.plan = plan


def git(project: Path, *args: str, env: dict | None = None, check: bool = True, text: bool = True):
    result = subprocess.run(
        ["git", "-C", str(project), *args], capture_output=True, text=text, env={**os.environ, **(env or {})}
    )
    if check and result.returncode != 0:
        stderr = result.stderr if text else result.stderr.decode()
        raise LifecycleError(f"git {args[0]} in {project}: {stderr.strip().splitlines()[-1:] or ['failed']}")
    return result


def require_clean_repository(project: Path) -> None:
    """The project must be the root of a git work tree with nothing uncommitted and no merge under way."""
    top = git(project, "rev-parse", "--show-toplevel", check=False)
    if top.returncode != 0:
        raise LifecycleError(f"{project}: not a git work tree; run `git init && git add -A && git commit` first")
    if Path(top.stdout.strip()).resolve() != project.resolve():
        raise LifecycleError(f"{project}: the project must be the root of its git repository")
    if git(project, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode != 0:
        raise LifecycleError(f"{project}: the repository has no commit yet; commit the project first")
    git_dir = Path(git(project, "rev-parse", "--absolute-git-dir").stdout.strip())
    if (git_dir / "MERGE_HEAD").exists():
        raise LifecycleError(f"{project}: a merge is in progress; finish it (git commit) or abort it first")
    dirty = git(project, "status", "--porcelain", "--untracked-files=normal").stdout.splitlines()
    if dirty:
        raise LifecycleError(
            f"{project}: the work tree has uncommitted changes ({len(dirty)} paths, first "
            f"{dirty[0][3:]}); commit or stash them (git stash -u) before updating"
        )


def commit_tree(project: Path, files: Path, message: str, parent: str | None = None) -> str:
    """A commit in the project's repository holding exactly the files under `files`."""
    with tempfile.TemporaryDirectory(prefix="refarch-index-") as scratch:
        env = {**IDENTITY, "GIT_INDEX_FILE": str(Path(scratch) / "index"), "GIT_WORK_TREE": str(files)}
        git(project, "add", "--all", "--force", ".", env=env)
        tree = git(project, "write-tree", env=env).stdout.strip()
    parents = ["-p", parent] if parent else []
    return git(project, "commit-tree", tree, *parents, "-m", message, env=IDENTITY).stdout.strip()


def export(project: Path, revision: str, destination: Path) -> Path:
    """The files of a revision, extracted outside the project (the project's own tree stays untouched)."""
    archive = git(project, "archive", "--format=tar", revision, text=False).stdout
    destination.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter="tar")
    return destination


def blobs(project: Path, revision: str) -> dict[str, str]:
    listed = git(project, "ls-tree", "-r", "-z", revision).stdout
    entries = {}
    for entry in filter(None, listed.split("\0")):
        meta, path = entry.split("\t", 1)
        entries[path] = meta.split()[2]
    return entries


def merge(work_tree: Path, base: str, theirs: str, label: str) -> tuple[list[str], list[FileChange]]:
    """Merge `theirs` into the work tree's HEAD over `base`; resolve the modify/delete cases the lifecycle decides.

    Returns the paths left in conflict and the files resolved by rule (kept deleted, kept edited).
    """
    head = git(work_tree, "rev-parse", "HEAD").stdout.strip()
    labels = {f"GITHEAD_{head}": "project", f"GITHEAD_{theirs}": label, f"GITHEAD_{base}": "recorded template"}
    merged = git(work_tree, "merge-recursive", base, "--", head, theirs, env=labels, check=False)
    if merged.returncode not in (0, 1):
        raise LifecycleError(f"git merge-recursive: {merged.stderr.strip() or merged.stdout.strip()}")
    stages: dict[str, set[int]] = {}
    for line in git(work_tree, "ls-files", "-u", "-z").stdout.split("\0"):
        if line:
            meta, path = line.split("\t", 1)
            stages.setdefault(path, set()).add(int(meta.split()[2]))
    conflicts, resolved = [], []
    for path, present in sorted(stages.items()):
        if present == {1, 3}:  # the user deleted it, the template changed it: it stays deleted
            git(work_tree, "rm", "--cached", "--quiet", "--", path)
            (work_tree / path).unlink(missing_ok=True)
            resolved.append(FileChange(path, "kept", "deleted in the project; stays deleted (the template changed it)"))
        elif present == {1, 2}:  # the template removed it, the user changed it: it stays
            git(work_tree, "add", "--", path)
            resolved.append(FileChange(path, "kept", "removed by the template; kept because the project changed it"))
        else:
            conflicts.append(path)
    return conflicts, resolved


def classify(
    base: dict[str, str], theirs: dict[str, str], ours: dict[str, str], conflicts: list[str], resolved: list[FileChange]
) -> list[FileChange]:
    """The file plan: every path the template changes, and what the merge does with it."""
    by_rule = {f.path: f for f in resolved}
    plan = []
    for path in sorted(set(base) | set(theirs)):
        if path == provenance.CRUFT_FILE or base.get(path) == theirs.get(path):
            continue
        if path in by_rule:
            plan.append(by_rule[path])
        elif path in conflicts:
            plan.append(FileChange(path, "conflicting"))
        elif path not in base:
            plan.append(FileChange(path, "added" if path not in ours else "merged"))
        elif path not in theirs:
            if path in ours:
                plan.append(FileChange(path, "removed"))
        elif path in ours:
            plan.append(FileChange(path, "clean" if ours[path] in (base[path], theirs[path]) else "merged"))
    return plan


@dataclass
class Prepared:
    """Both pristine renders committed in the project's repository, and what the answers became."""

    base: str
    target: str
    plan: UpdatePlan
    label: str


def prepare(
    project: Path, scratch: Path, *, to: str | None, assignments: dict[str, str], location: str | None
) -> Prepared:
    recorded = provenance.read(project)
    base_checkout = lifecycle.template_checkout(recorded, scratch, None, name="recorded", location=location)
    if base_checkout.commit is None:
        raise LifecycleError(f"{project}: .cruft.json records no template commit; cannot find the recorded version")
    target_ref = to
    if target_ref is None:
        from generator import template_source

        try:
            tags = template_source.version_tags(location or recorded.template)
        except template_source.TemplateSourceError as problem:
            raise LifecycleError(str(problem)) from None
        latest = template_source.latest_version(tags)
        target_ref = f"{template_source.TAG_PREFIX}{latest}" if latest else None
    target_checkout = lifecycle.template_checkout(
        recorded, scratch, target_ref or "HEAD", name="target", location=location
    )
    from_version = lifecycle.current_version(recorded, base_checkout)
    migrated, migrations = lifecycle.migrate(target_checkout.directory, recorded.answers, from_version)
    migrated.update(assignments)
    answers = lifecycle.complete_answers(target_checkout.directory, migrated)
    base_render = lifecycle.render_pristine(base_checkout, recorded.answers, scratch / "base-render")
    target_render = lifecycle.render_pristine(target_checkout, answers, scratch / "target-render")
    shutil.copyfile(project / provenance.CRUFT_FILE, base_render / provenance.CRUFT_FILE)
    base = commit_tree(project, base_render, f"refarch: template {from_version or base_checkout.commit} (pristine)")
    label = f"template {target_checkout.version or target_checkout.commit}"
    target = commit_tree(project, target_render, f"refarch: {label} (pristine)", parent=base)
    old = {k: str(v) for k, v in recorded.answers.items()}
    changed = {k: [old.get(k, ""), v] for k, v in answers.items() if old.get(k) != v}
    plan = UpdatePlan(
        str(project),
        from_version,
        target_checkout.version,
        target_checkout.commit or "",
        answers_changed=changed,
        migrations=migrations,
    )
    return Prepared(base, target, plan, label)


def trial_merge(project: Path, prepared: Prepared, scratch: Path) -> tuple[Path, list[str]]:
    """The merge done in a scratch work tree of the project: the file plan, and the tree to synthesise."""
    trial = scratch / "trial"
    git(project, "worktree", "add", "--quiet", "--detach", str(trial), "HEAD")
    try:
        conflicts, resolved = merge(trial, prepared.base, prepared.target, prepared.label)
        prepared.plan.files = classify(
            blobs(project, prepared.base), blobs(project, prepared.target), blobs(project, "HEAD"), conflicts, resolved
        )
        after = scratch / "after"
        shutil.copytree(trial, after, ignore=shutil.ignore_patterns(".git"))
        for path in conflicts:  # synthesise what the template intends where the merge is undecided
            theirs = git(trial, "show", f":3:{path}", check=False, text=False)
            if theirs.returncode == 0:
                (after / path).write_bytes(theirs.stdout)
    finally:
        git(project, "worktree", "remove", "--force", str(trial), check=False)
        git(project, "worktree", "prune", check=False)
    return after, conflicts


def update(
    project: Path,
    *,
    to: str | None = None,
    assignments: dict[str, str] | None = None,
    dry_run: bool = False,
    allow_replacement: tuple[str, ...] = (),
    synth: bool = True,
    location: str | None = None,
    python: str | None = None,
) -> UpdatePlan:
    """Plan the update, check its impact on the infrastructure, then (unless a dry run) merge it in."""
    project = project.resolve()
    require_clean_repository(project)
    with tempfile.TemporaryDirectory(prefix="refarch-update-") as temporary:
        scratch = Path(temporary)
        prepared = prepare(project, scratch, to=to, assignments=assignments or {}, location=location)
        plan = prepared.plan
        if plan.to_commit == provenance.read(project).commit and not plan.answers_changed:
            return plan  # already on that commit with those answers: nothing to merge
        after, _ = trial_merge(project, prepared, scratch)
        if synth:
            from generator import impact

            before = export(project, "HEAD", scratch / "before")
            try:
                assessment = impact.assess(before, after, scratch / "synth", python=python)
            except impact.ImpactError as problem:
                raise LifecycleError(f"{problem}; fix it, or pass --no-synth to skip the impact gate") from None
            plan.impact = assessment.as_dict()
            blocked = assessment.blocking(allow_replacement)
            if blocked and not dry_run:
                names = ", ".join(c.reference for c in blocked)
                raise UpdateRefused(
                    f"the update would replace or delete stateful resources: {names}; nothing was "
                    f"written. Pass --allow-replacement for each one to accept it",
                    plan,
                )
        if dry_run:
            return plan
        apply(project, prepared)
        plan.written = True
        return plan


def apply(project: Path, prepared: Prepared) -> None:
    """The merge in the project itself, left as git leaves `git merge --no-commit`: commit it, or abort it."""
    merge(project, prepared.base, prepared.target, prepared.label)
    git_dir = Path(git(project, "rev-parse", "--absolute-git-dir").stdout.strip())
    (git_dir / "MERGE_HEAD").write_text(prepared.target + "\n", encoding="utf-8")
    (git_dir / "MERGE_MODE").write_text("", encoding="utf-8")
    (git_dir / "MERGE_MSG").write_text(commit_message(prepared.plan), encoding="utf-8")


def commit_message(plan: UpdatePlan) -> str:
    lines = [f"Update the template from {plan.from_version} to {plan.to_version}", ""]
    for kind in PLAN_KINDS:
        changes = plan.of_kind(kind)
        if changes:
            lines.append(f"{kind}: {len(changes)} file{'s' if len(changes) != 1 else ''}")
    lines.extend(f"migration {m}" for m in plan.migrations)
    if plan.impact is not None:
        from generator import impact

        lines += ["", impact.summary(plan.impact)]
    return "\n".join(lines) + "\n"


def report(plan: UpdatePlan, allowed: tuple[str, ...] = ()) -> str:
    lines = [f"refarch update {plan.project}: {plan.from_version} -> {plan.to_version} ({plan.to_commit[:12]})"]
    lines.extend(f"  migration {m}" for m in plan.migrations)
    lines.extend(f"  answer {name}: {old!r} -> {new!r}" for name, (old, new) in plan.answers_changed.items())
    for kind in PLAN_KINDS:
        for change in plan.of_kind(kind):
            lines.append(f"  {kind:11} {change.path}" + (f"  ({change.note})" if change.note else ""))
    if not plan.files:
        lines.append("  no file changes: the project is on that version with those answers")
    if plan.impact is not None:
        from generator import impact

        lines.append(impact.report(plan.impact, allowed))
    elif plan.files:
        lines.append("  infrastructure impact: not checked (--no-synth)")
    if plan.written:
        lines.append(
            "Merged into the work tree; "
            + (
                f"resolve {len(plan.conflicts)} conflict(s) (git status, git mergetool), then git commit"
                if plan.conflicts
                else "review it (git diff --cached), then git commit"
            )
        )
    return "\n".join(lines)
