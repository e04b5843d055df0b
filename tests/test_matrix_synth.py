"""Every case of the pairwise matrix renders and synthesises cdk-nag and cfn-lint clean.

All cases are synthesised by one process (one jsii runtime, see generator/synthesis.py),
with aws-cdk-lib's bundled CloudFormation validator off since cfn-lint checks the
templates. The projects' own test suites run for the cases that differ most from each
other and from the editions (tests/test_synth.py runs them for the editions).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from generator import matrix, synthesis
from generator.assembly import Assembly
from generator.validate import checks

from .conftest import render_with_refarch, run_own_tests

CASES = matrix.pairwise_cases()
MOST_DIFFERENT = matrix.most_different(CASES, 2, apart_from=matrix.edition_cases())


@pytest.mark.synth
@pytest.mark.matrix
def test_every_pairwise_case_synthesises_clean(tmp_path):
    # One package name per case (they share one process); the same project name keeps
    # identical stacks byte-identical, so cfn-lint reads each of them once.
    projects = {
        case.id: render_with_refarch({**case.given, "package_name": f"matrix_{number:02d}"}, tmp_path / f"{number:02d}")
        for number, case in enumerate(CASES, start=1)
    }
    result = subprocess.run(
        [sys.executable, synthesis.__file__, "--no-cfn-validator", *map(str, projects.values())],
        env={**os.environ, "JSII_DEPRECATED": "fail"},
        capture_output=True,
        text=True,
    )
    outcomes = {json.loads(line)["project"]: json.loads(line) for line in result.stdout.splitlines()}
    problems, assemblies = {}, {}
    for case_id, project in projects.items():
        outcome = outcomes.get(str(project.resolve()))
        if outcome is None or not outcome["ok"]:
            problems[case_id] = [outcome["error"] if outcome else result.stderr[-3000:]]
        else:
            assemblies[case_id] = Assembly(project / "cdk.out")
    lint_errors, _ = checks.lint_findings(*assemblies.values())  # one cfn-lint run for all
    for case_id, assembly in assemblies.items():
        templates = {str(stack.template) for stack in assembly.stacks}
        findings = checks.policy_findings(assembly) + checks.principal_ordering_findings(assembly)
        findings += [f for f in lint_errors if f.template in templates]
        if findings:
            problems[case_id] = [f"{f.location()} {f.rule}: {f.message}" for f in findings]
    assert problems == {}


@pytest.mark.synth
@pytest.mark.matrix
@pytest.mark.parametrize("case", MOST_DIFFERENT, ids=[c.id for c in MOST_DIFFERENT])
def test_the_most_different_cases_pass_their_own_tests(case, tmp_path):
    result = run_own_tests(render_with_refarch(case.given, tmp_path))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
