"""Collect answers from a config file, --set, --edition and prompts, and resolve defaults.

Defaults are Jinja expressions in the spec; they are rendered by cookiecutter's own
environment, so `refarch new` and plain cookiecutter resolve them identically.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml
from cookiecutter.environment import StrictEnvironment
from cookiecutter.prompt import render_variable

from generator import spec
from generator.spec import SpecError

Ask = Callable[[spec.Option, str], str]


def load_config_file(path: Path) -> dict[str, object]:
    """A YAML mapping of option -> value; anything else is a one-line error naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as problem:
        raise SpecError(f"--config {path}: cannot read ({problem.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(problem, "problem", None) or "invalid YAML"
        raise SpecError(f"--config {path}: malformed YAML{where}: {reason}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SpecError(f"--config {path}: expected a mapping of option: value, got {type(data).__name__}")
    return {str(k): v for k, v in data.items()}


def parse_assignments(items: list[str]) -> dict[str, str]:
    given = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise SpecError(f"--set '{item}': expected key=value (example: --set search=no)")
        given[name.strip()] = value
    return given


def resolve(given: dict[str, object], ask: Ask | None = None) -> dict[str, str]:
    """Answers for every option, in spec order: given values, else prompts, else defaults.

    Each value is checked as soon as it is known, so that a prompt can ask again and
    a bad --set fails before anything else happens; then the whole set is validated.
    """
    coerced = {name: spec.coerce(name, value) for name, value in given.items()}
    for name, value in coerced.items():
        spec.check_value(name, value)
    raw_defaults = spec.cookiecutter_json()
    env = StrictEnvironment(context={"cookiecutter": raw_defaults})
    answers: dict[str, str] = {}
    for option in spec.OPTIONS:
        if option.name in coerced:
            answers[option.name] = coerced[option.name]
            continue
        default = render_variable(env, raw_defaults[option.name], answers)
        if ask is not None and spec.is_asked(option, answers):
            answers[option.name] = ask(option, default)
        else:
            answers[option.name] = default
    return spec.validate(answers)
