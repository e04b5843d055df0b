"""The pairwise matrix: valid, covers every value and every allowed pair, deterministic.

The allowed pairs are recomputed here by brute force over complete answer sets,
independently of the covering algorithm in generator/matrix.py.
"""

from __future__ import annotations

import itertools
import json

import pytest
from typer.testing import CliRunner

from generator import answers, matrix, spec
from generator.cli import app

CASES = matrix.pairwise_cases()


def _options_in(conditions) -> set[str]:
    names = set()
    for condition in conditions:
        for leaf in getattr(condition, "conditions", (condition,)):
            names.add(leaf.option)
    return names


def _interactions() -> set[frozenset[str]]:
    """Option pairs that meet in a rule, an asked_when or a component condition (options with choices)."""
    groups = [_options_in(r.when) | {r.then.option} for r in spec.RULES]
    groups += [_options_in(o.asked_when) | {o.name} for o in spec.OPTIONS]
    groups += [_options_in(c.enabled_when) for c in spec.COMPONENTS]
    with_choices = {o.name for o in spec.OPTIONS if o.choices}
    return {frozenset(p) for g in groups for p in itertools.combinations(sorted(g & with_choices), 2)}


def _connected(interactions: set[frozenset[str]]) -> list[list[str]]:
    components: list[set[str]] = []
    for pair in interactions:
        touching = [c for c in components if c & pair]
        merged = set(pair).union(*touching)
        components = [c for c in components if c not in touching] + [merged]
    order = [o.name for o in spec.OPTIONS]
    return [sorted(c, key=order.index) for c in components]


def _complete(assignment: dict[str, str], defaults: dict[str, str]) -> dict[str, str] | None:
    """A complete answer set as refarch resolves it: options that are not asked take their default."""
    full = {**defaults, **assignment}
    for name in assignment:
        option = spec.OPTIONS_BY_NAME[name]
        if not spec.is_asked(option, full):
            full[name] = spec.NO if option.kind == "toggle" else option.default
    full["source_connection_arn"] = spec.OPTIONS_BY_NAME["source_connection_arn"].example
    try:
        spec.check_rules(full)
    except spec.SpecError:
        return None
    return full


def _pairs_shown(resolved: dict[str, str], interactions: set[frozenset[str]]) -> set[frozenset]:
    asked = {o.name for o in spec.OPTIONS if o.choices and spec.is_asked(o, resolved)}
    return {frozenset((n, resolved[n]) for n in pair) for pair in interactions if pair <= asked}


def test_every_case_is_a_valid_answer_set_with_a_unique_readable_id():
    assert len({c.id for c in CASES}) == len(CASES)
    for case in CASES:
        answers.resolve(case.given)
        assert case.id.startswith("pairwise-")


def test_every_value_of_every_option_appears_where_it_is_asked():
    shown = set()
    for case in CASES:
        resolved = answers.resolve(case.given)
        shown |= {(o.name, resolved[o.name]) for o in spec.OPTIONS if o.choices and spec.is_asked(o, resolved)}
    assert shown == {(o.name, v) for o in spec.OPTIONS for v in o.choices}


def test_every_allowed_pair_of_interacting_values_is_covered():
    interactions = _interactions()
    defaults = answers.resolve({})
    allowed = set()
    for names in _connected(interactions):
        for values in itertools.product(*(spec.OPTIONS_BY_NAME[n].choices for n in names)):
            full = _complete(dict(zip(names, values, strict=True)), defaults)
            if full is not None:
                allowed |= _pairs_shown(full, interactions)
    covered = set().union(*(_pairs_shown(answers.resolve(c.given), interactions) for c in CASES))
    assert allowed, "the spec declares no interacting options"
    assert covered == allowed


@pytest.mark.parametrize("forbidden", [
    {("dax", "yes"), ("service_tier", "no")},
    {("warehouse", "serverless"), ("az_count", "2")},
    {("bi", "yes"), ("analytics", "no")},
])
def test_forbidden_pairs_are_never_generated(forbidden):
    for case in CASES:
        resolved = answers.resolve(case.given)
        assert not forbidden <= set(resolved.items()), case.id


def test_the_matrix_is_deterministic_and_printed_as_a_ci_matrix():
    assert matrix.pairwise_cases() == CASES
    runner = CliRunner()
    first = runner.invoke(app, ["matrix"])
    second = runner.invoke(app, ["matrix"])
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    printed = json.loads(first.output)
    assert [entry["id"] for entry in printed["include"]] == [c.id for c in CASES]
    assert [entry["answers"] for entry in printed["include"]] == [c.given for c in CASES]


def test_other_matrix_kinds_are_printed_too():
    printed = json.loads(CliRunner().invoke(app, ["matrix", "--kind", "editions"]).output)
    assert [entry["answers"] for entry in printed["include"]] == [{"edition": e} for e in spec.EDITIONS]
