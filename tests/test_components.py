"""The component map's documentation fields: units, tests, prerequisites, fixed costs, tiers."""

from __future__ import annotations

import string

from generator import spec


def test_every_component_has_a_known_tier_a_unit_and_test_files():
    for component in spec.COMPONENTS:
        assert component.tier in spec.TIERS, component.name
        assert component.unit, component.name
        assert component.tests, component.name
        for pattern in component.tests:
            assert pattern.startswith("tests/") and pattern.rsplit("/", 1)[-1].startswith("test_"), pattern
            assert pattern.endswith(".py"), pattern


def test_prerequisites_name_only_real_options():
    for component in spec.COMPONENTS:
        fields = {name for _, name, _, _ in string.Formatter().parse(component.prerequisite) if name}
        assert fields <= set(spec.OPTIONS_BY_NAME), component.name


def test_the_accounts_prerequisites_the_architecture_needs_are_declared():
    needing = {c.name for c in spec.COMPONENTS if c.prerequisite}
    assert {"quicksight", "search", "end_user_messaging", "codeconnections"} <= needing


def test_components_with_a_notable_fixed_monthly_cost_are_marked():
    costly = {c.name for c in spec.COMPONENTS if c.fixed_monthly_cost}
    assert {"nat_gateways", "search", "dax", "redshift_serverless", "redshift_provisioned", "quicksight"} <= costly
