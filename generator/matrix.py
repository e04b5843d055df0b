"""Answer sets derived from the spec: every edition, and every value of every choice option.

Each case is the smallest change to an edition that makes the value valid, found by
trying the editions in order; a value no edition can carry is an error in the spec.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator import answers, spec


@dataclass(frozen=True)
class Case:
    id: str
    given: dict[str, str]


def edition_cases() -> list[Case]:
    return [Case(f"edition:{name}", {"edition": name}) for name in spec.EDITIONS]


def _with_required_values(given: dict[str, str]) -> dict[str, str]:
    """Fill values that a rule requires to be set (e.g. a connection ARN) with the option's example."""
    resolved = {**given}
    for rule in spec.RULES:
        if rule.then.values == ("<set>",) and all(c.holds(resolved) for c in rule.when if isinstance(c, spec.When)):
            resolved.setdefault(rule.then.option, spec.OPTIONS_BY_NAME[rule.then.option].example)
    return resolved


def _first_valid(overrides: dict[str, str]) -> dict[str, str]:
    problems = []
    for edition in spec.EDITIONS:
        given = _with_required_values({"edition": edition, **overrides})
        try:
            answers.resolve(given)
        except spec.SpecError as problem:
            problems.append(str(problem))
            continue
        return given
    raise spec.SpecError(f"no edition accepts {overrides}: {problems[-1]}")


def _enablers(option: spec.Option) -> dict[str, str]:
    """Answers that make `option` asked, so that its value matters."""
    enabling: dict[str, str] = {}
    for condition in option.asked_when:
        if isinstance(condition, spec.When) and condition.option in spec.OPTIONS_BY_NAME:
            enabling[condition.option] = condition.values[0]
    return enabling


def value_cases() -> list[Case]:
    """One case per value of every option that has choices (editions included)."""
    cases = []
    for option in spec.OPTIONS:
        for value in option.choices:
            overrides = {**_enablers(option), option.name: value}
            if option.name == "edition":
                continue
            cases.append(Case(f"{option.name}:{value}", _first_valid(overrides)))
    return edition_cases() + cases
