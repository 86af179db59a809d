"""The owner portal for vacant housing: `create_app` assembles it from small named steps."""

from __future__ import annotations

from flask import Flask

from portal.config import ROOT, Config, config_class

__version__ = "0.1.0"


def create_app(config: str | type[Config] | Config | None = None, **overrides) -> Flask:
    """Build the portal.

    `config` is a config name ("development", "test", "production"), a config class or
    instance; by default the class named by PORTAL_ENV. `overrides` are set last (tests).
    """
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    register_input_bounds(app)
    load_config(app, config, overrides)
    register_logging(app)
    register_extensions(app)
    register_rate_limits(app)
    register_content(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_commands(app)
    return app


def load_config(app: Flask, config, overrides: dict) -> None:
    if config is None or isinstance(config, str):
        config = config_class(config)
    settings = config() if isinstance(config, type) else config
    settings.check()
    app.config.from_object(settings)
    app.config["PORTAL_ENV"] = settings.NAME
    app.config.update(overrides)


def register_logging(app: Flask) -> None:
    from portal.logs import init_logging

    init_logging(app)


def register_input_bounds(app: Flask) -> None:
    """`<int:…>` in every route is bounded to the database's integer range (a 404 beyond);
    JSON nested too deeply is unparseable, not a RecursionError."""
    from portal.bounds import BoundedIntegerConverter, BoundedJSONProvider

    app.url_map.converters["int"] = BoundedIntegerConverter
    app.json = BoundedJSONProvider(app)


def register_extensions(app: Flask) -> None:
    from portal.extensions import csrf, db, mail
    from portal.i18n import init_babel

    db.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    init_babel(app)


def register_rate_limits(app: Flask) -> None:
    from portal.ratelimit import init_rate_limits

    init_rate_limits(app)


def register_content(app: Flask) -> None:
    from portal.guidance import init_content

    init_content(app)


def register_blueprints(app: Flask) -> None:
    from portal.api import blueprint as api
    from portal.backoffice import blueprint as backoffice
    from portal.health import blueprint as health
    from portal.owner import blueprint as owner
    from portal.public import blueprint as public

    for blueprint in (public, owner, backoffice, api, health):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from portal.errors import init_errorhandlers

    init_errorhandlers(app)


def register_template_helpers(app: Flask) -> None:
    from portal.pagecache import init_page_cache
    from portal.templating import init_templating

    init_templating(app)
    init_page_cache(app)


def register_security_headers(app: Flask) -> None:
    from portal.security import init_security_headers

    init_security_headers(app)


def register_commands(app: Flask) -> None:
    from portal.cli import init_commands

    init_commands(app)
