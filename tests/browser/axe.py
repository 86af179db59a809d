"""axe-core in the browser: inject the npm package's axe.min.js and report its violations.

Injection: `page.evaluate(source)` sends the script through the DevTools protocol
(Runtime.evaluate), which the page's Content-Security-Policy does not govern, so the portal's
strict CSP (scripts only with the request's nonce) stays exactly as in production: no
`bypass_csp`, no script tag, no nonce borrowed from the page.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# The RGAA 4 (the French accessibility standard) is built on WCAG 2.1 A and AA; axe's
# best practices are added on top (landmarks, one main, headings...). Tags select rules:
# a rule runs when it carries any of them.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
DEFAULT_TAGS = (*WCAG_TAGS, "best-practice")


@cache
def axe_source() -> str:
    if not AXE_PATH.exists():
        raise FileNotFoundError(
            f"{AXE_PATH} is missing: run `npm ci` (or `make assets`) to install axe-core."
        )
    # A trailing expression, so that evaluate() returns a plain value, not axe's module.
    return AXE_PATH.read_text(encoding="utf-8") + "\n;true"


def run_axe(page: Page, *, tags=DEFAULT_TAGS, disable: dict[str, str] | None = None) -> dict:
    """axe's full results for the page as it is now.

    `disable` maps a rule id to the reason it is switched off for this call.
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    options = {
        "runOnly": {"type": "tag", "values": list(tags)},
        "rules": {rule: {"enabled": False} for rule in (disable or {})},
        "resultTypes": ["violations"],
    }
    return page.evaluate("options => window.axe.run(document, options)", options)


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            # "Fix any of the following:\n  reason\n  reason" on one line.
            head, *reasons = node.get("failureSummary", "").splitlines() or [""]
            summary = f"{head} {'; '.join(reason.strip() for reason in reasons)}"
            lines.append(f"    at {node['target']}: {summary}")
            lines.append(f"       {node['html'][:200]}")
    return "\n".join(lines)


def axe_check(page: Page, *, tags=DEFAULT_TAGS, disable: dict[str, str] | None = None) -> None:
    """Fail, listing every violation, unless axe finds none on the page."""
    violations = run_axe(page, tags=tags, disable=disable)["violations"]
    assert not violations, (
        f"axe-core found {len(violations)} accessibility violation(s) on {page.url}:\n"
        + format_violations(violations)
    )


def check_page_at(page: Page, path: str, status: int, excused: str | None = None) -> None:
    """Open `path` (answering 200, or `status`), check it with axe-core, and fail on any
    problem the page met (`page.problems`) but those naming `excused`."""
    response = page.goto(path)
    assert response is not None and response.status in (200, status)
    axe_check(page)
    problems = [p for p in page.problems if excused is None or excused not in p]
    assert problems == [], "\n".join(problems)
