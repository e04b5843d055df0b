"""Validate the answers with generator/spec.py before any project file is written."""

import json
import os
import sys

ANSWERS = json.loads(r"""{{ cookiecutter | jsonify }}""")
# cookiecutter and cruft run hooks from the template directory: the parent's cwd, or the recorded template.
TEMPLATE_DIRS = (ANSWERS.get("_repo_dir"), f"/proc/{os.getppid()}/cwd", ANSWERS.get("_template"))
sys.path[:0] = [d for d in TEMPLATE_DIRS if d and os.path.isfile(os.path.join(d, "generator", "spec.py"))][:1]

from generator import spec  # noqa: E402

if __name__ == "__main__":
    try:
        spec.validate(ANSWERS)
    except spec.SpecError as problem:
        print(f"error: {problem}", file=sys.stderr)
        sys.exit(1)
    for note in spec.warnings(ANSWERS):
        print(f"warning: {note}", file=sys.stderr)
