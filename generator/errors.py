"""The base of every error refarch reports to its user.

Standard library only, like spec.py, which the cookiecutter hooks import wherever they run.
"""

from __future__ import annotations


class RefarchError(Exception):
    """A problem the user can fix: str() names what is wrong and how to fix it, one line per problem.

    The command line prints each line as `error: ...` and exits 2; anything else is a bug and keeps its traceback.
    """
