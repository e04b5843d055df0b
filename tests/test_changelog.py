"""The template's version, its changelog, its release tags and its answer migrations agree."""

from __future__ import annotations

import re
import subprocess

from generator import spec

from .conftest import ROOT

SECTION = re.compile(r"^## (\S+)\n(.*?)(?=^## |\Z)", re.M | re.S)


def sections() -> dict[str, str]:
    return {version: body for version, body in SECTION.findall((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))}


def listed_migrations(body: str) -> list[str]:
    """The bullets under 'Answer migrations:', or none when the line says none."""
    match = re.search(r"^Answer migrations:(.*)$((?:\n- .*)*)", body, re.M)
    assert match, "every version says which answer migrations it runs ('Answer migrations: none.' when none)"
    if match[1].strip() == "none.":
        return []
    return [line.removeprefix("- ").strip() for line in match[2].strip().splitlines()]


def test_the_newest_changelog_entry_is_the_spec_version_and_entries_descend():
    versions = list(sections())
    assert versions[0] == spec.TEMPLATE_VERSION
    keys = [spec.version_key(v) for v in versions]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys)


def test_each_version_lists_exactly_the_migrations_the_spec_declares_for_it():
    for version, body in sections().items():
        assert "Generated projects" in body, f"{version}: say what changes in generated projects"
        declared = [m.describe() for m in spec.MIGRATIONS if m.version == version]
        assert listed_migrations(body) == declared, version
    assert {m.version for m in spec.MIGRATIONS} <= set(sections())
    assert all(m.kind in spec.MIGRATION_KINDS for m in spec.MIGRATIONS)


def test_every_release_tag_has_a_changelog_entry_and_a_tagged_head_is_this_version():
    tags = subprocess.run(
        ["git", "-C", str(ROOT), "tag", "--list", "v*"], capture_output=True, text=True
    ).stdout.split()
    releases = [t for t in tags if re.fullmatch(r"v\d+\.\d+\.\d+", t)]
    assert {t[1:] for t in releases} <= set(sections())
    at_head = subprocess.run(
        ["git", "-C", str(ROOT), "tag", "--points-at", "HEAD", "--list", "v*"], capture_output=True, text=True
    ).stdout.split()
    assert all(t == f"v{spec.TEMPLATE_VERSION}" for t in at_head)


def test_migrations_apply_in_version_order_between_the_two_versions(monkeypatch):
    renamed = spec.Migration("0.1.5", "rename_option", "tracing", new_name="api_xray")
    value = spec.Migration("0.1.6", "rename_value", "api_xray", old_value="on", new_value="yes")
    dropped = spec.Migration("0.1.7", "remove_option", "legacy")
    later = spec.Migration("9.0.0", "remove_option", "api_xray")
    monkeypatch.setattr(spec, "MIGRATIONS", (later, dropped, value, renamed))
    migrated, applied = spec.migrate({"tracing": "on", "legacy": "x", "edition": "app"}, "0.1.4")
    assert migrated == {"api_xray": "yes", "edition": "app"}
    assert applied == [renamed, value, dropped]
