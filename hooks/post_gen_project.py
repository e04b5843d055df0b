"""Remove the files of disabled components and write the README's diagram, all from generator/spec.py."""

import json
import os
import shutil
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
    from generator import readme, spec

    return spec, readme


if __name__ == "__main__":
    spec, readme = load_spec()
    project = Path.cwd()
    for relative in spec.disabled_paths(ANSWERS):
        path = project / relative
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    readme.fill(project / "README.md", ANSWERS)
