"""The parts of a rendered project's README that follow from the answers, written from the spec.

Standard library only: the post-generation hook calls `fill` on the rendered README.
Each generated part sits between `<!-- refarch:begin NAME -->` and `<!-- refarch:end NAME -->`
markers that stay in the file, so filling it again (as cruft does on update) gives the same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator import diagram, spec

MARKER = re.compile(r"(<!-- refarch:begin (?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- refarch:end (?P=name) -->)", re.S)


def _steps(steps: tuple[int, ...]) -> str:
    return ", ".join(map(str, steps)) or "-"


def units(answers: dict[str, str]) -> str:
    """One row per folder of the rendered project that holds an enabled component."""
    package = answers["package_name"]
    rows: dict[str, list[spec.Component]] = {}
    for component in spec.enabled_components(answers):
        if component.contains:
            continue
        rows.setdefault(component.unit_path().format(package=package), []).append(component)
    lines = ["| folder | what | seed steps |", "|---|---|---|"]
    for folder, components in rows.items():
        what = "; ".join(c.title for c in components)
        steps = sorted({s for c in components for s in c.steps})
        lines.append(f"| `{folder}/` | {what} | {_steps(tuple(steps))} |")
    return "\n".join(lines) + "\n"


def prerequisites(answers: dict[str, str]) -> str:
    """What each account needs before the first deploy, for the components these answers enable."""
    lines = [
        "- Credentials for each target account, Node.js (the CDK CLI runs through `npx`), and a CDK bootstrap of "
        "every environment once, with its account's credentials (see First deploy): "
        + ", ".join(
            f"`make bootstrap ENV={env}` (aws://{answers[f'{env}_account_id']}/{answers[f'{env}_region']})"
            for env in spec.ENVIRONMENTS
        )
        + ".",
    ]
    for component in spec.enabled_components(answers):
        if component.prerequisite:
            text = component.prerequisite_for(answers)
            steps = ("step " if len(component.steps) == 1 else "steps ") + _steps(component.steps)
            lines.append(f"- {component.title} ({steps}): {text[0].upper()}{text[1:]}.")
    return "\n".join(lines) + "\n"


def costs(answers: dict[str, str]) -> str:
    """The enabled components that cost money every hour they exist, whether used or not."""
    fixed = [c for c in spec.enabled_components(answers) if c.fixed_monthly_cost]
    if not fixed:
        return (
            "No component of this project has a fixed monthly cost: what it runs is billed by use "
            "(requests, storage, running time).\n"
        )
    lines = ["These components cost money every hour they exist, whether the application is used or not:", ""]
    lines += [f"- {c.title}: {c.fixed_monthly_cost}" for c in fixed]
    lines += [
        "",
        "Customer managed KMS keys and CloudWatch alarms, where there are any, bill a small amount each "
        "per month. "
        "Everything else is billed by use (requests, storage, running time). `refarch plan` counts each of "
        "these per environment from a synth. Destroy the dev environment when it is not in use "
        "(`make destroy ENV=dev`).",
    ]
    return "\n".join(lines) + "\n"


SECTIONS = {
    "diagram": diagram.markdown,
    "units": units,
    "prerequisites": prerequisites,
    "costs": costs,
}


def fill_text(text: str, answers: dict[str, str]) -> str:
    """Replace the body of every marked section; an unknown section name is an error."""

    def replace(match: re.Match) -> str:
        name = match.group("name")
        if name not in SECTIONS:
            raise KeyError(f"README section '{name}' is not one of {', '.join(SECTIONS)}")
        return match.group(1) + SECTIONS[name](answers) + match.group(4)

    return MARKER.sub(replace, text)


def fill(readme: Path, answers: dict[str, str]) -> None:
    readme.write_text(fill_text(readme.read_text(encoding="utf-8"), answers), encoding="utf-8")
