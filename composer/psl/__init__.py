"""Prisma Schema Language: syntax tree and parser."""

from .ast import Arg, Attribute, Declaration, Expr, Member, SchemaFile
from .parser import PSLSyntaxError, decode_string, parse

__all__ = [
    "Arg",
    "Attribute",
    "Declaration",
    "Expr",
    "Member",
    "PSLSyntaxError",
    "SchemaFile",
    "decode_string",
    "parse",
]
