"""Calls the AppSync JavaScript resolvers from Python tests, in Node.js with the resolvers' own
APPSYNC_JS test harness (api/resolvers/testing), so one test can feed both tiers the same input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

RESOLVERS = Path(__file__).resolve().parents[2] / "{{ cookiecutter.package_name }}" / "api" / "resolvers"


class ResolverError(Exception):
    """The resolver stopped with util.error or util.unauthorized."""

    def __init__(self, message: str, error_type: str | None) -> None:
        super().__init__(message)
        self.type = error_type


def node() -> str:
    """Node.js: the one CDK runs on (JSII_NODE) or the one on PATH."""
    found = os.environ.get("JSII_NODE") or shutil.which("node")
    assert found, "Node.js is needed to run the AppSync resolvers (set JSII_NODE or put node on PATH)"
    return found


def call(module: str, export: str, *args: Any) -> Any:
    """What `export` of resolvers/`module` returns for `args` (JSON values)."""
    result = subprocess.run(
        [node(), "--import", "./testing/register-appsync-utils.mjs", "testing/call.mjs"],
        cwd=RESOLVERS,
        input=json.dumps({"module": module, "export": export, "args": args}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    if "error" in answer:
        raise ResolverError(answer["error"]["message"], answer["error"]["type"])
    return answer["value"]
