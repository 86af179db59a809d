"""Read and validate the whole content tree once; refuse a bad file with file and line."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from portal.rules import relations
from portal.rules.conditions import VarSpec, compile_condition
from portal.rules.formulas import FormulaError, compile_formula
from portal.rules.model import (
    AID_KINDS,
    CONFIDENCE,
    LOCALES,
    QUESTION_TYPES,
    Aid,
    Amount,
    Boost,
    Commune,
    Contact,
    Content,
    Local,
    Option,
    Parameter,
    Priority,
    Question,
    Source,
)
from portal.rules.yamlfile import ContentError, line_of, read_yaml

CONTEXT_TYPES = ("boolean", "number")
COMMUNE_COLUMNS = ("insee_code", "name", "density_level", "zone_tendue", "acv_or_ort", "idf")


class Reader:
    """Typed access to one YAML mapping, with errors that name the file and line."""

    def __init__(self, node, path: Path | str, what: str = "this file") -> None:
        self.path = str(path)
        if not isinstance(node, dict):
            raise ContentError(path, line_of(node), f"{what} must be a mapping")
        self.node = node

    def fail(self, message: str, node=None):
        raise ContentError(self.path, line_of(node, line_of(self.node)), message)

    def get(self, key: str, kind=None, required: bool = True, default=None):
        if key not in self.node:
            if required:
                self.fail(f"missing {key!r}")
            return default
        value = self.node[key]
        if kind is not None and not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            self.fail(f"{key!r} must be {names}, not {type(value).__name__}", value)
        return value

    def text(self, key: str, required: bool = True) -> dict | None:
        value = self.get(key, dict, required)
        if value is None:
            return None
        for locale in LOCALES:
            if not isinstance(value.get(locale), str) or not value[locale].strip():
                self.fail(f"{key!r} needs a text in {locale!r}", value)
        return {locale: value[locale] for locale in LOCALES}

    def only(self, allowed: set[str]) -> None:
        unknown = set(self.node) - allowed
        if unknown:
            self.fail(f"unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")


def load_content(root: Path | str) -> Content:
    root = Path(root)
    manifest = Reader(read_yaml(root / "manifest.yaml"), root / "manifest.yaml")
    manifest.only({"version", "priority", "order", "context", "wording"})
    context = _context(manifest)
    variables = dict(context)
    parameters = _parameters(root / "parameters.yaml")
    questions = _questions(root, manifest, variables, parameters)
    contacts = _contacts(Reader(read_yaml(root / "contacts.yaml"), root / "contacts.yaml"))
    aids, lines = {}, {}
    for path in sorted((root / "aids").glob("*.yaml")):
        aid = _aid(Reader(read_yaml(path), path), variables, parameters, contacts, lines=lines)
        if aid.slug in aids:
            raise ContentError(path, None, f"slug {aid.slug!r} already used")
        aids[aid.slug] = aid
    for aid in aids.values():
        _check_placeholders(aid, parameters)
    aids = relations.link(aids, aids, lines)  # alternatives made symmetric, requires checked
    locals_ = {}
    for path in sorted((root / "local").glob("*.yaml")):
        local = _local(Reader(read_yaml(path), path), variables, parameters, contacts, lines)
        # A collectivité's aids may name national ones (not the other way round).
        local.aids = relations.link(local.aids, {**aids, **local.aids}, lines)
        locals_[local.siren] = local
    examples = []
    for path in sorted((root / "examples").glob("*.yaml")):
        examples.extend(_examples(path))
    return Content(
        version=str(manifest.get("version", str)),
        questions=questions,
        priority=_priority(manifest, questions, variables, parameters),
        context=context,
        aids=aids,
        parameters=parameters,
        contacts=contacts,
        communes=_communes(root / "reference" / "communes.csv"),
        locals=locals_,
        examples=examples,
        wording=_wording(manifest),
        root=str(root),
    )


WORDING = ("not_in_force", "or", "colon", "unknown_value", "requires")


def _wording(manifest: Reader) -> dict:
    """The engine's few words of its own (joining option labels, "not in force")."""
    node = Reader(manifest.get("wording", dict), manifest.path, "'wording'")
    node.only(set(WORDING))
    texts = {}
    for key in WORDING:
        value = node.get(key, dict)
        if not all(isinstance(value.get(locale), str) for locale in LOCALES):
            node.fail(f"wording {key!r} needs fr and en", value)
        texts[key] = value
    return texts


def _context(manifest: Reader) -> dict[str, VarSpec]:
    specs = {}
    for name, spec in manifest.get("context", dict).items():
        reader = Reader(spec, manifest.path, f"context {name!r}")
        reader.only({"type", "optional"})
        kind = reader.get("type", str)
        if kind not in CONTEXT_TYPES:
            manifest.fail(f"context {name!r}: type must be one of {CONTEXT_TYPES}", spec)
        specs[name] = VarSpec(
            name, "context", kind, optional=reader.get("optional", bool, False, False)
        )
    return specs


def _questions(root: Path, manifest: Reader, variables: dict,
               parameters: dict) -> dict[str, Question]:  # fmt: skip
    order = manifest.get("order", list)
    files = {path.stem: path for path in (root / "questions").glob("*.yaml")}
    unlisted = set(files) - set(order)
    if unlisted:
        manifest.fail(f"questions not in 'order': {sorted(unlisted)}")
    questions = {}
    for question_id in order:
        if question_id not in files:
            manifest.fail(f"'order' names {question_id!r}: no questions/{question_id}.yaml")
        # ask_if may only read the context and questions placed before this one.
        reader = Reader(read_yaml(files[question_id]), files[question_id])
        question = _question(reader, variables, parameters)
        if question.id != question_id:
            raise ContentError(files[question_id], 1, f"id {question.id!r} ≠ file name")
        questions[question_id] = question
        unknown = frozenset(option.value for option in question.options if option.unknown)
        variables[question_id] = VarSpec(
            question_id, "question", QUESTION_TYPES[question.type], question.values or None,
            unknown_values=unknown,
        )  # fmt: skip
    return questions


def _priority(manifest: Reader, questions: dict, variables: dict,
              parameters: dict) -> tuple[Priority, ...]:  # fmt: skip
    """`priority`: question ids, or `{question: id, if: condition}` (asked first only when
    the condition holds)."""
    entries = []
    for entry in manifest.get("priority", list):
        condition = None
        if isinstance(entry, dict):
            reader = Reader(entry, manifest.path, "a priority entry")
            reader.only({"question", "if"})
            condition = compile_condition(reader.get("if", dict), variables, manifest.path,
                                          parameters)  # fmt: skip
            entry = reader.get("question", str)
        if entry not in questions:
            manifest.fail(f"'priority' names an unknown question {entry!r}")
        entries.append(Priority(entry, condition))
    return tuple(entries)


def _question(reader: Reader, variables: dict, parameters: dict) -> Question:
    reader.only(
        {
            "id",
            "type",
            "label",
            "short_label",
            "hint",
            "options",
            "messages",
            "min",
            "max",
            "max_length",
            "ask_if",
        }
    )
    kind = reader.get("type", str)
    if kind not in QUESTION_TYPES:
        reader.fail(f"type must be one of {sorted(QUESTION_TYPES)}")
    options = []
    for node in reader.get("options", list, required=kind in ("radios", "checkboxes"), default=[]):
        option = Reader(node, reader.path, "an option")
        option.only({"value", "label", "hint", "unknown", "exclusive"})
        options.append(Option(str(option.get("value")), option.text("label"),
                              option.text("hint", False),
                              unknown=option.get("unknown", bool, False, False),
                              exclusive=option.get("exclusive", bool, False, False)))  # fmt: skip
        if options[-1].exclusive and kind != "checkboxes":
            option.fail("only an option of a checkboxes question can be 'exclusive'")
    if len({option.value for option in options}) != len(options):
        reader.fail("two options share a value")
    if sum(option.exclusive for option in options) > 1:
        reader.fail("at most one option can be 'exclusive'")
    messages_node = reader.get("messages", dict)
    messages = {name: Reader(messages_node, reader.path).text(name) for name in messages_node}
    if "required" not in messages:
        reader.fail("messages: a 'required' message is needed", messages_node)
    if any(option.exclusive for option in options) and "exclusive" not in messages:
        reader.fail("messages: an 'exclusive' message is needed (an option is exclusive)",
                    messages_node)  # fmt: skip
    ask_if = reader.get("ask_if", dict, required=False)
    return Question(
        id=reader.get("id", str),
        type=kind,
        label=reader.text("label"),
        short_label=reader.text("short_label"),
        hint=reader.text("hint", False),
        options=tuple(options),
        messages=messages,
        minimum=reader.get("min", (int, float), False),
        maximum=reader.get("max", (int, float), False),
        max_length=reader.get("max_length", int, False, 500),
        ask_if=compile_condition(ask_if, variables, reader.path, parameters) if ask_if else None,
        path=reader.path,
    )


def _parameters(path: Path) -> dict[str, Parameter]:
    node = read_yaml(path)
    Reader(node, path)
    parameters = {}
    for name, spec in node.items():
        reader = Reader(spec, path, f"parameter {name!r}")
        reader.only({"description", "unit", "reference", "values"})
        values = reader.get("values", dict)
        if not values or not all(isinstance(day, dt.date) for day in values):
            reader.fail(f"{name}: 'values' maps effective dates (YYYY-MM-DD) to values", values)
        if reader.get("unit", str) == "date" and not all(
            isinstance(value, dt.date) for value in values.values()
        ):
            reader.fail(f"{name}: a parameter of unit 'date' holds dates (YYYY-MM-DD)", values)
        dates = tuple(sorted(values))
        parameters[name] = Parameter(
            name,
            reader.get("description", str),
            reader.get("unit", str),
            dates,
            tuple(values[day] for day in dates),
            reader.get("reference", str),
        )
    return parameters


def _contacts(reader: Reader, local: bool = False) -> dict[str, Contact]:
    contacts = {}
    for contact_id, node in reader.node.items():
        contact = Reader(node, reader.path, f"contact {contact_id!r}")
        contact.only({"label", "description", "url", "phone", "email", "address"})
        contacts[contact_id] = Contact(
            contact_id,
            contact.text("label"),
            contact.text("description", not local) or {},
            *(contact.get(key, str, False) for key in ("url", "phone", "email", "address")),
        )
    return contacts


def _aid(reader: Reader, variables, parameters, contacts, local: bool = False,
         lines: dict | None = None) -> Aid:  # fmt: skip
    reader.only(
        {
            "slug",
            "kind",
            "title",
            "summary",
            "for_whom",
            "gives",
            "eligible_if",
            "amount",
            "obligations",
            "contacts",
            "sources",
            "valid",
            "confidence",
            "rank",
            "boosts",
            *relations.KEYS,
        }
    )
    slug = reader.get("slug", str)
    if lines is not None:
        for key in relations.KEYS:
            lines[(slug, key)] = line_of(reader.node.get(key), line_of(reader.node))
    if local != slug.startswith("local:"):
        reader.fail("a collectivité's own aid has a slug 'local:<name>'; only those do")
    if reader.get("kind", str) not in AID_KINDS:
        reader.fail(f"kind must be one of {AID_KINDS}")
    if reader.get("confidence", str) not in CONFIDENCE:
        reader.fail(f"confidence must be one of {CONFIDENCE}")
    for contact_id in reader.get("contacts", list):
        if contact_id not in contacts:
            reader.fail(f"unknown contact {contact_id!r} (see contacts.yaml)")
    valid = Reader(reader.get("valid", dict), reader.path, "'valid'")
    condition = compile_condition(reader.get("eligible_if", dict), variables, reader.path,
                                  parameters)  # fmt: skip
    boosts = []
    for node in reader.get("boosts", list, False, []):
        boost = Reader(node, reader.path, "a boost")
        boosts.append(
            Boost(
                compile_condition(boost.get("if", dict), variables, reader.path, parameters),
                boost.get("add", int),
            )
        )
    return Aid(
        slug=slug,
        kind=reader.get("kind"),
        title=reader.text("title"),
        summary=reader.text("summary"),
        for_whom=reader.text("for_whom"),
        gives=reader.text("gives"),
        eligible_if=condition,
        amount=_amount(reader, variables, parameters),
        obligations=tuple(
            Reader({"o": o}, reader.path).text("o") for o in reader.get("obligations", list)
        ),
        contacts=tuple(reader.get("contacts")),
        sources=tuple(
            _source(Reader(node, reader.path, "a source")) for node in reader.get("sources", list)
        ),
        valid_from=valid.get("from", dt.date, False),
        valid_until=valid.get("until", dt.date, False),
        confidence=reader.get("confidence"),
        rank=reader.get("rank", int),
        boosts=tuple(boosts),
        path=reader.path,
        local=local,
        alternatives=relations.read(reader, "alternatives"),
        requires=relations.read(reader, "requires"),
    )


def _check_placeholders(aid: Aid, parameters) -> None:
    from portal.rules.present import aid_placeholders

    unknown = aid_placeholders(aid) - set(parameters) - {"amount"}
    if unknown:
        raise ContentError(aid.path, None, f"{aid.slug}: unknown parameter(s) {sorted(unknown)}")
    for name in aid_placeholders(aid) - {"amount"}:
        if any(isinstance(value, dict) for value in parameters[name].values):
            raise ContentError(aid.path, None, f"{aid.slug}: {{{name}}} is a table, not a value")


def _amount(reader: Reader, variables, parameters) -> Amount | None:
    node = reader.get("amount", dict, False)
    if node is None:
        return None
    amount = Reader(node, reader.path, "'amount'")
    amount.only({"formula", "text", "fallback"})
    try:
        formula, reads = compile_formula(
            amount.get("formula", str), set(variables), set(parameters)
        )
    except FormulaError as error:
        amount.fail(str(error))
    text = amount.text("text")
    if any("{amount}" not in value for value in text.values()):
        amount.fail("'text' must show {amount}")
    return Amount(formula, frozenset(reads), text, amount.text("fallback"))


def _source(reader: Reader) -> Source:
    reader.only({"url", "title", "checked_on", "confidence"})
    url = reader.get("url", str)
    if not url.startswith("https://") and not url.startswith("http://"):
        reader.fail(f"source url must be a web address: {url!r}")
    confidence = reader.get("confidence", str)
    if confidence not in CONFIDENCE:
        reader.fail(f"confidence must be one of {CONFIDENCE}")
    return Source(url, reader.get("title", str), reader.get("checked_on", dt.date), confidence)


def _local(reader: Reader, variables, parameters, national_contacts, lines: dict) -> Local:
    reader.only({"siren", "name", "opah_pig_perimeter", "contacts", "aids"})
    siren = str(reader.get("siren", (str, int)))
    if not (siren.isdigit() and len(siren) == 9):
        reader.fail(f"siren must be 9 digits, not {siren!r}")
    contacts = _contacts(Reader(reader.get("contacts", dict, False, {}), reader.path), local=True)
    known = national_contacts | contacts
    aids = {}
    for node in reader.get("aids", list, False, []):
        aid = _aid(Reader(node, reader.path, "an aid"), variables, parameters, known, local=True,
                   lines=lines)  # fmt: skip
        _check_placeholders(aid, parameters)
        aids[aid.slug] = aid
    perimeter = frozenset(str(code) for code in reader.get("opah_pig_perimeter", list, False, []))
    return Local(siren, reader.get("name", str), perimeter, contacts, aids, reader.path)


def _communes(path: Path) -> dict[str, Commune]:
    """commune → density level, zone tendue, ACV/ORT, Île-de-France. The national files
    (INSEE grille de densité, décret zone tendue, ACV/ORT lists) load the same way."""
    communes = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COMMUNE_COLUMNS:
            raise ContentError(path, 1, f"columns must be {','.join(COMMUNE_COLUMNS)}")
        for row in reader:
            line = reader.line_num
            try:
                level = int(row["density_level"])
                flags = {key: {"0": False, "1": True}[row[key]] for key in COMMUNE_COLUMNS[3:]}
            except (KeyError, ValueError):
                raise ContentError(path, line, "density_level 1-7; flags 0 or 1") from None
            if not 1 <= level <= 7 or len(row["insee_code"]) != 5:
                raise ContentError(path, line, "INSEE code of 5 characters, density 1 to 7")
            communes[row["insee_code"]] = Commune(row["insee_code"], row["name"], level, **flags)
    return communes


def _examples(path: Path) -> list[dict]:
    node = read_yaml(path)
    if not isinstance(node, list):
        raise ContentError(path, 1, "an examples file is a list of examples")
    for example in node:
        reader = Reader(example, path, "an example")
        reader.only({"name", "answers", "context", "as_of", "local", "expect"})
        reader.get("name", str)
        reader.get("expect", dict)
        example.setdefault("path", str(path))
    return node
