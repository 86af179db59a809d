"""A lasting guard for issue 12: every route of the URL map, asked with hostile input by
hypothesis, never answers a 500 (nor lets an exception escape the test client).

Each route is asked by its audience (the owner of an opened letter, a stranger, an admin
signed in to the back-office, an API client), with each of its methods, hostile values in
the query string, in the form fields (the names read from the WTForms classes, the content's
questions and the query parameters the views read) and, for the API, in the JSON body:
NUL and control characters, huge and negative integers, NaN and Infinity, very long
strings, spaces, lone surrogates (percent-encoded, and as JSON escapes), right-to-left
overrides, deeply nested JSON. Derandomized: the same requests on every run; the number of
requests is printed (`pytest -s`) and recorded as the `requests` property of the test.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from urllib.parse import quote, urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from wtforms.fields.core import UnboundField

from portal.forms import PortalForm
from portal.models import Job, Response
from tests.backoffice.answers_support import answered_letter
from tests.builders import PASSWORD, make_agent, make_collectivite, make_letter
from tests.conftest import csrf_token, sign_in
from tests.experiments.letters import make_letter_experiment

EXAMPLES = 16  # per route and method
SLOW_EXAMPLES = 4  # routes that build a PDF, a spreadsheet or a batch of letters
SLOW = {
    "backoffice.campaign_generate", "backoffice.letter_pdf", "backoffice.letter_reissue",
    "backoffice.settings_letter_preview", "backoffice.export_xlsx",
    "backoffice.export_selection_xlsx", "owner.results_pdf", "backoffice.campaign_job_restart",
    "backoffice.export_all_xlsx",
}  # fmt: skip
# Routes whose hostile answer is known to be a 500 and needs more than an edge fix.
KNOWN_500: dict[str, str] = {}

HOSTILE = [
    "", " ", "   ", "\u00a0", "\t", "\x00", "a\x00b", "\x1b[31m", "\x7f", "\r\n", "\x0c",
    "NaN", "nan", "Infinity", "-Infinity", "inf", "1e400", "-1e308", "-0", "-1", "0",
    str(-(2**31) - 1), str(2**31), str(2**63), str(2**64), "9" * 400, "1.5", "1,5", "0x1f",
    "true", "null", "[]", "{}", '{"a": [[[[]]]]}', "2026-02-30", "9999-12-31", "0000-00-00",
    "\ud800", "a\udfffb", "\u202eevil.exe", "\u200b", "\ufeff", "e\u0301", "\U0001f3e0",
    "../../etc/passwd", "//evil.example", "javascript:alert(1)", "<script>x</script>",
    "' OR 1=1 --", "%00", "%", "a|b|c", "completed|", "|",
]  # fmt: skip
ODD = ["\x00", "\x01", "\x1b", "\x7f", "\ud800", "\u202e", "\ufffe", "\u0085", "\u2028"]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    # A plausible value with an odd character inside (what gets past a loose check).
    st.builds(lambda before, odd, after: before + odd + after,
              st.sampled_from(["", "Texte", "1", "agent@example.fr"]), st.sampled_from(ODD),
              st.sampled_from(["", "x", "2026-12-01"])),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()),
            max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.builds(lambda piece, times: piece * times,
              st.sampled_from(["x", "é", "\x00", " ", "9", "\u202e"]),
              st.sampled_from([300, 5_000, 30_000])),
)  # fmt: skip
QUERY_NAMES = ["actualisation", "apres", "etape", "next", "onglet", "page", "tous", "jeton",
               "tri", "lang"]  # fmt: skip

# Hostile JSON: scalars a parser gives Python, nested in objects and lists.
json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False), hostile_text,
)  # fmt: skip
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=12,
)
RAW_JSON = [
    '{"context": {"living_area": NaN}}', '{"context": {"living_area": Infinity}}',
    '{"context": {"commune_density_level": 1e400}}', '{"answers": {"situation": "\\ud800"}}',
    '{"answers": {"situation": "\\u0000"}}', "[" * 50_000 + "]" * 50_000,
    '{"a":' * 5_000 + "1" + "}" * 5_000, "", "null", "\xff\xfe", '{"answers": {', "1" * 5_000,
]  # fmt: skip


def form_field_names(app) -> list[str]:
    """Every field name of the WTForms classes, the content's question ids, the owner's
    `answer` and the parameters the views read themselves."""

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names = {"answer", "csrf_token", *QUERY_NAMES, *app.extensions["content"].questions}
    for form in subclasses(PortalForm):
        names.update(n for n in dir(form) if isinstance(getattr(form, n, None), UnboundField))
    # Lists of sub-forms (signatories, contact points…) are posted as `name-0-field`.
    names.update({"signatories-0-name", "signatories-0-role", "contact_points-0-phone"})
    return sorted(names)


def encode(pairs: list[tuple[str, str]]) -> str:
    """A urlencoded string where a lone surrogate becomes its (invalid) UTF-8 escape."""
    return "&".join(
        quote(k.encode("utf-8", "surrogatepass")) + "=" + quote(v.encode("utf-8", "surrogatepass"))
        for k, v in pairs
    )


def pairs_strategy(names: list[str]):
    return st.lists(st.tuples(st.sampled_from(names), hostile_text), max_size=5)


@st.composite
def mutated(draw, baselines, names):
    """A form as its page fills it (valid enough to reach the view's work), one or two of
    its fields made hostile, perhaps a field it does not have."""
    pairs = list(draw(st.sampled_from(baselines)))
    if pairs:
        places = st.integers(0, len(pairs) - 1)
        for i in draw(st.lists(places, min_size=1, max_size=2, unique=True)):
            pairs[i] = (pairs[i][0], draw(hostile_text))
    return pairs + draw(st.lists(st.tuples(st.sampled_from(names), hostile_text), max_size=1))


# What a page's empty input is filled with, by its type, for the baseline of its form.
FILLERS = {"email": "agent@example.fr", "tel": "01 23 45 67 89", "date": "2026-12-01",
           "number": "1", "password": "un mot de passe bien long",
           "url": "https://example.fr"}  # fmt: skip


def harvest_forms(audiences, rules, ids) -> dict[tuple[str, str], list[list[tuple[str, str]]]]:
    """The forms of every page, by (method, action path): their fields as the page fills
    them, empty inputs given a value of their type."""
    forms = defaultdict(list)
    for rule in rules:
        if "GET" not in rule.methods:
            continue
        path = build_path(rule, ids_for(rule, ids))
        response = audiences[audience_of(rule)].client.get(path)
        if response.mimetype != "text/html":
            continue
        for form in BeautifulSoup(response.get_data(as_text=True), "html.parser")("form"):
            method = (form.get("method") or "get").upper()
            action = urlsplit(form.get("action") or path).path
            pairs, named = [], set()
            for field in form(["input", "select", "textarea"]):
                name, kind = field.get("name"), (field.get("type") or "text").lower()
                if not name or name == "csrf_token" or kind in ("file", "submit", "button"):
                    continue
                if field.name == "select":
                    option = field.find("option", selected=True) or field.find("option")
                    value = option.get("value", option.text) if option else ""
                elif field.name == "textarea":
                    value = field.text.strip() or "Texte"
                elif kind in ("radio", "checkbox"):
                    if not field.has_attr("checked") and (kind == "checkbox" or name in named):
                        continue
                    value = field.get("value", "on")
                else:
                    value = field.get("value") or FILLERS.get(kind, "Texte")
                named.add(name)
                pairs.append((name, value))
            forms[method, action].append(pairs)
    return forms


@pytest.fixture
def world(app, session):
    """Collectivité A with an answered letter, an import and a letters job, partners and
    local aids; an admin signed in, the owner of another letter, a stranger."""
    town = make_collectivite(session, name="A")
    session.commit()
    letter = answered_letter(app, session, town)
    town.settings = {
        "partners": [{"id": "b0b0b0b0", "name": "Opérateur"}],
        "local_aids": [{"id": "a1a1a1a1", "slug": "local:aide-a1a1a1a1", "title": "Aide"}],
    }
    other = make_agent(session, town)
    counts = {"create": 0, "update": 0, "unchanged": 0, "refuse": 0}
    import_job = Job(collectivite_id=town.id, kind="import", state="done",
                     result={"counts": counts},
                     params={"mode": "preview", "file_name": "a.csv", "locale": "fr"})  # fmt: skip
    letters_job = Job(collectivite_id=town.id, kind="letters", campaign_id=letter.campaign_id,
                      state="done")  # fmt: skip
    session.add_all([import_job, letters_job])
    admin = make_agent(session, town, role="admin")
    _owned, token, _code = make_letter(session, letter.campaign)
    experiment = make_letter_experiment(session, [letter.campaign], status="draft")
    session.commit()
    ids = {
        "agent_id": other.id, "campaign_id": letter.campaign_id, "letter_id": letter.id,
        "response_id": session.scalar(select(Response.id).where(Response.letter_id == letter.id)),
        "collectivite_id": town.id, "partner_id": "b0b0b0b0", "aid_id": "a1a1a1a1",
        "role": "pdf", "variant": "standard", "position": 1, "token": token, "code": "en",
        "slug": sorted(app.extensions["content"].aids)[0], "question_id": "situation",
        "kind": "sold", "filename": "css/portal.css", "version": "1",
        "job_id": import_job.id, "letters_job_id": letters_job.id,
        "experiment_id": experiment.id,
    }  # fmt: skip
    return {"admin": admin, "token": token, "ids": ids}


class Audience:
    """A test client for one audience, signed in (or the letter opened) again when a
    hostile request ended its session, with its CSRF token."""

    def __init__(self, app, kind, world, address):
        self.app, self.kind, self.world = app, kind, world
        self.client = app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = address
        self.csrf = None
        self.ready()

    def ready(self):
        if self.kind == "admin":
            assert sign_in(self.client, self.world["admin"].email, PASSWORD).status_code == 303
            self.csrf = csrf_token(self.client, "/gestion/compte")
        elif self.kind == "owner":
            self.client.get(f"/l/{self.world['token']}")
            self.csrf = csrf_token(self.client, "/rappel")
        else:
            self.csrf = csrf_token(self.client, "/gestion/connexion")

    def lost(self, response) -> bool:
        location = response.headers.get("Location", "")
        return response.status_code in (302, 303) and (
            "/gestion/connexion" in location or (self.kind == "owner" and "/code" in location)
        )


def audience_of(rule) -> str:
    if rule.endpoint.startswith("backoffice.") and rule.endpoint not in {
        "backoffice.login", "backoffice.forgotten_password", "backoffice.reset_link_sent",
        "backoffice.reset_password",
    }:  # fmt: skip
        return "admin"
    if rule.endpoint.startswith("owner.") and rule.endpoint not in {"owner.letter_link",
                                                                    "owner.code"}:  # fmt: skip
        return "owner"
    return "stranger"


def ids_for(rule, ids):
    if rule.endpoint.startswith("backoffice.campaign"):  # a campaign's pages take letters jobs
        return ids | {"job_id": ids["letters_job_id"]}
    return ids


def path_strategy(rule, ids):
    """The route's URL, each parameter the world's value or (for a text one) hostile."""
    ids = ids_for(rule, ids)
    parts = {}
    for name, converter in rule._converters.items():
        known = ids[name]
        if converter.regex == r"\d+":
            parts[name] = st.one_of(st.just(str(known)), st.sampled_from(
                ["0", str(2**31), str(2**63), "9" * 40]))  # fmt: skip
        elif hasattr(converter, "items"):
            parts[name] = st.just(str(known))
        else:
            parts[name] = st.one_of(st.just(str(known)), hostile_text.filter(bool))
    return st.fixed_dictionaries(parts).map(lambda values: build_path(rule, values))


def build_path(rule, values) -> str:
    path = ""
    for is_dynamic, piece in rule._trace:
        if is_dynamic:
            safe = "/" if rule._converters[piece].part_isolating is False else ""
            path += quote(str(values[piece]).encode("utf-8", "surrogatepass"), safe=safe)
        elif piece != "|":
            path += piece
    return path


def hostile_requests(rule, method, audience, fields, ids, counted, forms):
    """A hypothesis test asking `method rule` with hostile paths, queries and bodies."""
    examples = SLOW_EXAMPLES if rule.endpoint in SLOW else EXAMPLES
    is_api = rule.endpoint.startswith("api.") and method == "POST"
    here = build_path(rule, ids_for(rule, ids))
    if is_api:
        situation = st.fixed_dictionaries(
            {"answers": json_value, "context": json_value},
            optional={"as_of": json_value, "locale": json_value, "collectivite": json_value},
        )
        body = st.one_of(json_value.map(json.dumps), st.sampled_from(RAW_JSON),
                         situation.map(json.dumps))  # fmt: skip
        examples *= 5
    elif baselines := forms.get((method, here)):
        body = st.one_of(mutated(baselines, fields), mutated(baselines, fields),
                         pairs_strategy(fields))  # fmt: skip
    else:
        body = pairs_strategy(fields)

    query_names = sorted({*QUERY_NAMES, *(name for baseline in forms.get(("GET", here), [])
                                                   for name, _ in baseline)})  # fmt: skip

    def ask(path, query, body, with_csrf):
        if is_api:
            data = body.encode("utf-8", "surrogatepass")
            content_type = "application/json"
        else:
            pairs = list(body)
            if with_csrf:
                pairs.append(("csrf_token", audience.csrf))
            data = encode(pairs) if method == "POST" else None
            if method == "GET" and body:
                query = query + list(body)
            content_type = "application/x-www-form-urlencoded"
        response = audience.client.open(path, method=method, query_string=encode(query),
                                        data=data, content_type=content_type)  # fmt: skip
        counted["requests"] += 1
        counted[f"{response.status_code // 100}xx"] += 1
        assert response.status_code < 500, (method, path, response.status_code)
        if audience.lost(response):
            audience.ready()

    # Besides the generated requests, each field of each form of the page, alone made
    # hostile, the others as the page fills them: what random draws could miss.
    for baseline in [] if is_api else forms.get((method, here), []):
        for i, (name, value) in enumerate(baseline):
            for odd in (f"{value}\x00", str(2**63), " "):
                pairs = [*baseline[:i], (name, odd), *baseline[i + 1 :]]
                ask = example(path=here, query=[], body=pairs, with_csrf=True)(ask)
    ask = given(path=path_strategy(rule, ids), query=pairs_strategy(query_names), body=body,
                with_csrf=st.sampled_from([True, True, True, False]))(ask)  # fmt: skip
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))(ask)  # fmt: skip


def test_no_hostile_request_is_a_server_error(app, world, record_property):
    fields = form_field_names(app)
    audiences = {kind: Audience(app, kind, world, f"10.0.0.{n}")
                 for n, kind in enumerate(("admin", "owner", "stranger"), start=1)}  # fmt: skip
    counted, spent = Counter(), Counter()
    failures = []
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    forms = harvest_forms(audiences, rules, world["ids"])

    for rule in rules:
        audience = audiences[audience_of(rule)]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            ask = hostile_requests(rule, method, audience, fields, world["ids"], counted, forms)
            started = time.perf_counter()
            try:
                ask()
            except Exception as error:  # every route is swept; all failures reported
                if rule.endpoint not in KNOWN_500:
                    failures.append(f"{method} {rule.rule}: {type(error).__name__}: {error}")
            spent[f"{method} {rule.rule}"] = time.perf_counter() - started

        # Methods the route does not take: a 405 (with Allow), never a 500.
        for method in ("PUT", "DELETE", "PATCH"):
            path = build_path(rule, ids_for(rule, world["ids"]))
            response = audience.client.open(path, method=method)
            counted["requests"] += 1
            counted[f"{response.status_code // 100}xx"] += 1
            if response.status_code >= 500:
                failures.append(f"{method} {rule.rule}: {response.status_code}")

    answers = ", ".join(f"{k} {v}" for k, v in sorted(counted.items()) if k != "requests")
    print(f"\nhostile sweep: {counted['requests']} requests over {len(rules)} routes ({answers})")
    print("slowest:", ", ".join(f"{k} {v:.1f}s" for k, v in spent.most_common(8)))
    record_property("requests", counted["requests"])
    assert not failures, "\n".join(failures)
