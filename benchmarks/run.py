"""Measure refarch on this machine: median wall time and peak memory of several runs.

    python -m benchmarks.run [--runs 3] [--json results.json] [--only render,synth,matrix,validate]

Each measurement runs as a child process and is timed from start to exit; peak memory
is the largest resident set of that process or any process it waited for (the jsii
runtime is a Node.js child of Python), from wait4(). Synth figures are warm: one
unmeasured run first fills jsii's package cache (~/.cache/aws/jsii).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator import answers, matrix, render, synthesis
from generator.assembly import Assembly
from generator.validate import checks

ROOT = Path(__file__).resolve().parent.parent
EMPTY_APP = "import aws_cdk as cdk; app = cdk.App(outdir={outdir!r}); cdk.Stack(app, 'Empty'); app.synth()"


@dataclass
class Sample:
    seconds: float
    peak_mb: float

    def __add__(self, other: Sample) -> Sample:
        """Two steps run one after the other: their times add up, the larger peak counts."""
        return Sample(self.seconds + other.seconds, max(self.peak_mb, other.peak_mb))


@dataclass
class Figure:
    name: str
    samples: list[Sample]

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def peak_mb(self) -> float:
        return max(s.peak_mb for s in self.samples)


def run_process(
    command: list[str], *, cwd: Path | None = None, env: dict | None = None, exit_codes: tuple[int, ...] = (0,)
) -> Sample:
    """Wall time and peak RSS of one child process (and the processes it waited for)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in exit_codes:
        raise RuntimeError(f"{' '.join(command)} exited {child.returncode}: {child.stderr.read().decode()[-2000:]}")
    return Sample(elapsed, usage.ru_maxrss / 1024)


def run_processes(commands: list[list[str]], **kwargs) -> Sample:
    """Several processes one after another: total time, largest peak."""
    total = Sample(0.0, 0.0)
    for command in commands:
        total += run_process(command, **kwargs)
    return total


def measure(name: str, runs: int, action: Callable[[], Sample], *, warmup: bool = False) -> Figure:
    if warmup:
        action()
    figure = Figure(name, [action() for _ in range(runs)])
    print(f"  {name:58} {figure.seconds:8.2f} s {figure.peak_mb:8.0f} MB", flush=True)
    return figure


def ratio(label: str, numerator: Figure, denominator: Figure, target: float | None = None) -> dict:
    value = numerator.seconds / denominator.seconds
    verdict = "" if target is None else (f"  (target <= {target}: " + ("met" if value <= target else "MISSED") + ")")
    print(f"  => {label}: {value:.2f}x{verdict}\n", flush=True)
    return {"ratio": label, "value": round(value, 2), "target": target}


def render_full(scratch: Path, slug: str = "modern-app", **given: str) -> Path:
    return render.render(answers.resolve({"edition": "full", "project_slug": slug, **given}), scratch, force=True)


# --------------------------------------------------------------------------- benchmarks


def bench_render(runs: int, scratch: Path) -> tuple[list[Figure], list[dict]]:
    cli = measure(
        "render full edition: refarch new",
        runs,
        lambda: run_process(
            [
                sys.executable,
                "-m",
                "generator.cli",
                "new",
                "--no-input",
                "--edition",
                "full",
                "--output-dir",
                str(scratch / "cli"),
                "--force",
            ],
            cwd=ROOT,
        ),
    )
    plain = measure(
        "render full edition: cookiecutter --no-input",
        runs,
        lambda: run_process(
            [
                sys.executable,
                "-m",
                "cookiecutter",
                "--no-input",
                "--overwrite-if-exists",
                "--output-dir",
                str(scratch / "plain"),
                str(ROOT),
                "edition=full",
            ],
            cwd=ROOT,
        ),
    )
    return [cli, plain], [ratio("refarch new / cookiecutter (checkout with .venv, .tools)", cli, plain, target=1.1)]


def bench_synth(runs: int, scratch: Path) -> tuple[list[Figure], list[dict]]:
    project = render_full(scratch)
    full = measure(
        "synth full edition (python app.py, validator on)",
        runs,
        lambda: run_process([sys.executable, "app.py"], cwd=project, env={"CDK_OUTDIR": str(scratch / "full.out")}),
        warmup=True,
    )
    floor = measure(
        "synth empty one-stack app (jsii floor)",
        runs,
        lambda: run_process([sys.executable, "-c", EMPTY_APP.format(outdir=str(scratch / "empty.out"))]),
        warmup=True,
    )
    return [full, floor], [ratio("full edition / empty app", full, floor)]


def matrix_job(cases: list[matrix.Case], scratch: Path, projects: list[str]) -> Sample:
    """What tests/test_matrix_synth.py's main test does: render, synthesise in one process, lint, read reports.

    `projects` receives the rendered projects' paths.
    """
    shutil.rmtree(scratch, ignore_errors=True)
    started = time.perf_counter()
    projects[:] = [
        str(render.render(answers.resolve({**c.given, "package_name": f"matrix_{n:02d}"}), scratch / f"{n:02d}"))
        for n, c in enumerate(cases, start=1)
    ]
    synth = run_process([sys.executable, synthesis.__file__, "--no-cfn-validator", *projects])
    assemblies = [Assembly(Path(project) / "cdk.out") for project in projects]
    checks.lint_findings(*assemblies)
    for assembly in assemblies:
        checks.policy_findings(assembly)
    return Sample(time.perf_counter() - started, synth.peak_mb)


def bench_matrix(runs: int, scratch: Path) -> tuple[list[Figure], list[dict]]:
    cases = matrix.pairwise_cases()
    print(f"  {matrix.coverage(cases).summary()}")
    projects: list[str] = []
    job = measure(
        f"matrix job: render, synth, cfn-lint, cdk-nag of {len(cases)} cases",
        runs,
        lambda: matrix_job(cases, scratch / "job", projects),
        warmup=True,
    )
    one = measure(
        f"synth {len(cases)} cases in one process",
        runs,
        lambda: run_process([sys.executable, synthesis.__file__, "--no-cfn-validator", *projects]),
    )
    many = measure(
        f"synth {len(cases)} cases, one process each",
        runs,
        lambda: run_processes([[sys.executable, synthesis.__file__, "--no-cfn-validator", p] for p in projects]),
    )
    return [job, one, many], [ratio(f"{len(cases)} processes / one process", many, one)]


def bench_validate(runs: int, scratch: Path) -> tuple[list[Figure], list[dict]]:
    project = render_full(scratch)
    validate = measure(
        "refarch validate --no-tests (full edition)",
        runs,
        lambda: run_process([sys.executable, "-m", "generator.cli", "validate", "--no-tests", str(project)], cwd=ROOT),
        warmup=True,
    )

    def floor() -> Sample:
        outdir = scratch / "floor.out"
        synth = run_process(
            [sys.executable, "app.py"], cwd=project, env={"CDK_OUTDIR": str(outdir), "CDK_VALIDATION": "false"}
        )
        templates = sorted(str(p) for p in outdir.glob("assembly-*/*.template.json"))
        # cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational.
        cfn_lint = str(Path(sys.executable).parent / "cfn-lint")
        return synth + run_process([cfn_lint, *templates], exit_codes=(0, 4, 8, 12))

    floor_figure = measure("floor: synth (validator off) + one cfn-lint run", runs, floor, warmup=True)
    return [validate, floor_figure], [ratio("validate / floor", validate, floor_figure, target=2.5)]


BENCHMARKS = {"render": bench_render, "synth": bench_synth, "matrix": bench_matrix, "validate": bench_validate}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="measured runs per figure (the median is shown)")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated subset of the benchmarks")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    os.environ.setdefault("JSII_DEPRECATED", "fail")
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
        "node": os.environ.get("JSII_NODE", shutil.which("node") or ""),
    }
    print(f"refarch benchmarks: median of {args.runs} runs; {machine}\n")
    results = {"machine": machine, "runs": args.runs, "figures": [], "ratios": []}
    with tempfile.TemporaryDirectory(prefix="refarch-bench-") as scratch:
        for name in args.only.split(","):
            print(f"[{name}]")
            figures, ratios = BENCHMARKS[name](args.runs, Path(scratch) / name)
            results["figures"] += [
                {"name": f.name, "seconds": round(f.seconds, 2), "peak_mb": round(f.peak_mb)} for f in figures
            ]
            results["ratios"] += ratios
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
