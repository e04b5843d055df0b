"""Bake into the wheel where its template is published, so projects rendered from it record that.

`REFARCH_TEMPLATE_URL` overrides the repository named in pyproject.toml (a platform team's
fork, or a local bare repository in tests); the commit is the checkout's HEAD when built from git.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import tomllib
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        declared = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True)
        source = {
            "repository": os.environ.get("REFARCH_TEMPLATE_URL") or declared["Repository"],
            "commit": head.stdout.strip() if head.returncode == 0 else None,
        }
        baked = Path(tempfile.mkdtemp(prefix="refarch-build-")) / "_source.json"
        baked.write_text(json.dumps(source, indent=2) + "\n", encoding="utf-8")
        build_data["force_include"][str(baked)] = "generator/_source.json"
