"""`refarch validate`: check a generated project the way CI should, and say what to fix.

The checks (checks.py) run in order on the project and the cloud assembly it synthesises;
the report (report.py) holds their findings and the ledger of acknowledged findings.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Callable
from pathlib import Path

from generator.assembly import Assembly
from generator.validate.checks import (
    CannotValidate,
    check_answers,
    check_interpreter,
    lint_findings,
    locate,
    policy_findings,
    principal_ordering_findings,
    project_interpreter,
    run_project_tests,
    synthesise,
)
from generator.validate.report import CHECKS, FAILED, PASSED, SKIPPED, CheckResult, Finding, Report

__all__ = ["CHECKS", "CannotValidate", "CheckResult", "Progress", "Report", "validate"]


def _import_cfn_lint() -> None:
    import cfnlint.api  # noqa: F401


Progress = Callable[[str, CheckResult | None], None]


def validate(
    path: Path,
    *,
    tests: bool = True,
    cfn_validator: bool = False,
    python: str | None = None,
    outdir: Path | None = None,
    progress: Progress | None = None,
) -> Report:
    """Run every check on the project at `path`; raises CannotValidate before doing anything."""
    project = locate(path)
    if importlib.util.find_spec("cfnlint") is None:
        raise CannotValidate("refarch validate needs cfn-lint: pip install 'refarch[validate]'")
    python = python or project_interpreter(project.root)
    check_interpreter(project, python, tests=tests)
    outdir = (outdir or project.root / "cdk.out").resolve()
    notify = progress or (lambda name, result: None)
    results: list[CheckResult] = []

    def run(name: str, action: Callable[[], tuple[list[Finding], str]], *, skip: str = "") -> CheckResult:
        notify(name, None)
        started = time.perf_counter()
        if skip:
            result = CheckResult(name, SKIPPED, detail=skip)
        else:
            findings, detail, *warnings = action()
            result = CheckResult(
                name, FAILED if findings else PASSED, time.perf_counter() - started, findings, detail, *warnings
            )
        results.append(result)
        notify(name, result)
        return result

    no_provenance = "" if project.answers is not None else "no .cruft.json (rendered by plain cookiecutter)"
    run("answers", lambda: (check_answers(project), ""), skip=no_provenance)
    # Importing cfn-lint takes seconds: do it while the child process synthesises.
    threading.Thread(target=_import_cfn_lint, daemon=True).start()
    synth = run(
        "synth",
        lambda: (
            synthesise(project, outdir, python=python, cfn_validator=cfn_validator),
            "CloudFormation validator " + ("on" if cfn_validator else "off; cfn-lint runs"),
        ),
    )
    no_assembly = "" if synth.status == PASSED else "synthesis failed"
    assembly = Assembly(outdir) if not no_assembly else None
    run("principals", lambda: (principal_ordering_findings(assembly), ""), skip=no_assembly)
    run("cdk-nag", lambda: (policy_findings(assembly), ""), skip=no_assembly)

    def lint() -> tuple[list[Finding], str, list[Finding]]:
        findings, warnings = lint_findings(assembly)
        return findings, f"{len(assembly.stacks)} templates, {len(warnings)} warnings", warnings

    run("cfn-lint", lint, skip=no_assembly)
    run("tests", lambda: (run_project_tests(project, python=python), ""), skip="" if tests else "--no-tests")
    return Report(project.root, results, assembly.acknowledgements if assembly else None)
