"""Corrections kept in a database: what people told the app it misread.

SQLite in the app's instance folder by default (WAL, every commit synced to disk), or PostgreSQL
when DATABASE_URL is a postgresql:// URL, so that several app machines share one store. The same
SQLAlchemy Core statements run on both. The schema is created and migrated when the store is
first used, and its version kept in the database.

The store is opened lazily, in each server process after it forks, and never stops the app: while
the database cannot be reached, every call raises StoreUnavailable (the API answers 503), and the
next call tries again, so writes resume by themselves once it is back.

What is kept is what the page says it keeps: the strokes, the right label, the model's answer and
version, the time. Nothing about who sent it.
"""

import json
import os
import time
from pathlib import Path

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy import delete as sql_delete
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from recognition.answer import NOT_A_DIGIT_CLASS, NOT_A_DIGIT_LABEL

SCHEMA_VERSION = 1
# A correction that says the drawing is no digit at all: its label as the API and the stroke files
# write it; the label column keeps the model's eleventh class.
NOT_A_DIGIT = NOT_A_DIGIT_LABEL
STATUSES = ("new", "accepted", "rejected")

metadata = MetaData()
corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Seconds since 1970 (UTC): the same on every database, and what retention compares.
    Column("created", Float, nullable=False, index=True),
    Column("label", SmallInteger, nullable=False),
    # The model's answer: a digit, or null where it said "not a digit" or "not sure".
    Column("predicted", SmallInteger, nullable=True),
    # The SHA-256 of the weights that answered.
    Column("model", String(64), nullable=False),
    Column("strokes", Text, nullable=False),  # JSON: [[[x, y], ...], ...]
    Column("status", String(10), nullable=False, index=True),
    # Chosen by the client for each correction: the same correction sent twice (a retry after a
    # lost answer) is stored once.
    Column("key", String(64), nullable=True, unique=True),
)
schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

# Version n's migration takes a connection inside a transaction; version 1 creates the tables.
MIGRATIONS = {1: lambda conn: metadata.create_all(conn, tables=[corrections])}


class StoreUnavailable(Exception):
    """The database cannot be reached, or refused the statement for a reason of its own."""


class StoreFull(Exception):
    """The store holds as many corrections as it may."""


def database_url(setting, instance_path):
    """The SQLAlchemy URL for the DATABASE_URL setting: SQLite in the instance folder when it is
    empty, psycopg (version 3) for postgresql:// URLs, anything else as given.
    """
    if not setting:
        return f"sqlite:///{Path(instance_path) / 'corrections.db'}"
    for prefix in ("postgresql://", "postgres://"):
        if setting.startswith(prefix):
            return "postgresql+psycopg://" + setting[len(prefix) :]
    return setting


def _tune_sqlite(dbapi_connection, _record):
    # Transactions are begun by _begin_immediate, not by the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait on the writer
    cursor.execute("PRAGMA synchronous=FULL")  # a commit is on disk before it is answered
    cursor.execute("PRAGMA busy_timeout=10000")  # writers from several processes take turns
    cursor.close()


def _begin_immediate(conn):
    """Take the write lock when a transaction begins: a transaction that read first and then
    wrote could otherwise fail at once (SQLITE_BUSY) when another process wrote in between,
    instead of waiting its turn."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Store:
    """The corrections table behind a few calls; thread-safe, and safe across a fork."""

    def __init__(self, url, limit):
        self.url = url
        self.limit = limit
        self._engine = None
        self._pid = None
        self._migrated = False

    def _connect(self):
        """The engine of this process: made after a fork, never shared with the parent."""
        if self._engine is None or self._pid != os.getpid():
            sqlite = self.url.startswith("sqlite")
            options = {"pool_pre_ping": True}
            if self.url.startswith("postgresql"):
                options["connect_args"] = {"connect_timeout": 3}
            if sqlite:
                Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(self.url, **options)
            if sqlite:
                event.listen(engine, "connect", _tune_sqlite)
                event.listen(engine, "begin", _begin_immediate)
            self._engine, self._pid, self._migrated = engine, os.getpid(), False
        return self._engine

    def _begin(self):
        """A transaction on a migrated schema."""
        engine = self._connect()
        if not self._migrated:
            with engine.begin() as conn:
                migrate(conn)
            self._migrated = True
        return engine.begin()

    def _run(self, work):
        """work(conn) in one transaction; StoreUnavailable for any failure of the database."""
        try:
            with self._begin() as conn:
                return work(conn)
        except (StoreFull, IntegrityError):
            raise
        except (SQLAlchemyError, OSError) as exc:
            self._migrated = False  # a database that came back may be a new, empty one
            raise StoreUnavailable(_reason(exc)) from exc

    def open(self, keep_days=0):
        """At the app's start: create or migrate the schema and, with keep_days, delete what is
        older; then let the connections go, so that no server process inherits one across a
        fork. Whether the database answered; if not, the first correction tries again.
        """
        try:
            self._run(lambda conn: conn.execute(text("SELECT 1")))
            if keep_days:
                self.prune(keep_days)
            return True
        except StoreUnavailable:
            return False
        finally:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    def add(self, strokes, label, predicted, model, key=None):
        """Keep one correction; (id, True) once stored, (id, False) if its key was stored before."""
        row = {
            "created": time.time(),
            "label": NOT_A_DIGIT_CLASS if label == NOT_A_DIGIT else label,
            "predicted": predicted,
            "model": model,
            "strokes": json.dumps(strokes, separators=(",", ":")),
            "status": "new",
            "key": key,
        }

        def work(conn):
            if key is not None:
                found = _id_of_key(conn, key)
                if found is not None:
                    return found, False
            count = conn.execute(select(func.count()).select_from(corrections)).scalar()
            if count >= self.limit:
                raise StoreFull(f"the store holds its most corrections ({self.limit})")
            return conn.execute(insert(corrections).values(**row)).inserted_primary_key[0], True

        try:
            return self._run(work)
        except IntegrityError:
            # The same key from another writer at the same moment: that one was stored.
            return self._run(lambda conn: _id_of_key(conn, key)), False

    def count(self, status=None):
        query = select(func.count()).select_from(corrections)
        if status is not None:
            query = query.where(corrections.c.status == status)
        return self._run(lambda conn: conn.execute(query).scalar())

    def listing(self, status=None, limit=50):
        """The newest corrections first (with this status, if given): dicts."""
        query = select(corrections).order_by(corrections.c.id.desc()).limit(limit)
        if status is not None:
            query = query.where(corrections.c.status == status)
        rows = self._run(lambda conn: conn.execute(query).mappings().all())
        return [_record(row) for row in rows]

    def review(self, ident, status):
        """Mark a correction accepted, rejected or new again; whether it exists."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        statement = update(corrections).where(corrections.c.id == ident).values(status=status)
        return self._run(lambda conn: conn.execute(statement).rowcount) == 1

    def export(self, everything=False):
        """Accepted corrections (or all of them), oldest first, as stroke-file records."""
        query = select(corrections).order_by(corrections.c.id)
        if not everything:
            query = query.where(corrections.c.status == "accepted")
        rows = self._run(lambda conn: conn.execute(query).mappings().all())
        return [_record(row) for row in rows]

    def prune(self, keep_days, now=None):
        """Delete corrections older than keep_days; how many went."""
        cutoff = (time.time() if now is None else now) - keep_days * 86400
        statement = sql_delete(corrections).where(corrections.c.created < cutoff)
        return self._run(lambda conn: conn.execute(statement).rowcount)


def migrate(conn):
    """Bring the schema to SCHEMA_VERSION, one migration at a time, in the caller's transaction.

    On PostgreSQL an advisory lock makes app machines that start together migrate one after the
    other; SQLite's writers take turns anyway.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(735201)"))
    metadata.create_all(conn, tables=[schema_version])
    current = conn.execute(select(func.max(schema_version.c.version))).scalar() or 0
    for version in range(current + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[version](conn)
        conn.execute(insert(schema_version).values(version=version))


def _id_of_key(conn, key):
    """The id of the correction stored with this key, or None."""
    return conn.execute(select(corrections.c.id).where(corrections.c.key == key)).scalar()


def _record(row):
    """A stored correction in the format of the stroke files, plus what the store knows."""
    return {
        "id": row["id"],
        "writer": "corrections",
        "label": NOT_A_DIGIT if row["label"] == NOT_A_DIGIT_CLASS else row["label"],
        "strokes": json.loads(row["strokes"]),
        "predicted": row["predicted"],
        "model": row["model"],
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(row["created"])),
        "status": row["status"],
    }


def _reason(exc):
    """One line about a database failure, without the SQL or its parameters."""
    original = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    return lines[0] if lines else type(original).__name__
