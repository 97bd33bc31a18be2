"""Settings come from the environment, once, with clear errors."""

from pathlib import Path

import pytest

from lab.settings import Settings, SettingsError


def test_defaults_without_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.db_path == Path("var/lab.db")
    assert not settings.production and len(settings.secret_key) >= 32


def test_development_secret_is_kept_beside_the_database(tmp_path):
    env = {"LAB_DB": str(tmp_path / "lab.db")}
    first = Settings.from_env(env).secret_key
    assert Settings.from_env(env).secret_key == first, "invitation links must survive a restart"
    assert (tmp_path / ".secret_key").stat().st_mode & 0o077 == 0


def test_production_without_secret_is_a_clear_error():
    with pytest.raises(SettingsError, match="LAB_SECRET_KEY"):
        Settings.from_env({"LAB_PRODUCTION": "1"})


def test_environment_values_are_read():
    settings = Settings.from_env(
        {"LAB_DB": "/tmp/x.db", "LAB_SECRET_KEY": "s" * 40, "LAB_PRODUCTION": "1", "LAB_BASE_URL": "https://lab.ville.fr/"}
    )
    assert settings.db_path == Path("/tmp/x.db") and settings.production
    assert settings.base_url == "https://lab.ville.fr" and settings.secure_cookies


def test_bad_number_is_a_clear_error():
    with pytest.raises(SettingsError, match="LAB_MAX_BODY_BYTES"):
        Settings.from_env({"LAB_MAX_BODY_BYTES": "lots"})
