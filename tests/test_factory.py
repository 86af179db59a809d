"""The app factory, configuration classes and security headers."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.config import (
    PUBLIC_SECRET_KEYS,
    ConfigurationError,
    DevelopmentConfig,
    ProductionConfig,
    TestConfig,
    config_class,
)

PRODUCTION_ENV = {
    "SECRET_KEY": "s" * 48,
    "DATABASE_URL": "sqlite://",
    "PORTAL_BASE_URL": "https://proprietaires.example.gouv.fr",
}


@pytest.fixture
def production_env(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_portal_env_chooses_the_config_class(monkeypatch):
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    assert config_class() is DevelopmentConfig
    monkeypatch.setenv("PORTAL_ENV", "production")
    assert config_class() is ProductionConfig
    assert config_class("test") is TestConfig


def test_unknown_portal_env_is_refused(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "staging")
    with pytest.raises(ConfigurationError, match="staging"):
        config_class()


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORTAL_BASE_URL", "https://example.org/")
    monkeypatch.setenv("MAIL_PORT", "2525")
    config = DevelopmentConfig()
    assert config.PORTAL_BASE_URL == "https://example.org"
    assert config.MAIL_PORT == 2525


def test_a_bad_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("MAIL_PORT", "twenty-five")
    with pytest.raises(ConfigurationError, match="MAIL_PORT"):
        DevelopmentConfig()


def test_production_starts_with_its_variables(production_env):
    app = create_app()
    assert app.config["PORTAL_ENV"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not app.debug


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENV))
def test_production_refuses_to_start_without_a_variable(production_env, missing):
    production_env.delenv(missing)
    with pytest.raises(ConfigurationError, match=f"set the {missing} environment variable"):
        create_app()


@pytest.mark.parametrize("secret", [*sorted(PUBLIC_SECRET_KEYS), "short-secret"])
def test_production_refuses_an_unsafe_secret_key(production_env, secret):
    production_env.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app()


def test_development_starts_without_any_variable(monkeypatch, tmp_path):
    for name in [*PRODUCTION_ENV, "PORTAL_ENV"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "secret_key"))
    app = create_app()
    assert app.config["PORTAL_ENV"] == "development"
    assert app.config["DATABASE_URL"].startswith("sqlite:///")
    assert app.config["DATABASE_URL"].endswith("instance/portal.sqlite3")


def test_development_makes_its_own_secret_key_once(monkeypatch, tmp_path):
    """No key in the source: a random one per installation, in a file only its owner reads
    (instance/secret_key by default, ignored by git), the same at every start."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    path = tmp_path / "instance" / "secret_key"
    monkeypatch.setenv("SECRET_KEY_FILE", str(path))
    first = DevelopmentConfig().SECRET_KEY
    assert len(first) >= 32 and first not in PUBLIC_SECRET_KEYS
    assert path.stat().st_mode & 0o777 == 0o600
    assert first == DevelopmentConfig().SECRET_KEY
    path.unlink()
    assert first != DevelopmentConfig().SECRET_KEY  # another installation, another key
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    assert DevelopmentConfig().SECRET_KEY == "x" * 40
    assert TestConfig().SECRET_KEY == "test-secret-key-0123456789abcdef0123456789"


def test_the_instance_folder_is_not_committed():
    from portal.config import ROOT, SECRET_KEY_FILE

    ignored = ROOT.joinpath(".gitignore").read_text(encoding="utf-8").split()
    assert "instance/" in ignored and SECRET_KEY_FILE.parent == ROOT / "instance"


def test_overrides_win(app):
    other = create_app("test", PORTAL_BASE_URL="http://elsewhere.test")
    assert other.config["PORTAL_BASE_URL"] == "http://elsewhere.test"
    assert other.config["TESTING"] is True


def test_every_audience_has_its_blueprint(app):
    assert {"public", "owner", "backoffice", "api", "health"} <= set(app.blueprints)


def test_security_headers(client):
    response = client.get("/")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"


def test_static_files_get_the_security_headers_but_may_be_cached(client):
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_error_pages_get_the_security_headers(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "'nonce-" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_a_view_keeps_its_own_cache_control_and_policy():
    app = create_app("test")

    @app.get("/own-headers")
    def own_headers():
        headers = {"Cache-Control": "max-age=60", "Content-Security-Policy": "default-src 'none'"}
        return "x", 200, headers

    response = app.test_client().get("/own-headers")
    assert response.headers.getlist("Cache-Control") == ["max-age=60"]
    assert response.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_page_nonce_is_the_header_nonce(client):
    response = client.get("/")
    header = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{header}"' in response.get_data(as_text=True)


def test_each_response_has_its_own_nonce(client):
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    assert first != second


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    missing = tmp_path / "no" / "such" / "dir" / "db.sqlite3"
    app = create_app("test", DATABASE_URL=f"sqlite:///{missing}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_api_index(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.json["api_version"] == "v1"
