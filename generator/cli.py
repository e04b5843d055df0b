"""The `refarch` command line: a thin layer over spec, answers and render."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from generator import answers as answer_sources
from generator import diagram as diagrams
from generator import matrix as matrices
from generator import plan as planning
from generator import render as rendering
from generator import spec
from generator import validate as validation
from generator.spec import SpecError

app = typer.Typer(help="Generate AWS CDK projects of the modern serverless web/mobile reference architecture.",
                  no_args_is_help=True, add_completion=False)


def fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(2)


def prompt(option: spec.Option, default: str) -> str:
    """Ask one question until the answer is valid for that option on its own."""
    label = option.help + (f" [{'/'.join(option.choices)}]" if option.choices else "")
    while True:
        value = typer.prompt(f"{option.name}: {label}", default=default, show_default=True)
        try:
            value = spec.coerce(option.name, value)
            spec.check_value(option.name, value)
            return value
        except SpecError as problem:
            typer.secho(f"  {problem}", err=True, fg=typer.colors.YELLOW)


@app.command()
def new(
    no_input: Annotated[bool, typer.Option("--no-input", help="Ask nothing; use given values and defaults.")] = False,
    config: Annotated[Path | None, typer.Option("--config", help="YAML mapping of option: value.")] = None,
    assignments: Annotated[list[str] | None, typer.Option("--set", help="key=value, repeatable.")] = None,
    edition: Annotated[str | None, typer.Option("--edition", help=f"One of {', '.join(spec.EDITIONS)}.")] = None,
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Where the project folder goes.")] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing project folder.")] = False,
    matrix_case: Annotated[str | None, typer.Option(
        "--matrix-case", help="Start from the answers of a `refarch matrix` case, by id.")] = None,
) -> None:
    """Render a new project (atomically: all of it or nothing)."""
    try:
        given: dict[str, object] = dict(matrices.find_case(matrix_case).given) if matrix_case else {}
        given.update(answer_sources.load_config_file(config) if config else {})
        if edition is not None:
            given["edition"] = edition
        given.update(answer_sources.parse_assignments(assignments or []))
        answers = answer_sources.resolve(given, ask=None if no_input else prompt)
        for note in spec.warnings(answers):
            typer.secho(f"warning: {note}", err=True, fg=typer.colors.YELLOW)
        project = rendering.render(answers, output_dir, force=force)
    except (SpecError, rendering.RenderError) as problem:
        raise fail(str(problem)) from None
    typer.echo(f"Created {project}\n\nNext steps:\n  cd {project}\n  make install synth\n  make test")


@app.command()
def options(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """List every option: type, choices, default, when it is asked, help."""
    described = spec.describe_options()
    if as_json:
        typer.echo(json.dumps({"options": described, "editions": spec.EDITIONS}, indent=2))
        return
    for option in described:
        choices = f" [{'/'.join(option['choices'])}]" if option["choices"] else ""
        typer.echo(f"{option['name']} ({option['type']}){choices}")
        typer.echo(f"    {option['help']}")
        typer.echo(f"    default: {option['default'] or '(empty)'}; asked when: {option['asked_when']}")
    typer.echo("\neditions: " + "; ".join(f"{name}: {text}" for name, text in spec.EDITION_HELP.items()))


ConfigOption = Annotated[Path | None, typer.Option("--config", help="YAML mapping of option: value.")]
SetOption = Annotated[list[str] | None, typer.Option("--set", help="key=value, repeatable.")]
EditionOption = Annotated[str | None, typer.Option("--edition", help=f"One of {', '.join(spec.EDITIONS)}.")]


def given_answers(config: Path | None, assignments: list[str] | None, edition: str | None) -> dict[str, str]:
    """Answers from --config, --edition and --set (in that order of precedence, last wins), defaults for the rest."""
    given: dict[str, object] = answer_sources.load_config_file(config) if config else {}
    if edition is not None:
        given["edition"] = edition
    given.update(answer_sources.parse_assignments(assignments or []))
    return answer_sources.resolve(given)


def project_answers(project: Path) -> dict[str, str]:
    """The answers recorded in a rendered project's .cruft.json."""
    try:
        recorded = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["context"]["cookiecutter"]
    except (OSError, ValueError, KeyError) as problem:
        raise SpecError(f"--project {project}: no readable .cruft.json with answers ({problem})") from None
    return spec.validate({k: v for k, v in recorded.items() if k in spec.OPTIONS_BY_NAME})


@app.command()
def diagram(
    config: ConfigOption = None,
    assignments: SetOption = None,
    edition: EditionOption = None,
    project: Annotated[Path | None, typer.Option("--project", help="A rendered project (its .cruft.json).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="mermaid, markdown (fenced) or dot.")] = "mermaid",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File; .svg/.png need Graphviz.")] = None,
) -> None:
    """Draw the architecture of an answer set: exactly the enabled components, by tier, with seed steps."""
    writers = {"mermaid": diagrams.mermaid, "markdown": diagrams.markdown, "dot": diagrams.dot}
    try:
        if fmt not in writers:
            raise SpecError(f"--format: '{fmt}' is not one of {', '.join(writers)}")
        answers = project_answers(project) if project else given_answers(config, assignments, edition)
        if output is not None and output.suffix.lower() in (".svg", ".png"):
            diagrams.write_image(answers, output)
            typer.echo(f"Wrote {output}")
            return
        text = writers[fmt](answers)
    except (SpecError, diagrams.GraphvizMissing) as problem:
        raise fail(str(problem)) from None
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {output}")


@app.command()
def plan(
    config: ConfigOption = None,
    assignments: SetOption = None,
    edition: EditionOption = None,
    synth: Annotated[bool, typer.Option("--synth/--no-synth", help="Synthesise to count resources.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Dry run: the files, the stacks with their resource counts, and the fixed-cost components; writes nothing."""
    try:
        answers = given_answers(config, assignments, edition)
        for note in spec.warnings(answers):
            typer.secho(f"warning: {note}", err=True, fg=typer.colors.YELLOW)
        result = planning.plan(answers, synth=synth)
    except (SpecError, rendering.RenderError, planning.PlanError) as problem:
        raise fail(str(problem)) from None
    typer.echo(json.dumps(result.as_dict(), indent=2) if as_json else planning.report(result))
MATRIX_KINDS = {"pairwise": matrices.covering_cases, "values": matrices.value_cases, "editions": matrices.edition_cases}
MATRIX_FORMATS = ("github", "json", "text")


@app.command()
def matrix(
    kind: Annotated[str, typer.Option("--kind", help=f"One of {', '.join(MATRIX_KINDS)}.")] = "pairwise",
    strength: Annotated[int, typer.Option("--strength", help="2: every pair of values; 3: every triple.")] = 2,
    fmt: Annotated[str, typer.Option("--format", help="github (a strategy.matrix include list), json or text.")]
    = "github",
    explain: Annotated[bool, typer.Option("--explain", help="List, per case, what it is the first to cover.")] = False,
    write_configs: Annotated[Path | None, typer.Option(
        "--write-configs", help="Also write DIR/<id>.yaml per case, for `refarch new --config`.")] = None,
) -> None:
    """Print answer sets as a CI matrix: by default a covering array of every pair of option values."""
    try:
        if kind not in MATRIX_KINDS:
            raise SpecError(f"--kind: '{kind}' is not one of {', '.join(MATRIX_KINDS)}")
        if fmt not in MATRIX_FORMATS:
            raise SpecError(f"--format: '{fmt}' is not one of {', '.join(MATRIX_FORMATS)}")
        if strength != 2 and kind != "pairwise":
            raise SpecError(f"--strength applies to --kind pairwise only, not '{kind}'")
        cases = matrices.covering_cases(strength) if kind == "pairwise" else MATRIX_KINDS[kind]()
        covered = matrices.coverage(cases, strength) if kind == "pairwise" else None
        if write_configs is not None:
            matrices.write_configs(cases, write_configs)
    except (SpecError, OSError) as problem:
        raise fail(str(problem)) from None
    if covered is not None:
        typer.echo(f"{kind} strength {strength}: {covered.summary()}", err=True)
    entries = [{"id": c.id, "title": c.title or c.id, "answers": c.given} for c in cases]
    if explain:
        firsts = matrices.first_covered(cases, strength) if kind == "pairwise" else {}
        for case in cases:
            typer.echo(f"{case.id}  ({case.title or case.id})")
            for combination in firsts.get(case.id, []):
                typer.echo(f"    {matrices.describe(combination)}")
    elif fmt == "github":
        typer.echo(json.dumps({"include": entries}, indent=2))
    elif fmt == "json":
        typer.echo(json.dumps({"coverage": covered.as_dict() if covered else None, "cases": entries}, indent=2))
    else:
        for case in cases:
            typer.echo(f"{case.id}  {case.title or ''}".rstrip())
        if covered is not None:
            typer.echo(covered.summary())


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="A project rendered by refarch, cruft or cookiecutter.")] = Path("."),
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    junit: Annotated[Path | None, typer.Option("--junit", help="Also write a JUnit XML report here.")] = None,
    tests: Annotated[bool, typer.Option("--tests/--no-tests", help="Run the project's own pytest suite.")] = True,
    cfn_validator: Annotated[bool, typer.Option(
        "--cfn-validator/--no-cfn-validator",
        help="Run aws-cdk-lib's bundled CloudFormation validator in synth (slower; cfn-lint runs anyway).")] = False,
    python: Annotated[str | None, typer.Option("--python", help="Interpreter with the project's dependencies.")] = None,
) -> None:
    """Synthesise every environment, run cdk-nag, cfn-lint and the project's tests; exit 0 only if all pass."""
    if output_format not in ("text", "json"):
        raise fail(f"--format: '{output_format}' is not one of text, json")
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as bar:
        tasks: dict[str, object] = {}

        def progress(name: str, result: validation.CheckResult | None) -> None:
            if result is None:
                tasks[name] = bar.add_task(validation.CHECKS[name])
                return
            bar.remove_task(tasks[name])
            mark = {"passed": "[green]ok[/]", "failed": "[red]FAILED[/]", "skipped": "[yellow]skipped[/]"}
            console.print(f"{mark[result.status]}  {name}: {result.title} ({result.seconds:.1f} s)")

        try:
            report = validation.validate(path, tests=tests, cfn_validator=cfn_validator, python=python,
                                         progress=progress)
        except validation.CannotValidate as problem:
            raise fail(str(problem)) from None
    if junit:
        junit.write_text(report.to_junit(), encoding="utf-8")
    if output_format == "json":
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        typer.echo(summary(report))
    raise typer.Exit(0 if report.passed else 1)


def summary(report: validation.Report) -> str:
    lines = [f"refarch validate {report.project}"]
    for check in report.checks:
        note = f" ({check.detail})" if check.detail else ""
        lines.append(f"  {check.status.upper():7} {check.name}: {check.title}{note}")
        for finding in check.findings:
            lines.append(f"    {finding.location()}  {finding.rule}  {finding.message}")
            if finding.path and finding.path != finding.location():
                lines.append(f"      construct: {finding.path}")
            if finding.fix:
                lines.append(f"      fix: {finding.fix}")
    count = len(report.findings())
    lines.append("PASSED" if report.passed else f"FAILED: {count} finding{'s' if count != 1 else ''}")
    return "\n".join(lines)


if __name__ == "__main__":
    app()
