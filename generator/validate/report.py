"""What `refarch validate` found: per check its status and findings, and the acknowledgement ledger.

Written as text for a terminal, as JSON, or as JUnit XML for CI.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path

from generator.assembly import Acknowledgement

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
CHECKS = {
    "answers": "answers in .cruft.json satisfy the spec",
    "synth": "every environment synthesises",
    "principals": "every role a policy names or a resource is given exists before its stack deploys",
    "cdk-nag": "no unacknowledged finding, every acknowledgement has a reason",
    "cfn-lint": "no errors in the templates",
    "tests": "the project's own tests pass",
}


@dataclass
class Finding:
    check: str
    rule: str
    message: str
    stack: str = ""
    logical_id: str = ""
    path: str = ""
    fix: str = ""
    template: str = ""

    def location(self) -> str:
        return " ".join(part for part in (self.stack, self.logical_id) if part) or self.path or "-"


@dataclass
class CheckResult:
    name: str
    status: str
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    detail: str = ""
    warnings: list[Finding] = field(default_factory=list)

    @property
    def title(self) -> str:
        return CHECKS[self.name]


@dataclass
class Report:
    project: Path
    checks: list[CheckResult]
    acknowledgements: list[Acknowledgement] | None = None  # None: no assembly to read them from

    def acknowledgements_by_stack(self) -> dict[str, list[Acknowledgement]]:
        """The ledger: every acknowledged finding of the synthesised assembly, grouped by stack."""
        ledger: dict[str, list[Acknowledgement]] = {}
        for acknowledgement in self.acknowledgements or ():
            ledger.setdefault(acknowledgement.stack, []).append(acknowledgement)
        return ledger

    @property
    def passed(self) -> bool:
        return all(check.status != FAILED for check in self.checks)

    def findings(self) -> list[Finding]:
        return [finding for check in self.checks for finding in check.findings]

    def to_dict(self) -> dict:
        return {
            "project": str(self.project),
            "passed": self.passed,
            "checks": [
                {
                    "name": c.name,
                    "title": c.title,
                    "status": c.status,
                    "seconds": round(c.seconds, 2),
                    "detail": c.detail,
                    "findings": [asdict(f) for f in c.findings],
                    "warnings": [asdict(f) for f in c.warnings],
                }
                for c in self.checks
            ],
            "acknowledgements": None
            if self.acknowledgements is None
            else {
                stack: [{"path": a.path, "finding": a.finding, "reason": a.reason} for a in entries]
                for stack, entries in self.acknowledgements_by_stack().items()
            },
        }

    def to_text(self, *, verbose: bool = False) -> str:
        """The report for a terminal: each check with its findings, the acknowledgement ledger, the verdict."""
        lines = [f"refarch validate {self.project}"]
        for check in self.checks:
            note = f" ({check.detail})" if check.detail else ""
            lines.append(f"  {check.status.upper():7} {check.name}: {check.title}{note}")
            if verbose:
                lines += _warning_lines(check.warnings)
            for finding in check.findings:
                lines.append(f"    {finding.location()}  {finding.rule}  {finding.message}")
                if finding.path and finding.path != finding.location():
                    lines.append(f"      construct: {finding.path}")
                if finding.fix:
                    lines.append(f"      fix: {finding.fix}")
        if self.acknowledgements is not None:
            lines += _ledger_lines(self.acknowledgements_by_stack())
        count = len(self.findings())
        lines.append("PASSED" if self.passed else f"FAILED: {count} finding{'s' if count != 1 else ''}")
        return "\n".join(lines)

    def to_junit(self) -> str:
        """JUnit XML: one test suite per check, one failing test case per finding."""
        root = ET.Element(
            "testsuites",
            name="refarch validate",
            tests=str(self._count_cases()),
            failures=str(len(self.findings())),
            time=f"{sum(c.seconds for c in self.checks):.2f}",
        )
        for check in self.checks:
            suite = ET.SubElement(
                root,
                "testsuite",
                name=check.name,
                time=f"{check.seconds:.2f}",
                tests=str(max(1, len(check.findings))),
                failures=str(len(check.findings)),
                skipped="1" if check.status == SKIPPED else "0",
            )
            if not check.findings:
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname=f"refarch.validate.{check.name}",
                    name=check.title,
                    time=f"{check.seconds:.2f}",
                )
                if check.status == SKIPPED:
                    ET.SubElement(case, "skipped", message=check.detail)
                elif check.status == FAILED:
                    ET.SubElement(case, "failure", message=check.detail, type=check.name).text = check.detail
                continue
            for finding in check.findings:
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname=f"refarch.validate.{check.name}",
                    name=f"{finding.location()} {finding.rule}",
                )
                failure = ET.SubElement(case, "failure", message=finding.message, type=finding.rule)
                failure.text = "\n".join(
                    f"{label}: {value}"
                    for label, value in (
                        ("stack", finding.stack),
                        ("logical id", finding.logical_id),
                        ("construct", finding.path),
                        ("rule", finding.rule),
                        ("message", finding.message),
                        ("fix", finding.fix),
                    )
                    if value
                )
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"

    def _count_cases(self) -> int:
        return sum(max(1, len(check.findings)) for check in self.checks)


def _warning_lines(warnings: list[Finding]) -> list[str]:
    """Warnings grouped by rule and message, each with the templates and logical ids it is raised for."""
    by_rule: dict[tuple[str, str], list[str]] = {}
    for warning in warnings:
        by_rule.setdefault((warning.rule, warning.message), []).append(
            f"{Path(warning.template).name} {warning.logical_id}".strip()
        )
    lines = []
    for (rule, message), places in sorted(by_rule.items()):
        lines.append(f"    warning {rule}: {message}")
        lines += [f"      {place}" for place in sorted(set(places))]
    return lines


def _ledger_lines(ledger: dict[str, list[Acknowledgement]]) -> list[str]:
    count = sum(len(entries) for entries in ledger.values())
    lines = [f"  Acknowledged findings ({count}), by stack:"]
    for stack, entries in ledger.items():
        lines.append(f"    {stack}")
        for entry in entries:
            lines.append(f"      {entry.path}  {entry.finding}")
            lines.append(f"        reason: {entry.reason.strip() or '(none)'}")
    if not ledger:
        lines.append("    none")
    return lines
