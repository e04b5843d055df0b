"""The architecture diagram: exactly the enabled components, by tier, with seed steps; valid Mermaid.

Diagrams are read back with Mermaid's own parser (tests/mermaid/), and the assertions are made
on what Mermaid understood: its vertices, subgraphs and edges.
"""

from __future__ import annotations

import re
import shutil

import pytest
from typer.testing import CliRunner

from generator import answers, diagram, matrix, spec
from generator.cli import app

from . import mermaid_parser

CASES = matrix.value_cases()


@pytest.fixture(scope="module")
def parsed() -> dict[str, dict]:
    """Every matrix case's diagram, parsed by Mermaid in one Node.js run."""
    texts = {case.id: diagram.mermaid(answers.resolve(case.given)) for case in CASES}
    return mermaid_parser.parse(texts)


@pytest.fixture(params=CASES, ids=[c.id for c in CASES])
def case(request) -> matrix.Case:
    return request.param


def _steps_in(text: str) -> set[int]:
    match = re.search(r"steps? ([\d, ]+)$", text.replace("<br>", "\n"), re.M)
    return {int(n) for n in match.group(1).split(",")} if match else set()


@pytest.mark.registry  # npm ci of the Mermaid parser
def test_mermaid_parses_every_diagram_as_a_flowchart(parsed, case):
    result = parsed[case.id]
    assert result["ok"], result.get("error")
    assert result["type"].startswith("flowchart")


@pytest.mark.registry  # npm ci of the Mermaid parser
def test_diagram_shows_exactly_the_enabled_components(parsed, case):
    resolved = answers.resolve(case.given)
    result = parsed[case.id]
    shown = {v["id"] for v in result["vertices"]} | {s["id"] for s in result["subgraphs"]}
    enabled = {c.name for c in spec.enabled_components(resolved)}
    assert shown & set(spec.COMPONENTS_BY_NAME) == enabled
    assert shown - set(spec.COMPONENTS_BY_NAME) - set(spec.ACTORS) == {
        s["id"] for s in result["subgraphs"] if s["id"].startswith("tier_")
    }


@pytest.mark.registry  # npm ci of the Mermaid parser
def test_components_are_grouped_by_tier(parsed, case):
    result = parsed[case.id]
    boxes = {s["id"]: s for s in result["subgraphs"]}

    def tier_of(member: str) -> str:
        parent = next(box for box in boxes.values() if member in box["nodes"])
        if parent["id"].startswith("tier_"):
            return parent["id"].removeprefix("tier_")
        if parent["id"] in spec.TIERS:  # a component that is a whole tier draws the tier's box
            return parent["id"]
        return tier_of(parent["id"])

    for vertex in result["vertices"]:
        component = spec.COMPONENTS_BY_NAME.get(vertex["id"])
        if component is not None:
            assert tier_of(component.name) == component.tier, component.name
    for actor in spec.ACTORS:
        assert all(actor not in box["nodes"] for box in boxes.values())


@pytest.mark.registry  # npm ci of the Mermaid parser
def test_every_step_of_the_enabled_components_is_on_the_diagram(parsed, case):
    resolved = answers.resolve(case.given)
    result = parsed[case.id]
    labelled = {v["id"]: _steps_in(v["text"]) for v in result["vertices"]}
    for component in spec.enabled_components(resolved):
        if not component.contains:
            assert labelled[component.name] == set(component.steps), component.name
    on_edges = {int(n) for e in result["edges"] for n in e["text"].split(":")[0].split(",") if n.strip().isdigit()}
    assert on_edges <= {s for c in spec.enabled_components(resolved) for s in c.steps}


@pytest.mark.registry  # npm ci of the Mermaid parser
def test_edges_join_only_drawn_parts(parsed, case):
    result = parsed[case.id]
    drawn = {v["id"] for v in result["vertices"]}
    for edge in result["edges"]:
        assert edge["start"] in drawn and edge["end"] in drawn, edge


def test_disabled_search_and_service_tier_leave_no_trace():
    text = diagram.mermaid(answers.resolve({"edition": "minimal"}))
    for name in ("search", "service", "dax", "delivery", "lake", "end_user_messaging"):
        assert not re.search(rf"\b{name}\b", text), name


def test_sources_fall_back_when_the_web_client_is_off():
    edges = diagram.drawing(answers.resolve({"edition": "minimal", "web_client": "no"})).edges
    assert ("clients", "identity") in {(e.source, e.target) for e in edges}
    assert "web_client" not in {e.source for e in edges}


def test_indexing_path_follows_the_answer():
    def targets(indexing: str) -> set[tuple[str, str]]:
        resolved = answers.resolve({"edition": "app", "search_indexing": indexing})
        return {(e.source, e.target) for e in diagram.drawing(resolved).edges}

    assert {("table", "search_stream_indexer"), ("search_stream_indexer", "search")} <= targets("stream-lambda")
    assert not {e for e in targets("zero-etl") if "search_stream_indexer" in e}
    assert not {e for e in targets("stream-lambda") if "search_zero_etl" in e}
    assert {("table", "search_zero_etl"), ("search_zero_etl", "search")} <= targets("zero-etl")


def test_every_flow_names_real_parts_and_every_component_with_steps_has_a_flow():
    parts = set(spec.COMPONENTS_BY_NAME) | set(spec.ACTORS)
    for flow in spec.FLOWS:
        assert set(flow.sources) | {flow.target} <= parts, flow
    flowing = {name for flow in spec.FLOWS for name in (*flow.sources, flow.target)}
    for component in spec.COMPONENTS:
        if not component.contains:
            assert component.name in flowing, component.name


def test_containers_hold_components_of_their_own_tier():
    for component in spec.COMPONENTS:
        for member in component.contains:
            assert spec.COMPONENTS_BY_NAME[member].tier == component.tier, (component.name, member)


def test_dot_output_has_every_enabled_component():
    resolved = answers.resolve({"edition": "full"})
    text = diagram.dot(resolved)
    declared = set(re.findall(r"^\s*(\w+) \[label=", text, re.M)) | set(re.findall(r"subgraph cluster_(\w+)", text))
    assert {c.name for c in spec.enabled_components(resolved)} <= declared
    assert text.count("{") == text.count("}")


def test_an_image_is_an_svg_with_graphviz_and_a_clear_error_without(tmp_path):
    result = CliRunner().invoke(app, ["diagram", "--edition", "minimal", "-o", str(tmp_path / "a.svg")])
    if shutil.which("dot") is None:
        assert result.exit_code == 2
        assert "Graphviz is not installed" in result.output
    else:
        assert result.exit_code == 0, result.output
        assert "<svg" in (tmp_path / "a.svg").read_text()


def test_cli_draws_the_answers_of_a_rendered_project(tmp_path):
    from generator import render

    resolved = answers.resolve({"edition": "app", "dax": "no"})
    project = render.render(resolved, tmp_path)
    result = CliRunner().invoke(app, ["diagram", "--project", str(project)])
    assert result.exit_code == 0, result.output
    assert result.output == diagram.mermaid(resolved)


def test_cli_refuses_an_invalid_answer_set():
    result = CliRunner().invoke(app, ["diagram", "--set", "dax=yes", "--set", "service_tier=no"])
    assert result.exit_code == 2
    assert "dax-needs-service-tier" in result.output
