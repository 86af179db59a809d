"""Amount formulas: safe arithmetic over answers, context and dated parameters.

    "anah_bailleur.rate.degraded * anah_bailleur.cap_per_m2.degraded
       * min(living_area, anah_bailleur.max_surface_m2)"
    "mpr_ampleur.rate[owner_income_band] * mpr_ampleur.cap_3_classes"

Names are variables (answers, context) or parameter names (dotted); `param[var]` picks a
value of a parameter keyed by an answer. Only + - * /, numbers, min(), max() and round()
are allowed: the formula is parsed once, at load, with Python's `ast`, never `eval`.
"""

from __future__ import annotations

import ast
import operator

from portal.rules.conditions import MISSING, Env

OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
FUNCTIONS = {"min": min, "max": max, "round": round}


class FormulaError(ValueError):
    pass


class Undetermined(Exception):
    """A value the formula needs is not known yet."""


def dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def compile_formula(text: str, variables: set[str], parameters: set[str]):
    """Compile `text`; returns (function, names of variables it reads)."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise FormulaError(f"cannot read the formula {text!r}: {error.msg}") from None
    used: set[str] = set()

    def build(node: ast.AST):
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            value = node.value
            return lambda env, param: value
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            op, left, right = OPERATORS[type(node.op)], build(node.left), build(node.right)
            return lambda env, param: op(left(env, param), right(env, param))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            function = FUNCTIONS.get(node.func.id)
            if function is None or node.keywords or not node.args:
                raise FormulaError(f"unknown function in {text!r}")
            args = [build(arg) for arg in node.args]
            return lambda env, param: function(*(arg(env, param) for arg in args))
        if isinstance(node, ast.Subscript):
            name, key = dotted(node.value), dotted(node.slice)
            if name not in parameters or key not in variables:
                raise FormulaError(f"{text!r}: write parameter[variable], e.g. rate[band]")
            used.add(key)
            return lambda env, param: _pick(param(name), _variable(env, key))
        name = dotted(node)
        if name in variables:
            used.add(name)
            return lambda env, param: _variable(env, name)
        if name in parameters:
            return lambda env, param: param(name)
        raise FormulaError(f"{text!r}: unknown name or construct {ast.unparse(node)!r}")

    return build(tree.body), used


def _variable(env: Env, name: str):
    value = env.values.get(name, MISSING)
    if value is MISSING or value is None:
        if name not in env.not_applicable:
            env.missing.append(name)
        raise Undetermined(name)
    return value


def _pick(table, key):
    if not isinstance(table, dict) or key not in table:
        raise Undetermined(key)
    return table[key]
