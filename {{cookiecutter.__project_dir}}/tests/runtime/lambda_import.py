"""Import a runtime folder's modules as its Lambda function or container imports them, by their short names
(`import opensearch_http`, `from items_service.store import ...`), while each module keeps its package path
as its name: the name `make mutation` (mutmut) maps a mutant's tests by."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType


def import_runtime(package: str, *names: str) -> dict[str, ModuleType]:
    """`names` in import order (a module after the siblings it imports); each also under its short name."""
    modules = {}
    for name in names:
        module = importlib.import_module(f"{package}.{name}")
        sys.modules.setdefault(name, module)
        modules[name] = sys.modules[name]
    return modules
