"""Settings come from the environment, with safe defaults."""

import importlib

import pytest


def _reload_config(monkeypatch, **env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    import config

    return importlib.reload(config)


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = _reload_config(monkeypatch)
    from app import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config.ProductionConfig)
    importlib.reload(config)


def test_defaults_and_environment(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = _reload_config(monkeypatch, TIMEZONE="Asia/Bangkok", SMTP_PORT="2525")
    assert config.Config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///") and "instance" in (
        config.Config.SQLALCHEMY_DATABASE_URI
    )
    assert config.Config.TIMEZONE == "Asia/Bangkok" and config.Config.SMTP_PORT == 2525
    assert config.Config.BABEL_DEFAULT_LOCALE == "vi"
    assert config.ProductionConfig.SESSION_COOKIE_SECURE is True
    assert config.DevelopmentConfig.SESSION_COOKIE_SECURE is False
    monkeypatch.delenv("TIMEZONE")
    monkeypatch.delenv("SMTP_PORT")
    importlib.reload(config)


def test_unknown_config_name_is_a_clear_error():
    import config

    with pytest.raises(RuntimeError, match="CSKH_CONFIG"):
        config.select_config("staging")


def test_mariadb_runs_read_committed():
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "mysql+pymysql://root@127.0.0.1/x", "SECRET_KEY": "k"})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["isolation_level"] == "READ COMMITTED"
