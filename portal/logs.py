"""The portal's logs: one JSON object per line, and no secret from a URL in them.

Every record, whatever its logger (the portal's, `portal.auth`, Flask's, Werkzeug's,
SQLAlchemy's…), goes to one handler on the root logger that writes it as a single JSON
object: a line break, a NUL or a terminal escape in a value is written `\\n`, `\\u0000`,
`\\u001b`, so no input can forge a line or drive the reader's terminal (ASVS 16.4.1).

Access logs name the route, not the token: `/l/<token>` (the letter's link) and the
`jeton=` of the password-reset link are masked in Werkzeug's request log (a filter on the
`werkzeug` logger) and in gunicorn's access log (`GunicornLogger`, set by gunicorn.conf.py),
and in Flask's "Exception on <path>" line.

`init_logging(app)` is called once per app by `create_app`; the handler is installed once
per process.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

from flask import Flask
from flask.logging import default_handler

# Paths and query values that carry a secret, and what an access log writes instead.
SECRET_PATHS = (re.compile(r"/l/[^/?#\s\"]+"), "/l/<token>")
SECRET_QUERY = (
    re.compile(r"([?&](?:jeton|token|code)=)[^&#\s\"]*", re.IGNORECASE),
    r"\1<redacted>",
)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# Attributes every LogRecord has: anything else was passed with `extra=` and is written.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def redact(text: str) -> str:
    """`text` (a request line, a path, a URL) with the tokens it carries masked."""
    for pattern, replacement in (SECRET_PATHS, SECRET_QUERY):
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line, ASCII only."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_"):
                entry[name] = value if isinstance(value, int | float | bool) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # ensure_ascii escapes every control character but DEL; escape that one too.
        return json.dumps(entry, ensure_ascii=True, default=str).replace("\x7f", "\\u007f")


class StderrHandler(logging.StreamHandler):
    """Writes to the current sys.stderr (so a test's capture, or a reassigned stream, works)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class RequestLineFilter(logging.Filter):
    """On Werkzeug's request log: no colours, and the tokens of the request line masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is still written
            return True
        record.msg, record.args = redact(ANSI.sub("", message)), ()
        return True


class ExceptionLineFilter(logging.Filter):
    """On the app's logger: Flask's "Exception on /l/<token> [GET]" names the route only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("Exception on "):
            record.msg = redact(record.msg)
        return True


class NoRowsFilter(logging.Filter):
    """On SQLAlchemy's engine logger: `hide_parameters` hides the values sent, but at DEBUG
    the engine also logs every row read (e-mails, phones, password hashes): never those."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != "Row %r"


_NO_ROWS_FILTER = NoRowsFilter()
_REQUEST_LINE_FILTER = RequestLineFilter()
_EXCEPTION_LINE_FILTER = ExceptionLineFilter()


def install_root_handler(level: int = logging.INFO) -> logging.Handler:
    """The JSON handler on the root logger, once per process; returns it. The `portal`
    loggers write from `level` up; others from their own level (WARNING by default)."""
    root = logging.getLogger()
    portal = logging.getLogger("portal")
    if portal.level == logging.NOTSET:  # the portal's INFO lines are wanted, not others'
        portal.setLevel(level)
    for handler in root.handlers:  # already there (or alembic.ini's, also JSON)
        if isinstance(handler, StderrHandler | logging.StreamHandler) and isinstance(
            handler.formatter, JsonFormatter
        ):
            return handler
    handler = StderrHandler()
    root.addHandler(handler)
    return handler


def init_logging(app: Flask) -> None:
    install_root_handler()
    # Flask's own handler writes plain lines for the app's logger ("portal", the parent of
    # every portal.* logger): the root handler writes them instead.
    app.logger.removeHandler(default_handler)
    if _EXCEPTION_LINE_FILTER not in app.logger.filters:
        app.logger.addFilter(_EXCEPTION_LINE_FILTER)
    for name, log_filter in (("werkzeug", _REQUEST_LINE_FILTER),
                             ("sqlalchemy.engine.Engine", _NO_ROWS_FILTER)):  # fmt: skip
        logger = logging.getLogger(name)
        if log_filter not in logger.filters:
            logger.addFilter(log_filter)


try:  # gunicorn is a dependency, but the portal works without it (tests, `portal run`).
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = object  # type: ignore[assignment,misc]


class GunicornLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """gunicorn's logger, with the tokens masked in the access log's request atoms
    (`%(r)s`, `%(U)s`, `%(q)s`, `%(f)s`) and its lines written as JSON."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for handler in logger.handlers:
                handler.setFormatter(JsonFormatter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str) and key in _GUNICORN_URL_ATOMS:
                atoms[key] = (
                    redact("?" + value)[1:] if key in ("q", "{query_string}e") else redact(value)
                )
        return atoms


# The access-log atoms that hold a URL or a part of one.
_GUNICORN_URL_ATOMS = {"r", "U", "q", "f", "{referer}i", "{raw_uri}e", "{path_info}e",
                       "{query_string}e", "{request_uri}e", "{http_referer}e"}  # fmt: skip
