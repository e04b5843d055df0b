"""config/<env>.yaml is read strictly: a broken file names itself and the key."""

import pytest

from {{ cookiecutter.package_name }}.config import ConfigError, load_environment, load_environments


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
