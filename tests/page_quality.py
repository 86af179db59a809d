"""The page-quality checks every HTML page fetched in the tests goes through.

Like GOV.UK Notify's `client_request`: one h1, a title starting with the h1, `html lang`,
no duplicate ids, every input labelled, every form with an action (and a CSRF token when it
posts), every script carrying the CSP nonce, every aria-describedby pointing at something.
A check can be switched off for one call, with a reason: `checks_off={"h1": "why"}`.
"""

from __future__ import annotations

import re
from collections import Counter

from bs4 import BeautifulSoup

CHECKS = ("lang", "h1", "title", "ids", "labels", "forms", "scripts", "describedby")
ERROR_PREFIXES = ("Erreur : ", "Error: ")
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


def squash(text: str) -> str:
    return " ".join(text.split())


def check_page(html: str, csp_header: str | None, checks_off: dict[str, str] | None = None):
    """Return the list of problems found (empty when the page is fine)."""
    checks_off = checks_off or {}
    unknown = set(checks_off) - set(CHECKS)
    assert not unknown, f"unknown checks switched off: {unknown}"
    assert all(checks_off.values()), "switching a check off needs a reason"
    soup = BeautifulSoup(html, "html.parser")
    problems: list[str] = []
    for name in CHECKS:
        if name not in checks_off:
            problems.extend(globals()[f"_check_{name}"](soup, csp_header))
    return problems


def _check_lang(soup, _csp):
    html = soup.find("html")
    if html is None or html.get("lang") not in ("fr", "en"):
        yield "<html> has no lang attribute (fr or en)"


def _check_h1(soup, _csp):
    count = len(soup.find_all("h1"))
    if count != 1:
        yield f"expected exactly one h1, found {count}"


def _check_title(soup, _csp):
    title, h1 = soup.find("title"), soup.find("h1")
    if title is None or not squash(title.get_text()):
        yield "no <title>"
        return
    if h1 is None:
        return
    text, heading = squash(title.get_text()), squash(h1.get_text())
    has_errors = soup.find(attrs={"aria-invalid": "true"}) is not None
    for prefix in ERROR_PREFIXES:
        if text.startswith(prefix):
            if not has_errors:
                yield f"title says {prefix!r} but no field is in error"
            text = text.removeprefix(prefix)
    if not text.startswith(heading):
        yield f"title {text!r} does not start with the h1 {heading!r}"


def _check_ids(soup, _csp):
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    for value, count in ids.items():
        if count > 1:
            yield f"id {value!r} used {count} times"


def _check_labels(soup, _csp):
    labelled = {label.get("for") for label in soup.find_all("label") if label.get("for")}
    for field in soup.find_all(["input", "select", "textarea"]):
        if field.name == "input" and field.get("type", "text") in UNLABELLED_TYPES:
            continue
        if field.get("id") in labelled or field.get("aria-label") or field.get("aria-labelledby"):
            continue
        if field.find_parent("label") is not None:
            continue
        yield f"unlabelled {field.name} name={field.get('name')!r} id={field.get('id')!r}"


def _check_forms(soup, _csp):
    for form in soup.find_all("form"):
        if not form.get("action"):
            yield f"form without an action: {squash(str(form))[:80]}"
        if (form.get("method") or "get").lower() == "get":
            continue  # a GET form (filters, search) changes nothing: no token to carry
        if form.find("input", attrs={"name": "csrf_token", "type": "hidden"}) is None:
            yield f"form without a CSRF token: action={form.get('action')!r}"


def _check_scripts(soup, csp):
    match = re.search(r"'nonce-([^']+)'", csp or "")
    nonce = match.group(1) if match else None
    for script in soup.find_all("script"):
        if script.get("type") == "application/json":
            continue
        if nonce is None or script.get("nonce") != nonce:
            yield f"script without the CSP nonce: {squash(str(script))[:80]}"
    if soup.find(attrs={"style": True}) is not None:
        yield "inline style attribute (blocked by the CSP)"
    for tag in soup.find_all(True):
        handlers = [attr for attr in tag.attrs if attr.lower().startswith("on")]
        if handlers:
            yield f"inline event handler {handlers} on <{tag.name}>"


def _check_describedby(soup, _csp):
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    for tag in soup.find_all(attrs={"aria-describedby": True}):
        for ref in tag["aria-describedby"].split():
            if ref not in ids:
                yield f"aria-describedby points at a missing id {ref!r}"
