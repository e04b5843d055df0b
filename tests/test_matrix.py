"""The covering arrays: valid cases, every feasible pair (and triple) covered, deterministic, printed for CI.

The feasible combinations are recomputed here by brute force over complete answer sets
(every product of the values of options that constrain each other, checked by the
spec's rules and regions), independently of the generator in generator/matrix.py; what
a case covers is read from the answer set `refarch new` resolves for it.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import subprocess
import sys

import pytest
import yaml
from cookiecutter.environment import StrictEnvironment
from cookiecutter.prompt import render_variable
from typer.testing import CliRunner

from generator import answers, matrix, spec
from generator.cli import app

from .conftest import ROOT, tree

FACTORS = [o for o in spec.OPTIONS if o.choices and o.name != "edition"]
PAIRS = matrix.covering_cases(2)


def _names(conditions) -> set[str]:
    return {leaf.option for c in conditions for leaf in getattr(c, "conditions", (c,))}


def _connected_factors() -> list[list[str]]:
    """Factors that meet in a rule, an asked_when or a component condition, transitively."""
    meetings = [_names(r.when) | {r.then.option} for r in spec.RULES]
    meetings += [_names(o.asked_when) | {o.name} for o in spec.OPTIONS]
    meetings += [_names(c.enabled_when) for c in spec.COMPONENTS]
    components = [{o.name} for o in FACTORS]
    for meeting in meetings:
        touching = [c for c in components if c & meeting]
        if touching:
            components = [c for c in components if c not in touching] + [set().union(*touching)]
    order = [o.name for o in FACTORS]
    return sorted((sorted(c, key=order.index) for c in components), key=lambda c: order.index(c[0]))


def _asked(full: dict[str, str]) -> dict[str, str]:
    return {o.name: full[o.name] for o in FACTORS if spec.is_asked(o, full)}


def _unasked_default(name: str, full: dict[str, str]) -> str:
    """What cookiecutter itself renders for an option nobody answers, from the other answers."""
    option = spec.OPTIONS_BY_NAME[name]
    if option.kind == "toggle":
        return spec.NO
    environment = StrictEnvironment(context={"cookiecutter": spec.cookiecutter_json()})
    return render_variable(environment, option.default, full)


@functools.cache
def _shown_by_group(strength: int) -> list[set[tuple]]:
    """Per connected set of factors: every combination of up to `strength` asked values a valid answer set shows."""
    defaults = answers.resolve({})
    result = []
    for names in _connected_factors():
        shown: set[tuple] = set()
        for values in itertools.product(*(spec.OPTIONS_BY_NAME[n].choices for n in names)):
            full = {**defaults, **dict(zip(names, values, strict=True))}
            # refarch gives an option it does not ask its default (a toggle: no); other assignments are not answer sets
            if any(
                not spec.is_asked(spec.OPTIONS_BY_NAME[n], full) and full[n] != _unasked_default(n, full) for n in names
            ):
                continue
            if full["delivery"] == spec.YES and full["source"] == "codeconnections":
                full["source_connection_arn"] = spec.OPTIONS_BY_NAME["source_connection_arn"].example
            try:
                spec.check_rules(full)
                spec.check_regions(full)
            except spec.SpecError:
                continue
            items = sorted((name, value) for name, value in _asked(full).items() if name in names)
            for size in range(1, strength + 1):
                shown |= {frozenset(c) for c in itertools.combinations(items, size)}
        result.append(shown)
    return result


@functools.cache
def feasible_by_brute_force(strength: int) -> set[frozenset]:
    groups = _connected_factors()
    per_group = _shown_by_group(strength)
    values = sorted({item for shown in per_group for part in shown for item in part})
    feasible = set()
    for combination in itertools.combinations(values, strength):
        if len({name for name, _ in combination}) < strength:
            continue
        parts = [frozenset(i for i in combination if i[0] in names) for names in groups]
        if all(not part or part in shown for part, shown in zip(parts, per_group, strict=True)):
            feasible.add(frozenset(combination))
    return feasible


def covered(cases: list[matrix.Case], strength: int) -> set[frozenset]:
    result = set()
    for case in cases:
        asked = _asked(answers.resolve(case.given))
        result |= {frozenset(c) for c in itertools.combinations(sorted(asked.items()), strength)}
    return result


def test_every_case_is_a_valid_answer_set_with_a_unique_readable_id():
    assert len({c.id for c in PAIRS}) == len(PAIRS)
    for number, case in enumerate(PAIRS, start=1):
        resolved = answers.resolve(case.given)
        assert case.id == f"pairwise-{number:02d}-{case.given['edition']}"
        assert case.title.startswith(f"{case.given['edition']} edition")
        for change in case.title.partition(": ")[2].split(", ") if ": " in case.title else []:
            name, value = change.split("=")
            assert resolved[name] == value


def test_every_feasible_pair_is_covered_and_the_report_says_so():
    feasible = feasible_by_brute_force(2)
    assert len(feasible) > 900  # every pair of every option, not only those a rule names
    assert covered(PAIRS, 2) >= feasible
    assert {frozenset(c) for c in matrix.feasible(2)} == feasible
    report = matrix.coverage(PAIRS, 2)
    assert (report.covered, report.feasible, report.cases, report.missing) == (
        len(feasible),
        len(feasible),
        len(PAIRS),
        (),
    )
    assert report.product_bound == 3 * 3
    assert report.exclusive_bound <= report.cases <= 2 * report.exclusive_bound  # greedy: about 1.9x today


def test_pairs_that_cannot_be_shown_together_are_not_counted():
    feasible = feasible_by_brute_force(2)
    assert frozenset({("service_tier", "no"), ("dax", "yes")}) not in feasible  # dax is not asked
    assert frozenset({("warehouse", "serverless"), ("az_count", "2")}) not in feasible  # a rule
    assert frozenset({("search", "no"), ("search_indexing", "zero-etl")}) not in feasible
    assert frozenset({("cognito_mfa", "off"), ("deployment", "rolling")}) in feasible


def test_the_rule_aware_lower_bound_is_a_real_one():
    """MFA's 3 values x {each deployment, delivery=no, service_tier=no}: no two of these 15 pairs fit in one case."""
    events = [("deployment", d) for d in spec.OPTIONS_BY_NAME["deployment"].choices]
    events += [("delivery", spec.NO), ("service_tier", spec.NO)]
    pairs = [frozenset({("cognito_mfa", m), e}) for m in spec.OPTIONS_BY_NAME["cognito_mfa"].choices for e in events]
    feasible_pairs = feasible_by_brute_force(2)
    assert all(p in feasible_pairs for p in pairs)
    big = next(
        shown for names, shown in zip(_connected_factors(), _shown_by_group(2), strict=True) if "service_tier" in names
    )
    for first, second in itertools.combinations(pairs, 2):
        mfa = {v for n, v in first | second if n == "cognito_mfa"}
        service = frozenset(i for i in first | second if i[0] != "cognito_mfa")
        assert len(mfa) == 2 or service not in big, (first, second)
    assert matrix.coverage(PAIRS, 2).exclusive_bound >= len(pairs)


@pytest.mark.parametrize(
    "forbidden",
    [
        {("dax", "yes"), ("service_tier", "no")},
        {("warehouse", "serverless"), ("az_count", "2")},
        {("bi", "yes"), ("analytics", "no")},
        {("saml_federation", "yes"), ("bi", "no")},
    ],
)
def test_forbidden_pairs_are_never_generated(forbidden):
    for case in PAIRS:
        assert not forbidden <= set(answers.resolve(case.given).items()), case.id


def test_strength_3_covers_every_feasible_triple():
    triples = matrix.covering_cases(3)
    feasible = feasible_by_brute_force(3)
    assert covered(triples, 3) >= feasible
    report = matrix.coverage(triples, 3)
    assert report.percent == 100.0 and report.feasible == len(feasible) and report.product_bound == 27
    assert all(case.id.startswith("threeway-") for case in triples)
    assert len(triples) <= 2.5 * report.exclusive_bound


def test_explain_lists_each_pair_once_at_the_case_that_first_covers_it():
    result = CliRunner().invoke(app, ["matrix", "--explain"])
    assert result.exit_code == 0, result.output
    listed: dict[str, list[frozenset]] = {}
    current = None
    for line in result.stdout.splitlines():
        if not line.startswith(" "):
            current = line.split()[0]
            listed[current] = []
        else:
            listed[current].append(frozenset(tuple(part.split("=")) for part in line.strip().split(" x ")))
    assert list(listed) == [c.id for c in PAIRS]
    everything = [pair for pairs in listed.values() for pair in pairs]
    assert len(everything) == len(set(everything)) and set(everything) == feasible_by_brute_force(2)
    seen: set[frozenset] = set()
    for case in PAIRS:
        own = covered([case], 2) & feasible_by_brute_force(2)
        assert set(listed[case.id]) == own - seen and listed[case.id], case.id
        seen |= own


def test_the_github_format_is_an_include_list_and_the_same_every_time():
    runs = [
        subprocess.run(
            [sys.executable, "-m", "generator.cli", "matrix", "--format", "github"],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
        )
        for seed in ("1", "2")
    ]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    printed = json.loads(runs[0].stdout)
    assert list(printed) == ["include"]
    assert [e["id"] for e in printed["include"]] == [c.id for c in PAIRS]
    assert [e["answers"] for e in printed["include"]] == [c.given for c in PAIRS]
    assert "966/966" in runs[0].stderr or "100%" in runs[0].stderr


def test_the_json_format_carries_the_coverage_report():
    printed = json.loads(CliRunner().invoke(app, ["matrix", "--format", "json"]).stdout)
    assert printed["coverage"]["covered"] == printed["coverage"]["feasible"] == len(feasible_by_brute_force(2))
    assert printed["coverage"]["cases"] == len(printed["cases"]) == len(PAIRS)
    assert printed["coverage"]["lower_bound"] == 9


def test_other_matrix_kinds_are_printed_too():
    printed = json.loads(CliRunner().invoke(app, ["matrix", "--kind", "editions"]).stdout)
    assert [entry["answers"] for entry in printed["include"]] == [{"edition": e} for e in spec.EDITIONS]


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--strength", "4"], "--strength: 4"),
        (["--format", "yaml"], "--format: 'yaml'"),
        (["--kind", "values", "--strength", "3"], "--strength applies to --kind pairwise"),
    ],
)
def test_bad_matrix_arguments_are_one_line_errors(arguments, message):
    result = CliRunner().invoke(app, ["matrix", *arguments])
    assert result.exit_code == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_case_renders_by_id_and_from_its_written_config_alike(tmp_path):
    case = PAIRS[-1]
    runner = CliRunner()
    configs = tmp_path / "configs"
    assert runner.invoke(app, ["matrix", "--write-configs", str(configs)]).exit_code == 0
    assert sorted(p.stem for p in configs.glob("*.yaml")) == sorted(c.id for c in PAIRS)
    for each in PAIRS:
        loaded = answers.load_config_file(configs / f"{each.id}.yaml")
        assert answers.resolve(loaded) == answers.resolve(each.given)
    by_id = runner.invoke(app, ["new", "--no-input", "--matrix-case", case.id, "--output-dir", str(tmp_path / "a")])
    by_config = runner.invoke(
        app, ["new", "--no-input", "--config", str(configs / f"{case.id}.yaml"), "--output-dir", str(tmp_path / "b")]
    )
    assert by_id.exit_code == 0 and by_config.exit_code == 0, by_id.output + by_config.output
    assert tree(tmp_path / "a" / "modern-app") == tree(tmp_path / "b" / "modern-app")
    recorded = json.loads((tmp_path / "a" / "modern-app" / ".cruft.json").read_text())["context"]["cookiecutter"]
    assert {name: recorded[name] for name in case.given} == case.given


def test_an_unknown_matrix_case_fails_before_writing(tmp_path):
    result = CliRunner().invoke(
        app, ["new", "--no-input", "--matrix-case", "pairwise-99-full", "--output-dir", str(tmp_path)]
    )
    assert result.exit_code == 2 and "--matrix-case: no case 'pairwise-99-full'" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_most_different_picks_cases_apart_from_the_editions():
    editions = matrix.edition_cases()
    picked = matrix.most_different(PAIRS, 2, apart_from=editions)
    assert len(picked) == 2 and picked[0] != picked[1]
    values = {c.id: set(_asked(answers.resolve(c.given)).items()) for c in [*PAIRS, *editions]}

    def nearest(case):
        return min(len(values[case.id] ^ values[e.id]) for e in editions)

    assert nearest(picked[0]) == max(nearest(c) for c in PAIRS)


def test_the_shipped_workflow_fans_the_matrix_out_one_case_per_runner():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "matrix.yml").read_text(encoding="utf-8"))
    cases, case = workflow["jobs"]["cases"], workflow["jobs"]["case"]
    printing = next(step for step in cases["steps"] if step.get("id") == "cases")
    assert 'refarch matrix --strength "$STRENGTH" --format github' in printing["run"]
    assert cases["outputs"]["matrix"] == "${{ steps.cases.outputs.matrix }}"
    assert case["needs"] == "cases"
    assert case["strategy"]["matrix"] == "${{ fromJSON(needs.cases.outputs.matrix) }}"
    assert case["env"]["CASE_ID"] == "${{ matrix.id }}"
    commands = [step["run"] for step in case["steps"] if "run" in step]
    assert 'refarch new --no-input --matrix-case "$CASE_ID" --output-dir build' in commands
    assert any(c.startswith("refarch validate build/modern-app") for c in commands)
    assert workflow[True]["schedule"] and "'3'" in printing["env"]["STRENGTH"]  # PyYAML reads `on:` as True
