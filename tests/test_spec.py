"""The spec is the single source of truth: everything derived from it stays in step."""

from __future__ import annotations

import importlib.metadata
import json

import pytest

from generator import answers, regions, spec
from generator.spec import SpecError

from .conftest import ROOT


def test_cookiecutter_json_is_generated_from_the_spec():
    assert json.loads((ROOT / "cookiecutter.json").read_text()) == spec.cookiecutter_json()


def _pinned(package: str) -> str:
    pins = dict(line.split("==", 1) for line in (ROOT / "constraints.txt").read_text().split() if "==" in line)
    return pins[package]


def test_service_regions_are_those_of_the_pinned_botocore():
    """The frozen data names the botocore it came from: the one constraints.txt pins, and the one installed."""
    pinned, installed = _pinned("botocore"), importlib.metadata.version("botocore")
    stored = json.loads(spec.SERVICE_REGIONS_FILE.read_text())
    assert stored.pop("source") == f"botocore {pinned} endpoints.json", "run: python -m generator.regions"
    assert installed == pinned, (
        f"this test needs botocore {pinned} (constraints.txt), not {installed}: "
        "pip install -c constraints.txt -e '.[test]'"
    )
    fresh = regions.build()
    fresh.pop("source")
    assert stored == fresh, "run: python -m generator.regions"


def test_every_seed_step_belongs_to_a_component():
    covered = {step for component in spec.COMPONENTS for step in component.steps}
    assert covered == set(spec.SEED_STEPS)


def test_every_condition_names_a_real_option_and_value():
    conditions = [c for o in spec.OPTIONS for c in o.asked_when]
    conditions += [c for comp in spec.COMPONENTS for c in comp.enabled_when]
    conditions += [c for r in spec.RULES for c in (*r.when, r.then)]
    flat = [leaf for c in conditions for leaf in (c.conditions if isinstance(c, spec.AnyOf) else (c,))]
    for leaf in flat:
        option = spec.OPTIONS_BY_NAME[leaf.option]
        if option.choices:
            assert set(leaf.values) <= set(option.choices), leaf


def test_every_edition_sets_only_toggle_and_choice_options_to_allowed_values():
    for bundle in spec.EDITIONS.values():
        for name, value in bundle.items():
            spec.check_value(name, value)


@pytest.mark.parametrize("edition", list(spec.EDITIONS))
def test_every_edition_resolves_to_a_valid_answer_set(edition):
    resolved = answers.resolve({"edition": edition})
    assert resolved["edition"] == edition
    for name, value in spec.EDITIONS[edition].items():
        assert resolved[name] == value, name


def test_default_answers_enable_every_seed_step():
    resolved = answers.resolve({})
    steps = {step for component in spec.enabled_components(resolved) for step in component.steps}
    assert steps == set(spec.SEED_STEPS)


def test_a_toggle_that_is_not_asked_defaults_to_off():
    resolved = answers.resolve({"service_tier": "no"})
    assert resolved["dax"] == resolved["delivery"] == resolved["analytics"] == resolved["bi"] == "no"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("search", True, "yes"),
        ("search", False, "no"),
        ("az_count", 3, "3"),
        ("project_name", 42, "42"),
        ("search", "true", "yes"),
    ],
)
def test_values_from_yaml_are_coerced(name, value, expected):
    assert spec.coerce(name, value) == expected


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("searhc", "yes", "unknown option 'searhc' (did you mean 'search'?)"),
        ("az_count", "three", "option 'az_count': expected an integer"),
        ("az_count", [2], "option 'az_count': expected one of 2, 3, got list"),
        ("dax", 1, "option 'dax': expected one of yes, no, got number"),
        ("edition", True, "option 'edition': expected one of full, app, minimal, got boolean"),
    ],
)
def test_wrong_types_are_named(name, value, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        spec.coerce(name, value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("project_slug", "My App"),
        ("project_slug", "a/b"),
        ("project_slug", ".."),
        ("project_slug", "x" * 40),
        ("package_name", "class"),
        ("package_name", "match"),
        ("package_name", "my-app"),
        ("package_name", "../pkg"),
        ("package_name", "MyApp"),
        ("dev_account_id", "12345"),
        ("prod_account_id", "12345678901a"),
        ("dev_region", "us-east-9"),
        ("prod_region", "cn-north-1"),
        ("notification_email", "not-an-email"),
        ("source_connection_arn", "arn:aws:s3:::bucket"),
        ("source_repository", "no-owner"),
        ("saml_metadata_file", "/etc/passwd"),
        ("sender_domain", "localhost"),
        ("description", 'say "hi"'),
        ("az_count", "4"),
        ("engagement", "sns"),
    ],
)
def test_invalid_values_name_the_option_the_value_and_what_is_allowed(name, value):
    with pytest.raises(SpecError) as raised:
        spec.check_value(name, value)
    message = str(raised.value)
    assert message.startswith(f"option '{name}': '{value}' ")
    assert "\n" not in message


def test_region_error_suggests_the_nearest_region():
    with pytest.raises(SpecError, match=r"did you mean eu-central-1\?"):
        spec.check_value("dev_region", "eu-centrl-1")


def test_a_region_that_lacks_a_selected_service_is_refused():
    offered = spec.service_regions()["services"]
    region = next(r for r in spec.service_regions()["regions"] if r not in offered["quicksight"])
    with pytest.raises(SpecError, match=f"option 'dev_region': '{region}' does not offer"):
        answers.resolve({"dev_region": region, "prod_region": "us-east-1"})


@pytest.mark.parametrize("rule", spec.RULES, ids=lambda r: r.name)
def test_every_rule_refuses_its_forbidden_combination_with_its_reason(rule):
    forbidden = {"edition": "full"}
    for condition in rule.when:
        forbidden[condition.option] = condition.values[0]
    if rule.then.values == ("<set>",):
        forbidden[rule.then.option] = ""
    else:
        option = spec.OPTIONS_BY_NAME[rule.then.option]
        forbidden[rule.then.option] = next(v for v in option.choices if v not in rule.then.values)
    with pytest.raises(SpecError) as raised:
        answers.resolve(forbidden)
    message = str(raised.value)
    assert message.startswith(f"rule '{rule.name}'") and rule.reason in message


def test_disabled_paths_follow_the_component_map():
    minimal = answers.resolve({"edition": "minimal"})
    removed = spec.disabled_paths(minimal)
    assert "modern_app/search" in removed and "modern_app/service" in removed
    assert "modern_app/data" not in removed and "modern_app/network" in removed, "no VPC without its users"
    assert "modern_app/network" not in spec.disabled_paths(
        answers.resolve({"edition": "minimal", "warehouse": "provisioned"})
    )
    # The default (full) project drops only the alternatives to its chosen values.
    assert spec.disabled_paths(answers.resolve({})) == [
        "modern_app/analytics/warehouse/provisioned.py",
        "modern_app/delivery/source_codeconnections.py",
        "modern_app/engagement/pinpoint.py",
        "modern_app/search/zero_etl.py",
        "modern_app/service/ecs_blue_green.py",
        "modern_app/service/front_door_alb.py",
    ]
