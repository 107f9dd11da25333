"""What each Prisma datasource provider can hold: the facts `adapt` works from.

The native types are those of prisma-engines' connectors (`psl-core/src/builtin_connectors/
<connector>/native_types.rs`: name, arguments, the Prisma scalar types each may annotate), as
known to Prisma 6.19 and 7.9. Every other capability below was checked against Prisma's own
validator (the pinned `@prisma/prisma-schema-wasm` builds); `tests/test_adapt.py` checks them
again for every provider, so a Prisma release that changes one shows up there.

Arguments: "" none; "?" an optional integer; "1" one required integer; "?2" optional precision
and scale; "1M" one required integer or `Max` (SQL Server); "?M" optional integer or `Max`.
"""

from __future__ import annotations

NativeTypes = dict[str, tuple[str, frozenset[str]]]


def _types(spec: str) -> NativeTypes:
    """`Name(args) Scalar|Scalar` lines → {name: (args, scalars)}."""
    table: NativeTypes = {}
    for line in spec.strip().splitlines():
        head, scalars = line.split()
        name, _, args = head.partition("(")
        table[name] = (args.rstrip(")"), frozenset(scalars.split("|")))
    return table


POSTGRES_TYPES = _types(
    """
    SmallInt Int
    Integer Int
    BigInt BigInt
    Decimal(?2) Decimal
    Money Decimal
    Inet String
    Oid Int
    Citext String
    Real Float
    DoublePrecision Float
    VarChar(?) String
    Char(?) String
    Text String
    ByteA Bytes
    Timestamp(?) DateTime
    Timestamptz(?) DateTime
    Date DateTime
    Time(?) DateTime
    Timetz(?) DateTime
    Boolean Boolean
    Bit(?) String
    VarBit(?) String
    Uuid String
    Xml String
    Json Json
    JsonB Json
    """
)
COCKROACH_TYPES = _types(
    """
    Bit(?) String
    Bool Boolean
    Bytes Bytes
    Char(?) String
    Date DateTime
    Decimal(?2) Decimal
    Float4 Float
    Float8 Float
    Inet String
    Int2 Int
    Int4 Int
    Int8 BigInt
    JsonB Json
    Oid Int
    CatalogSingleChar String
    String(?) String
    Time(?) DateTime
    Timestamp(?) DateTime
    Timestamptz(?) DateTime
    Timetz(?) DateTime
    Uuid String
    VarBit(?) String
    """
)
MYSQL_TYPES = _types(
    """
    Int Int
    UnsignedInt Int
    SmallInt Int
    UnsignedSmallInt Int
    TinyInt Boolean|Int
    UnsignedTinyInt Boolean|Int
    MediumInt Int
    UnsignedMediumInt Int
    BigInt BigInt
    Decimal(?2) Decimal
    UnsignedBigInt BigInt
    Float Float
    Double Float
    Bit(1) Boolean|Bytes
    Char(1) String
    VarChar(1) String
    Binary(1) Bytes
    VarBinary(1) Bytes
    TinyBlob Bytes
    Blob Bytes
    MediumBlob Bytes
    LongBlob Bytes
    TinyText String
    Text String
    MediumText String
    LongText String
    Date DateTime
    Time(?) DateTime
    DateTime(?) DateTime
    Timestamp(?) DateTime
    Year Int
    Json Json
    """
)
SQLSERVER_TYPES = _types(
    """
    TinyInt Int
    SmallInt Int
    Int Int
    BigInt BigInt
    Decimal(?2) Decimal
    Money Float
    SmallMoney Float
    Bit Boolean|Int
    Float(?) Float
    Real Float
    Date DateTime
    Time DateTime
    DateTime DateTime
    DateTime2 DateTime
    DateTimeOffset DateTime
    SmallDateTime DateTime
    Char(?) String
    NChar(?) String
    VarChar(?M) String
    Text String
    NVarChar(?M) String
    NText String
    Binary(?) Bytes
    VarBinary(?M) Bytes
    Image Bytes
    Xml String
    UniqueIdentifier String
    """
)

# Faithful equivalents: the same column type under another name (`Integer` is MySQL's `Int`).
# A native type with neither the same name nor an entry here is dropped: the field then gets the
# target's default column type for its scalar type.
EQUIVALENTS: dict[str, dict[str, str]] = {
    "postgresql": {
        "Int": "Integer",
        "Int4": "Integer",
        "Int2": "SmallInt",
        "Int8": "BigInt",
        "Double": "DoublePrecision",
        "Float8": "DoublePrecision",
        "Float4": "Real",
        "Bool": "Boolean",
        "UniqueIdentifier": "Uuid",
        "DateTime2": "Timestamp",
        "DateTimeOffset": "Timestamptz",
        "NVarChar": "VarChar",
        "NChar": "Char",
        "String": "VarChar",
        "LongText": "Text",
        "MediumText": "Text",
        "TinyText": "Text",
        "NText": "Text",
        "Bytes": "ByteA",
        "LongBlob": "ByteA",
        "MediumBlob": "ByteA",
        "Blob": "ByteA",
        "Image": "ByteA",
    },
    "cockroachdb": {
        "Integer": "Int4",
        "Int": "Int4",
        "SmallInt": "Int2",
        "BigInt": "Int8",
        "DoublePrecision": "Float8",
        "Double": "Float8",
        "Real": "Float4",
        "Boolean": "Bool",
        "VarChar": "String",
        "Text": "String",
        "ByteA": "Bytes",
        "Json": "JsonB",
        "UniqueIdentifier": "Uuid",
    },
    "mysql": {
        "Integer": "Int",
        "Int4": "Int",
        "Int2": "SmallInt",
        "Int8": "BigInt",
        "DoublePrecision": "Double",
        "Float8": "Double",
        "Real": "Float",
        "Float4": "Float",
        "JsonB": "Json",
        "Timestamptz": "Timestamp",
        "DateTime2": "DateTime",
        "NText": "LongText",
        "Boolean": "TinyInt",
        "Bool": "TinyInt",
        "Bit": "TinyInt",
    },
    "sqlserver": {
        "Integer": "Int",
        "Int4": "Int",
        "Int2": "SmallInt",
        "Int8": "BigInt",
        "DoublePrecision": "Float",
        "Float8": "Float",
        "Float4": "Real",
        "Boolean": "Bit",
        "Bool": "Bit",
        "TinyInt": "Bit",
        "Uuid": "UniqueIdentifier",
        "Timestamptz": "DateTimeOffset",
        "Timestamp": "DateTime2",
        "Text": "NVarChar(Max)",
        "LongText": "NVarChar(Max)",
        "MediumText": "NVarChar(Max)",
        "Citext": "NVarChar(Max)",
    },
}


EQUIVALENTS["postgresql"]["DateTime"] = "Timestamp"  # MySQL `DateTime(6)`: the same precision
EQUIVALENTS["cockroachdb"].update(
    {"DateTime": "Timestamp", "DateTime2": "Timestamp", "DateTimeOffset": "Timestamptz", "NVarChar": "String"}
)

# The same name, another column type, from one provider to another: {name: what holds the same
# there, "" to drop it (the target's default column type is the faithful one)}. A key `Name()` is
# the name written without arguments (`@db.VarChar` is unbounded on PostgreSQL, `@db.Decimal` of
# any precision, `@db.Timestamp` microseconds), `Name(Max)` SQL Server's `Max`. Consulted before
# the name itself: SQL Server's `VarChar`/`Char`/`Text` are not Unicode (its `NVarChar` is what
# Prisma uses for `String`); its `TinyInt` is unsigned (MySQL's signed); its `Float` is MySQL's
# `Double`; MySQL's `Text` holds 64 KB (`LongText` what PostgreSQL's holds); MySQL's `Decimal`
# without arguments is `Decimal(10, 0)`, SQL Server's `Decimal(18, 0)`: no fraction.
_TO_SQLSERVER = {"VarChar": "NVarChar", "Char": "NChar", "Text": "NVarChar(Max)", "Decimal()": ""}
_PG_TO_MYSQL = {
    "Text": "LongText",
    "Citext": "LongText",
    "Timestamp": "DateTime",
    "Timestamp()": "DateTime(6)",
    "Timestamptz": "DateTime",
    "Timestamptz()": "DateTime(6)",
    "Time()": "Time(6)",
    "Decimal()": "",
}
SAME_NAME_OTHER_TYPE: dict[tuple[str, str], dict[str, str]] = {
    ("postgresql", "sqlserver"): {**_TO_SQLSERVER, "VarChar()": "NVarChar(Max)", "Citext": "NVarChar(Max)"},
    ("cockroachdb", "sqlserver"): {**_TO_SQLSERVER, "String": "NVarChar", "String()": "NVarChar(Max)"},
    ("mysql", "sqlserver"): {
        **_TO_SQLSERVER,
        "TinyInt": "SmallInt",
        "Float": "Real",
        "DateTime": "DateTime2",
        "Decimal()": "Decimal(10, 0)",
    },
    ("postgresql", "mysql"): {**_PG_TO_MYSQL, "VarChar()": "LongText"},
    ("cockroachdb", "mysql"): {**_PG_TO_MYSQL, "String": "VarChar", "String()": "LongText"},
    ("sqlserver", "mysql"): {
        "TinyInt": "UnsignedTinyInt",
        "Float": "Double",
        "DateTime": "DateTime(3)",
        "DateTime2": "DateTime(6)",
        "Text": "LongText",
        "NVarChar": "VarChar",
        "NChar": "Char",
        "VarChar(Max)": "LongText",
        "NVarChar(Max)": "LongText",
        "VarBinary(Max)": "LongBlob",
        "Decimal()": "Decimal(18, 0)",
    },
}

# The largest precision and scale of `Decimal(p, s)` (checked by Prisma).
DECIMAL_LIMITS = {"mysql": (65, 30), "sqlserver": (38, 38)}


class Provider:
    """What a database provider has, for adapting fragments to it. A plain class: a dataclass of
    twenty fields costs a millisecond of import time (adapting imports this module); nothing
    changes one."""

    __slots__ = (
        "autoincrement_multiple", "autoincrement_on", "bytes_ids", "clustered", "default_names", "enums",
        "extensions", "fulltext", "index_length", "index_types", "json", "json_lists", "lists",
        "multi_schema", "name", "native_types", "operator_classes", "primary_key_names", "primary_key_sort",
        "unindexable_types",
    )

    name: str
    native_types: NativeTypes
    lists: bool  # scalar lists (`String[]`)
    enums: bool
    json: bool
    multi_schema: bool  # `@@schema` and the datasource's `schemas`
    extensions: bool  # the datasource's `extensions`
    fulltext: bool  # `@@fulltext`
    index_types: frozenset[str]  # `@@index(type: …)`
    operator_classes: bool  # `ops:` in index fields
    index_length: bool  # `length:` in index fields (MySQL)
    clustered: bool  # `clustered:` on ids, uniques, indexes (SQL Server)
    primary_key_names: bool  # `map:` on `@id`/`@@id`
    # Where `autoincrement()` may stand: "any"; "id_or_unique": `@id`, `@unique` or the first field
    # of an `@@id`/`@@unique`/`@@index` (MySQL); "id": `@id` or the one field of an `@@id` (SQLite).
    autoincrement_on: str
    autoincrement_multiple: bool  # (default True) more than one `autoincrement()` in a model
    unindexable_types: frozenset[str]  # native types that cannot be in an id, unique or index
    json_lists: bool  # (default False) `Json[]` (PostgreSQL only: CockroachDB has other lists, not these)
    bytes_ids: bool  # (default True) a `Bytes` field in `@id`/`@@id` (SQL Server refuses it)
    default_names: bool  # (default False) `map:` on `@default` (the default constraint's name: SQL Server)
    primary_key_sort: bool  # (default False) `sort:` in `@id`/`@@id` (SQL Server)

    def __init__(
        self,
        name: str,
        native_types: NativeTypes,
        *,
        lists: bool,
        enums: bool,
        json: bool,
        multi_schema: bool,
        extensions: bool,
        fulltext: bool,
        index_types: frozenset[str],
        operator_classes: bool,
        index_length: bool,
        clustered: bool,
        primary_key_names: bool,
        autoincrement_on: str,
        unindexable_types: frozenset[str],
        json_lists: bool = False,
        bytes_ids: bool = True,
        default_names: bool = False,
        primary_key_sort: bool = False,
        autoincrement_multiple: bool = True,
    ) -> None:
        self.name = name
        self.native_types = native_types
        self.lists = lists
        self.enums = enums
        self.json = json
        self.multi_schema = multi_schema
        self.extensions = extensions
        self.fulltext = fulltext
        self.index_types = index_types
        self.operator_classes = operator_classes
        self.index_length = index_length
        self.clustered = clustered
        self.primary_key_names = primary_key_names
        self.autoincrement_on = autoincrement_on
        self.unindexable_types = unindexable_types
        self.json_lists = json_lists
        self.bytes_ids = bytes_ids
        self.default_names = default_names
        self.primary_key_sort = primary_key_sort
        self.autoincrement_multiple = autoincrement_multiple


PROVIDERS = {
    p.name: p
    for p in (
        Provider(
            "postgresql",
            POSTGRES_TYPES,
            lists=True,
            enums=True,
            json=True,
            multi_schema=True,
            extensions=True,
            fulltext=False,
            index_types=frozenset(("BTree", "Hash", "Gist", "Gin", "SpGist", "Brin")),
            operator_classes=True,
            index_length=False,
            clustered=False,
            primary_key_names=True,
            autoincrement_on="any",
            unindexable_types=frozenset(),
            json_lists=True,
        ),
        Provider(
            "cockroachdb",
            COCKROACH_TYPES,
            lists=True,
            enums=True,
            json=True,
            multi_schema=True,
            extensions=False,
            fulltext=False,
            index_types=frozenset(("BTree", "Gin")),
            operator_classes=False,
            index_length=False,
            clustered=False,
            primary_key_names=True,
            autoincrement_on="any",  # on `BigInt` only (compose checks that apart)
            unindexable_types=frozenset(),
        ),
        Provider(
            "mysql",
            MYSQL_TYPES,
            lists=False,
            enums=True,
            json=True,
            multi_schema=False,
            extensions=False,
            fulltext=True,
            index_types=frozenset(("BTree",)),
            operator_classes=False,
            index_length=True,
            clustered=False,
            primary_key_names=False,
            autoincrement_on="id_or_unique",
            autoincrement_multiple=False,
            unindexable_types=frozenset(
                ("Text", "TinyText", "MediumText", "LongText", "Blob", "TinyBlob", "MediumBlob", "LongBlob")
            ),
        ),
        Provider(
            "sqlserver",
            SQLSERVER_TYPES,
            lists=False,
            enums=False,
            json=False,
            multi_schema=True,
            extensions=False,
            fulltext=False,
            index_types=frozenset(("BTree",)),
            operator_classes=False,
            index_length=False,
            clustered=True,
            primary_key_names=True,
            autoincrement_on="any",
            unindexable_types=frozenset(("Text", "NText", "Image", "Xml")),
            bytes_ids=False,
            default_names=True,
            primary_key_sort=True,
        ),
        Provider(
            "sqlite",
            {},
            lists=False,
            enums=True,
            json=True,
            multi_schema=False,
            extensions=False,
            fulltext=False,
            index_types=frozenset(("BTree",)),
            operator_classes=False,
            index_length=False,
            clustered=False,
            primary_key_names=False,
            autoincrement_on="id",
            autoincrement_multiple=False,
            unindexable_types=frozenset(),
        ),
    )
}

# The largest length a native type takes (checked by Prisma), and what holds a longer text there.
LENGTH_LIMITS = {
    ("mysql", "VarChar"): 65535,
    ("mysql", "Char"): 255,
    ("mysql", "VarBinary"): 65535,
    ("mysql", "Binary"): 255,
    ("sqlserver", "VarChar"): 8000,
    ("sqlserver", "Char"): 8000,
    ("sqlserver", "NVarChar"): 4000,
    ("sqlserver", "NChar"): 4000,
    ("sqlserver", "VarBinary"): 8000,
    ("sqlserver", "Binary"): 8000,
}
LONGER = {
    "mysql": {"VarChar": "LongText", "Char": "LongText", "VarBinary": "LongBlob", "Binary": "LongBlob"},
    "sqlserver": {
        "VarChar": "VarChar(Max)",
        "NVarChar": "NVarChar(Max)",
        "Char": "VarChar(Max)",
        "NChar": "NVarChar(Max)",
        "VarBinary": "VarBinary(Max)",
        "Binary": "VarBinary(Max)",
    },
}

# Prisma's scalar types (a field of another type is a relation, an enum or a composite type).
SCALARS = frozenset(("String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes"))
