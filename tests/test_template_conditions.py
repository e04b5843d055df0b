"""Template conditions read one component flag or one option, never a combination.

The spec says when a component is on (`cookiecutter.__<component>`); a template condition
that combines answers restates a rule, which then has to be kept in step by hand. A
condition inside another counts as combined with it (an `{% if %}` nested in an `{% if %}`).
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


def combined_conditions(source: str) -> list[tuple[int, list[str]]]:
    """(line, variables) of every condition that, with the conditions around it, joins terms on different
    variables: `a and b`, or an `{% if b %}` inside an `{% if a %}`. `a == 1 or a == 2` reads one option."""
    problems: list[tuple[int, list[str]]] = []

    def visit(node: nodes.Node, outer: frozenset[frozenset[str]]) -> None:
        if isinstance(node, (nodes.If, nodes.CondExpr)):
            terms = outer | _terms(node.test)
            if len(terms) > 1:
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
    ],
)
def test_combined_conditions_are_found_by_what_they_read(source, expected):
    assert combined_conditions(source) == expected
