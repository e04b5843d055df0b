"""The documentation site: generated pages match the spec, and MkDocs builds it strictly."""

from __future__ import annotations

import re
import subprocess
import sys

import yaml

from generator import docs, spec

from .conftest import ROOT


def test_generated_pages_match_the_spec():
    assert docs.stale_pages() == [], "run: python -m generator.docs"


def test_a_changed_spec_makes_a_page_stale(tmp_path, monkeypatch):
    for name, build in docs.PAGES.items():
        (tmp_path / name).write_text(build(), encoding="utf-8")
    assert docs.stale_pages(tmp_path) == []
    added = spec.Rule("dax-is-dax", (spec.on("dax"),), spec.on("dax"), "a rule added to the spec")
    monkeypatch.setattr(spec, "RULES", (*spec.RULES, added))
    assert docs.stale_pages(tmp_path) == ["options.md"]


def test_options_reference_has_a_row_per_option_and_rule():
    page = docs.options_page()
    rows = re.findall(r"^\| `([a-z_0-9-]+)` \|", page, re.M)
    assert sorted(rows) == sorted([o.name for o in spec.OPTIONS] + [r.name for r in spec.RULES])


def test_traceability_maps_every_seed_step_to_a_unit_files_and_tests():
    page = docs.traceability_page()
    # The condition column escapes the pipes between an option's values (`a\|b`).
    condition = r"(?:[^|\\]|\\\|)+"
    rows = re.findall(
        rf"^\| (\d+) \| [^|]+ \| ([^|]+) \| {condition} \| `([^`]+)` \| ([^|]+) \| ([^|]+) \|$", page, re.M
    )
    assert {int(step) for step, *_ in rows} == set(spec.SEED_STEPS)
    expected = {(step, c.title) for c in spec.COMPONENTS if not c.contains for step in c.steps}
    assert {(int(step), title.strip()) for step, title, *_ in rows} == expected
    for _step, title, unit, files, tests in rows:
        component = next(c for c in spec.COMPONENTS if c.title == title.strip())
        assert unit == component.unit
        assert all(f"`{t}`" in tests for t in component.tests)
        assert all(f"`{p.replace('{package}', '<package>')}`" in files for p in component.paths)


def test_every_seed_step_has_a_summary():
    assert set(docs.SEED_STEP_SUMMARIES) == set(spec.SEED_STEPS)


def test_every_page_is_in_the_navigation():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    in_nav = {page for entry in config["nav"] for page in entry.values()}
    on_disk = {p.name for p in (ROOT / "docs").glob("*.md")}
    assert in_nav == on_disk
    assert {"Benchmarks": "benchmarks.md"} in config["nav"]


def test_mkdocs_builds_the_site_strictly(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(ROOT / "mkdocs.yml"),
            "--site-dir",
            str(tmp_path / "site"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "site" / "traceability" / "index.html").is_file()
