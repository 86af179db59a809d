"""Where the portal may listen: the loopback only, outside production (`portal run`, and
`portal demo`'s base URL, so that `HOST=0.0.0.0 make run` stops before anything is loaded)."""

from __future__ import annotations

import ipaddress

import click

from portal.config import ProductionConfig, config_class


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name that may resolve to anything


def refuse_public_development(host: str) -> None:
    """Only the production set (its own random SECRET_KEY, secure cookies, second factor)
    listens beyond this machine: a development or test set would serve the network with
    settings meant for one developer."""
    if is_loopback(host) or issubclass(config_class(), ProductionConfig):
        return
    raise click.UsageError(
        f"Refusing to listen on {host} with a development configuration: it is meant for "
        "this machine only (127.0.0.1). To serve a network, set PORTAL_ENV=production and "
        "SECRET_KEY (a random string of at least 32 characters), DATABASE_URL and "
        "PORTAL_BASE_URL; see README.md, section Configuration."
    )
