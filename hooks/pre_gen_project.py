"""Validate the answers with generator/spec.py before any project file is written."""

import json
import os
import sys
from pathlib import Path

ANSWERS = json.loads(r"""{{ cookiecutter | jsonify }}""")
CANDIDATE_TEMPLATE_DIRS = [
    ANSWERS.get("_repo_dir") or "",
    f"/proc/{os.getppid()}/cwd",  # cookiecutter and cruft run hooks from the template directory
    ANSWERS.get("_template") or "",
]


def load_spec():
    for candidate in CANDIDATE_TEMPLATE_DIRS:
        root = Path(candidate)
        if candidate and (root / "generator" / "spec.py").is_file():
            sys.path.insert(0, str(root.resolve()))
            break
    from generator import spec

    return spec


if __name__ == "__main__":
    spec = load_spec()
    try:
        spec.validate(ANSWERS)
    except spec.SpecError as problem:
        print(f"error: {problem}", file=sys.stderr)
        sys.exit(1)
    for note in spec.warnings(ANSWERS):
        print(f"warning: {note}", file=sys.stderr)
