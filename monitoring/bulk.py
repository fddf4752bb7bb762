"""The bulk-insert engine of every high-volume write: ingestion's records (idempotent by
their client-made UUID), the daily-summary upserts, and the nightly risk scores.

`Inserter` sends `INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id` for many rows at once
(COPY on PostgreSQL for large batches), an upsert on a unique key, or an insert that keeps
the rows whose unique key is already there and returns the ids of all the keys' rows (the
scores); `store_rows` turns what went in into one status per record (stored, duplicate,
conflict). No check-then-act: two identical uploads racing each other store one row."""

import functools
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC
from typing import Any
from uuid import UUID

import psycopg
from django.db import connection, models, transaction
from psycopg.types.json import Jsonb

from patients.models import Patient

STORED, DUPLICATE, CONFLICT = "stored", "duplicate", "conflict"

_PG_TYPE_NAMES = {
    "timestamp with time zone": "timestamptz",
    "double precision": "float8",
    "integer": "int4",
    "smallint": "int2",
    "bigint": "int8",
    "boolean": "bool",
}
# JSON columns get strict JSON on both databases: a NaN or an infinity is refused, not stored.
_json_text = functools.partial(json.dumps, allow_nan=False)


def _pg_type(f: Any) -> str:
    """The type name psycopg's binary COPY wants for a model field's column."""
    target = f.target_field if isinstance(f, models.ForeignKey) else f
    declared = str(target.db_type(connection)).split("(")[0].strip()
    return _PG_TYPE_NAMES.get(declared, declared)


def _concrete_field(model: type[models.Model], name: str) -> models.Field:
    """A field with a column of its own (not a reverse relation): the engine writes columns."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{model._meta.label}.{name} has no column to write.")
    return field


class Inserter:
    """`INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id` for many rows at once, with the
    values adapted once per column (a plain multi-row statement is several times faster than
    the ORM's bulk_create for the 1,000-record batches, and says which ids went in).
    With `upsert_on`, `insert` upserts on that unique key instead; with `keep_on`,
    `insert_or_keep` keeps the rows whose unique key is already there."""

    def __init__(
        self,
        model: type[models.Model],
        names: Sequence[str],
        *,
        upsert_on: Sequence[str] = (),
        update: Sequence[str] = (),
        keep_on: Sequence[str] = (),
    ) -> None:
        if upsert_on and keep_on:
            raise ValueError("An Inserter upserts on a key or keeps on one, not both.")
        self.model = model
        self.fields = [_concrete_field(model, name) for name in names]
        qn = connection.ops.quote_name
        self.table = qn(model._meta.db_table)
        self.pk = qn(str(model._meta.pk.column))
        self.columns = ", ".join(qn(str(f.column)) for f in self.fields)
        # Only our own table and column names go into the text; every value is a parameter.
        self.head = f"INSERT INTO {self.table} ({self.columns}) VALUES "  # noqa: S608  # nosec B608
        self.returning = not upsert_on and not keep_on
        key_fields = [_concrete_field(model, name) for name in keep_on]
        self.key_indexes = [self.fields.index(f) for f in key_fields]  # the key is among the columns
        self.keys = ", ".join(qn(str(f.column)) for f in key_fields)
        if upsert_on:
            # An upsert: on the unique key, overwrite the `update` columns only.
            keys = [str(_concrete_field(model, name).column) for name in upsert_on]
            targets = [str(_concrete_field(model, name).column) for name in update]
            updates = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in targets)
            self.tail = f" ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET {updates}"  # nosec B608
        elif keep_on:
            self.tail = f" ON CONFLICT ({self.keys}) DO NOTHING"
        else:
            self.tail = f" ON CONFLICT ({self.pk}) DO NOTHING RETURNING {self.pk}"
        self.row_sql = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        self.sqlite = connection.vendor == "sqlite"
        # SQLite allows 250,000 variables here (32,766 on older builds); PostgreSQL 65,535.
        self.rows_per_statement = max(1, (30_000 if self.sqlite else 60_000) // len(self.fields))
        self.adapters: list[Callable[[Any], Any] | None] = [self._adapter(f) for f in self.fields]
        self.pg_types = [_pg_type(f) for f in self.fields] if not self.sqlite else []
        self.pk_index = self.fields.index(model._meta.pk) if model._meta.pk in self.fields else 0
        # PostgreSQL upserts (the daily summaries of a batch: ~20 rows of ~30 columns) go as
        # one typed array per column through unnest(): the statement has 30 parameters
        # whatever the rows, where a VALUES list has 600 for the driver to parse and quote.
        self.has_json = any(isinstance(f, models.JSONField) for f in self.fields)
        self.unnest_sql = ""
        if upsert_on and not self.sqlite and not self.has_json:
            arrays = ", ".join(f"%s::{t}[]" for t in self.pg_types)
            self.unnest_sql = f"INSERT INTO {self.table} ({self.columns}) SELECT * FROM unnest({arrays})"  # noqa: S608  # nosec B608
            self.unnest_sql += self.tail

    def _adapter(self, f: Any) -> Callable[[Any], Any] | None:
        if isinstance(f, models.JSONField):
            return _json_text if self.sqlite else lambda value: Jsonb(value, dumps=_json_text)
        if not self.sqlite:
            return None  # psycopg adapts UUID, aware datetime, date, numbers and bool itself
        if isinstance(f, models.UUIDField) or (
            isinstance(f, models.ForeignKey) and isinstance(f.target_field, models.UUIDField)
        ):
            return lambda value: value.hex
        if isinstance(f, models.DateTimeField):
            return lambda value: value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        if isinstance(f, models.DateField | models.TimeField):
            return lambda value: value.isoformat()
        return None

    def _adapted(self, rows: Sequence[Sequence[Any]], columns: Sequence[int] | None = None) -> Sequence[Sequence[Any]]:
        """The rows' values (of `columns`, default all) as the driver is given them."""
        picked = range(len(self.fields)) if columns is None else columns
        adapters = [(j, adapt) for j, adapt in enumerate(self.adapters[i] for i in picked) if adapt is not None]
        if columns is None and not adapters:
            return rows
        out = []
        for row in rows:
            values = [row[i] for i in picked]
            for j, adapt in adapters:
                if values[j] is not None:
                    values[j] = adapt(values[j])
            out.append(values)
        return out

    def insert(self, rows: Sequence[Sequence[Any]]) -> set[UUID]:
        if not self.sqlite and self.returning and len(rows) >= _COPY_FROM:
            return self._copy_insert(rows)
        if self.unnest_sql and rows:
            with connection.cursor() as cursor:
                cursor.execute(self.unnest_sql, [list(column) for column in zip(*rows, strict=True)])
            return set()
        inserted: set[UUID] = set()
        with connection.cursor() as cursor:
            for chunk in self._chunks(rows):
                self._insert_values(cursor, chunk)
                if self.returning:
                    returned = [value for (value,) in cursor.fetchall()]
                    if self.sqlite:  # hex strings: match them to the rows' ids without parsing each
                        by_hex = {row[self.pk_index].hex: row[self.pk_index] for row in chunk}
                        inserted.update(by_hex[value] for value in returned)
                    else:
                        inserted.update(returned)
        return inserted

    def _chunks(self, rows: Sequence[Sequence[Any]]) -> Iterator[Sequence[Sequence[Any]]]:
        for offset in range(0, len(rows), self.rows_per_statement):
            yield rows[offset : offset + self.rows_per_statement]

    def _insert_values(self, cursor: Any, rows: Sequence[Sequence[Any]]) -> None:
        params = [value for row in self._adapted(rows) for value in row]
        cursor.execute(self.head + ", ".join([self.row_sql] * len(rows)) + self.tail, params)

    def insert_or_keep(self, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """Insert the rows whose `keep_on` key is not in the table, keep the rows already
        there as they are, and return the primary keys of the rows of all these keys (new or
        kept; each once, in no particular order). Rerun with the same rows, it changes
        nothing and returns the same keys. On PostgreSQL the rows are COPYed into a staging
        table and inserted from it (quoting many JSON values into a VALUES statement costs
        more than the insert itself); on SQLite they go as multi-row INSERT statements."""
        if not self.key_indexes:
            raise ValueError("insert_or_keep needs an Inserter made with keep_on.")
        if not rows:
            return []
        ids: list[Any] = []
        # One transaction (the caller's if there is one): the staging table lives until commit.
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            if self.sqlite:
                for chunk in self._chunks(rows):
                    self._insert_values(cursor, chunk)
                keys = self._adapted(rows, self.key_indexes)
                per_statement = 30_000 // len(self.key_indexes)
                for offset in range(0, len(keys), per_statement):
                    chunk = keys[offset : offset + per_statement]
                    values = ", ".join(["(" + ", ".join(["%s"] * len(self.key_indexes)) + ")"] * len(chunk))
                    cursor.execute(
                        f"SELECT {self.pk} FROM {self.table} WHERE ({self.keys}) IN (VALUES {values})",  # noqa: S608  # nosec B608
                        [value for key in chunk for value in key],
                    )
                    ids.extend(value for (value,) in cursor.fetchall())
                return ids
            pg = cursor.cursor  # the psycopg cursor under Django's wrapper
            staging = self._stage(pg, rows)
            pg.execute(
                f"INSERT INTO {self.table} ({self.columns}) SELECT {self.columns} FROM {staging}{self.tail}"  # noqa: S608  # nosec B608
            )
            # A second statement, so that rows a concurrent transaction committed meanwhile
            # (skipped by the insert) are seen too; it empties the staging table as it reads.
            pg.execute(
                f"WITH staged AS (DELETE FROM {staging} RETURNING {self.keys}) "  # noqa: S608  # nosec B608
                f"SELECT {self.pk} FROM {self.table} WHERE ({self.keys}) IN (SELECT {self.keys} FROM staged)"
            )
            ids.extend(value for (value,) in pg.fetchall())
        return ids

    def _stage(self, pg: Any, rows: Sequence[Sequence[Any]]) -> str:
        """COPY the rows into this table's staging table (PostgreSQL; the caller's transaction)
        and return its name. The staging table is a session temp table with the table's column
        types and no constraint, emptied at commit; the caller empties it when done. It is
        created if missing, every time: one made in a transaction that was rolled back is gone."""
        staging = connection.ops.quote_name(f"staging_{self.model._meta.db_table}")
        pg.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS "  # noqa: S608  # nosec B608
            f"AS SELECT * FROM {self.table} WITH NO DATA"
        )
        self._copy(pg, staging, rows)
        return staging

    def _copy(self, pg: Any, table: str, rows: Sequence[Sequence[Any]]) -> None:
        # Binary COPY (typed) is several times cheaper to produce than text.
        with pg.copy(f"COPY {table} ({self.columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(self.pg_types)
            if self.has_json:
                rows = self._adapted(rows)
            for row in rows:
                copy.write_row(row)

    def _copy_insert(self, rows: Sequence[Sequence[Any]]) -> set[UUID]:
        """PostgreSQL, many rows. A long multi-row VALUES statement spends most of its time
        having its placeholders parsed and its values quoted by the driver; COPY streams the
        values instead. New records (the usual case) are COPYed straight into the table in a
        savepoint; if any id is already there, the savepoint is rolled back and the rows go
        through the staging table and `INSERT ... SELECT ... ON CONFLICT DO NOTHING`, which
        says which ids went in. A racing identical upload waits on the primary key and then
        takes the second path: it stores nothing twice."""
        if not connection.in_atomic_block:
            raise RuntimeError("the COPY path runs inside the caller's transaction")
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                self._copy(cursor.cursor, self.table, rows)
            return {row[self.pk_index] for row in rows}
        except psycopg.errors.UniqueViolation:
            pass
        with connection.cursor() as cursor:
            pg = cursor.cursor  # the psycopg cursor under Django's wrapper
            staging = self._stage(pg, rows)
            # Emptied as it is read: the next insert of this transaction starts from nothing.
            pg.execute(
                f"WITH staged AS (DELETE FROM {staging} RETURNING {self.columns}) "  # noqa: S608  # nosec B608
                f"INSERT INTO {self.table} ({self.columns}) SELECT {self.columns} FROM staged{self.tail}"
            )
            return {value for (value,) in pg.fetchall()}


# Below this many rows a VALUES statement is cheaper than COPY's extra round trips.
_COPY_FROM = 64
_inserters: dict[tuple, Inserter] = {}


def inserter(
    model: type[models.Model],
    names: Sequence[str],
    *,
    upsert_on: Sequence[str] = (),
    update: Sequence[str] = (),
    keep_on: Sequence[str] = (),
) -> Inserter:
    key = (connection.vendor, model._meta.label, tuple(names), tuple(upsert_on), tuple(update), tuple(keep_on))
    if key not in _inserters:
        _inserters[key] = Inserter(model, names, upsert_on=upsert_on, update=update, keep_on=keep_on)
    return _inserters[key]


def store_rows(
    *,
    model: type[models.Model],
    patient: Patient,
    records: Sequence[Any],
    columns: Sequence[str],
    content: Sequence[str],
    row: Callable[[Any], Sequence[Any]],
) -> list[str]:
    """Store records that carry `.id` and `.content()`; one status per record, in order."""
    statuses: list[str] = [""] * len(records)
    first: dict[UUID, int] = {}
    fresh: list[int] = []
    repeats: list[int] = []
    for i, record in enumerate(records):
        if record.id in first:
            repeats.append(i)
        else:
            first[record.id] = i
            fresh.append(i)
    inserted = inserter(model, columns).insert([row(records[i]) for i in fresh]) if fresh else set()
    missing = [i for i in fresh if records[i].id not in inserted]
    stored: dict[UUID, tuple] = {}
    if missing:
        ids = [records[i].id for i in missing]
        for start in range(0, len(ids), 900):
            for values in model._default_manager.filter(pk__in=ids[start : start + 900]).values_list(
                "pk", "patient_id", *content
            ):
                stored[values[0]] = values[1:]
    for i in fresh:
        record = records[i]
        if record.id in inserted:
            statuses[i] = STORED
        else:
            existing = stored.get(record.id)
            same = existing is not None and existing[0] == patient.pk and tuple(existing[1:]) == record.content()
            statuses[i] = DUPLICATE if same else CONFLICT
    for i in repeats:
        record = records[i]
        origin = first[record.id]
        same = records[origin].content() == record.content()
        statuses[i] = DUPLICATE if same and statuses[origin] != CONFLICT else CONFLICT
    return statuses
