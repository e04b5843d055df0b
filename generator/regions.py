"""Refresh generator/service_regions.json from botocore's endpoint data.

The spec must run with the standard library only (inside cookiecutter hooks), so the
regions it knows come from this generated file; a test fails when it is stale.
Run: python -m generator.regions
"""

from __future__ import annotations

import json

import botocore

from generator import spec


def _load_endpoints() -> dict:
    from botocore.loaders import Loader

    return Loader().load_data("endpoints")


def build() -> dict:
    endpoints = _load_endpoints()
    partitions = {p["partition"]: p for p in endpoints["partitions"]}
    commercial = partitions[spec.SUPPORTED_PARTITION]
    regions = sorted(commercial["regions"])
    services = {}
    for name in spec.required_services():
        offered = commercial["services"].get(name, {}).get("endpoints", {})
        services[name] = sorted(r for r, meta in offered.items() if r in regions and not meta.get("deprecated"))
    return {
        "source": f"botocore {botocore.__version__} endpoints.json",
        "regions": regions,
        "other_partitions": {
            name: sorted(p["regions"]) for name, p in sorted(partitions.items()) if name != spec.SUPPORTED_PARTITION
        },
        "services": services,
    }


def render() -> str:
    return json.dumps(build(), indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    spec.SERVICE_REGIONS_FILE.write_text(render(), encoding="utf-8")
    print(f"wrote {spec.SERVICE_REGIONS_FILE}")
