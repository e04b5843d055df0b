"""Synthesis level: rendered projects pass their own test suites.

Each project's suite synthesises every environment with cdk-nag (zero unacknowledged
findings), runs cfn-lint on the templates, asserts each enabled seed step and the
absence of disabled ones, and runs its runtime unit tests.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from generator import answers, matrix, spec

from .conftest import render_with_refarch, run_own_tests

# Every edition, plus combinations whose infrastructure differs in ways editions do not show.
SYNTH_CASES = (
    matrix.edition_cases()
    + [
        matrix.Case("az_count:2-egress:nat-gateway", {"edition": "app", "az_count": "2", "egress": "nat-gateway"}),
        matrix.Case(
            "warehouse:provisioned-quicksight_edition:standard-engagement:pinpoint",
            {
                "edition": "full",
                "warehouse": "provisioned",
                "quicksight_edition": "standard",
                "engagement": "pinpoint",
                "az_count": "2",
            },
        ),
        matrix.Case(
            "analytics:no-engagement:end-user-messaging-warehouse:serverless",
            {"edition": "app", "engagement": "end-user-messaging", "warehouse": "serverless"},
        ),
        matrix.Case(
            "search_indexing:zero-etl-api_xray:no-cognito_mfa:required-cognito_feature_plan:plus-"
            "cognito_threat_protection:audit",
            {
                "edition": "app",
                "search_indexing": "zero-etl",
                "api_xray": "no",
                "cognito_mfa": "required",
                "cognito_feature_plan": "plus",
                "cognito_threat_protection": "audit",
            },
        ),
        matrix.Case(
            "edition:minimal-search:yes-api_xray:no-cognito_mfa:off-cognito_threat_protection:off",
            {
                "edition": "minimal",
                "search": "yes",
                "api_xray": "no",
                "cognito_mfa": "off",
                "cognito_threat_protection": "off",
            },
        ),
        matrix.Case(
            "vpc_link:v2-alb-api_waf:no-dax:no", {"edition": "app", "vpc_link": "v2-alb", "api_waf": "no", "dax": "no"}
        ),
    ]
    + [
        # Every source x deployment strategy (the full edition is codecommit x codedeploy-blue-green).
        matrix.Case(
            f"source:{source}-deployment:{deployment}",
            {
                "edition": "app",
                "delivery": "yes",
                "source": source,
                "deployment": deployment,
                **extra,
                **(
                    {"source_connection_arn": spec.OPTIONS_BY_NAME["source_connection_arn"].example}
                    if source == "codeconnections"
                    else {}
                ),
            },
        )
        for source, deployment, extra in (
            ("codecommit", "ecs-blue-green", {"vpc_link": "v2-alb"}),
            ("codecommit", "rolling", {"dax": "no"}),
            (
                "codeconnections",
                "codedeploy-blue-green",
                {"vpc_link": "v2-alb", "notification_email": "team@example.com", "prod_account_id": "333333333333"},
            ),
            ("codeconnections", "ecs-blue-green", {"notification_email": "team@example.com"}),
            ("codeconnections", "rolling", {"api_waf": "no"}),
        )
    ]
)
# The AppSync JavaScript resolvers of every edition: the most files (full) and the fewest (minimal).
RESOLVER_CASES = [c for c in matrix.edition_cases() if c.id in ("edition:full", "edition:minimal")]


@pytest.mark.synth
@pytest.mark.parametrize("case", SYNTH_CASES, ids=[c.id for c in SYNTH_CASES])
def test_rendered_project_passes_its_own_tests(case, tmp_path):
    result = run_own_tests(render_with_refarch(case.given, tmp_path))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]


@pytest.mark.synth
@pytest.mark.registry  # npm ci of the resolvers' dev dependencies
@pytest.mark.parametrize("case", RESOLVER_CASES, ids=[c.id for c in RESOLVER_CASES])
def test_rendered_js_resolvers_pass_appsync_lint_and_their_unit_tests(case, tmp_path):
    """What `make test-resolvers` runs: npm ci, ESLint with @aws-appsync/eslint-plugin, node --test."""
    npm = shutil.which("npm")
    assert npm, "npm is needed to check the AppSync JavaScript resolvers"
    project = render_with_refarch(case.given, tmp_path)
    resolvers = project / answers.resolve(case.given)["package_name"] / "api" / "resolvers"
    for command in (["ci", "--no-audit", "--no-fund"], ["run", "lint"], ["test"]):
        result = subprocess.run([npm, *command], cwd=resolvers, capture_output=True, text=True)
        assert result.returncode == 0, f"npm {' '.join(command)}\n{result.stdout[-4000:]}{result.stderr[-2000:]}"
