"""Declarative conditions, compiled once into small functions.

A condition is YAML:
    {all: [c, ...]}   {any: [c, ...]}   {not: c}
    {var: situation, in: [vacant, for_sale]}     {var: blockers, contains: succession}
    {var: blockers, contains_any: [a, b]}        {var: zone_tendue, is: true}
    {var: commune_density_level, gte: 5}  (also gt, lte, lt, eq, ne)
    {from_date: 2027-01-01}   {until_date: 2026-12-31}   (against the evaluation date)
    {from_date: rental_ban.F}   (a parameter of unit `date`: its value in force then)
Any node may carry `explain: {fr: …, en: …}`: the words shown to say why (its children are
then not listed). A `not` must carry one: the words of its child would say the opposite.

Values are tri-state, as in Publicodes: TRUE, FALSE, or UNKNOWN when an answer is still
missing, or when the answer is "je ne sais pas" (an option marked `unknown`, unless the leaf
names it). A question that does not apply (its `ask_if` is false) makes its leaves FALSE,
never UNKNOWN: "not applicable" is not "not answered yet". Missing answers are collected
only from the branches that decide the result (lazy all/any).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal.rules.yamlfile import ContentError, line_of

TRUE, FALSE, UNKNOWN = 1, 0, -1
MISSING = object()

COMPARISONS = {
    "eq": lambda value, expected: value == expected,
    "ne": lambda value, expected: value != expected,
    "gt": lambda value, expected: value > expected,
    "gte": lambda value, expected: value >= expected,
    "lt": lambda value, expected: value < expected,
    "lte": lambda value, expected: value <= expected,
}
SET_TESTS = {
    "in": lambda value, expected: value in expected,
    "contains": lambda value, expected: expected in value,
    "contains_any": lambda value, expected: not expected.isdisjoint(value),
}


@dataclass(frozen=True)
class VarSpec:
    """What a variable may hold: `kind` question|context, `type` choice|multi|number|
    boolean|text, `options` the allowed values of a choice or multi."""

    name: str
    kind: str
    type: str
    options: frozenset | None = None
    optional: bool = False  # context only: may be absent
    # The "Je ne sais pas" options: a leaf on such an answer is UNKNOWN, not FALSE, unless it
    # names that value itself.
    unknown_values: frozenset = frozenset()


@dataclass(frozen=True)
class Clause:
    """One line of a trace: a leaf (or an explained group) and what it tested."""

    var: str | None
    op: str
    expected: Any
    explain: dict | None


class Env:
    """The state of one evaluation, shared by every compiled condition."""

    __slots__ = ("as_of", "missing", "not_applicable", "trace", "values")

    def __init__(self, values: dict, not_applicable: set, as_of: dt.date) -> None:
        self.values = values
        self.not_applicable = not_applicable
        self.as_of = as_of
        self.missing: list[str] = []
        self.trace: list | None = None


Condition = Callable[[Env], int]


def compile_condition(node, variables: dict[str, VarSpec], path: str,
                      parameters: dict | None = None) -> Condition:  # fmt: skip
    """Compile a YAML condition; refuse unknown variables, operators and option values.
    `parameters` (name → portal.rules.model.Parameter) are those a date test may name."""
    if not isinstance(node, dict):
        raise ContentError(path, line_of(node), f"a condition must be a mapping, not {node!r}")
    explain = node.get("explain")
    keys = set(node) - {"explain"}
    line = line_of(node)
    if keys == {"all"} or keys == {"any"}:
        (name,) = keys
        children = node[name]
        if not isinstance(children, list) or not children:
            raise ContentError(path, line, f"'{name}' needs a non-empty list of conditions")
        compiled = [compile_condition(child, variables, path, parameters) for child in children]
        function = _junction(compiled, FALSE if name == "all" else TRUE)
        clause = Clause(None, name, None, explain)
    elif keys == {"not"}:
        if not explain:
            raise ContentError(path, line, "a 'not' condition needs an 'explain' (fr, en)")
        function = _not(compile_condition(node["not"], variables, path, parameters))
        clause = Clause(None, "not", None, explain)
    elif keys in ({"from_date"}, {"until_date"}):
        (name,) = keys
        day = node[name]
        if isinstance(day, str):  # a parameter whose value is a date (dates change by law)
            parameter = (parameters or {}).get(day)
            if parameter is None or parameter.unit != "date":
                raise ContentError(path, line, f"'{name}': {day!r} is not a date parameter")
            function = _parameter_date(parameter, name == "from_date")
        elif isinstance(day, dt.date):
            function = _date(day, name == "from_date")
        else:
            raise ContentError(path, line, f"'{name}' needs a date (YYYY-MM-DD) or a parameter")
        clause = Clause(None, name, day, explain)
        return _traced(function, clause)
    elif "var" in keys and len(keys) == 2:
        (op,) = keys - {"var"}
        var = node["var"]
        spec = variables.get(var)
        if spec is None:
            raise ContentError(path, line, f"unknown variable {var!r}")
        expected = _expected(op, node[op], spec, path, line)
        clause = Clause(var, op, expected, explain)
        return _leaf(var, op, expected, clause, spec.unknown_values)
    else:
        raise ContentError(path, line, f"cannot read this condition: keys {sorted(keys)}")
    return _traced(function, clause) if explain else function


def _expected(op: str, raw, spec: VarSpec, path: str, line):
    def check_options(values):
        if spec.options is not None:
            unknown = set(values) - spec.options
            if unknown:
                raise ContentError(path, line, f"{spec.name}: unknown option(s) {sorted(unknown)}")

    if op == "is":
        if spec.type != "boolean" or not isinstance(raw, bool):
            raise ContentError(path, line, "'is' needs a boolean variable and true/false")
        return raw
    if op in ("in", "contains_any"):
        if not isinstance(raw, list) or not raw:
            raise ContentError(path, line, f"'{op}' needs a non-empty list")
        if op == "contains_any" and spec.type != "multi":
            raise ContentError(path, line, f"'{op}' applies to a several-answers question")
        check_options(raw)
        return frozenset(raw)
    if op == "contains":
        if spec.type != "multi":
            raise ContentError(path, line, "'contains' applies to a several-answers question")
        check_options([raw])
        return raw
    if op in COMPARISONS:
        if op in ("eq", "ne"):
            check_options([raw])
        elif spec.type != "number" or not isinstance(raw, int | float):
            raise ContentError(path, line, f"'{op}' compares a number variable with a number")
        return raw
    raise ContentError(path, line, f"unknown operator {op!r}")


def _leaf(var: str, op: str, expected, clause: Clause, unknown_values: frozenset) -> Condition:
    test = SET_TESTS.get(op) or COMPARISONS.get(op) or (lambda value, exp: value is exp)
    # The unknown answers this leaf names itself are tested as any other value.
    named = expected if op == "in" else {expected} if op == "eq" else set()
    undetermined = frozenset(unknown_values - set(named))

    def leaf(env: Env) -> int:
        value = env.values.get(var, MISSING)
        if value is MISSING:
            if var in env.not_applicable:
                result = FALSE
            else:
                env.missing.append(var)
                result = UNKNOWN
        elif isinstance(value, str) and value in undetermined:  # answered "je ne sais pas"
            result = UNKNOWN
        else:
            try:
                result = TRUE if test(value, expected) else FALSE
            except TypeError:  # e.g. a number compared with a missing-typed value
                result = FALSE
        if env.trace is not None:
            env.trace.append((clause, result))
        return result

    return leaf


def _junction(children: list[Condition], decisive: int) -> Condition:
    """`all` (decided by the first FALSE) or `any` (decided by the first TRUE); the missing
    answers of the other branches are dropped once the result is decided."""
    otherwise = TRUE if decisive == FALSE else FALSE

    def junction(env: Env) -> int:
        mark, unknown = len(env.missing), False
        for child in children:
            result = child(env)
            if result == decisive:
                del env.missing[mark:]
                return decisive
            if result == UNKNOWN:
                unknown = True
        return UNKNOWN if unknown else otherwise

    return junction


def _not(child: Condition) -> Condition:
    def not_(env: Env) -> int:
        result = child(env)
        return UNKNOWN if result == UNKNOWN else (TRUE if result == FALSE else FALSE)

    return not_


def _date(day: dt.date, from_: bool) -> Condition:
    def date_(env: Env) -> int:
        return TRUE if (env.as_of >= day if from_ else env.as_of <= day) else FALSE

    return date_


def _parameter_date(parameter, from_: bool) -> Condition:
    def date_(env: Env) -> int:
        day = parameter.at(env.as_of)
        if day is None:  # the parameter has no value yet at this date: the date is not reached
            return FALSE
        return TRUE if (env.as_of >= day if from_ else env.as_of <= day) else FALSE

    return date_


def _traced(function: Condition, clause: Clause) -> Condition:
    """A node with its own words: its children are not listed in the trace."""

    def traced(env: Env) -> int:
        outer, env.trace = env.trace, None
        try:
            result = function(env)
        finally:
            env.trace = outer
        if outer is not None:
            outer.append((clause, result))
        return result

    return traced
