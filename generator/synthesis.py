"""Synthesise rendered projects, many of them in one Python process (one jsii runtime).

Starting the jsii runtime and importing aws-cdk-lib costs seconds per process, so a
matrix of projects is synthesised by one long-lived process that imports each
project's `app.build_app` in turn. Every project imports a module called `app` and its
own package, so each project's modules are removed from `sys.modules` before the next
one is imported; render each project with a distinct package name.

Standard library only: `refarch validate --python` runs this file by path in the
project's own interpreter, where refarch itself may not be installed.

    python synthesis.py [--no-cfn-validator] PROJECT[=OUTDIR] ...

prints one JSON object per project: {"project", "outdir", "ok", "error", "seconds"}.
`ok` is true when the cloud assembly was written, including when a validation plugin
(cdk-nag, the CloudFormation validator) failed: read validation-report.json for those.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
import time
import traceback
from pathlib import Path

VALIDATION_FAILED = "ValidationFailed"


def _forget_modules_under(directory: Path) -> None:
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if origin and Path(origin).resolve().is_relative_to(directory):
            del sys.modules[name]


def synth(project: Path, outdir: Path) -> dict:
    """Import `project`/app.py, call build_app(outdir=...) and synthesise it."""
    project, outdir = project.resolve(), outdir.resolve()
    shutil.rmtree(outdir, ignore_errors=True)
    started = time.perf_counter()
    sys.path.insert(0, str(project))
    sys.modules.pop("app", None)
    try:
        spec = importlib.util.spec_from_file_location("app", project / "app.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["app"] = module
        spec.loader.exec_module(module)
        module.build_app(outdir=str(outdir)).synth()
        error = None
    except Exception as problem:  # any failure of the user's code is reported, not raised
        error = VALIDATION_FAILED if VALIDATION_FAILED in str(problem) else _short_traceback(problem, project)
    finally:
        sys.path.remove(str(project))
        _forget_modules_under(project)
    written = (outdir / "manifest.json").is_file()
    ok = error is None or (error == VALIDATION_FAILED and written)
    return {
        "project": str(project),
        "outdir": str(outdir),
        "ok": ok,
        "error": error,
        "seconds": round(time.perf_counter() - started, 3),
    }


def _short_traceback(problem: BaseException, project: Path) -> str:
    """The exception and the frames in the project's own files (jsii frames say little)."""
    frames = [f for f in traceback.extract_tb(problem.__traceback__) if f.filename.startswith(str(project))]
    where = "".join(f"  {Path(f.filename).relative_to(project)}:{f.lineno} in {f.name}\n" for f in frames[-4:])
    message = str(problem).strip().splitlines()
    return f"{type(problem).__name__}: {message[0] if message else ''}\n{where}".rstrip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("projects", nargs="+", help="PROJECT or PROJECT=OUTDIR (default OUTDIR: PROJECT/cdk.out)")
    parser.add_argument(
        "--no-cfn-validator",
        action="store_true",
        help="turn off aws-cdk-lib's bundled CloudFormation validator (cdk-nag still runs)",
    )
    args = parser.parse_args(argv)
    if args.no_cfn_validator:
        os.environ["CDK_VALIDATION"] = "false"  # read by the jsii runtime, which starts on first import
    os.environ.setdefault("JSII_DEPRECATED", "fail")
    failed = False
    for item in args.projects:
        project, _, outdir = item.partition("=")
        result = synth(Path(project), Path(outdir) if outdir else Path(project) / "cdk.out")
        failed |= not result["ok"]
        print(json.dumps(result), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
