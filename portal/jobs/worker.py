"""What RQ workers run (`portal worker`): one job, inside the portal's app."""

from __future__ import annotations

from flask import Flask, current_app, has_app_context

from portal.jobs import run

_app: Flask | None = None


def _portal() -> Flask:
    global _app
    if has_app_context():
        return current_app._get_current_object()
    if _app is None:
        from portal import create_app

        _app = create_app()
    return _app


def run_job(job_id: int) -> str:
    app = _portal()
    with app.app_context():
        return run(app, job_id)
