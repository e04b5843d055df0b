"""Remove the files of disabled components and fill the README's generated sections, from generator/spec.py."""

import json
import os
import sys
from pathlib import Path

ANSWERS = json.loads(r"""{{ cookiecutter | jsonify }}""")
# cookiecutter and cruft run hooks from the template directory: the parent's cwd, or the recorded template.
TEMPLATE_DIRS = (ANSWERS.get("_repo_dir"), f"/proc/{os.getppid()}/cwd", ANSWERS.get("_template"))
sys.path[:0] = [d for d in TEMPLATE_DIRS if d and os.path.isfile(os.path.join(d, "generator", "spec.py"))][:1]

from generator import readme, spec  # noqa: E402

if __name__ == "__main__":
    answers = spec.normalise(ANSWERS)
    spec.remove_disabled_paths(Path.cwd(), answers)
    readme.fill(Path.cwd() / "README.md", answers)
