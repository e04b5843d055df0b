"""Every pairwise combination renders and synthesises cdk-nag and cfn-lint clean.

All combinations are synthesised by one process (one jsii runtime, see
generator/synthesis.py), with aws-cdk-lib's bundled CloudFormation validator off since
cfn-lint checks the templates; the projects' own test suites are not re-run here
(tests/test_synth.py runs them for the editions).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from generator import matrix, synthesis
from generator import validate as validation

from .conftest import render_with_refarch

CASES = matrix.pairwise_cases()


@pytest.mark.synth
@pytest.mark.matrix
def test_every_pairwise_combination_synthesises_clean(tmp_path):
    # One package name per combination (they share one process); the same project name
    # keeps identical stacks byte-identical, so cfn-lint reads each of them once.
    projects = {
        case.id: render_with_refarch({**case.given, "package_name": f"matrix_{number:02d}"}, tmp_path / f"{number:02d}")
        for number, case in enumerate(CASES, start=1)
    }
    result = subprocess.run(
        [sys.executable, synthesis.__file__, "--no-cfn-validator", *map(str, projects.values())],
        env={**os.environ, "JSII_DEPRECATED": "fail"}, capture_output=True, text=True,
    )
    outcomes = {json.loads(line)["project"]: json.loads(line) for line in result.stdout.splitlines()}
    problems, assemblies = {}, {}
    for case_id, project in projects.items():
        outcome = outcomes.get(str(project.resolve()))
        if outcome is None or not outcome["ok"]:
            problems[case_id] = [outcome["error"] if outcome else result.stderr[-3000:]]
        else:
            assemblies[case_id] = validation.Assembly(project / "cdk.out")
    lint_errors, _ = validation.lint_findings(*assemblies.values())  # one cfn-lint run for all
    for case_id, assembly in assemblies.items():
        templates = {str(stack.template) for stack in assembly.stacks}
        findings = validation.policy_findings(assembly)
        findings += [f for f in lint_errors if f.template in templates]
        if findings:
            problems[case_id] = [f"{f.location()} {f.rule}: {f.message}" for f in findings]
    assert problems == {}
