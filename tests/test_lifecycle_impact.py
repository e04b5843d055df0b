"""The infrastructure-impact gate of `refarch update`, with real synthesis (the minimal edition, one process per run).

v0.3.0 of the test template changes the table's partition key (tests/template_releases.py):
CloudFormation would replace the table, so the update is refused until each table is named.
"""

from __future__ import annotations

import json
import re

import pytest

from .template_releases import new_project, refarch, run, state

pytestmark = pytest.mark.synth


def test_a_stateful_replacement_is_refused_with_nothing_written_then_applied_when_allowed(template_remote, tmp_path):
    project = new_project(template_remote, tmp_path, "0.2.0")
    head, recorded = run("git", "rev-parse", "HEAD", cwd=project), state(project)
    code, output = refarch("update", str(project), "--to", "v0.3.0")
    assert code == 2 and "nothing was written" in output
    refused = re.findall(r"replaced +REFUSED stateful AWS::DynamoDB::GlobalTable (\S+): create-only KeySchema", output)
    assert sorted(ref.split("/")[0] for ref in refused) == ["Dev", "Prod"]
    assert run("git", "rev-parse", "HEAD", cwd=project) == head and state(project) == recorded
    assert run("git", "status", "--porcelain", cwd=project) == ""

    allowed = [arg for ref in refused for arg in ("--allow-replacement", ref)]
    code, output = refarch("update", str(project), "--to", "v0.3.0", "--format", "json", *allowed)
    assert code == 0, output
    plan = json.loads(output)
    assert plan["written"] and sorted(c["reference"] for c in plan["impact"]["changes"] if c["destructive"]) == sorted(
        refused
    )
    assert 'name="id"' in (project / "modern_app" / "data" / "infrastructure.py").read_text()
    assert state(project)["context"]["cookiecutter"]["_template_version"] == "0.3.0"
