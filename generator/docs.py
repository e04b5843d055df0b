"""The documentation pages that are generated from the spec: options, editions, seed-step traceability.

`python -m generator.docs` rewrites them under docs/; `python -m generator.docs --check`
exits non-zero when a committed page differs from what the spec gives (the tests do the same).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator import diagram, spec

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"
GENERATED_NOTE = "<!-- Generated from generator/spec.py by `python -m generator.docs`; do not edit. -->\n\n"

# The seed's 25 steps in a few words each (seed: "Reviewed for technical accuracy May 10, 2021").
SEED_STEP_SUMMARIES: dict[int, str] = {
    1: "Users authenticate with Cognito user pools (JWT) and get AWS credentials",
    2: "Web/mobile clients use the Amplify frameworks",
    3: "Authenticated clients call AppSync GraphQL (queries, mutations, subscriptions)",
    4: "Lambda resolvers, called with temporary IAM credentials; the JWT is forwarded",
    5: "HTTP resolver to API Gateway, protected with IAM; the JWT is forwarded",
    6: "DynamoDB resolver on existing tables",
    7: "AppSync resolver for Elasticsearch (now OpenSearch Service)",
    8: "Lambda indexes table changes into the search domain",
    9: "API Gateway reaches ECS on Fargate through PrivateLink (VPC link), security groups",
    10: "Network Load Balancer, private subnets in several AZs, Application Auto Scaling",
    11: "Fargate tasks read through the DAX cache",
    12: "DynamoDB table",
    13: "CodeCommit source repository",
    14: "CodeBuild builds and tests",
    15: "CodeDeploy deploys to Fargate",
    16: "CodePipeline from source to deployment",
    17: "Images stored in ECR, deployed across AZs",
    18: "ECR reached through interface VPC endpoints (PrivateLink)",
    19: "Container data to Kinesis Data Firehose (now Amazon Data Firehose) and the S3 data lake",
    20: "Glue crawler and Data Catalog over the lake",
    21: "Athena queries the catalogued data",
    22: "QuickSight (now Quick Sight) dashboards over Athena",
    23: "Redshift warehouse with the table's data",
    24: "QuickSight Standard/Enterprise user management, SAML 2.0 federation",
    25: "Pinpoint for marketing communication (now End User Messaging and SES)",
}


def _code(text: str) -> str:
    return f"`{text}`" if text else "(empty)"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _default(option: spec.Option) -> str:
    if all(option.name in bundle for bundle in spec.EDITIONS.values()):
        return "by edition: " + ", ".join(f"{e} `{b[option.name]}`" for e, b in spec.EDITIONS.items())
    return _code(option.default)


def _files(component: spec.Component) -> str:
    paths = component.paths or (component.unit_path(),)
    return "<br>".join(_code(p.replace("{package}", "<package>")) for p in paths)


def _enabled_when(component: spec.Component) -> str:
    return _cell(" and ".join(c.describe() for c in component.enabled_when) or "always")


def _component_cells(component: spec.Component) -> str:
    """The last cells of a component's row in both traceability tables: enabled when, unit, files, tests."""
    tests = "<br>".join(_code(t) for t in component.tests)
    return f"{_enabled_when(component)} | `{component.unit}` | {_files(component)} | {tests} |"


def options_page() -> str:
    lines = ["# Options reference", "", GENERATED_NOTE.strip(), ""]
    lines += [
        "Every question refarch asks, grouped by topic. A question is asked only when its",
        "condition holds; otherwise its default applies (a toggle that is not asked is `no`). Defaults in",
        "`{{ }}` are computed from earlier answers. `refarch options --json` prints the same data.",
        "",
    ]
    groups: dict[str, list[spec.Option]] = {}
    for option in spec.OPTIONS:
        groups.setdefault(option.group, []).append(option)
    for group, options in groups.items():
        lines += [
            f"## {group.capitalize()}",
            "",
            "| option | values | default | asked when | what |",
            "|---|---|---|---|---|",
        ]
        for option in options:
            asked = " and ".join(c.describe() for c in option.asked_when) or "always"
            lines.append(
                f"| `{option.name}` | {_cell(option.allowed())} | {_cell(_default(option))} | {_cell(asked)} "
                f"| {_cell(option.help)} |"
            )
        lines.append("")
    lines += [
        "## Rules",
        "",
        "Combinations refused before any file is written, with the reason shown:",
        "",
        "| rule | when | then | because |",
        "|---|---|---|---|",
    ]
    for rule in spec.RULES:
        when = " and ".join(c.describe() for c in rule.when if isinstance(c, spec.When))
        then = f"{rule.then.option} is set" if rule.then.values == ("<set>",) else rule.then.describe()
        lines.append(f"| `{rule.name}` | {_cell(when)} | {_cell(then)} | {_cell(rule.reason)} |")
    return "\n".join(lines) + "\n"


def editions_page() -> str:
    from generator import answers  # cookiecutter resolves Jinja defaults exactly as a render does

    lines = ["# Editions", "", GENERATED_NOTE.strip(), ""]
    lines += [
        "An edition is a named bundle of answers (`--edition NAME`, or the `edition` question);",
        "any later answer overrides it, e.g. `refarch new --edition app --set dax=no`.",
        "",
        "| edition | what | " + " | ".join(f"`{name}`" for name in spec.EDITIONS["full"]) + " |",
        "|---|---|" + "---|" * len(spec.EDITIONS["full"]),
    ]
    for name, bundle in spec.EDITIONS.items():
        values = " | ".join(bundle.values())
        lines.append(f"| `{name}` | {spec.EDITION_HELP[name]} | {values} |")
    lines.append("")
    for name in spec.EDITIONS:
        resolved = answers.resolve({"edition": name})
        enabled = spec.enabled_components(resolved)
        steps = sorted({s for c in enabled for s in c.steps})
        costs = [c for c in enabled if c.fixed_monthly_cost]
        lines += [
            f"## {name}",
            "",
            spec.EDITION_HELP[name][0].upper() + spec.EDITION_HELP[name][1:] + ".",
            "",
            f"Seed steps: {', '.join(map(str, steps))}.",
            "",
            "Fixed monthly cost: "
            + ("; ".join(f"{c.title} ({c.fixed_monthly_cost})" for c in costs) if costs else "none")
            + ".",
            "",
            diagram.markdown(resolved),
        ]
    return "\n".join(lines)


def traceability_page() -> str:
    lines = ["# Seed-step traceability", "", GENERATED_NOTE.strip(), ""]
    lines += [
        "How each of the 25 steps of the 2021 reference architecture becomes part of the generated",
        "project: the component that implements it, the answers that enable it, the unit (folder) and",
        "files that hold it, and the generated project's test files that assert it. `<package>` is the",
        "`package_name` answer. A step whose component is disabled is absent from the project, and the",
        "same test files assert its absence.",
        "",
        "| step | seed | component | enabled when | unit | files | asserted by |",
        "|---|---|---|---|---|---|---|",
    ]
    for step in spec.SEED_STEPS:
        for component in (c for c in spec.COMPONENTS if step in c.steps and not c.contains):
            lines.append(
                f"| {step} | {_cell(SEED_STEP_SUMMARIES[step])} | {_cell(component.title)} | "
                + _component_cells(component)
            )
    lines += [
        "",
        "## Components that carry no seed step",
        "",
        "Parts the seed leaves implicit, or that group others:",
        "",
        "| component | enabled when | unit | files | asserted by |",
        "|---|---|---|---|---|",
    ]
    for component in spec.COMPONENTS:
        if component.steps and not component.contains:
            continue
        lines.append(f"| {_cell(component.title)} | " + _component_cells(component))
    lines += [
        "",
        "## Before the first deploy",
        "",
        "What an AWS account needs before a component can deploy; each generated README lists the",
        "items its answers need, with the answers filled in.",
        "",
        "| component | prerequisite |",
        "|---|---|",
    ]
    for component in spec.COMPONENTS:
        if component.prerequisite:
            lines.append(f"| {_cell(component.title)} | {_cell(component.prerequisite)} |")
    return "\n".join(lines) + "\n"


PAGES = {
    "options.md": options_page,
    "editions.md": editions_page,
    "traceability.md": traceability_page,
}


def stale_pages(docs_dir: Path = DOCS_DIR) -> list[str]:
    """Generated pages whose committed text differs from what the spec gives now."""
    stale = []
    for name, build in PAGES.items():
        path = docs_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != build():
            stale.append(name)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.docs", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report pages that are out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_pages()
        for name in stale:
            print(f"docs/{name} is out of date: run python -m generator.docs", file=sys.stderr)
        return 1 if stale else 0
    for name, build in PAGES.items():
        (DOCS_DIR / name).write_text(build(), encoding="utf-8")
        print(f"wrote docs/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
