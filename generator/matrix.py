"""Answer sets derived from the spec: editions, every value of every option, pairwise.

`value_cases()`: each case is the smallest change to an edition that makes one value
valid, found by trying the editions in order; a value no edition can carry is an error
in the spec.

`pairwise_cases()`: a small covering array over the options with choices. Two options
interact when they meet in a rule, in an option's `asked_when` or in a component's
`enabled_when`; every pair of values of interacting options that some valid answer set
shows together (both options asked) appears in at least one case, and so does every
value of every option. An option that is not asked in a case keeps its default, so a
value only counts where it matters.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
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


# --------------------------------------------------------------------------- pairwise

def factors() -> list[spec.Option]:
    """The options that take part in the covering array: those with a fixed set of values."""
    return [o for o in spec.OPTIONS if o.choices]


def _leaves(conditions: Iterable[spec.When | spec.AnyOf]) -> list[spec.When]:
    return [leaf for c in conditions for leaf in (c.conditions if isinstance(c, spec.AnyOf) else (c,))]


def interaction_sets() -> list[set[str]]:
    """Sets of options that constrain each other, read from rules, asked_when and components."""
    sets = [{c.option for c in _leaves(rule.when)} | {rule.then.option} for rule in spec.RULES]
    sets += [{option.name} | {c.option for c in _leaves(option.asked_when)} for option in spec.OPTIONS]
    sets += [{c.option for c in _leaves(component.enabled_when)} for component in spec.COMPONENTS]
    names = {o.name for o in factors()}
    return [group & names for group in sets if len(group & names) > 1]


def interacting_options() -> set[tuple[str, str]]:
    """Pairs of option names (in spec order) whose values must be tested together."""
    order = {o.name: i for i, o in enumerate(spec.OPTIONS)}
    return {
        tuple(sorted(pair, key=order.__getitem__))
        for group in interaction_sets()
        for pair in itertools.combinations(group, 2)
    }


def _groups() -> list[list[spec.Option]]:
    """Options connected through interactions; groups are independent of each other."""
    group_of = {o.name: {o.name} for o in factors()}
    for first, second in interacting_options():
        merged = group_of[first] | group_of[second]
        for name in merged:
            group_of[name] = merged
    seen, groups = set(), []
    for option in factors():
        if option.name not in seen:
            seen |= group_of[option.name]
            groups.append([o for o in factors() if o.name in group_of[option.name]])
    return groups


def _breaks_a_rule(asked: dict[str, str], names: set[str]) -> bool:
    for rule in spec.RULES:
        involved = {c.option for c in _leaves(rule.when)} | {rule.then.option}
        if not involved & names or rule.then.values == ("<set>",):
            continue  # text values are filled in later (see _with_required_values)
        if spec.all_hold(rule.when, asked) and not rule.then.holds(asked):
            return True
    return False


def _valid_assignments(group: list[spec.Option]) -> list[dict[str, str]]:
    """Every valid assignment of the group's asked options, in spec order.

    Options are decided in spec order (an option is only asked after the answers it
    depends on), so an option that is not asked is never branched on.
    """
    names = {o.name for o in group}
    rows: list[dict[str, str]] = [{}]
    for option in group:
        later = {c.option for c in _leaves(option.asked_when)} - {o.name for o in group[: group.index(option)]}
        if later & names:
            raise spec.SpecError(f"option '{option.name}' is asked depending on later options {sorted(later)}")
        rows = [
            {**row, option.name: value} if spec.is_asked(option, row) else row
            for row in rows
            for value in (option.choices if spec.is_asked(option, row) else (None,))
        ]
    return [row for row in rows if not _breaks_a_rule(row, names)]


def _covers(asked: dict[str, str], interacting: set[tuple[str, str]]) -> frozenset:
    covered: set = {(name, value) for name, value in asked.items()}
    covered |= {((a, asked[a]), (b, asked[b])) for a, b in interacting if a in asked and b in asked}
    return frozenset(covered)


def _cover_group(group: list[spec.Option], interacting: set[tuple[str, str]]) -> list[dict[str, str]]:
    """Greedy covering: repeatedly take the valid assignment that covers most of what is left."""
    candidates = {tuple(row.items()): _covers(row, interacting) for row in _valid_assignments(group)}
    uncovered = set().union(*candidates.values())
    chosen = []
    while uncovered:
        best = max(candidates, key=lambda key: len(candidates[key] & uncovered))
        chosen.append(dict(best))
        uncovered -= candidates[best]
    return chosen


def asked_values(resolved: dict[str, str]) -> dict[str, str]:
    """The values of the options a user is asked for, given a complete answer set."""
    return {o.name: resolved[o.name] for o in factors() if spec.is_asked(o, resolved)}


def _case_id(index: int, resolved: dict[str, str], defaults: dict[str, str]) -> str:
    changes = [f"{name}={value}" for name, value in asked_values(resolved).items() if value != defaults[name]]
    return f"pairwise-{index:02d}" + (":" + ",".join(changes) if changes else ":defaults")


def pairwise_cases() -> list[Case]:
    """A pairwise covering array over the spec's options; every case resolves to a valid answer set."""
    interacting = interacting_options()
    covers = [_cover_group(group, interacting) for group in _groups()]
    defaults = answers.resolve({})
    cases = []
    for index in range(max(len(cover) for cover in covers)):
        given: dict[str, str] = {}
        for cover in covers:
            given.update(cover[index % len(cover)])
        given = _with_required_values(given)
        cases.append(Case(_case_id(index + 1, answers.resolve(given), defaults), given))
    return cases
