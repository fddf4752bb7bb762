# ruff: noqa: S608 - every statement here is built from SOURCES (our table and column names), never from input
"""The search index's definition that outlives its migration: the tables and text columns
records/search.py reads, and SQLite's FTS5 tables and triggers, which `records.apps` replays
after every `migrate` (SQLite rebuilds a table to alter it, and the rebuild drops its
triggers)."""

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

# (table, text expression, short name)
SOURCES = [
    ("monitoring_checkin", "note", "checkin"),
    ("patients_clinicalevent", "note", "event"),
    ("alerts_alertnote", "text", "alertnote"),
    ("alerts_alert", "resolution_note", "alert"),
    ("patients_crisisplan", "warning_signs || E'\\n' || who_to_call || E'\\n' || what_helped", "crisisplan"),
]


def _columns(source: str) -> list[str]:
    return [part.strip() for part in source.split("||") if not part.strip().startswith("E'")]


def sqlite_statements(table: str, source: str, name: str) -> list[str]:
    """The FTS5 table and its three triggers (IF NOT EXISTS: records.apps replays them)."""
    cols = _columns(source)
    fts = f"search_{name}_fts"
    col_list = ", ".join(cols)
    new_values = ", ".join(f"new.{c}" for c in cols)
    old_values = ", ".join(f"old.{c}" for c in cols)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in cols)
    # Table and column names come from SOURCES above, never from input.
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({col_list}, content='{table}', "
        "tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "  # nosec B608 - identifiers from this module's constants, no user input
        f"INSERT INTO {fts}(rowid, {col_list}) VALUES (new.rowid, {new_values}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "  # nosec B608 - identifiers from this module's constants, no user input
        f"INSERT INTO {fts}({fts}, rowid, {col_list}) VALUES ('delete', old.rowid, {old_values}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE ON {table} WHEN {changed} BEGIN "  # nosec B608 - identifiers from this module's constants, no user input
        f"INSERT INTO {fts}({fts}, rowid, {col_list}) VALUES ('delete', old.rowid, {old_values}); "
        f"INSERT INTO {fts}(rowid, {col_list}) VALUES (new.rowid, {new_values}); END",
    ]


def sqlite_search_index_ensure(*, connection: BaseDatabaseWrapper, **_: Any) -> list[str]:
    """On SQLite, recreate any FTS5 table or trigger that is missing and rebuild that index
    from its table; returns the names of the indexes rebuilt. A no-op elsewhere, and before
    the search migration has run."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        if "django_migrations" not in present:
            return []
        cursor.execute("SELECT 1 FROM django_migrations WHERE app = 'records' AND name = '0001_note_search'")
        if cursor.fetchone() is None:
            return []
        rebuilt = []
        for table, source, name in SOURCES:
            fts = f"search_{name}_fts"
            wanted = {fts, f"{fts}_ai", f"{fts}_ad", f"{fts}_au"}
            if table not in present or wanted <= present:
                continue
            for statement in sqlite_statements(table, source, name):
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # nosec B608 - identifiers from this module's constants, no user input
            rebuilt.append(fts)
        return rebuilt


# The vocabulary of the misspelt-word fallback (PostgreSQL, records/migrations/0002).
_SEARCHED = [table for table, _source, _name in SOURCES]


def search_words_of_checkins(*, connection: BaseDatabaseWrapper, patient_id: Any) -> list[str]:
    """The vocabulary's words in a patient's check-in notes (before they are erased)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT w FROM monitoring_checkin t, public.relapse_search_words(t.note) AS w "
            "WHERE t.patient_id = %s",
            [patient_id],
        )
        return [row[0] for row in cursor.fetchall()]


def search_words_forget(*, connection: BaseDatabaseWrapper, words: list[str]) -> int:
    """Remove from the vocabulary those of `words` that no searched text holds any more (in any
    form: a word is kept while the full-text index finds one of its forms somewhere). Called
    by the erasure, so that a word only an erased patient wrote (a name, a place) does not
    outlive their notes. Returns how many words went."""
    if connection.vendor != "postgresql" or not words:
        return 0
    holds = " AND ".join(
        f"NOT EXISTS (SELECT 1 FROM {table} t WHERE t.search_vector @@ public.relapse_search_query(s.word, ''))"  # nosec B608 - table names from SOURCES
        for table in _SEARCHED
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM public.search_word s WHERE s.word = ANY(%s) AND {holds}", [words])  # nosec B608 - table names from SOURCES
        return int(cursor.rowcount)
