"""Full-text search over the patients' free text (records/search.py reads it).

The clinicians' read side owns search, so its index lives here, beside the code that queries
it, rather than as five index migrations spread over the owning apps: one migration, after the
tables it reads, with SQL for each database (RunSQL that does nothing on the other vendor).

PostgreSQL: `unaccent` and `pg_trgm`; a text-search configuration `relapse_en` (English
stemming after unaccent); IMMUTABLE wrapper functions (`relapse_search_fold` for the trigram
indexes, `relapse_search_vector` for the tsvector: French stemmed then unaccented, followed by
English unaccented then stemmed); a generated `search_vector` column with a GIN index on each
table, and a GIN trigram index on the folded text.

SQLite: one FTS5 external-content table per source table (tokenizer `porter unicode61
remove_diacritics 2`), kept in sync by triggers; `records.apps` recreates a missing trigger
and rebuilds its table after any migration (SQLite rebuilds a table to alter it, which drops
its triggers)."""

from django.db import migrations

from records.search_index import SOURCES, sqlite_statements

# Characters that unaccent turns into a quote or a backslash: they would break the tsvector's
# text form that relapse_search_vector unaccents, so they become spaces first.
QUOTE_LIKE = "ŉʹʻʼʽˈ‘’‛′∖﹨"

# A plain string with two placeholders filled below (no user input ever reaches it).
_PG_FUNCTIONS_TEMPLATE = """
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'relapse_en') THEN
    CREATE TEXT SEARCH CONFIGURATION public.relapse_en (COPY = pg_catalog.english);
    ALTER TEXT SEARCH CONFIGURATION public.relapse_en
      ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, english_stem;
  END IF;
END $$;
CREATE OR REPLACE FUNCTION public.relapse_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $f$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $f$;
CREATE OR REPLACE FUNCTION public.relapse_search_clean(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $f$ SELECT translate(coalesce($1, ''), '@QUOTES@', '@SPACES@') $f$;
CREATE OR REPLACE FUNCTION public.relapse_search_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $f$ SELECT public.relapse_unaccent(lower(coalesce($1, ''))) $f$;
-- French: stem first (the French stemmer needs the accents: "hospitalisée" -> "hospitalis"),
-- then unaccent the lexemes; English: unaccent then stem (relapse_en).
CREATE OR REPLACE FUNCTION public.relapse_search_vector(text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $f$ SELECT public.relapse_unaccent(
                  to_tsvector('pg_catalog.french'::regconfig, public.relapse_search_clean($1))::text)::tsvector
             || to_tsvector('public.relapse_en'::regconfig, public.relapse_search_clean($1)) $f$;
-- The query, built the same way; `prefixes` is a to_tsquery text of prefix terms ('w':*),
-- made by records/search.py from word characters only.
CREATE OR REPLACE FUNCTION public.relapse_search_query(q text, prefixes text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $f$ SELECT public.relapse_unaccent((
                  websearch_to_tsquery('pg_catalog.french'::regconfig, public.relapse_search_clean(q))
                  && to_tsquery('pg_catalog.french'::regconfig, public.relapse_search_clean(prefixes)))::text)::tsquery
             || (websearch_to_tsquery('public.relapse_en'::regconfig, public.relapse_search_clean(q))
                 && to_tsquery('public.relapse_en'::regconfig, public.relapse_search_clean(prefixes))) $f$;
"""
PG_FUNCTIONS = _PG_FUNCTIONS_TEMPLATE.replace("@QUOTES@", QUOTE_LIKE).replace("@SPACES@", " " * len(QUOTE_LIKE))

PG_REVERSE_FUNCTIONS = """
DROP FUNCTION IF EXISTS public.relapse_search_query(text, text);
DROP FUNCTION IF EXISTS public.relapse_search_vector(text);
DROP FUNCTION IF EXISTS public.relapse_search_fold(text);
DROP FUNCTION IF EXISTS public.relapse_search_clean(text);
DROP FUNCTION IF EXISTS public.relapse_unaccent(text);
DROP TEXT SEARCH CONFIGURATION IF EXISTS public.relapse_en;
"""


def _pg_table(table: str, source: str, name: str) -> tuple[str, str]:
    forward = f"""
ALTER TABLE {table} ADD COLUMN search_vector tsvector
  GENERATED ALWAYS AS (public.relapse_search_vector({source})) STORED;
CREATE INDEX search16_{name}_fts ON {table} USING gin (search_vector);
CREATE INDEX search16_{name}_trgm ON {table} USING gin (public.relapse_search_fold({source}) gin_trgm_ops);
"""
    reverse = f"""
DROP INDEX IF EXISTS search16_{name}_trgm;
DROP INDEX IF EXISTS search16_{name}_fts;
ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector;
"""
    return forward, reverse


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # No parameters: psycopg sends each block as one simple query, several statements long.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(PG_FUNCTIONS)
            for table, source, name in SOURCES:
                cursor.execute(_pg_table(table, source, name)[0])
    elif vendor == "sqlite":
        for table, source, name in SOURCES:
            for statement in sqlite_statements(table, source, name):
                schema_editor.execute(statement)
            schema_editor.execute(f"INSERT INTO search_{name}_fts(search_{name}_fts) VALUES ('rebuild')")  # noqa: S608  # nosec B608 - identifiers from this module's constants, no user input


def reverse(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for table, source, name in SOURCES:
                cursor.execute(_pg_table(table, source, name)[1])
            cursor.execute(PG_REVERSE_FUNCTIONS)
    elif vendor == "sqlite":
        for _table, _source, name in SOURCES:
            for suffix in ("ai", "ad", "au"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS search_{name}_fts_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS search_{name}_fts")


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0003_checkin_for_next_appointment"),
        ("patients", "0005_careteam_contact"),
        ("alerts", "0004_alert_age_assignment_notes"),
    ]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
