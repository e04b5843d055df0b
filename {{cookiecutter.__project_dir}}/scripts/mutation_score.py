"""`make mutation`'s summary: per runtime folder, the share of mutants the tests kill, and the survivors.

Reads mutmut's results (`mutmut results --all true`); exits 1 when a folder is below the target, so a
weakened test shows as a failed `make mutation` and not only as a lower number.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter

DETECTED = {"killed", "timeout"}


def results() -> dict[str, str]:
    """Every mutant's status, by mutant name (`package.module.x_function__mutmut_N`)."""
    listed = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"], capture_output=True, text=True, check=True
    ).stdout
    found = {}
    for line in listed.splitlines():
        name, separator, status = line.strip().rpartition(": ")
        if separator:
            found[name] = status
    return found


def report(statuses: dict[str, str], folders: list[str], target: float) -> list[str]:
    """Lines to print; the last one names the folders below the target, if any."""
    lines, below = [], []
    for folder in folders:
        prefix = folder.strip("/").replace("/", ".") + "."
        mine = {name: status for name, status in statuses.items() if name.startswith(prefix)}
        counts = Counter(mine.values())
        detected = sum(counts[s] for s in DETECTED)
        score = 100 * detected / len(mine) if mine else 0.0
        lines.append(f"{folder}: {detected}/{len(mine)} mutants killed ({score:.1f}%)")
        lines += [f"  {status}: {name}" for name, status in sorted(mine.items()) if status not in DETECTED]
        if score < target:
            below.append(folder)
    if below:
        lines.append(f"below {target:.0f}%: {', '.join(below)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folders", nargs="+", help="runtime folders, e.g. my_app/search/runtime")
    parser.add_argument("--target", type=float, default=85.0, help="least share killed, in percent")
    arguments = parser.parse_args(argv)
    lines = report(results(), arguments.folders, arguments.target)
    print("\n".join(lines))
    return 1 if lines and lines[-1].startswith("below ") else 0


if __name__ == "__main__":
    sys.exit(main())
