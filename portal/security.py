"""Security headers and the per-request CSP nonce.

No third-party origin appears anywhere: scripts, styles, fonts and images are served by
the portal itself. Inline scripts carry the request's nonce; inline styles are not allowed.
"""

from __future__ import annotations

import secrets

from flask import Flask, g, request
from werkzeug.wrappers import Response


def csp_nonce() -> str:
    """This request's CSP nonce, created on first use."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


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


def init_security_headers(app: Flask) -> None:
    always = static_headers(app.config["PORTAL_ENV"] == "production")

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        present = {name.lower() for name, _ in headers.items()}
        # A view may set its own value for any of these (the API's CSP, static files'
        # Cache-Control): it is kept.
        if "content-security-policy" not in present:
            headers.add("Content-Security-Policy", content_security_policy(csp_nonce()))
        headers.extend([(name, value) for name, value in always if name.lower() not in present])
        if request.endpoint != "static" and "cache-control" not in present:
            # Pages may show personal data: never stored by a browser or a proxy.
            headers.add("Cache-Control", "no-store")
        return response
