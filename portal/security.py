"""Security headers and the per-request CSP nonce.

No third-party origin appears anywhere: scripts, styles, fonts and images are served by
the portal itself. Inline scripts carry the request's nonce; inline styles are not allowed.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable

from flask import Flask, request

# Where a request's nonce is kept: the WSGI environ, which the middleware below reads when
# the response starts (after Flask's hooks, before the request context is gone).
NONCE_KEY = "portal.csp_nonce"
_NONCE_SLOT = "{nonce}"


def csp_nonce() -> str:
    """This request's CSP nonce, created on first use."""
    environ = request.environ
    nonce = environ.get(NONCE_KEY)
    if nonce is None:
        nonce = environ[NONCE_KEY] = secrets.token_urlsafe(18)
    return nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def static_headers(production: bool) -> list[tuple[str, str]]:
    """The headers every response gets, whatever the request."""
    headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        # Letter tokens must never leak through a Referer header.
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if production:
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return headers


class SecurityHeaders:
    """WSGI middleware adding the security headers to every response as it starts.

    A view may set its own value for any of them (the API's CSP, static files' and logos'
    Cache-Control): it is kept. Pages may show personal data, so every response outside
    the static files gets `Cache-Control: no-store` unless it says otherwise.

    Done at the WSGI edge, on the plain list of header pairs, rather than in an
    `after_request` hook: werkzeug validates every header added to a Response, which cost
    more than the rest of the landing's request once its page is cached.
    """

    def __init__(self, wsgi_app: Callable, production: bool, static_url_path: str) -> None:
        self.wsgi_app = wsgi_app
        self.always = [(name.lower(), (name, value)) for name, value in static_headers(production)]
        self.policy = content_security_policy(_NONCE_SLOT)
        self.static_prefix = static_url_path.rstrip("/") + "/"

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers.extend(pair for name, pair in self.always if name not in present)
            if "content-security-policy" not in present:
                nonce = environ.get(NONCE_KEY) or secrets.token_urlsafe(18)
                headers.append(("Content-Security-Policy", self.policy.replace(_NONCE_SLOT, nonce)))
            if "cache-control" not in present and not environ.get("PATH_INFO", "").startswith(
                self.static_prefix
            ):
                headers.append(("Cache-Control", "no-store"))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


def init_security_headers(app: Flask) -> None:
    production = app.config["PORTAL_ENV"] == "production"
    app.wsgi_app = SecurityHeaders(  # type: ignore[method-assign]
        app.wsgi_app, production, app.static_url_path or "/static"
    )
