"""Mermaid's own parser, run in Node.js from tests/mermaid/ (package.json + package-lock.json).

`npm ci` runs there when its node_modules are missing or older than the lock file; a lock
on the folder keeps parallel test workers from installing at once. Without node or npm the
tests that need the parser fail: they are never skipped.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

TOOL_DIR = Path(__file__).resolve().parent / "mermaid"
INSTALLED_MARKER = TOOL_DIR / "node_modules" / ".package-lock.json"


class MermaidToolMissing(RuntimeError):
    """node or npm is not installed, or `npm ci` failed."""


def ensure_installed() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise MermaidToolMissing("the Mermaid parser needs node and npm on PATH")
    with open(TOOL_DIR / "package-lock.json", "rb") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            lock = TOOL_DIR / "package-lock.json"
            if not INSTALLED_MARKER.is_file() or INSTALLED_MARKER.stat().st_mtime < lock.stat().st_mtime:
                result = subprocess.run(
                    [npm, "ci", "--no-audit", "--no-fund"], cwd=TOOL_DIR, capture_output=True, text=True
                )
                if result.returncode != 0:
                    raise MermaidToolMissing(f"npm ci in {TOOL_DIR} failed:\n{result.stderr[-3000:]}")
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
    return node


def parse(diagrams: dict[str, str]) -> dict[str, dict]:
    """Parse every diagram (name -> Mermaid text) in one Node.js process; returns name -> what Mermaid read."""
    node = ensure_installed()
    with tempfile.TemporaryDirectory(prefix="mermaid-") as scratch:
        files = {}
        for index, (name, text) in enumerate(diagrams.items()):
            path = Path(scratch) / f"{index}.mmd"
            path.write_text(text, encoding="utf-8")
            files[str(path)] = name
        result = subprocess.run([node, "parse.mjs", *files], cwd=TOOL_DIR, capture_output=True, text=True)
        if result.returncode != 0:
            raise MermaidToolMissing(f"node parse.mjs failed:\n{result.stderr[-3000:]}")
        return {files[entry["file"]]: entry for entry in json.loads(result.stdout)}
