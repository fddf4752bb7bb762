"""A queryset compiled to SQL once per process and database, then run again with new values.

Compiling a queryset costs more Python than PostgreSQL spends running a small indexed
lookup. The user that every authenticated request loads, with its patient record and care
team (`select_related("patient__care_team")` by primary key), spent about 1 ms of a
check-in's CPU in `SQLCompiler.as_sql` alone: a fifth of the server's time under the B2
load. `CompiledLookup` keeps the SQL and the compiler's row layout, and builds the model
instances with Django's own machinery (`Model.from_db`, the related populators and the
field converters), as `QuerySet.__iter__` would: the objects are the queryset's objects.

Only for querysets whose SQL does not depend on anything but the one parameter: no
`now()`, no settings read at compile time, no per-request filters.
"""

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # not in django-stubs

M = TypeVar("M", bound=Model)

# A value no real lookup uses, to find the parameter's place in the compiled SQL.
_SENTINEL = -7_340_264_051


class _Compiled:
    def __init__(self, queryset: QuerySet[Any], alias: str) -> None:
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        positions = [i for i, value in enumerate(params) if value == _SENTINEL]
        if len(positions) != 1:
            raise ValueError("the queryset must use its parameter exactly once")
        self.sql = sql
        self.params = list(params)
        self.position = positions[0]
        self.compiler = compiler
        klass_info = compiler.klass_info
        select = compiler.select
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, alias)
        # The field converters (from_db_value, backend conversions), as results_iter would
        # find them on every call.
        selected = [column[0] for column in select[0 : compiler.col_count]]
        self.converters = compiler.get_converters(selected)
        if compiler.has_composite_fields(selected):
            raise ValueError("composite fields are not supported")


class CompiledLookup(Generic[M]):
    """`CompiledLookup(lambda value: Model.objects.select_related(...).filter(pk=value), field)`:
    `.get(value)` returns the one matching instance or None. `field` is the model field the
    parameter is compared with: its `get_db_prep_value` turns the value into the database's
    form, as the queryset's lookup would (raising ValueError/TypeError/ValidationError on a
    value the field cannot hold)."""

    def __init__(self, build: Callable[[Any], QuerySet[M]], field: Any) -> None:
        self._build = build
        self._field = field
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()

    def _for(self, alias: str) -> _Compiled:
        connection = connections[alias]
        key = (alias, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key)
                if compiled is None:
                    compiled = self._compiled[key] = _Compiled(self._build(_SENTINEL), alias)
        return compiled

    def get(self, value: Any, *, using: str = "default") -> M | None:
        compiled = self._for(using)
        connection = connections[using]
        params = list(compiled.params)
        params[compiled.position] = self._field.get_db_prep_value(value, connection, prepared=False)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchmany(2)
        if not rows:
            return None
        if len(rows) > 1:
            raise compiled.model.MultipleObjectsReturned(f"more than one {compiled.model.__name__} for {value!r}")
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        (row,) = rows
        obj = compiled.model.from_db(using, compiled.init_list, row[compiled.start : compiled.end])
        for populator in compiled.populators:
            populator.populate(row, obj)
        return obj
