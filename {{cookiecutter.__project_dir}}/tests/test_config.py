"""config/<env>.yaml is read strictly: a broken file names itself and the key."""

import pytest

from {{ cookiecutter.package_name }}.api.infrastructure import ApiSettings
from {{ cookiecutter.package_name }}.config import ConfigError, EnvironmentConfig, load_environment, load_environments
from {{ cookiecutter.package_name }}.data.infrastructure import DataSettings, table_billing
from {{ cookiecutter.package_name }}.functions import FunctionSettings
from {{ cookiecutter.package_name }}.identity.infrastructure import IdentitySettings

UNIT_SETTINGS = {
    "api": ApiSettings,
    "data": DataSettings,
    "functions": FunctionSettings,
    "identity": IdentitySettings,
}


def test_both_environments_load_with_their_accounts():
    envs = {e.name: e for e in load_environments()}
    assert envs["dev"].account == "{{ cookiecutter.dev_account_id }}"
    assert envs["prod"].account == "{{ cookiecutter.prod_account_id }}"
    assert envs["prod"].retain_stateful and not envs["dev"].retain_stateful


def test_missing_key_is_named(tmp_path):
    (tmp_path / "dev.yaml").write_text("account: '111111111111'\nregion: us-east-1\nretain_stateful: false\n")
    with pytest.raises(ConfigError, match="availability_zones"):
        load_environment("dev", tmp_path)


def test_a_single_zone_is_refused(tmp_path):
    (tmp_path / "dev.yaml").write_text(
        "account: '111111111111'\nregion: us-east-1\nretain_stateful: false\navailability_zones: [us-east-1a]\n"
    )
    with pytest.raises(ConfigError, match="at least 2"):
        load_environment("dev", tmp_path)


def _environment(tmp_path, sections: str) -> EnvironmentConfig:
    (tmp_path / "dev.yaml").write_text(
        "account: '111111111111'\nregion: us-east-1\nretain_stateful: false\n"
        "availability_zones: [us-east-1a, us-east-1b]\n" + sections
    )
    return load_environment("dev", tmp_path)


def test_settings_left_out_keep_the_units_defaults(tmp_path):
    config = _environment(tmp_path, "identity:\n  refresh_token_days: 7\n")
    assert config.settings("identity", IdentitySettings) == IdentitySettings(refresh_token_days=7)
    assert IdentitySettings(refresh_token_days=7) != IdentitySettings()
    assert config.settings("data", DataSettings) == DataSettings()
    assert config.settings("api", ApiSettings).log_retention == ApiSettings().log_retention == "ONE_MONTH"


def test_shipped_environments_read_as_typed_settings():
    for config in load_environments():
        for unit, settings_type in UNIT_SETTINGS.items():
            assert isinstance(config.settings(unit, settings_type), settings_type)


def test_an_unknown_key_is_refused_with_file_and_key(tmp_path):
    config = _environment(tmp_path, "identity:\n  refresh_token_dayz: 7\n")
    with pytest.raises(ConfigError, match=r"config/dev\.yaml: identity: unknown key 'refresh_token_dayz'"):
        config.settings("identity", IdentitySettings)


@pytest.mark.parametrize(
    ("unit", "settings_type", "yaml", "key"),
    [
        ("identity", IdentitySettings, "refresh_token_days: seven", "refresh_token_days"),
        ("data", DataSettings, "read_capacity: true", "read_capacity"),
        ("api", ApiSettings, "log_retention: [ONE_YEAR]", "log_retention"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(tmp_path, unit, settings_type, yaml, key):
    config = _environment(tmp_path, f"{unit}:\n  {yaml}\n")
    with pytest.raises(ConfigError, match=rf"config/dev\.yaml: {unit}\.{key}: expected"):
        config.settings(unit, settings_type)


def test_provisioned_billing_needs_its_capacities(tmp_path):
    config = _environment(tmp_path, "data:\n  billing: provisioned\n  read_capacity: 5\n")
    settings = config.settings("data", DataSettings)
    with pytest.raises(ConfigError, match="read_capacity and max_write_capacity"):
        table_billing(settings, "config/dev.yaml: data")
    with pytest.raises(ConfigError, match="expected on-demand or provisioned"):
        table_billing(DataSettings(billing="pay-per-request"), "config/dev.yaml: data")
