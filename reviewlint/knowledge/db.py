"""Database libraries: which calls read, which write, and what they return.

Keys are qualified names; instance methods are keyed ``<Class>.<method>`` (the engine
resolves ``cur.execute`` to ``sqlite3.Cursor.execute`` when ``cur = conn.cursor()`` and
``conn = sqlite3.connect(...)``). A call's *kind* is ``read``, ``write`` or ``sql`` (decided
by the statement it is given: ``SELECT`` reads, ``INSERT``/``UPDATE``/``DELETE`` write).

The Django ORM is not a table of classes (every model is its own class): its vocabulary
(managers, lazy queryset methods, the methods that hit the database) is listed here and
the chains are recognised by :mod:`reviewlint.analysis.db`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

READ = "read"
WRITE = "write"
SQL = "sql"  # read or write, depending on the statement passed
#: ``session.add/merge/delete``: stages an object in the unit of work, no SQL yet
STAGE = "stage"
#: ``session.flush/commit``: sends what was staged
FLUSH = "flush"


@dataclass(frozen=True)
class DbMethod:
    """A call that talks to the database."""

    qualname: str
    library: str
    kind: str  # READ / WRITE / SQL
    #: positional index / keyword of the statement (SQL text, ``select(...)``, ``text(...)``)
    sql_index: int | None = None
    sql_keyword: str | None = None
    #: a coroutine (asyncpg, AsyncSession, psycopg AsyncConnection): awaited to run
    is_async: bool = False


# ---------------------------------------------------------------------- types
SA_SESSION = "sqlalchemy.orm.Session"
SA_ASYNC_SESSION = "sqlalchemy.ext.asyncio.AsyncSession"
SA_SCOPED_SESSION = "sqlalchemy.orm.scoped_session"
SA_CONNECTION = "sqlalchemy.engine.Connection"
SA_ASYNC_CONNECTION = "sqlalchemy.ext.asyncio.AsyncConnection"
SA_ENGINE = "sqlalchemy.engine.Engine"
SA_ASYNC_ENGINE = "sqlalchemy.ext.asyncio.AsyncEngine"
SA_QUERY = "sqlalchemy.orm.Query"

ASYNCPG_CONNECTION = "asyncpg.Connection"
ASYNCPG_POOL = "asyncpg.Pool"

MONGO_CLIENT = "pymongo.MongoClient"
MONGO_DATABASE = "pymongo.database.Database"
MONGO_COLLECTION = "pymongo.collection.Collection"

#: DB-API connections and cursors: (connection class, cursor class, library)
DBAPI: tuple[tuple[str, str, str], ...] = (
    ("sqlite3.Connection", "sqlite3.Cursor", "sqlite3"),
    ("psycopg2.extensions.connection", "psycopg2.extensions.cursor", "psycopg2"),
    ("psycopg.Connection", "psycopg.Cursor", "psycopg"),
    ("pymysql.connections.Connection", "pymysql.cursors.Cursor", "pymysql"),
    ("MySQLdb.connections.Connection", "MySQLdb.cursors.Cursor", "MySQLdb"),
    ("mysql.connector.connection.MySQLConnection", "mysql.connector.cursor.MySQLCursor", "mysql.connector"),
    ("django.db.backends.base.base.BaseDatabaseWrapper", "django.db.backends.utils.CursorWrapper", "django"),
)
PSYCOPG_ASYNC_CONNECTION = "psycopg.AsyncConnection"
PSYCOPG_ASYNC_CURSOR = "psycopg.AsyncCursor"

KNOWN_TYPES: frozenset[str] = frozenset(
    {
        SA_SESSION,
        SA_ASYNC_SESSION,
        SA_SCOPED_SESSION,
        SA_CONNECTION,
        SA_ASYNC_CONNECTION,
        SA_ENGINE,
        SA_ASYNC_ENGINE,
        SA_QUERY,
        ASYNCPG_CONNECTION,
        ASYNCPG_POOL,
        MONGO_CLIENT,
        MONGO_DATABASE,
        MONGO_COLLECTION,
        PSYCOPG_ASYNC_CONNECTION,
        PSYCOPG_ASYNC_CURSOR,
        *(conn for conn, _, _ in DBAPI),
        *(cur for _, cur, _ in DBAPI),
    }
)

#: calling the class constructs an instance (``Session(engine)``, ``MongoClient(uri)``)
CONSTRUCTIBLE: frozenset[str] = frozenset({SA_SESSION, SA_ASYNC_SESSION, MONGO_CLIENT})

TYPE_ALIASES: dict[str, str] = {
    "sqlalchemy.orm.session.Session": SA_SESSION,
    "sqlmodel.Session": SA_SESSION,
    "sqlmodel.orm.session.Session": SA_SESSION,
    "sqlalchemy.ext.asyncio.session.AsyncSession": SA_ASYNC_SESSION,
    "sqlmodel.ext.asyncio.session.AsyncSession": SA_ASYNC_SESSION,
    "sqlalchemy.orm.scoping.scoped_session": SA_SCOPED_SESSION,
    "sqlalchemy.engine.base.Connection": SA_CONNECTION,
    "sqlalchemy.engine.base.Engine": SA_ENGINE,
    "sqlalchemy.Engine": SA_ENGINE,
    "sqlalchemy.Connection": SA_CONNECTION,
    "sqlalchemy.ext.asyncio.engine.AsyncEngine": SA_ASYNC_ENGINE,
    "sqlalchemy.ext.asyncio.engine.AsyncConnection": SA_ASYNC_CONNECTION,
    "sqlalchemy.orm.query.Query": SA_QUERY,
    "asyncpg.connection.Connection": ASYNCPG_CONNECTION,
    "asyncpg.pool.Pool": ASYNCPG_POOL,
    "pymongo.mongo_client.MongoClient": MONGO_CLIENT,
    "pymongo.database.Database": MONGO_DATABASE,
    "pymongo.collection.Collection": MONGO_COLLECTION,
    "psycopg.connection.Connection": "psycopg.Connection",
    "psycopg.cursor.Cursor": "psycopg.Cursor",
    "psycopg.connection_async.AsyncConnection": PSYCOPG_ASYNC_CONNECTION,
    "psycopg2.extensions.cursor": "psycopg2.extensions.cursor",
    "pymysql.Connection": "pymysql.connections.Connection",
}

#: what calling a qualified name returns
RESULT_TYPES: dict[str, str] = {
    # SQLAlchemy engines, connections, sessions, legacy Query chains
    "sqlalchemy.create_engine": SA_ENGINE,
    "sqlalchemy.engine.create_engine": SA_ENGINE,
    "sqlmodel.create_engine": SA_ENGINE,
    "sqlalchemy.ext.asyncio.create_async_engine": SA_ASYNC_ENGINE,
    f"{SA_ENGINE}.connect": SA_CONNECTION,
    f"{SA_ENGINE}.begin": SA_CONNECTION,
    f"{SA_ASYNC_ENGINE}.connect": SA_ASYNC_CONNECTION,
    f"{SA_ASYNC_ENGINE}.begin": SA_ASYNC_CONNECTION,
    f"{SA_SESSION}.query": SA_QUERY,
    f"{SA_SCOPED_SESSION}.query": SA_QUERY,
    # DB-API
    "sqlite3.connect": "sqlite3.Connection",
    "psycopg2.connect": "psycopg2.extensions.connection",
    "psycopg.connect": "psycopg.Connection",
    "psycopg.Connection.connect": "psycopg.Connection",
    "psycopg.AsyncConnection.connect": PSYCOPG_ASYNC_CONNECTION,
    f"{PSYCOPG_ASYNC_CONNECTION}.cursor": PSYCOPG_ASYNC_CURSOR,
    "pymysql.connect": "pymysql.connections.Connection",
    "MySQLdb.connect": "MySQLdb.connections.Connection",
    "mysql.connector.connect": "mysql.connector.connection.MySQLConnection",
    "django.db.connection.cursor": "django.db.backends.utils.CursorWrapper",
    # asyncpg
    "asyncpg.connect": ASYNCPG_CONNECTION,
    "asyncpg.create_pool": ASYNCPG_POOL,
    f"{ASYNCPG_POOL}.acquire": ASYNCPG_CONNECTION,
    # pymongo
    f"{MONGO_CLIENT}.get_database": MONGO_DATABASE,
    f"{MONGO_CLIENT}.get_default_database": MONGO_DATABASE,
    f"{MONGO_DATABASE}.get_collection": MONGO_COLLECTION,
}
for _conn, _cur, _lib in DBAPI:
    RESULT_TYPES[f"{_conn}.cursor"] = _cur

#: legacy ``Query`` methods that return another ``Query`` (lazy)
SA_QUERY_CHAIN = (
    "filter", "filter_by", "join", "outerjoin", "order_by", "group_by", "having", "limit", "offset",
    "options", "distinct", "where", "with_entities", "select_from", "correlate", "execution_options",
    "populate_existing", "with_for_update", "enable_eagerloads", "params", "yield_per",
)
for _meth in SA_QUERY_CHAIN:
    RESULT_TYPES[f"{SA_QUERY}.{_meth}"] = SA_QUERY

DB_CALLS: dict[str, DbMethod] = {}


def _add(qualname: str, library: str, kind: str, sql_index: int | None = None, sql_keyword: str | None = None,
         is_async: bool = False) -> None:
    DB_CALLS[qualname] = DbMethod(qualname, library, kind, sql_index, sql_keyword, is_async)


# SQLAlchemy ORM sessions (2.0 style and legacy), sqlmodel's ``exec``
for _cls, _async in ((SA_SESSION, False), (SA_SCOPED_SESSION, False), (SA_ASYNC_SESSION, True)):
    _add(f"{_cls}.execute", "sqlalchemy", SQL, 0, "statement", _async)
    _add(f"{_cls}.exec", "sqlalchemy", SQL, 0, "statement", _async)
    _add(f"{_cls}.scalar", "sqlalchemy", READ, 0, "statement", _async)
    _add(f"{_cls}.scalars", "sqlalchemy", READ, 0, "statement", _async)
    _add(f"{_cls}.get", "sqlalchemy", READ, None, None, _async)
    _add(f"{_cls}.get_one", "sqlalchemy", READ, None, None, _async)
    _add(f"{_cls}.refresh", "sqlalchemy", READ, None, None, _async)
    _add(f"{_cls}.add", "sqlalchemy", STAGE, None, None, False)  # sync even on AsyncSession
    _add(f"{_cls}.add_all", "sqlalchemy", STAGE, None, None, False)
    _add(f"{_cls}.merge", "sqlalchemy", STAGE, None, None, _async)
    _add(f"{_cls}.delete", "sqlalchemy", STAGE, None, None, _async)
    _add(f"{_cls}.flush", "sqlalchemy", FLUSH, None, None, _async)
    _add(f"{_cls}.commit", "sqlalchemy", FLUSH, None, None, _async)
# Core connections and (1.x) engines
for _cls, _async in ((SA_CONNECTION, False), (SA_ASYNC_CONNECTION, True), (SA_ENGINE, False)):
    _add(f"{_cls}.execute", "sqlalchemy", SQL, 0, "statement", _async)
    _add(f"{_cls}.exec_driver_sql", "sqlalchemy", SQL, 0, "statement", _async)
    _add(f"{_cls}.scalar", "sqlalchemy", READ, 0, "statement", _async)
    _add(f"{_cls}.scalars", "sqlalchemy", READ, 0, "statement", _async)
# legacy Query terminals
for _meth in ("all", "first", "one", "one_or_none", "scalar", "count", "get", "exists"):
    _add(f"{SA_QUERY}.{_meth}", "sqlalchemy", READ)
for _meth in ("update", "delete"):
    _add(f"{SA_QUERY}.{_meth}", "sqlalchemy", WRITE)

# DB-API (PEP 249) cursors and the connections' ``execute`` shortcut (sqlite3, psycopg 3)
for _conn, _cur, _lib in DBAPI:
    _add(f"{_cur}.execute", _lib, SQL, 0, None)
    _add(f"{_conn}.execute", _lib, SQL, 0, None)
_add(f"{PSYCOPG_ASYNC_CURSOR}.execute", "psycopg", SQL, 0, None, True)
_add(f"{PSYCOPG_ASYNC_CONNECTION}.execute", "psycopg", SQL, 0, None, True)

# asyncpg connections and pools
for _cls in (ASYNCPG_CONNECTION, ASYNCPG_POOL):
    for _meth in ("fetch", "fetchrow", "fetchval"):
        _add(f"{_cls}.{_meth}", "asyncpg", READ, 0, "query", True)
    _add(f"{_cls}.execute", "asyncpg", SQL, 0, "query", True)

# pymongo collections
MONGO_READS = ("find", "find_one", "count_documents", "aggregate", "distinct", "estimated_document_count")
MONGO_WRITES = (
    "insert_one", "update_one", "update_many", "replace_one", "delete_one", "delete_many",
    "find_one_and_update", "find_one_and_replace", "find_one_and_delete",
)
for _meth in MONGO_READS:
    _add(f"{MONGO_COLLECTION}.{_meth}", "pymongo", READ)
for _meth in MONGO_WRITES:
    _add(f"{MONGO_COLLECTION}.{_meth}", "pymongo", WRITE)

#: ``client.<db>.<collection>.<method>`` / ``db.<collection>.<method>`` as the engine spells them
_MONGO_ATTR_CHAIN = re.compile(
    r"^(?:pymongo\.MongoClient\.\w+|pymongo\.database\.Database)\.(?!get_collection\b)\w+\.(\w+)$"
)


def db_method(qualname: str | None) -> DbMethod | None:
    """The DB call ``qualname`` names (SQLAlchemy, DB-API, asyncpg, pymongo), or None."""
    if not qualname:
        return None
    found = DB_CALLS.get(qualname)
    if found is not None:
        return found
    owner, _, meth = qualname.rpartition(".")
    canonical = TYPE_ALIASES.get(owner)
    if canonical is not None:
        return DB_CALLS.get(f"{canonical}.{meth}")
    match = _MONGO_ATTR_CHAIN.match(qualname)
    if match is not None:
        return DB_CALLS.get(f"{MONGO_COLLECTION}.{match.group(1)}")
    return None


# ---------------------------------------------------------------------- SQLAlchemy statements
#: constructors of statements, by what they do
SA_READ_STATEMENTS = frozenset(
    {"sqlalchemy.select", "sqlalchemy.sql.select", "sqlalchemy.future.select", "sqlmodel.select",
     "sqlalchemy.sql.expression.select", "sqlalchemy.exists"}
)
SA_WRITE_STATEMENTS = frozenset(
    {"sqlalchemy.insert", "sqlalchemy.update", "sqlalchemy.delete", "sqlalchemy.sql.insert",
     "sqlalchemy.sql.update", "sqlalchemy.sql.delete", "sqlalchemy.sql.expression.insert",
     "sqlalchemy.sql.expression.update", "sqlalchemy.sql.expression.delete",
     "sqlalchemy.dialects.postgresql.insert", "sqlalchemy.dialects.sqlite.insert",
     "sqlalchemy.dialects.mysql.insert"}
)
#: ``text("...")``: raw SQL, judged by its text
SA_TEXT = frozenset({"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text", "sqlmodel.text"})

# ---------------------------------------------------------------------- Django ORM
#: attributes of a model class that are managers
DJANGO_MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
#: manager/queryset methods that return a new (lazy) queryset: no query yet
DJANGO_LAZY = frozenset(
    {
        "all", "filter", "exclude", "order_by", "select_related", "prefetch_related", "values", "values_list",
        "only", "defer", "annotate", "alias", "distinct", "using", "select_for_update", "none", "reverse",
        "dates", "datetimes", "union", "intersection", "difference", "complex_filter",
    }
)
#: methods that run a query and read
_DJANGO_READ_SYNC = ("get", "first", "last", "count", "exists", "aggregate", "in_bulk", "earliest", "latest",
                     "contains", "iterator", "explain")
#: methods that write (``bulk_*`` are the batch fix, not a per-row write)
_DJANGO_WRITE_SYNC = ("create", "get_or_create", "update_or_create", "update", "delete")
DJANGO_READS = frozenset(_DJANGO_READ_SYNC) | frozenset(f"a{m}" for m in _DJANGO_READ_SYNC)
DJANGO_WRITES = frozenset(_DJANGO_WRITE_SYNC) | frozenset(f"a{m}" for m in _DJANGO_WRITE_SYNC)
DJANGO_ASYNC = frozenset(f"a{m}" for m in (*_DJANGO_READ_SYNC, *_DJANGO_WRITE_SYNC))
#: reads that return one model instance
DJANGO_SINGLE_OBJECT = frozenset({"get", "first", "last", "earliest", "latest", "aget", "afirst", "alast",
                                  "aearliest", "alatest", "create", "acreate"})
#: methods of a model instance that write
DJANGO_INSTANCE_WRITES = frozenset({"save", "delete", "asave", "adelete"})
#: the model base classes (a local class deriving from one of them is a model)
DJANGO_MODEL_BASES = frozenset({"django.db.models.Model", "django.db.models.base.Model"})
#: functions that return a model class
DJANGO_MODEL_FACTORIES = frozenset({"django.contrib.auth.get_user_model", "django.apps.apps.get_model"})


# ---------------------------------------------------------------------- SQL text
_SQL_COMMENT = re.compile(r"^\s*(?:--[^\n]*\n|/\*.*?\*/|\s|\()*", re.S)
_WRITE_WORD = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE|MERGE|UPSERT)\b", re.I)
_FIRST_WORD = re.compile(r"[A-Za-z]+")
_READ_FIRST = frozenset({"SELECT", "WITH", "SHOW", "VALUES", "TABLE", "EXPLAIN"})
_WRITE_FIRST = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "UPSERT"})


def sql_kind(text: str | None) -> str | None:
    """READ for ``SELECT``/``WITH ... SELECT``, WRITE for ``INSERT``/``UPDATE``/``DELETE``, else None."""
    if not text:
        return None
    body = text[_SQL_COMMENT.match(text).end():]  # type: ignore[union-attr]
    match = _FIRST_WORD.match(body)
    if match is None:
        return None
    first = match.group(0).upper()
    if first in _WRITE_FIRST:
        return WRITE
    if first in _READ_FIRST:
        if first in ("WITH", "EXPLAIN") and _WRITE_WORD.search(body):
            return WRITE if first == "WITH" else None
        if first == "SELECT" and re.search(r"\bFOR\s+UPDATE\b", body, re.I):
            return READ
        return READ
    return None


_SELECT_STAR = re.compile(r"SELECT\s+(?:DISTINCT\s+)?\*\s*FROM\s+([A-Za-z_\"`\[])", re.I)


def has_select_star(text: str | None) -> bool:
    """The statement is ``SELECT * FROM <named table>`` (or ``SELECT DISTINCT *``).

    Not ``COUNT(*)``, ``SELECT t.*``, a star in a sub-select or CTE (``EXISTS (SELECT * ...)``),
    ``SELECT * FROM (subquery)`` (the subquery names the columns) or a table only known at run
    time (``f"SELECT * FROM {table}"``: generic code that cannot name columns).
    """
    if not text:
        return False
    body = text[_SQL_COMMENT.match(text).end():]  # type: ignore[union-attr]
    return _SELECT_STAR.match(body) is not None
