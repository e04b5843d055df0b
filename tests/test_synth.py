"""Synthesis level: rendered projects pass their own test suites.

Each project's suite synthesises every environment with cdk-nag (zero unacknowledged
findings), runs cfn-lint on the templates, asserts each enabled seed step and the
absence of disabled ones, and runs its runtime unit tests.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from generator import matrix

from .conftest import render_with_refarch

# Every edition, plus combinations whose infrastructure differs in ways editions do not show.
SYNTH_CASES = matrix.edition_cases() + [
    matrix.Case("az_count:2-egress:nat-gateway", {"edition": "app", "az_count": "2", "egress": "nat-gateway"}),
    matrix.Case("vpc_link:v2-alb-api_waf:no-dax:no",
                {"edition": "app", "vpc_link": "v2-alb", "api_waf": "no", "dax": "no"}),
]


@pytest.mark.synth
@pytest.mark.parametrize("case", SYNTH_CASES, ids=[c.id for c in SYNTH_CASES])
def test_rendered_project_passes_its_own_tests(case, tmp_path):
    project = render_with_refarch(case.given, tmp_path)
    env = {**os.environ, "JSII_DEPRECATED": "fail", "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x"],
        cwd=project, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
