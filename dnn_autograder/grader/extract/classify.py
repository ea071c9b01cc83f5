"""Decide, for each top-level statement, whether the grader keeps it and as what.

Kept: imports (and a ``try:`` of imports with its ``except`` branch), definitions (``def``,
``async def``, ``class``) and simple constants (plain names bound to literal-like values, e.g.
``layers_dims = [2, 4, 1]`` or ``EPS = np.float64(1e-7)``). Everything else (calls, loops,
training, plots, tests, prints, seeding) is dropped: running it would cost time and could fail,
and grading calls the functions by name anyway. Nothing is evaluated.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from dnn_autograder.grader.extract.model import TOP_LEVEL_REASON, UnitKind

#: Calls allowed in a constant's value: pure constructors and functions of literals.
ALLOWED_CALLS = frozenset(
    {"float", "int", "complex", "bool", "str", "bytes", "tuple", "list", "dict", "set"}
    | {"frozenset", "range", "slice", "abs", "round", "min", "max", "len", "sum"}
    | {"math.sqrt", "math.exp", "math.log", "math.log10", "math.pow"}
    | {f"numpy.{name}" for name in ("array", "asarray", "zeros", "ones", "full", "eye")}
    | {f"numpy.{name}" for name in ("arange", "linspace", "dtype", "finfo", "iinfo")}
    | {f"numpy.{name}" for name in ("sqrt", "exp", "log", "float16", "float32", "float64")}
    | {f"numpy.{name}" for name in ("int8", "int16", "int32", "int64", "uint8", "bool_")}
    | {"numpy.complex64", "numpy.complex128", "numpy.longdouble"}
)
#: Builtin names a constant may refer to (``dtype=float``).
BUILTIN_VALUES = frozenset(name for name in ALLOWED_CALLS if "." not in name) | {"object"}

_PURE_BASES = (
    ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.UnaryOp, ast.BinOp, ast.BoolOp,
    ast.Compare, ast.IfExp, ast.Subscript, ast.Slice, ast.Starred, ast.keyword, ast.Attribute,
    ast.JoinedStr, ast.FormattedValue, ast.expr_context, ast.operator, ast.unaryop, ast.cmpop,
    ast.boolop,
)  # fmt: skip
#: The node types a constant's value may hold besides names and calls (concrete classes, so
#: that a set lookup replaces ``isinstance`` against two dozen classes).
_PURE_NODES = frozenset(kind for base in _PURE_BASES for kind in (base, *base.__subclasses__()))
_BLOCKS = {
    ast.If: "if", ast.For: "for", ast.AsyncFor: "async for", ast.While: "while",
    ast.With: "with", ast.AsyncWith: "async with", ast.Try: "try", ast.TryStar: "try",
    ast.Match: "match",
}  # fmt: skip
_IMPORTS = (ast.Import, ast.ImportFrom)


@dataclass
class Scope:
    """Names bound so far by kept units; ``aliases`` maps import-bound names to what they
    import (``np`` -> ``numpy``, ``array`` -> ``numpy.array``)."""

    bound: set[str] = field(default_factory=set)
    aliases: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """What to do with one statement: keep it as ``kind``, or drop it (``kind`` None) for
    ``reason`` ("" = drop silently); ``functions`` are the functions lost by dropping it."""

    kind: UnitKind | None
    names: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    reason: str = ""
    functions: tuple[str, ...] = ()


def _import_bindings(node: ast.Import | ast.ImportFrom) -> list[tuple[str, str, str]]:
    """(bound name, what it refers to, top-level module) of each name an import binds."""
    if isinstance(node, ast.Import):
        return [
            (alias.asname, alias.name, alias.name.split(".")[0])
            if alias.asname
            else (alias.name.split(".")[0],) * 3
            for alias in node.names
        ]
    module = "" if node.level else (node.module or "")
    top = module.split(".")[0]
    return [
        ("*", "", top) if alias.name == "*" else
        (alias.asname or alias.name, f"{module}.{alias.name}" if module else "", top)
        for alias in node.names
    ]  # fmt: skip


def _import_decision(statements: list[ast.stmt], scope: Scope, *, alias: bool) -> Decision:
    names: dict[str, None] = {}
    modules: dict[str, None] = {}
    for statement in statements:
        if isinstance(statement, _IMPORTS):
            for name, origin, top in _import_bindings(statement):
                names[name] = None
                if top:
                    modules[top] = None
                if alias and origin and name != "*":
                    scope.aliases[name] = origin
    return Decision("import", tuple(names), tuple(modules))


def _is_import_try(node: ast.Try | ast.TryStar) -> bool:
    return any(isinstance(s, _IMPORTS) for s in node.body) and all(
        isinstance(s, (*_IMPORTS, ast.Pass)) for s in node.body
    )


def _dotted(node: ast.expr, scope: Scope) -> str | None:
    """``numpy.array`` for ``np.array`` (after ``import numpy as np``), ``float`` for ``float``."""
    attributes = []
    while isinstance(node, ast.Attribute):
        attributes.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    if node.id in scope.aliases:
        root = scope.aliases[node.id]
    elif node.id in BUILTIN_VALUES and node.id not in scope.bound:
        root = node.id
    else:
        return None
    return ".".join([root, *reversed(attributes)])


def is_simple_value(value: ast.expr, scope: Scope) -> bool:
    """True for literal-like values: literals, arithmetic, names bound earlier, calls of
    ``ALLOWED_CALLS`` on such values, and lambdas (whose bodies do not run when defined).
    Iterative, so deep nesting cannot overflow the stack."""
    stack: list[ast.AST] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Lambda):
            stack.extend(d for d in (*node.args.defaults, *node.args.kw_defaults) if d)
            continue
        if isinstance(node, ast.Name):
            if node.id in scope.bound or node.id in BUILTIN_VALUES:
                continue
            return False
        if isinstance(node, ast.Call):
            if _dotted(node.func, scope) not in ALLOWED_CALLS:
                return False
        elif type(node) not in _PURE_NODES:
            return False
        stack.extend(ast.iter_child_nodes(node))
    return True


def _target_names(target: ast.expr) -> list[str] | None:
    """Names bound by an assignment target made only of plain names, else None."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    if isinstance(target, ast.Tuple | ast.List):
        names: list[str] = []
        for element in target.elts:
            inner = _target_names(element)
            if inner is None:
                return None
            names.extend(inner)
        return names
    return None


def _constant_decision(node: ast.Assign | ast.AnnAssign, scope: Scope) -> Decision | None:
    if isinstance(node, ast.AnnAssign):
        targets: list[ast.expr] = [node.target] if node.simple and node.value else []
    else:
        targets = node.targets
    names: list[str] = []
    for target in targets:
        found = _target_names(target)
        if found is None:
            return None
        names.extend(found)
    if not names or node.value is None or not is_simple_value(node.value, scope):
        return None
    kind: UnitKind = "definition" if isinstance(node.value, ast.Lambda) else "constant"
    return Decision(kind, tuple(dict.fromkeys(names)))


def _calls_get_ipython(node: ast.stmt) -> bool:
    value = getattr(node, "value", None)
    while isinstance(value, ast.Call | ast.Attribute):
        value = value.func if isinstance(value, ast.Call) else value.value
    return isinstance(value, ast.Name) and value.id == "get_ipython"


def _functions_in_block(node: ast.stmt) -> tuple[str, ...]:
    """Functions defined inside a compound statement (not inside the functions themselves)."""
    found: dict[str, None] = {}
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            found[current.name] = None
            continue
        if isinstance(current, ast.ClassDef):
            continue
        for child in ast.iter_child_nodes(current):
            if isinstance(child, ast.stmt | ast.excepthandler | ast.match_case):
                stack.append(child)
    return tuple(sorted(found))


def classify(node: ast.stmt, scope: Scope) -> Decision:
    """Classify one top-level statement; a kept statement's names are added to ``scope``."""
    decision = _classify(node, scope)
    if decision.kind is not None:
        scope.bound.update(name for name in decision.names if name != "*")
    if decision.kind in ("definition", "constant"):
        for name in decision.names:
            scope.aliases.pop(name, None)  # `array` is no longer numpy's
    return decision


def _classify(node: ast.stmt, scope: Scope) -> Decision:
    kind = type(node)
    if kind is ast.Expr or kind is ast.Pass:
        return _expression_decision(node)
    if kind is ast.Import or kind is ast.ImportFrom:
        if getattr(node, "module", None) == "__future__" and not getattr(node, "level", 0):
            return Decision(None)  # recorded as a hint by the caller
        return _import_decision([node], scope, alias=True)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return Decision("definition", (node.name,))
    if kind is ast.Assign or kind is ast.AnnAssign:
        assert isinstance(node, ast.Assign | ast.AnnAssign)
        return _constant_decision(node, scope) or _expression_decision(node)
    if isinstance(node, ast.Try | ast.TryStar) and _is_import_try(node):
        decision = _import_decision(node.body, scope, alias=True)
        others = [s for h in node.handlers for s in h.body] + node.orelse + node.finalbody
        extra = _import_decision(others, scope, alias=False)
        names = tuple(dict.fromkeys(decision.names + extra.names))
        return Decision("import", names, tuple(dict.fromkeys(decision.modules + extra.modules)))
    block = _BLOCKS.get(kind)
    functions = _functions_in_block(node) if block else ()
    if functions:
        reason = (
            f"definition inside a top-level `{block}` block: the grader runs only top-level "
            f"definitions, so move {', '.join(functions)} out of the block"
        )
        return Decision(None, reason=reason, functions=functions)
    return _DROPPED


def _expression_decision(node: ast.stmt) -> Decision:
    """An expression statement, ``pass``, or an assignment that is not a constant."""
    if isinstance(node, ast.Pass) or isinstance(getattr(node, "value", None), ast.Constant):
        return _SILENT  # a docstring, `...` or `pass`: nothing to report
    if _calls_get_ipython(node):
        return _IPYTHON
    return _DROPPED


_SILENT = Decision(None)
_DROPPED = Decision(None, reason=TOP_LEVEL_REASON)
_IPYTHON = Decision(None, reason="IPython call (get_ipython)")


_MISPLACED = {
    ast.Return: "'return' outside function",
    ast.Break: "'break' outside loop",
    ast.Continue: "'continue' not properly in loop",
    ast.Nonlocal: "nonlocal declaration not allowed at module level",
}


def misplaced_statements(body: list[ast.stmt]) -> dict[int, str]:
    """Index -> Python's message, for top-level statements that parse but do not compile at
    module level: usually the last lines of a function, dedented by mistake. (``ast.parse``
    accepts them; Jupyter would refuse the whole cell.)"""
    found = {}
    for index, node in enumerate(body):
        message = _MISPLACED.get(type(node))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Yield | ast.YieldFrom):
            message = "'yield' outside function"
        if message:
            found[index] = message
    return found


def statement_start(node: ast.stmt) -> tuple[int, int]:
    """(line, UTF-8 column) where a statement's source starts, decorators included."""
    decorators = getattr(node, "decorator_list", None)
    if decorators:
        return decorators[0].lineno, 0
    return node.lineno, node.col_offset
