"""`refarch plan`: files, stacks with resource counts, fixed-cost components; nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from generator import answers, plan, spec
from generator.cli import app

from .conftest import render_with_refarch, tree


def _write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def test_resources_are_counted_per_stack_of_every_stage(tmp_path):
    _write(
        tmp_path / "manifest.json",
        {
            "artifacts": {
                "assembly-Dev": {
                    "type": "cdk:cloud-assembly",
                    "properties": {"directoryName": "assembly-Dev", "displayName": "Dev"},
                },
                "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}},
            }
        },
    )
    _write(
        tmp_path / "assembly-Dev" / "manifest.json",
        {
            "artifacts": {
                "DevNetwork": {
                    "type": "aws:cloudformation:stack",
                    "displayName": "Dev/Network",
                    "properties": {"templateFile": "DevNetwork.template.json", "stackName": "app-dev-network"},
                },
                "DevNetwork.assets": {"type": "cdk:asset-manifest", "properties": {"file": "DevNetwork.assets.json"}},
            }
        },
    )
    _write(tmp_path / "assembly-Dev" / "DevNetwork.template.json", {"Resources": {"A": {}, "B": {}, "C": {}}})
    assert plan.count_resources(tmp_path) == [plan.StackPlan("Dev", "Network", "app-dev-network", 3)]


def test_fixed_costs_list_the_enabled_components_that_bill_while_deployed():
    resolved = answers.resolve(
        {"edition": "full", "egress": "nat-gateway", "warehouse": "provisioned", "az_count": "2"}
    )
    names = {cost.component for cost in plan.fixed_costs(resolved)}
    assert {"nat_gateways", "search", "dax", "quicksight", "redshift_provisioned"} <= names
    assert names == {c.name for c in spec.enabled_components(resolved) if c.fixed_monthly_cost}
    assert plan.fixed_costs(answers.resolve({"edition": "minimal"})) == []


def test_plan_lists_exactly_the_files_that_new_creates_and_writes_nothing(tmp_path, monkeypatch):
    given = {"edition": "app", "dax": "no"}
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["plan", "--edition", "app", "--set", "dax=no", "--no-synth", "--json"])
    assert result.exit_code == 0, result.output
    assert list(tmp_path.iterdir()) == []
    data = json.loads(result.output)
    rendered = render_with_refarch(given, tmp_path / "out")
    assert data["files"] == sorted(tree(rendered))
    assert data["synthesised"] is False and data["stacks"] == []
    assert {c["component"] for c in data["fixed_costs"]} == {"search", "private_ecr_access", "service", "waf"}
    assert [p["component"] for p in data["prerequisites"]] == ["search"]


def test_plan_refuses_an_invalid_answer_set():
    result = CliRunner().invoke(app, ["plan", "--set", "bi=yes", "--set", "analytics=no", "--no-synth"])
    assert result.exit_code == 2
    assert "bi-needs-analytics" in result.output


@pytest.mark.synth
def test_plan_synthesises_and_counts_every_stack_of_every_environment():
    result = CliRunner().invoke(app, ["plan", "--edition", "minimal", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["synthesised"] is True
    by_environment: dict[str, set[str]] = {}
    for stack in data["stacks"]:
        assert stack["resources"] > 0, stack
        assert stack["stack_name"].startswith("modern-app-" + stack["environment"].lower()), stack
        by_environment.setdefault(stack["environment"], set()).add(stack["stack"])
    assert set(by_environment) == {"Dev", "Prod"}
    assert by_environment["Dev"] == by_environment["Prod"] >= {"Stateful", "Identity", "Api"}
    assert "Network" not in by_environment["Dev"], "nothing in the minimal edition runs in a VPC"
    assert data["always_on"] == [], "the minimal edition bills by use only"


@pytest.mark.synth
def test_plan_counts_every_always_on_resource_with_what_drives_it(tmp_path):
    result = CliRunner().invoke(app, ["plan", "--edition", "app", "--set", "egress=nat-gateway", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    prod = {item["resource"]: item for item in data["always_on"] if item["environment"] == "Prod"}
    assert {
        "NAT gateway",
        "interface VPC endpoint",
        "internal NLB",
        "Fargate task",
        "WAF web ACL",
        "OpenSearch domain",
        "DAX cluster",
    } <= set(prod)
    project = render_with_refarch({"edition": "app", "egress": "nat-gateway"}, tmp_path)
    prod_config = yaml.safe_load((project / "config" / "prod.yaml").read_text())
    assert prod["Fargate task"]["count"] == prod_config["service"]["min_tasks"]
    assert prod["NAT gateway"]["count"] == int(answers.resolve({"edition": "app"})["az_count"])
    readme = (project / "README.md").read_text()
    for cost in ("load balancer", "web ACL", "Fargate tasks at service.min_tasks", "NAT gateway", "DAX nodes"):
        assert cost in readme


def test_report_shows_stacks_totals_and_fixed_costs():
    result = plan.Plan(
        project="app",
        files=["README.md", "app.py"],
        fixed_costs=[plan.FixedCost("dax", "DAX cluster", "DAX nodes")],
        prerequisites=[plan.Prerequisite("search", "OpenSearch", "create the service-linked role")],
        stacks=[
            plan.StackPlan("Dev", "Network", "app-dev-network", 14),
            plan.StackPlan("Dev", "Stateful", "app-dev-stateful", 1),
        ],
        synthesised=True,
    )
    text = plan.report(result)
    assert "app/ would contain 2 files:" in text
    assert "Dev/Network" in text and "app-dev-stateful" in text
    assert "Dev: 15 resources" in text
    assert "DAX cluster: DAX nodes" in text
    assert "OpenSearch: create the service-linked role" in text
