"""Collect answers from a config file, --set, --edition and prompts, and resolve defaults.

Defaults are Jinja expressions in the spec; they are rendered by cookiecutter's own
environment, so `refarch new` and plain cookiecutter resolve them identically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from cookiecutter.environment import StrictEnvironment
from cookiecutter.prompt import render_variable

from generator import spec
from generator.spec import SpecError

Ask = Callable[[spec.Option, str], str]


def load_config_file(path: Path) -> dict[str, object]:
    """A YAML mapping of option -> value, every value taken as written (a string); else a one-line error."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as problem:
        raise SpecError(f"--config {path}: cannot read ({problem.strerror})") from None
    try:
        # BaseLoader resolves no types: `012345670123`, `yes` and `1.0` stay exactly as written.
        data = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds only str, list and dict
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(problem, "problem", None) or "invalid YAML"
        raise SpecError(f"--config {path}: malformed YAML{where}: {reason}") from None
    if data is None or data == "":
        return {}
    if not isinstance(data, dict):
        raise SpecError(f"--config {path}: expected a mapping of option: value, got {type(data).__name__}")
    for name, value in data.items():
        if not isinstance(value, str):
            raise SpecError(f"--config {path}: option '{name}' must be a single value, not a {type(value).__name__}")
    return dict(data)


def save_answers(answers: dict[str, str], path: Path) -> None:
    """YAML that `--config` reads back to the same answers: every value a quoted string."""
    text = yaml.safe_dump(answers, sort_keys=False, default_style="'", allow_unicode=True, width=1000)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as problem:
        raise SpecError(f"--save-answers {path}: cannot write ({problem.strerror})") from None


def parse_assignments(items: list[str]) -> dict[str, str]:
    given = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise SpecError(f"--set '{item}': expected key=value (example: --set search=no)")
        given[name.strip()] = value
    return given


@dataclass
class Questions:
    """How answers are asked: one option, a yes/no question, and a problem to show before asking again."""

    ask: Ask
    confirm: Callable[[str, bool], bool]
    problem: Callable[[str], None]


def resolve(given: dict[str, object], questions: Questions | None = None) -> dict[str, str]:
    """Answers for every option, in spec order: given values, else questions, else defaults.

    With questions, given values and the rules among them are checked before anything is asked
    (without, every broken rule is reported at the end, one line each). With an
    edition chosen, its components are preset and asked only if the user customises them.
    Each rule is checked as soon as its options are known; the answer that broke it is asked again.
    """
    coerced = {name: spec.coerce(name, value) for name, value in given.items()}
    for name, value in coerced.items():
        spec.check_value(name, value)
    problems = spec.known_rule_problems(coerced) if questions else []  # else: all of them at the end, at once
    if problems:
        raise SpecError("\n".join(problems))
    raw_defaults = spec.cookiecutter_json()
    env = StrictEnvironment(context={"cookiecutter": raw_defaults})
    answers: dict[str, str] = {}
    customise_components = None
    derived: set[str] = set()  # options left to their default: an error names the answer they come from
    for option in spec.OPTIONS:
        if option.name in coerced:
            answers[option.name] = coerced[option.name]
            continue
        raw = raw_defaults[option.name]
        default = render_variable(env, raw, answers) if "{{" in raw else raw  # compiling Jinja costs ~2 ms
        asked = questions is not None and spec.is_asked(option, answers)
        if asked and option.group == "components":
            if customise_components is None:
                customise_components = questions.confirm(
                    f"customise the components of the {answers['edition']} edition?", False
                )
            asked = customise_components
        if not asked:
            answers[option.name] = default
            derived.add(option.name)
            problems = spec.known_rule_problems(answers, involving=option.name) if questions else []
            if problems:
                raise SpecError("\n".join(problems))
            continue
        while True:
            answers[option.name] = questions.ask(option, default)
            problems = spec.known_rule_problems(answers, involving=option.name)
            if not problems:
                break
            for problem in problems:
                questions.problem(problem)
    return spec.validate(answers, derived=derived)
