"""Template conditions read one component flag or one option, never a combination.

The spec says when a component is on (`cookiecutter.__<component>`); a template condition
that combines answers restates a rule, which then has to be kept in step by hand. A
condition inside another counts as combined with it (an `{% if %}` nested in an `{% if %}`),
unless the spec makes the pair one condition: the inner component is only ever on when the
outer one is (`__quicksight` inside `__lake`), or the two are alternatives that are never on
together (`__redshift_serverless` and, in its `elif`, `__redshift_provisioned`).
"""

from __future__ import annotations

import fnmatch

import jinja2
import pytest
from jinja2 import nodes

from generator import spec

from .conftest import ROOT

TEMPLATE = ROOT / "{{cookiecutter.__project_dir}}"


def _variables(node: nodes.Node) -> frozenset[str]:
    """The cookiecutter variables an expression reads (`cookiecutter.x` and `cookiecutter["x"]`)."""
    found = set()
    for n in (node, *node.find_all((nodes.Getattr, nodes.Getitem))):
        if isinstance(n, nodes.Getattr) and isinstance(n.node, nodes.Name) and n.node.name == "cookiecutter":
            found.add(n.attr)
        elif (
            isinstance(n, nodes.Getitem)
            and isinstance(n.node, nodes.Name)
            and n.node.name == "cookiecutter"
            and isinstance(n.arg, nodes.Const)
        ):
            found.add(n.arg.value)
    return frozenset(found)


def _terms(test: nodes.Node) -> set[frozenset[str]]:
    """The variables of each term that `and`, `or` and `not` join (one comparison is one term)."""
    if isinstance(test, (nodes.And, nodes.Or)):
        return _terms(test.left) | _terms(test.right)
    if isinstance(test, nodes.Not):
        return _terms(test.node)
    variables = _variables(test)
    return {variables} if variables else set()


def _holds_whenever(condition: spec.When | spec.AnyOf, conditions: tuple) -> bool:
    """Whether `condition` holds in every answer set in which all of `conditions` hold."""
    if isinstance(condition, spec.AnyOf):
        return condition in conditions or any(_holds_whenever(c, conditions) for c in condition.conditions)
    return any(
        isinstance(c, spec.When) and c.option == condition.option and set(c.values) <= set(condition.values)
        for c in conditions
    )


def _component(variable: str) -> spec.Component | None:
    return spec.COMPONENTS_BY_NAME.get(variable.removeprefix("__")) if variable.startswith("__") else None


def implies(inner: str, outer: str) -> bool:
    """The component flag `inner` is on only when the flag `outer` is."""
    a, b = _component(inner), _component(outer)
    return bool(a and b) and all(_holds_whenever(c, a.enabled_when) for c in b.enabled_when)


def exclusive(first: str, second: str) -> bool:
    """The two component flags are never on together: they need different values of one option."""
    a, b = _component(first), _component(second)
    return bool(a and b) and any(
        isinstance(x, spec.When)
        and isinstance(y, spec.When)
        and x.option == y.option
        and not set(x.values) & set(y.values)
        for x in a.enabled_when
        for y in b.enabled_when
    )


def _one_condition(terms: frozenset[frozenset[str]]) -> bool:
    """Terms that read one flag each, the innermost implying or excluding every other, are one condition."""
    if len(terms) <= 1:
        return True
    if any(len(term) != 1 for term in terms):
        return False
    flags = [next(iter(term)) for term in terms]
    return any(all(f == g or implies(f, g) or exclusive(f, g) for g in flags) for f in flags)


def combined_conditions(source: str) -> list[tuple[int, list[str]]]:
    """(line, variables) of every condition that, with the conditions around it, joins terms on different
    variables: `a and b`, or an `{% if b %}` inside an `{% if a %}`. `a == 1 or a == 2` reads one option."""
    problems: list[tuple[int, list[str]]] = []

    def visit(node: nodes.Node, outer: frozenset[frozenset[str]]) -> None:
        if isinstance(node, (nodes.If, nodes.CondExpr)):
            terms = outer | _terms(node.test)
            if not _one_condition(terms):
                problems.append((node.lineno, sorted(set().union(*terms))))
            if isinstance(node, nodes.CondExpr):
                branches = [node.expr1, node.expr2]
            else:
                branches = [*node.body, *node.elif_, *node.else_]
            for child in branches:
                if child is not None:
                    visit(child, frozenset(terms))
            return
        for child in node.iter_child_nodes():
            visit(child, outer)

    visit(jinja2.Environment(keep_trailing_newline=True).parse(source), frozenset())
    return problems


def _rendered_sources() -> list[tuple[str, str]]:
    """(name, Jinja source) of every template file's path and text that cookiecutter renders."""
    sources = []
    for path in sorted(TEMPLATE.rglob("*")):
        relative = path.relative_to(ROOT).as_posix()
        sources.append((f"{relative} (name)", relative))
        if not path.is_file() or any(fnmatch.fnmatch(relative, p) for p in spec.COPY_WITHOUT_RENDER):
            continue
        try:
            sources.append((relative, path.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            continue
    return sources


def test_no_template_condition_combines_options():
    problems = [
        f"{name}:{line}: {' + '.join(variables)}"
        for name, source in _rendered_sources()
        for line, variables in combined_conditions(source)
    ]
    assert problems == [], "conditions combining options (use one component flag from the spec):\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{% if cookiecutter.__lake == "yes" %}x{% endif %}', []),
        ('{% if cookiecutter.a == "1" and cookiecutter.b == "2" %}x{% endif %}', [(1, ["a", "b"])]),
        ('{% if cookiecutter.a %}\n{% if cookiecutter["b"] %}x{% endif %}{% endif %}', [(2, ["a", "b"])]),
        ("{% if cookiecutter.a %}{% else %}{{ 1 if cookiecutter.b else 2 }}{% endif %}", [(1, ["a", "b"])]),
        ('{% if cookiecutter.w == "s" %}s{% elif cookiecutter.w == "p" %}p{% endif %}', []),
        ('{{ "x" if cookiecutter.a == "1" and cookiecutter.b else "y" }}', [(1, ["a", "b"])]),
        ('{% if not cookiecutter.a or cookiecutter.a == "2" %}x{% endif %}', []),
        ("{% if cookiecutter.a ~ cookiecutter.b != cookiecutter.c %}x{% endif %}", []),
        # The spec's components: one only ever on with the other, or alternatives never on together.
        ('{% if cookiecutter.__lake == "yes" %}{% if cookiecutter.__quicksight == "yes" %}x{% endif %}{% endif %}', []),
        (
            '{% if cookiecutter.__redshift_serverless == "yes" %}s'
            '{% elif cookiecutter.__redshift_provisioned == "yes" %}p{% endif %}',
            [],
        ),
        (
            '{% if cookiecutter.__engagement == "yes" %}{% if cookiecutter.__lake == "yes" %}x{% endif %}{% endif %}',
            [(1, ["__engagement", "__lake"])],
        ),
        (
            '{% if cookiecutter.__lake == "yes" %}{% if cookiecutter.bi == "yes" %}x{% endif %}{% endif %}',
            [(1, ["__lake", "bi"])],
        ),
    ],
)
def test_combined_conditions_are_found_by_what_they_read(source, expected):
    assert combined_conditions(source) == expected
