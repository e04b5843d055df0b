"""Answer sets derived from the spec: editions, every value of every option, covering arrays.

`value_cases()`: each case is the smallest change to an edition that makes one value
valid, found by trying the editions in order; a value no edition can carry is an error
in the spec.

`covering_cases(strength)`: a covering array over every option with choices (the
edition aside). A value counts only where its option is asked, so the array covers
every combination of `strength` values that some valid answer set shows with all of
their options asked: the *feasible* combinations. Every case is a valid answer set (the
rules, the regions of every enabled component, text values a rule requires filled from
the option's example).

How: options that meet in a rule, an `asked_when` or a component's condition form a
group; groups are independent, so an answer set is one valid assignment ("level") per
group, and a combination is feasible when each group has a level that shows its part of
it. The array is built greedily, one case at a time, in the manner of AETG (each group
takes the level that covers most of what is left), without randomness, so the same
spec gives the same cases in the same order; cases that end up covering nothing of
their own are dropped. allpairspy is not used: it pairs every value of every option,
including values whose options cannot both be asked, and reports nothing about what
cannot be covered.

`coverage()` recomputes what a list of cases covers from the answer sets `refarch new`
would resolve for them, and two lower bounds on the number of cases.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from cookiecutter.environment import StrictEnvironment
from cookiecutter.prompt import render_variable

from generator import answers, spec
from generator.errors import RefarchError

Item = tuple[str, str]  # (option, value)
Combination = tuple[Item, ...]  # items of distinct options, in spec order
STRENGTH_PREFIX = {2: "pairwise", 3: "threeway"}


@dataclass(frozen=True)
class Case:
    id: str
    given: dict[str, str]
    title: str = ""


def edition_cases() -> list[Case]:
    return [Case(f"edition:{name}", {"edition": name}) for name in spec.EDITIONS]


def _with_required_values(given: dict[str, str]) -> dict[str, str]:
    """Fill values that a rule requires to be set (e.g. a connection ARN) with the option's example."""
    resolved = {**given}
    for rule in spec.RULES:
        if rule.then.values == ("<set>",) and all(c.holds(resolved) for c in rule.when if isinstance(c, spec.When)):
            resolved[rule.then.option] = (
                resolved.get(rule.then.option) or spec.OPTIONS_BY_NAME[rule.then.option].example
            )
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


# --------------------------------------------------------------------------- the option space


def factors() -> list[spec.Option]:
    """The options the covering arrays vary: every option with a fixed set of values but the edition."""
    return [o for o in spec.OPTIONS if o.choices and o.name != "edition"]


def asked_values(resolved: dict[str, str]) -> dict[str, str]:
    """The values of the factors a user is asked for, given a complete answer set."""
    return {o.name: resolved[o.name] for o in factors() if spec.is_asked(o, resolved)}


def _leaves(conditions: Iterable[spec.When | spec.AnyOf]) -> list[spec.When]:
    return [leaf for c in conditions for leaf in (c.conditions if isinstance(c, spec.AnyOf) else (c,))]


def _unasked_value(option: spec.Option, known: dict[str, str]) -> str:
    """What `refarch new` gives an option it does not ask about: a toggle is off, a choice its default.

    A default made from other answers is rendered from them, as a render does.
    """
    if option.kind == "toggle":
        return spec.NO
    if "{{" in option.default:
        referenced = set(re.findall(r"cookiecutter\.(\w+)", option.default))
        if not referenced <= known.keys():
            raise spec.SpecError(
                f"option '{option.name}': its default reads {sorted(referenced - known.keys())}, decided later"
            )
        environment = StrictEnvironment(context={"cookiecutter": spec.cookiecutter_json()})
        return render_variable(environment, option.default, known)
    return option.default


def _groups() -> list[list[spec.Option]]:
    """Factors connected through rules, asked_when and component conditions, in spec order."""
    names = [o.name for o in factors()]
    group_of = {name: {name} for name in names}
    meetings = [{c.option for c in _leaves(rule.when)} | {rule.then.option} for rule in spec.RULES]
    meetings += [{option.name} | {c.option for c in _leaves(option.asked_when)} for option in spec.OPTIONS]
    meetings += [{c.option for c in _leaves(component.enabled_when)} for component in spec.COMPONENTS]
    for meeting in meetings:
        merged = set().union(*(group_of[name] for name in meeting if name in group_of))
        for name in merged:
            group_of[name] = merged
    groups, seen = [], set()
    for name in names:
        if name not in seen:
            seen |= group_of[name]
            groups.append([o for o in factors() if o.name in group_of[name]])
    return groups


@dataclass(frozen=True)
class Group:
    """A set of connected factors and every valid assignment of them (its levels)."""

    options: tuple[str, ...]
    levels: tuple[dict[str, str], ...]  # the asked options' values of each valid assignment
    masks: dict[Item, int]  # item -> bit set of the levels that show it


def _valid(full: dict[str, str]) -> bool:
    try:
        spec.check_rules(_with_required_values(full))
        spec.check_regions(full)
    except spec.SpecError:
        return False
    return True


def _levels(group: list[spec.Option], base: dict[str, str]) -> list[dict[str, str]]:
    """Every valid assignment of the group's asked options, deciding options in spec order.

    An option is asked only after the answers it depends on, so an option that is not
    asked is never branched on: it takes the value `refarch new` would give it.
    """
    decided: set[str] = set()
    partial: list[dict[str, str]] = [{}]
    for option in group:
        later = {c.option for c in _leaves(option.asked_when)} & ({o.name for o in group} - decided)
        if later:
            raise spec.SpecError(f"option '{option.name}' is asked depending on later options {sorted(later)}")
        decided.add(option.name)
        grown = []
        for row in partial:
            if spec.is_asked(option, {**base, **row}):
                grown += [{**row, option.name: value} for value in option.choices]
            else:
                grown.append({**row, option.name: _unasked_value(option, {**base, **row})})
        partial = grown
    levels = []
    for row in partial:
        full = {**base, **row}
        if _valid(full):
            levels.append(
                {name: value for name, value in row.items() if spec.is_asked(spec.OPTIONS_BY_NAME[name], full)}
            )
    return levels


@functools.cache
def groups() -> tuple[Group, ...]:
    base = answers.resolve({})
    result = []
    for group in _groups():
        levels = _levels(group, base)
        if not levels:
            raise spec.SpecError(f"no valid answers for {', '.join(o.name for o in group)}")
        masks: dict[Item, int] = {}
        for index, level in enumerate(levels):
            for item in level.items():
                masks[item] = masks.get(item, 0) | (1 << index)
        result.append(Group(tuple(o.name for o in group), tuple(levels), masks))
    return tuple(result)


@functools.cache
def _group_index() -> dict[str, int]:
    return {name: index for index, group in enumerate(groups()) for name in group.options}


def _fits(items: Iterable[Item]) -> bool:
    """Some valid answer set shows every one of these items (with their options asked)."""
    needed: dict[int, int] = {}
    for item in items:
        index = _group_index()[item[0]]
        mask = groups()[index].masks.get(item, 0)
        needed[index] = needed.get(index, -1) & mask
        if not needed[index]:
            return False
    return True


def _items() -> list[Item]:
    """Every (option, value) that some valid answer set asks, in spec order."""
    return [(o.name, v) for o in factors() for v in o.choices if _fits([(o.name, v)])]


@functools.cache
def feasible(strength: int) -> frozenset[Combination]:
    """Every combination of `strength` values of distinct options that some valid answer set shows."""
    return frozenset(
        combination
        for combination in itertools.combinations(_items(), strength)
        if len({name for name, _ in combination}) == strength and _fits(combination)
    )


def shown(asked: dict[str, str], strength: int) -> set[Combination]:
    """The combinations an answer set shows: of its asked factors' values, in spec order."""
    items = [(o.name, asked[o.name]) for o in factors() if o.name in asked]
    return set(itertools.combinations(items, strength))


# --------------------------------------------------------------------------- the covering array


@functools.cache
def _level_combinations(group_index: int, strength: int) -> tuple[frozenset[Combination], ...]:
    """For each level of a group, the combinations of `strength` of its own values."""
    return tuple(frozenset(itertools.combinations(level.items(), strength)) for level in groups()[group_index].levels)


def _gains(group_index: int, allowed: int, chosen: set[Item], uncovered: set[Combination], strength: int) -> list[int]:
    """For each level of a group: how many uncovered combinations it completes with the items chosen elsewhere."""
    group = groups()[group_index]
    inside = set(group.options)
    partial: Counter[Combination] = Counter()  # the group's part of combinations that also need chosen items
    for combination in uncovered:
        part = tuple(item for item in combination if item[0] in inside)
        if part and len(part) < strength and all(item in chosen for item in combination if item[0] not in inside):
            partial[part] += 1
    gains = []
    for index, (level, own) in enumerate(zip(group.levels, _level_combinations(group_index, strength), strict=True)):
        if not allowed >> index & 1:
            gains.append(-1)
            continue
        items = list(level.items())
        gains.append(
            len(own & uncovered)
            + sum(partial.get(part, 0) for size in range(1, strength) for part in itertools.combinations(items, size))
        )
    return gains


def _allowed_levels(seed: Combination) -> list[int]:
    """Per group, the levels that show the seed's items in that group."""
    allowed = []
    for group in groups():
        mask = (1 << len(group.levels)) - 1
        for item in seed:
            if item[0] in group.options:
                mask &= group.masks[item]
        allowed.append(mask)
    return allowed


def _grow_case(seed: Combination, uncovered: set[Combination], weight: Counter, strength: int) -> list[int]:
    """Levels (one per group) of a case that shows `seed`: each group picks its best level, then each
    group reconsiders its level given all the others until none improves."""
    allowed = _allowed_levels(seed)
    seeded = {_group_index()[name] for name, _ in seed}
    order = sorted(
        range(len(groups())), key=lambda i: (i not in seeded, -sum(weight[item] for item in groups()[i].masks))
    )
    chosen_levels: dict[int, int] = {}

    def items_except(skip: int) -> set[Item]:
        return {
            item
            for index, level in chosen_levels.items()
            if index != skip
            for item in groups()[index].levels[level].items()
        }

    def best_level(index: int) -> tuple[int, int]:
        gains = _gains(index, allowed[index], items_except(index), uncovered, strength)
        best = max(range(len(gains)), key=lambda i: (gains[i], -i))
        return gains[best], best

    for index in order:
        chosen_levels[index] = best_level(index)[1]
    improved = True
    while improved:
        improved = False
        for index in order:
            current = _gains(index, allowed[index], items_except(index), uncovered, strength)[chosen_levels[index]]
            gain, level = best_level(index)
            if gain > current:
                chosen_levels[index], improved = level, True
    return [chosen_levels[index] for index in range(len(groups()))]


def _as_row(levels: list[int]) -> dict[str, str]:
    chosen = {item for index, level in enumerate(levels) for item in groups()[index].levels[level].items()}
    order = {o.name: i for i, o in enumerate(factors())}
    return dict(sorted(chosen, key=lambda item: order[item[0]]))


SEEDS_TRIED = 2  # candidate cases grown per step, from the most wanted uncovered combinations


def _next_case(uncovered: set[Combination], strength: int) -> dict[str, str]:
    """The best of a few candidate cases, each grown from one of the most wanted uncovered combinations."""
    weight = Counter(item for combination in uncovered for item in combination)
    seeds = sorted(uncovered, key=lambda c: (-sum(weight[item] for item in c), c))[:SEEDS_TRIED]
    rows = [_as_row(_grow_case(seed, uncovered, weight, strength)) for seed in seeds]
    return max(rows, key=lambda row: len(shown(row, strength) & uncovered))


def _drop_redundant(rows: list[dict[str, str]], strength: int) -> list[dict[str, str]]:
    """Remove, last first, cases whose combinations the other cases cover as well."""
    kept = list(rows)
    for row in reversed(rows):
        others = Counter(c for other in kept if other is not row for c in shown(other, strength))
        if all(others[c] for c in shown(row, strength) if c in feasible(strength)):
            kept.remove(row)
    return kept


def _closest_edition(asked: dict[str, str]) -> tuple[str, list[str]]:
    """The edition whose defaults need the fewest changes to give these asked values, and those changes."""
    best = None
    for edition in spec.EDITIONS:
        defaults = asked_values(answers.resolve({"edition": edition}))
        changes = [f"{name}={value}" for name, value in asked.items() if defaults.get(name) != value]
        if best is None or len(changes) < len(best[1]):
            best = (edition, changes)
    return best


@functools.cache
def _covering(strength: int) -> tuple[Case, ...]:
    if strength not in STRENGTH_PREFIX:
        raise spec.SpecError(f"--strength: {strength} is not one of {', '.join(map(str, STRENGTH_PREFIX))}")
    uncovered = set(feasible(strength))
    rows = []
    while uncovered:
        row = _next_case(uncovered, strength)
        rows.append(row)
        uncovered -= shown(row, strength)
    cases = []
    for number, row in enumerate(_drop_redundant(rows, strength), start=1):
        edition, changes = _closest_edition(row)
        given = _with_required_values({"edition": edition, **row})
        case_id = f"{STRENGTH_PREFIX[strength]}-{number:02d}-{edition}"
        cases.append(Case(case_id, given, f"{edition} edition" + (": " + ", ".join(changes) if changes else "")))
    return tuple(cases)


def covering_cases(strength: int = 2) -> list[Case]:
    """A covering array of the given strength over every factor; every case is a valid answer set."""
    return list(_covering(strength))


def pairwise_cases() -> list[Case]:
    return covering_cases(2)


def find_case(case_id: str) -> Case:
    """A case of `refarch matrix` (any kind or strength) by its id."""
    kinds = [lambda: covering_cases(2), lambda: covering_cases(3), value_cases]
    if case_id.startswith(STRENGTH_PREFIX[3]):
        kinds = [kinds[1]]
    elif case_id.startswith(STRENGTH_PREFIX[2]):
        kinds = [kinds[0]]
    for cases in kinds:
        for case in cases():
            if case.id == case_id:
                return case
    raise spec.SpecError(f"--matrix-case: no case '{case_id}'; `refarch matrix` lists the ids")


def write_configs(cases: list[Case], directory: Path) -> list[Path]:
    """One `refarch new --config` file per case, DIR/<id>.yaml, so that each CI job renders one case."""
    written = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for case in cases:
            path = directory / f"{case.id.replace(':', '-')}.yaml"
            header = f"# {case.id}: {case.title}\n" if case.title else f"# {case.id}\n"
            path.write_text(header + yaml.safe_dump(case.given, sort_keys=False), encoding="utf-8")
            written.append(path)
    except OSError as problem:
        raise RefarchError(f"--write-configs {directory}: cannot write ({problem.strerror or problem})") from None
    return written


# --------------------------------------------------------------------------- coverage


def _exclusive_bound(strength: int) -> int:
    """A lower bound that respects the rules: combinations no two of which fit in one case.

    Fix `strength - 1` options A and take a set E of values (of other options) no two of
    which one valid answer set can show; each combination of one value per option of A
    with one member of E must have a case of its own. The largest such count, over every
    A and (by an exact search) every E, bounds the number of cases from below.
    """
    items = _items()
    best = 0
    for fixed in itertools.combinations([o.name for o in factors()], strength - 1):
        domains = [[item for item in items if item[0] == name] for name in fixed]
        weights = {
            item: sum(1 for values in itertools.product(*domains) if _fits((*values, item)))
            for item in items
            if item[0] not in fixed
        }
        candidates = sorted((item for item in weights if weights[item]), key=lambda i: -weights[i])
        best = max(best, _heaviest_exclusive_set(candidates, weights))
    return best


def _heaviest_exclusive_set(items: list[Item], weights: dict[Item, int]) -> int:
    """The largest total weight of items no two of which fit together (a maximum-weight clique)."""
    exclusive = {a: {b for b in items if b != a and (a[0] == b[0] or not _fits((a, b)))} for a in items}
    best = 0

    def grow(total: int, candidates: list[Item]) -> None:
        nonlocal best
        best = max(best, total)
        for position, item in enumerate(candidates):
            rest = [other for other in candidates[position + 1 :] if other in exclusive[item]]
            if total + weights[item] + sum(weights[other] for other in rest) > best:
                grow(total + weights[item], rest)

    grow(0, items)
    return best


@dataclass(frozen=True)
class Coverage:
    strength: int
    cases: int
    covered: int
    feasible: int
    product_bound: int  # the product of the `strength` largest option domains
    exclusive_bound: int  # see _exclusive_bound
    missing: tuple[Combination, ...]

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.feasible

    def as_dict(self) -> dict:
        return {
            "strength": self.strength,
            "cases": self.cases,
            "covered": self.covered,
            "feasible": self.feasible,
            "percent": round(self.percent, 2),
            "lower_bound": self.product_bound,
            "lower_bound_with_rules": self.exclusive_bound,
        }

    def summary(self) -> str:
        name = {2: "pairs", 3: "triples"}[self.strength]
        return (
            f"{self.covered}/{self.feasible} feasible value {name} covered ({self.percent:.0f}%) by "
            f"{self.cases} cases; lower bound {self.product_bound} (largest product of {self.strength} option "
            f"domains), {self.exclusive_bound} with the rules ({self.cases / self.product_bound:.2f}x and "
            f"{self.cases / self.exclusive_bound:.2f}x)"
        )


def shown_by(case: Case, strength: int) -> set[Combination]:
    """What a case shows once `refarch new` resolves its answers."""
    return shown(asked_values(answers.resolve(case.given)), strength)


def coverage(cases: list[Case], strength: int = 2) -> Coverage:
    """What `cases` cover of the feasible combinations, from their resolved answer sets."""
    wanted = feasible(strength)
    covered = set().union(*(shown_by(case, strength) for case in cases)) & wanted
    largest = sorted((len(o.choices) for o in factors()), reverse=True)[:strength]
    return Coverage(
        strength,
        len(cases),
        len(covered),
        len(wanted),
        functools.reduce(int.__mul__, largest, 1),
        _exclusive_bound(strength),
        tuple(sorted(wanted - covered)),
    )


def first_covered(cases: list[Case], strength: int = 2) -> dict[str, list[Combination]]:
    """For each case, the feasible combinations that no earlier case covers."""
    seen: set[Combination] = set()
    result = {}
    for case in cases:
        new = shown_by(case, strength) & feasible(strength) - seen
        result[case.id] = sorted(new)
        seen |= new
    return result


def describe(combination: Combination) -> str:
    return " x ".join(f"{name}={value}" for name, value in combination)


def most_different(cases: list[Case], count: int, *, apart_from: list[Case] = ()) -> list[Case]:
    """`count` cases, each in turn the one whose asked values differ most from those picked (and `apart_from`)."""
    values = {case.id: set(asked_values(answers.resolve(case.given)).items()) for case in [*cases, *apart_from]}
    picked: list[Case] = []
    for _ in range(min(count, len(cases))):
        references = [*apart_from, *picked]

        def distance(case: Case, references: list[Case] = references) -> tuple[int, int]:
            gaps = [len(values[case.id] ^ values[other.id]) for other in references] or [len(values[case.id])]
            return (min(gaps), sum(gaps))

        picked.append(max((c for c in cases if c not in picked), key=distance))
    return picked
