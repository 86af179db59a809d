"""What a trial can measure, for each letter (the unit), as 0 or 1.

Letter experiments count every letter assigned, opened or not (intention to treat); page
experiments count the letters whose owner saw the page, from that first view on.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# name → label. The first four may be a primary metric.
METRICS = {
    "scan": _l("Courrier ouvert sur le portail (QR code ou code tapé)"),
    "diagnostic": _l("Diagnostic envoyé"),
    "callback": _l("Demande de rappel"),
    "any_return": _l("Tout retour, y compris ceux saisis par les agents (règle de ZLV)"),
    "opt_out": _l("« Ne plus me contacter »"),
}
PRIMARY_METRICS = ("scan", "diagnostic", "callback", "any_return")
GUARDRAIL_METRICS = ("opt_out",)
# The funnel, on the same denominator (every letter assigned): letters → scans → answers →
# call-backs.
FUNNEL = ("scan", "diagnostic", "callback")
