"""Error pages in the DSFR layout (JSON under /api/), never a stack trace outside debug."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db

# Codes with a page of their own; any other 4xx is shown with the 400 page's wording.
PAGES = (400, 403, 404, 410, 429, 500)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(code: int, description: str | None = None):
    if wants_json():
        body = {"error": {"status": code, "message": description or ""}}
        return jsonify(body), code
    template = f"errors/{code if code in PAGES else 400}.html"
    return render_template(template, status=code), code


def init_errorhandlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, error.description)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code >= 500:
            return server_error(error)
        body, code = render_error(error.code, error.description)
        # The exception's own headers (`Allow` of a 405, `WWW-Authenticate`…), not its body's.
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        retry_after = getattr(error, "retry_after", None)  # 429s from the rate limits
        if retry_after:
            headers["Retry-After"] = str(retry_after)
        return body, code, headers

    @app.errorhandler(InternalServerError)
    def server_error(error: Exception):
        # The session may be unusable after a failed statement: never reuse it here.
        db.session.remove()
        return render_error(500)
