"""Configuration is read from the environment once and refuses to start half-configured."""

import pytest
from switchboard import config


@pytest.fixture
def fresh_settings():
    config.settings.cache_clear()
    yield
    config.settings.cache_clear()


def test_a_missing_table_name_fails_loudly_and_names_it(monkeypatch, fresh_settings):
    for name in config.REQUIRED:
        monkeypatch.setenv(name, "t")
    monkeypatch.delenv("TASKS_TABLE")
    with pytest.raises(config.ConfigurationError, match="TASKS_TABLE"):
        config.settings()


def test_a_malformed_number_fails_loudly(monkeypatch, fresh_settings):
    for name in config.REQUIRED:
        monkeypatch.setenv(name, "t")
    monkeypatch.setenv("OTP_TIMEOUT_SECONDS", "five minutes")
    with pytest.raises(config.ConfigurationError, match="OTP_TIMEOUT_SECONDS"):
        config.settings()


def test_settings_are_read_once(monkeypatch, fresh_settings):
    for name in config.REQUIRED:
        monkeypatch.setenv(name, "first")
    assert config.settings().cases_table == "first"
    monkeypatch.setenv("CASES_TABLE", "second")
    assert config.settings().cases_table == "first"
