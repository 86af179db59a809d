"""gunicorn's settings for the portal, read from the working directory (run gunicorn from
the repository's root, as README.md shows). Other settings stay on the command line.

- Its own lines and the access log (`--access-logfile -`) are written as JSON, with the
  tokens of `/l/<token>` and of the password-reset link masked (portal/logs.py).
- Outside PORTAL_ENV=production it listens on the loopback only (portal/cli.py).
"""

from __future__ import annotations

logger_class = "portal.logs.GunicornLogger"


def on_starting(server) -> None:
    import click

    from portal.commands.hosts import refuse_public_development

    for address in server.cfg.bind:
        if address.startswith(("unix:", "fd://")):
            continue
        host = address.rsplit(":", 1)[0] if address.count(":") == 1 or "]:" in address else address
        try:
            refuse_public_development(host)
        except click.UsageError as error:
            raise SystemExit(error.message) from None
