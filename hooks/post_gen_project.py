"""Remove the files of disabled components, using the component map in generator/spec.py."""

import json
import os
import shutil
import sys
from pathlib import Path

ANSWERS = json.loads(r"""{{ cookiecutter | jsonify }}""")
# cookiecutter and cruft run hooks from the template directory: the parent's cwd, or the recorded template.
TEMPLATE_DIRS = (ANSWERS.get("_repo_dir"), f"/proc/{os.getppid()}/cwd", ANSWERS.get("_template"))
sys.path[:0] = [d for d in TEMPLATE_DIRS if d and os.path.isfile(os.path.join(d, "generator", "spec.py"))][:1]

from generator import spec  # noqa: E402

if __name__ == "__main__":
    project = Path.cwd()
    for relative in spec.disabled_paths(ANSWERS):
        path = project / relative
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        # A folder left empty by the removal (scripts/, say) goes too.
        for parent in path.parents:
            if parent == project or not parent.is_dir() or any(parent.iterdir()):
                break
            parent.rmdir()
