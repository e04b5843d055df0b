"""The `refarch` command line: a thin layer over spec, answers and render."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from generator import answers as answer_sources
from generator import provenance, spec
from generator import render as rendering
from generator.errors import RefarchError
from generator.spec import SpecError


class _OnFirstUse:
    """A module imported when a command first uses it, so that `refarch new` starts as fast as cookiecutter."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str):
        return getattr(importlib.import_module(self._name), attribute)


diagrams = _OnFirstUse("generator.diagram")
matrices = _OnFirstUse("generator.matrix")
planning = _OnFirstUse("generator.plan")
validation = _OnFirstUse("generator.validate")


class OptionError(RefarchError):
    """A command-line option the command cannot use as given."""


def fail(message: str) -> typer.Exit:
    """Each line of the message on its own `error:` line; exit code 2."""
    for line in message.splitlines():
        typer.secho(f"error: {line}", err=True, fg=typer.colors.RED)
    return typer.Exit(2)


class Commands(TyperGroup):
    """The commands, with the one handler of the errors a user can fix: the message, then exit 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except RefarchError as problem:
            raise fail(str(problem)) from None


app = typer.Typer(
    cls=Commands,
    help="Generate AWS CDK projects of the modern serverless web/mobile reference architecture.",
    no_args_is_help=True,
)


def show_version(requested: bool) -> None:
    if requested:
        typer.echo(f"refarch {package_version()}, template {spec.TEMPLATE_VERSION}")
        raise typer.Exit()


def package_version() -> str:
    from importlib import metadata  # 40 ms to import: only for --version

    try:
        return metadata.version("refarch")
    except metadata.PackageNotFoundError:
        return spec.TEMPLATE_VERSION


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=show_version, is_eager=True, help="Print the versions and exit.")
    ] = False,
) -> None:
    """Generate AWS CDK projects of the modern serverless web/mobile reference architecture."""


def listing(names: list[str], shown: int = 10) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


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


def confirm(question: str, default: bool) -> bool:
    """A yes/no question that takes the spellings every yes/no answer takes."""
    while True:
        typed = typer.prompt(question, default="yes" if default else "no", show_default=True)
        if typed.strip().lower() in spec.TOGGLE_SPELLINGS:
            return spec.TOGGLE_SPELLINGS[typed.strip().lower()] == spec.YES
        typer.secho("  answer yes or no", err=True, fg=typer.colors.YELLOW)


QUESTIONS = answer_sources.Questions(
    ask=prompt, confirm=confirm, problem=lambda text: typer.secho(f"  {text}", err=True, fg=typer.colors.YELLOW)
)


# Options that several commands take, declared once.
ConfigOption = Annotated[Path | None, typer.Option("--config", help="YAML mapping of option: value.")]
SetOption = Annotated[list[str] | None, typer.Option("--set", help="key=value, repeatable.")]
EditionOption = Annotated[str | None, typer.Option("--edition", help=f"One of {', '.join(spec.EDITIONS)}.")]
FormatOption = Annotated[str, typer.Option("--format", help="text or json.")]


def text_or_json(output_format: str, *extra: str) -> None:
    if output_format not in ("text", "json", *extra):
        raise OptionError(f"--format: '{output_format}' is not one of {', '.join(('text', 'json', *extra))}")


def given_answers(
    config: Path | None, assignments: list[str] | None, edition: str | None, start: dict[str, object] | None = None
) -> dict[str, object]:
    """Answers from `start`, --config, --edition and --set (in that order of precedence, last wins), unresolved."""
    given: dict[str, object] = dict(start or {})
    given.update(answer_sources.load_config_file(config) if config else {})
    if edition is not None:
        given["edition"] = edition
    given.update(answer_sources.parse_assignments(assignments or []))
    return given


def warn(answers: dict[str, str]) -> None:
    for note in spec.warnings(answers):
        typer.secho(f"warning: {note}", err=True, fg=typer.colors.YELLOW)


def answers_summary(answers: dict[str, str]) -> str:
    lines = ["Answers:"]
    lines += [
        f"  {name}: {value}" for name, value in answers.items() if spec.is_asked(spec.OPTIONS_BY_NAME[name], answers)
    ]
    lines.append("Components:")
    lines += [f"  {c.title}" for c in spec.enabled_components(answers)]
    return "\n".join(lines)


@app.command()
def new(
    no_input: Annotated[
        bool | None,
        typer.Option(
            "--no-input/--input", help="Ask nothing, or ask even without a terminal (default: ask on a terminal)."
        ),
    ] = None,
    config: ConfigOption = None,
    assignments: SetOption = None,
    edition: EditionOption = None,
    output_dir: Annotated[Path, typer.Option("--output-dir", help="Where the project folder goes.")] = Path("."),
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Render over an existing project, keeping .git and files the template does not write."
        ),
    ] = False,
    save_answers: Annotated[
        Path | None, typer.Option("--save-answers", help="Also write the answers as YAML that --config reads.")
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            help="PATH|URL[@REF] of a template repository (a fork); default: the bundled template. "
            "Its own spec checks the answers; it asks nothing.",
        ),
    ] = None,
    matrix_case: Annotated[
        str | None, typer.Option("--matrix-case", help="Start from the answers of a `refarch matrix` case, by id.")
    ] = None,
) -> None:
    """Render a new project (atomically: all of it or nothing)."""
    if template is not None:
        return new_from_template(template, config, assignments, edition, output_dir, force)
    interactive = sys.stdin.isatty() if no_input is None else not no_input
    case = matrices.find_case(matrix_case).given if matrix_case else None
    given = given_answers(config, assignments, edition, start=case)
    answers = answer_sources.resolve(given, QUESTIONS if interactive else None)
    if save_answers:
        answer_sources.save_answers(answers, save_answers)
    warn(answers)
    if interactive:
        typer.echo(answers_summary(answers))
        if not confirm(f"Write {output_dir / answers['project_slug']}?", True):
            typer.echo("Nothing written.")
            raise typer.Exit(1)
    result = rendering.render_project(answers, output_dir, force=force)
    project = result.project
    if result.replaced:
        typer.echo(f"Replaced {len(result.replaced)} changed file(s): {listing(result.replaced)}")
    if result.kept:
        typer.echo(f"Kept what the template does not write: {listing(result.kept)}")
    typer.echo(f"Created {project}\n\nNext steps:\n  cd {project}\n  make install synth\n  make test")


def defaults_by_edition() -> dict[str, dict[str, str]]:
    """Each option's default as a render resolves it, per edition."""
    resolved = {edition: answer_sources.resolve({"edition": edition}) for edition in spec.EDITIONS}
    return {
        o.name: {edition: o.default if o.name == "edition" else resolved[edition][o.name] for edition in spec.EDITIONS}
        for o in spec.OPTIONS
    }


def shown_default(by_edition: dict[str, str]) -> str:
    values = set(by_edition.values())
    if len(values) == 1:
        return values.pop() or "(empty)"
    return ", ".join(f"{edition}: {value or '(empty)'}" for edition, value in by_edition.items())


@app.command()
def options(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """List every option: type, choices, default (per edition where it differs), when it is asked, help."""
    described = spec.describe_options()
    defaults = defaults_by_edition()
    for option in described:
        option["default_expression"] = option["default"]
        option["default_by_edition"] = defaults[option["name"]]
        option["default"] = defaults[option["name"]][spec.OPTIONS_BY_NAME["edition"].default]
    if as_json:
        typer.echo(json.dumps({"options": described, "editions": editions_described()}, indent=2))
        return
    for option in described:
        choices = f" [{'/'.join(option['choices'])}]" if option["choices"] else ""
        typer.echo(f"{option['name']} ({option['type']}){choices}")
        typer.echo(f"    {option['help']}")
        typer.echo(f"    default: {shown_default(option['default_by_edition'])}; asked when: {option['asked_when']}")
    typer.echo("\nEditions (refarch editions lists what each turns on): " + ", ".join(spec.EDITIONS))


def editions_described() -> dict[str, dict]:
    """Each edition: its description and the components it turns on with every other answer at its default."""
    described = {}
    for edition, text in spec.EDITION_HELP.items():
        enabled = spec.enabled_components(answer_sources.resolve({"edition": edition}))
        described[edition] = {
            "help": text,
            "presets": spec.EDITIONS[edition],
            "components": [{"name": c.name, "title": c.title, "steps": list(c.steps)} for c in enabled],
        }
    return described


@app.command()
def editions(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """List the editions and the components each turns on."""
    described = editions_described()
    if as_json:
        typer.echo(json.dumps(described, indent=2))
        return
    for edition, about in described.items():
        typer.echo(f"{edition}: {about['help']}")
        for component in about["components"]:
            steps = f" (step {', '.join(map(str, component['steps']))})" if component["steps"] else ""
            typer.echo(f"  {component['title']}{steps}")


def project_answers(project: Path) -> dict[str, str]:
    """The answers recorded in a rendered project's .cruft.json."""
    try:
        recorded = provenance.read(project).answers
    except provenance.ProvenanceError as problem:
        raise OptionError(f"--project {problem}") from None
    return spec.validate({k: v for k, v in recorded.items() if k in spec.OPTIONS_BY_NAME})


# What `diagram -o` writes, by the file's suffix.
DIAGRAM_SUFFIXES = {
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
    ".md": "markdown",
    ".dot": "dot",
    ".gv": "dot",
    ".svg": "image",
    ".png": "image",
}


@app.command()
def diagram(
    config: ConfigOption = None,
    assignments: SetOption = None,
    edition: EditionOption = None,
    project: Annotated[Path | None, typer.Option("--project", help="A rendered project (its .cruft.json).")] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="mermaid, markdown (fenced) or dot (default: from -o's suffix).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help=f"File ending in {', '.join(DIAGRAM_SUFFIXES)}.")
    ] = None,
) -> None:
    """Draw the architecture of an answer set: exactly the enabled components, by tier, with seed steps."""
    writers = {"mermaid": diagrams.mermaid, "markdown": diagrams.markdown, "dot": diagrams.dot}
    if fmt is not None and fmt not in writers:
        raise OptionError(f"--format: '{fmt}' is not one of {', '.join(writers)}")
    suffix = output.suffix.lower() if output is not None else ""
    if output is not None and suffix not in DIAGRAM_SUFFIXES:
        raise OptionError(
            f"--output {output}: cannot write '{suffix or '(no suffix)'}'; use one of {', '.join(DIAGRAM_SUFFIXES)}"
        )
    answers = (
        project_answers(project) if project else answer_sources.resolve(given_answers(config, assignments, edition))
    )
    if DIAGRAM_SUFFIXES.get(suffix) == "image":
        diagrams.write_image(answers, output)
        typer.echo(f"Wrote {output}")
        return
    text = writers[fmt or DIAGRAM_SUFFIXES.get(suffix) or "mermaid"](answers)
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
    answers = answer_sources.resolve(given_answers(config, assignments, edition))
    warn(answers)
    result = planning.plan(answers, synth=synth)
    typer.echo(json.dumps(result.as_dict(), indent=2) if as_json else planning.report(result))


MATRIX_KINDS = {"pairwise": "covering_cases", "values": "value_cases", "editions": "edition_cases"}
MATRIX_FORMATS = ("github", "json", "text")


@app.command()
def matrix(
    kind: Annotated[str, typer.Option("--kind", help=f"One of {', '.join(MATRIX_KINDS)}.")] = "pairwise",
    strength: Annotated[int, typer.Option("--strength", help="2: every pair of values; 3: every triple.")] = 2,
    fmt: Annotated[
        str, typer.Option("--format", help="github (a strategy.matrix include list), json or text.")
    ] = "github",
    explain: Annotated[bool, typer.Option("--explain", help="List, per case, what it is the first to cover.")] = False,
    write_configs: Annotated[
        Path | None,
        typer.Option("--write-configs", help="Also write DIR/<id>.yaml per case, for `refarch new --config`."),
    ] = None,
) -> None:
    """Print answer sets as a CI matrix: by default a covering array of every pair of option values."""
    if kind not in MATRIX_KINDS:
        raise OptionError(f"--kind: '{kind}' is not one of {', '.join(MATRIX_KINDS)}")
    if fmt not in MATRIX_FORMATS:
        raise OptionError(f"--format: '{fmt}' is not one of {', '.join(MATRIX_FORMATS)}")
    if strength != 2 and kind != "pairwise":
        raise OptionError(f"--strength applies to --kind pairwise only, not '{kind}'")
    cases = matrices.covering_cases(strength) if kind == "pairwise" else getattr(matrices, MATRIX_KINDS[kind])()
    covered = matrices.coverage(cases, strength) if kind == "pairwise" else None
    if write_configs is not None:
        matrices.write_configs(cases, write_configs)
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
    output_format: FormatOption = "text",
    junit: Annotated[Path | None, typer.Option("--junit", help="Also write a JUnit XML report here.")] = None,
    tests: Annotated[bool, typer.Option("--tests/--no-tests", help="Run the project's own pytest suite.")] = True,
    cfn_validator: Annotated[
        bool,
        typer.Option(
            "--cfn-validator/--no-cfn-validator",
            help="Run aws-cdk-lib's bundled CloudFormation validator in synth (slower; cfn-lint runs anyway).",
        ),
    ] = False,
    python: Annotated[
        str | None, typer.Option("--python", help="Interpreter with the project's dependencies (default: its .venv).")
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also list cfn-lint warnings by rule and file.")
    ] = False,
) -> None:
    """Synthesise, check principal ordering, cdk-nag, cfn-lint and the project's tests; exit 0 only if all pass."""
    text_or_json(output_format)
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
    ) as bar:
        tasks: dict[str, object] = {}

        def progress(name: str, result: validation.CheckResult | None) -> None:
            if result is None:
                tasks[name] = bar.add_task(validation.CHECKS[name])
                return
            bar.remove_task(tasks[name])
            mark = {"passed": "[green]ok[/]", "failed": "[red]FAILED[/]", "skipped": "[yellow]skipped[/]"}
            console.print(f"{mark[result.status]}  {name}: {result.title} ({result.seconds:.1f} s)")

        report = validation.validate(path, tests=tests, cfn_validator=cfn_validator, python=python, progress=progress)
    if junit:
        junit.write_text(report.to_junit(), encoding="utf-8")
    if output_format == "json":
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        typer.echo(report.to_text(verbose=verbose))
    raise typer.Exit(0 if report.passed else 1)


def new_from_template(
    template: str,
    config: Path | None,
    assignments: list[str] | None,
    edition: str | None,
    output_dir: Path,
    force: bool,
) -> None:
    """`new --template`: the template is fetched at its ref and its own spec resolves the answers."""
    import tempfile

    from generator import lifecycle, template_source

    given = given_answers(config, assignments, edition)
    with tempfile.TemporaryDirectory(prefix="refarch-template-") as scratch:
        checkout = template_source.fetch(template, Path(scratch))
        answers = lifecycle.complete_answers(checkout.directory, given)
        project = rendering.render(
            answers,
            output_dir,
            force=force,
            template=checkout.directory,
            location=checkout.location,
            commit=checkout.commit,
            checkout=checkout.ref,
        )
    typer.echo(f"Created {project} from {checkout.location} ({checkout.ref or checkout.commit or 'working copy'})")


ProjectArgument = Annotated[Path, typer.Argument(help="A project rendered by refarch or cruft.")]
TemplateOverride = Annotated[
    str | None,
    typer.Option("--template", help="Read the template from this PATH|URL instead of the one recorded in .cruft.json."),
]


@app.command()
def check(project: ProjectArgument = Path("."), output_format: FormatOption = "text") -> None:
    """Exit 0 when the project is on the latest template version, 1 when a newer one exists, 2 on error."""
    from generator import lifecycle

    text_or_json(output_format)
    status = lifecycle.check(project.resolve())
    if output_format == "json":
        typer.echo(json.dumps(status.as_dict(), indent=2))
    elif status.up_to_date:
        typer.echo(f"{project}: template {status.current} is the latest version")
    else:
        typer.echo(
            f"{project}: template {status.current}; latest {status.latest} ({status.behind} newer: "
            f"{', '.join(status.newer)}); run `refarch update`"
        )
    if status.note:
        typer.secho(f"note: {status.note}", err=True, fg=typer.colors.YELLOW)
    raise typer.Exit(0 if status.up_to_date else 1)


@app.command()
def diff(
    project: ProjectArgument = Path("."),
    stat: Annotated[bool, typer.Option("--stat", help="Only the list of changed files.")] = False,
    exit_code: Annotated[bool, typer.Option("--exit-code", help="Exit 1 when the project has edits.")] = False,
    template: TemplateOverride = None,
) -> None:
    """The project's own edits against a pristine render of its recorded template version and answers."""
    import tempfile

    from generator import lifecycle

    with tempfile.TemporaryDirectory(prefix="refarch-diff-") as scratch:
        found = lifecycle.drift(project.resolve(), Path(scratch), location=template)
    typer.echo(found.stat() if stat else found.patch(), nl=False)
    raise typer.Exit(1 if exit_code and found else 0)


@app.command()
def update(
    project: ProjectArgument = Path("."),
    to: Annotated[
        str | None, typer.Option("--to", help="Tag, branch or commit (default: the latest vX.Y.Z tag).")
    ] = None,
    assignments: SetOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the file plan and the impact; write nothing.")
    ] = False,
    allow_replacement: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-replacement",
            help="LogicalId or Stack/LogicalId of a stateful resource the update may replace or delete; repeatable.",
        ),
    ] = None,
    synth: Annotated[
        bool, typer.Option("--synth/--no-synth", help="Synthesise before and after (the impact gate).")
    ] = True,
    output_format: FormatOption = "text",
    template: TemplateOverride = None,
    python: Annotated[str | None, typer.Option("--python", help="Interpreter with the project's dependencies.")] = None,
) -> None:
    """Three-way merge the template's changes into the project; conflicts are left as git conflicts (exit 1)."""
    from generator import update as updating

    text_or_json(output_format)
    allowed = tuple(allow_replacement or ())
    try:
        plan = updating.update(
            project,
            to=to,
            assignments=answer_sources.parse_assignments(assignments or []),
            dry_run=dry_run,
            allow_replacement=allowed,
            synth=synth,
            location=template,
            python=python,
        )
    except updating.UpdateRefused as refused:
        typer.echo(
            json.dumps(refused.plan.as_dict(), indent=2)
            if output_format == "json"
            else updating.report(refused.plan, allowed)
        )
        raise
    typer.echo(json.dumps(plan.as_dict(), indent=2) if output_format == "json" else updating.report(plan, allowed))
    raise typer.Exit(1 if plan.conflicts and plan.written else 0)


@app.command()
def impact(
    before: Annotated[Path, typer.Argument(help="A rendered project, or a cloud assembly (cdk.out).")],
    after: Annotated[Path, typer.Argument(help="A rendered project, or a cloud assembly (cdk.out).")],
    output_format: FormatOption = "text",
    allow_replacement: Annotated[
        list[str] | None,
        typer.Option("--allow-replacement", help="A stateful resource that may be replaced or deleted; repeatable."),
    ] = None,
    python: Annotated[str | None, typer.Option("--python", help="Interpreter with the projects' dependencies.")] = None,
) -> None:
    """Compare the CloudFormation of two renders stack by stack; exit 1 when a stateful resource is replaced."""
    import tempfile

    from generator import impact as impacts

    text_or_json(output_format)
    allowed = tuple(allow_replacement or ())
    with tempfile.TemporaryDirectory(prefix="refarch-impact-") as scratch:
        if (before / "manifest.json").is_file() or (after / "manifest.json").is_file():
            result = impacts.compare(
                impacts.load(before, Path(scratch), python), impacts.load(after, Path(scratch) / "2", python)
            )
        else:
            result = impacts.assess(before, after, Path(scratch), python=python)
    typer.echo(
        json.dumps(result.as_dict(), indent=2) if output_format == "json" else impacts.report(result.as_dict(), allowed)
    )
    raise typer.Exit(1 if result.blocking(allowed) else 0)


@app.command()
def fleet(
    roots: Annotated[list[str], typer.Argument(help="Folders to search; `fleet update ROOT...` updates them.")],
    output_format: Annotated[str, typer.Option("--format", help="text, json or github-matrix.")] = "text",
    validate: Annotated[
        bool, typer.Option("--validate", help="Also run `refarch validate --no-tests` on each.")
    ] = False,
    branch: Annotated[str | None, typer.Option("--branch", help="fleet update: the branch to create.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="fleet update: tag, branch or commit.")] = None,
    synth: Annotated[bool, typer.Option("--synth/--no-synth", help="fleet update: the impact gate.")] = True,
    allow_replacement: Annotated[list[str] | None, typer.Option("--allow-replacement")] = None,
) -> None:
    """One row per refarch project under the roots: version, versions behind, edition, components, edits."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from generator import fleet as fleets

    text_or_json(output_format, "github-matrix")
    updating = roots[0] == "update"
    paths = [Path(r) for r in (roots[1:] if updating else roots)]
    if not paths:
        raise OptionError("fleet: give at least one ROOT folder")
    if updating and not branch:
        raise OptionError("fleet update: --branch NAME is required (the branch each project gets)")
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=Console(stderr=True), transient=True
    ) as bar:
        task = bar.add_task("searching")

        def progress(path: str) -> None:
            bar.update(task, description=path)

        if updating:
            outcomes = fleets.update_all(
                paths,
                branch=branch,
                to=to,
                synth=synth,
                allow_replacement=tuple(allow_replacement or ()),
                progress=progress,
            )
        else:
            rows = fleets.survey(paths, drift=output_format != "github-matrix", validate=validate, progress=progress)
    if updating:
        typer.echo(
            json.dumps([o.as_dict() for o in outcomes], indent=2)
            if output_format == "json"
            else fleets.outcomes_table(outcomes)
        )
        raise typer.Exit(0 if all(o.status in ("updated", "current") for o in outcomes) else 1)
    if output_format == "github-matrix":
        typer.echo(json.dumps(fleets.github_matrix(rows), indent=2))
    elif output_format == "json":
        typer.echo(json.dumps([r.as_dict() for r in rows], indent=2))
    else:
        typer.echo(fleets.table(rows, validate=validate))
    raise typer.Exit(2 if any(r.error for r in rows) else 0)


if __name__ == "__main__":
    app()
