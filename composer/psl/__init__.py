"""Prisma Schema Language: syntax tree and parser.

The names below are loaded on first use (module `__getattr__`), so that importing a light part of
the package (`psl.render` for the manifest's literals, `psl.comments`) compiles no parser.
"""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from typing import Any

    from .ast import Arg, Attribute, Declaration, Expr, Member, SchemaFile
    from .parser import _FAST_ATTR as ATTRIBUTE_PATTERN
    from .parser import PSLSyntaxError, decode_string, parse, relation_names_fields, relation_with_fields

# `@name(args)` with the arguments the parser's fast path checks (ATTRIBUTE_PATTERN): group 1 the
# name, group 2 the parenthesised arguments. In a block the fast path accepted
# (`Declaration.lazy`), a field's attributes are a run of these, separated by white space.
_WHERE = {
    "ATTRIBUTE_PATTERN": ("parser", "_FAST_ATTR"),
    "Arg": ("ast", "Arg"),
    "Attribute": ("ast", "Attribute"),
    "Declaration": ("ast", "Declaration"),
    "Expr": ("ast", "Expr"),
    "Member": ("ast", "Member"),
    "PSLSyntaxError": ("parser", "PSLSyntaxError"),
    "SchemaFile": ("ast", "SchemaFile"),
    "decode_string": ("parser", "decode_string"),
    "parse": ("parser", "parse"),
    # Raw-text questions about relations, answered without building a lazy block's members.
    "relation_names_fields": ("parser", "relation_names_fields"),
    "relation_with_fields": ("parser", "relation_with_fields"),
}
__all__ = [
    "ATTRIBUTE_PATTERN",
    "Arg",
    "Attribute",
    "Declaration",
    "Expr",
    "Member",
    "PSLSyntaxError",
    "SchemaFile",
    "decode_string",
    "parse",
    "relation_names_fields",
    "relation_with_fields",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{where[0]}", __name__), where[1])
    globals()[name] = value
    return value
