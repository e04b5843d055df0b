"""Environment configuration read from config/<env>.yaml, and the CDK context.

`python app.py` does not read cdk.json (the CDK CLI passes it in), so the app
loads cdk.json and cdk.context.json itself: tests and `cdk synth` then agree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

import aws_cdk as cdk
import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"
PROJECT_SLUG = "{{ cookiecutter.project_slug }}"
ENVIRONMENT_NAMES = ("dev", "prod")


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the file and the key."""


Settings = TypeVar("Settings")


@dataclass(frozen=True)
class EnvironmentConfig:
    name: str
    account: str
    region: str
    availability_zones: tuple[str, ...]
    retain_stateful: bool
    sections: Mapping[str, Mapping[str, Any]]

    @property
    def stage_id(self) -> str:
        return self.name.capitalize()

    @property
    def env(self) -> cdk.Environment:
        return cdk.Environment(account=self.account, region=self.region)

    @property
    def stateful_removal_policy(self) -> cdk.RemovalPolicy:
        return cdk.RemovalPolicy.RETAIN if self.retain_stateful else cdk.RemovalPolicy.DESTROY

    def stack_name(self, unit: str) -> str:
        return f"{PROJECT_SLUG}-{self.name}-{unit}"

    def section(self, unit: str) -> Mapping[str, Any]:
        return self.sections.get(unit, {})

    def settings(self, unit: str, settings_type: type[Settings]) -> Settings:
        """A unit's section as its typed settings: defaults from the dataclass, unknown keys refused."""
        section = dict(self.section(unit))
        where = f"config/{self.name}.yaml: {unit}"
        known = {f.name: f for f in fields(settings_type)}
        unknown = sorted(set(section) - set(known))
        if unknown:
            raise ConfigError(f"{where}: unknown key '{unknown[0]}' (known: {', '.join(sorted(known))})")
        types = get_type_hints(settings_type)
        values = {}
        for name, field in known.items():
            if name not in section:
                if field.default is MISSING and field.default_factory is MISSING:
                    raise ConfigError(f"{where}: missing key '{name}'")
                continue
            values[name] = _coerce(section[name], types[name], f"{where}.{name}")
        return settings_type(**values)


def _coerce(value: Any, wanted: Any, where: str) -> Any:
    """YAML's value as the settings field's type (bool, int, float, str, tuple of str)."""
    if wanted is bool and isinstance(value, bool):
        return value
    if wanted in (int, float) and isinstance(value, (int, float)) and not isinstance(value, bool):
        return wanted(value)
    if wanted is str and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    if wanted == tuple[str, ...] and isinstance(value, list):
        return tuple(str(item) for item in value)
    name = getattr(wanted, "__name__", str(wanted))
    raise ConfigError(f"{where}: expected {name}, got {value!r}")


def load_environment(name: str, config_dir: Path = CONFIG_DIR) -> EnvironmentConfig:
    path = config_dir / f"{name}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    required = ("account", "region", "availability_zones", "retain_stateful")
    for key in required:
        if key not in raw:
            raise ConfigError(f"{path}: missing key '{key}'")
    zones = tuple(raw["availability_zones"])
    if len(zones) < 2:
        raise ConfigError(f"{path}: 'availability_zones' needs at least 2 zones, got {len(zones)}")
    sections = {k: v for k, v in raw.items() if isinstance(v, dict)}
    return EnvironmentConfig(
        name=name,
        account=str(raw["account"]),
        region=str(raw["region"]),
        availability_zones=zones,
        retain_stateful=bool(raw["retain_stateful"]),
        sections=sections,
    )


def load_environments(config_dir: Path = CONFIG_DIR) -> list[EnvironmentConfig]:
    return [load_environment(name, config_dir) for name in ENVIRONMENT_NAMES]


def cdk_context() -> dict[str, Any]:
    """The context the CDK CLI would pass: cdk.json's context, then cdk.context.json."""
    context = json.loads((PROJECT_ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    cached = PROJECT_ROOT / "cdk.context.json"
    if cached.exists():
        context.update(json.loads(cached.read_text(encoding="utf-8")))
    return context
