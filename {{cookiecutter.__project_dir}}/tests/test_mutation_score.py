"""`make mutation`'s two halves agree with what they stand on: the summary reads mutmut's statuses per
folder, and the templates the mutation run reads from `make synth`'s assembly are the synthesised ones."""

from __future__ import annotations

import pytest

from scripts import mutation_score

from .conftest import ASSEMBLY_VARIABLE, Templates, given_assembly

STATUSES = {
    "app.search.runtime.indexer.x_handler__mutmut_1": "killed",
    "app.search.runtime.indexer.x_handler__mutmut_2": "timeout",
    "app.search.runtime.indexer.x_handler__mutmut_3": "survived",
    "app.search.runtime.indexer.x_handler__mutmut_4": "no tests",
    "app.api.runtime.handler.x_owner__mutmut_1": "killed",
}


def test_each_folder_is_scored_on_its_own_mutants_and_lists_what_no_test_caught():
    lines = mutation_score.report(STATUSES, ["app/search/runtime", "app/api/runtime/"], target=50)
    assert lines == [
        "app/search/runtime: 2/4 mutants killed (50.0%)",
        "  survived: app.search.runtime.indexer.x_handler__mutmut_3",
        "  no tests: app.search.runtime.indexer.x_handler__mutmut_4",
        "app/api/runtime/: 1/1 mutants killed (100.0%)",
    ]


def test_a_folder_below_the_target_or_without_mutants_fails_the_run():
    lines = mutation_score.report(STATUSES, ["app/search/runtime", "app/lake/runtime"], target=85)
    assert lines[-1] == "below 85%: app/search/runtime, app/lake/runtime"


def test_templates_read_from_the_assembly_are_the_synthesised_ones(assembly, cloud_assembly_dir):
    for environment in ("Dev", "Prod"):
        nested = assembly.get_nested_assembly(f"assembly-{environment}")
        read = Templates(cloud_assembly_dir / f"assembly-{environment}")
        synthesised = {stack.hierarchical_id.split("/")[-1]: stack.template for stack in nested.stacks}
        assert read.ids() == set(synthesised)
        assert all(read.raw(stack_id) == template for stack_id, template in synthesised.items())


def test_a_given_assembly_must_be_one(monkeypatch, tmp_path):
    monkeypatch.setenv(ASSEMBLY_VARIABLE, str(tmp_path))
    with pytest.raises(pytest.UsageError, match="no cloud assembly there; run `make synth` first"):
        given_assembly()
    (tmp_path / "manifest.json").write_text("{}")
    assert given_assembly() == tmp_path
    monkeypatch.delenv(ASSEMBLY_VARIABLE)
    assert given_assembly() is None
