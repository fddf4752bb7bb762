"""The search at scale (PostgreSQL; nothing on SQLite): the care team inside the index, and a
vocabulary for misspelt words (docs/search.md, benchmark B9).

- **The team in the index.** Each searched table gets a column `search_team` (the care team of
  the note's patient, unknown to the Django models like `search_vector`), set by a BEFORE
  INSERT trigger (and on a change of patient or alert), and rewritten when a patient moves to
  another team (a trigger on `patients_patient`). The plain GIN index on `search_vector` is
  replaced by a GIN index on `(search_team, search_vector)` (`btree_gin`): one index scan
  answers "these words in this team's notes", instead of ANDing the text index with the
  patient index (every note of the team) or reading every team's matches.
- **The vocabulary.** `search_word`: every distinct word (folded: lower case, no accents;
  letters only, 4 to 40 of them) of the searched texts, with a GiST trigram index (nearest
  words first, `<<->`): pg_trgm's documented "words" table for spelling suggestions. The
  misspelt-word fallback looks for words spelt nearly alike there, then searches the notes for them with the full-text index,
  instead of computing trigram similarity over whole notes; so the trigram indexes over whole
  notes go (they also cost every insert). Kept by triggers: statement-level on INSERT (one
  statement for a bulk insert or a COPY), row-level on UPDATE when the text changed. The
  erasure removes the words only the erased patient's check-ins held
  (records.search_index.search_words_forget); otherwise a word whose notes were deleted stays,
  and finds nothing (the notes it finds are still only those of the reader's teams). `public.relapse_search_words_rebuild()`
  adds the words of every table (the migration runs it)."""

import re

from django.db import migrations

from records.search_index import SOURCES

PG_COMMON = """
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE TABLE IF NOT EXISTS public.search_word (word text PRIMARY KEY);
CREATE INDEX IF NOT EXISTS search16_word_trgm ON public.search_word USING gist (word gist_trgm_ops);
-- The words of a text, as the vocabulary keeps them.
CREATE OR REPLACE FUNCTION public.relapse_search_words(text) RETURNS SETOF text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $f$ SELECT w FROM unnest(tsvector_to_array(
            to_tsvector('pg_catalog.simple'::regconfig, public.relapse_search_fold($1)))) AS w
         WHERE length(w) BETWEEN 4 AND 40 AND w ~ '^[[:alpha:]]+$' $f$;
-- A patient moves to another team: so do the notes in the index.
CREATE OR REPLACE FUNCTION public.relapse_search_patient_moved() RETURNS trigger
  LANGUAGE plpgsql AS $f$
BEGIN
  UPDATE monitoring_checkin SET search_team = NEW.care_team_id WHERE patient_id = NEW.id;
  UPDATE patients_clinicalevent SET search_team = NEW.care_team_id WHERE patient_id = NEW.id;
  UPDATE alerts_alert SET search_team = NEW.care_team_id WHERE patient_id = NEW.id;
  UPDATE patients_crisisplan SET search_team = NEW.care_team_id WHERE patient_id = NEW.id;
  UPDATE alerts_alertnote n SET search_team = NEW.care_team_id
    FROM alerts_alert a WHERE a.id = n.alert_id AND a.patient_id = NEW.id;
  RETURN NULL;
END $f$;
"""

PG_COMMON_AFTER = """
CREATE TRIGGER search16_patient_moved AFTER UPDATE OF care_team_id ON patients_patient
  FOR EACH ROW WHEN (OLD.care_team_id IS DISTINCT FROM NEW.care_team_id)
  EXECUTE FUNCTION public.relapse_search_patient_moved();
"""

PG_REVERSE_COMMON = """
DROP TRIGGER IF EXISTS search16_patient_moved ON patients_patient;
DROP FUNCTION IF EXISTS public.relapse_search_patient_moved();
DROP FUNCTION IF EXISTS public.relapse_search_words_rebuild();
DROP FUNCTION IF EXISTS public.relapse_search_words(text);
DROP TABLE IF EXISTS public.search_word;
"""


def _columns(source: str) -> list[str]:
    return [part.strip() for part in source.split("||") if not part.strip().startswith("E'")]


# Plain strings with placeholders filled from search_index.SOURCES (no input ever reaches them).
_REBUILD_TEMPLATE = """
CREATE OR REPLACE FUNCTION public.relapse_search_words_rebuild() RETURNS bigint
  LANGUAGE plpgsql AS $f$
DECLARE added bigint;
BEGIN
  INSERT INTO public.search_word (word) SELECT w FROM (@SELECTS@) AS words ORDER BY w ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS added = ROW_COUNT;
  RETURN added;
END $f$;
"""


def _rebuild_function() -> str:
    selects = " UNION ".join(
        f"SELECT w FROM {table} t, public.relapse_search_words({source}) AS w"  # noqa: S608  # nosec B608 - identifiers from search_index.SOURCES, no user input
        for table, source, _name in SOURCES
    )
    return _REBUILD_TEMPLATE.replace("@SELECTS@", selects)


def _team_sql(table: str) -> tuple[str, str, str]:
    """(the trigger's lookup of NEW's team, the column whose change re-reads it, the backfill)."""
    if table == "alerts_alertnote":
        return (
            "SELECT p.care_team_id INTO NEW.search_team FROM alerts_alert a "
            "JOIN patients_patient p ON p.id = a.patient_id WHERE a.id = NEW.alert_id;",
            "alert_id",
            f"UPDATE {table} n SET search_team = p.care_team_id FROM alerts_alert a "  # nosec B608 - identifiers from SOURCES
            "JOIN patients_patient p ON p.id = a.patient_id WHERE a.id = n.alert_id;",
        )
    return (
        "SELECT care_team_id INTO NEW.search_team FROM patients_patient WHERE id = NEW.patient_id;",
        "patient_id",
        f"UPDATE {table} t SET search_team = p.care_team_id FROM patients_patient p WHERE p.id = t.patient_id;",  # nosec B608 - identifiers from SOURCES
    )


_FORWARD_TEMPLATE = """
ALTER TABLE @TABLE@ ADD COLUMN search_team bigint;
@BACKFILL@
CREATE OR REPLACE FUNCTION public.relapse_search_team_@NAME@() RETURNS trigger
  LANGUAGE plpgsql AS $f$
BEGIN
  @LOOKUP@
  RETURN NEW;
END $f$;
CREATE TRIGGER search16_@NAME@_team_ins BEFORE INSERT ON @TABLE@
  FOR EACH ROW EXECUTE FUNCTION public.relapse_search_team_@NAME@();
CREATE TRIGGER search16_@NAME@_team_upd BEFORE UPDATE OF @KEY@ ON @TABLE@
  FOR EACH ROW WHEN (OLD.@KEY@ IS DISTINCT FROM NEW.@KEY@)
  EXECUTE FUNCTION public.relapse_search_team_@NAME@();
CREATE OR REPLACE FUNCTION public.relapse_search_words_@NAME@_inserted() RETURNS trigger
  LANGUAGE plpgsql AS $f$
BEGIN
  INSERT INTO public.search_word (word)
    SELECT DISTINCT w FROM new_rows t, public.relapse_search_words(@SOURCE@) AS w ORDER BY w
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $f$;
CREATE OR REPLACE FUNCTION public.relapse_search_words_@NAME@_updated() RETURNS trigger
  LANGUAGE plpgsql AS $f$
BEGIN
  INSERT INTO public.search_word (word)
    SELECT DISTINCT w FROM public.relapse_search_words(@ROW_SOURCE@) AS w ORDER BY w
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $f$;
CREATE TRIGGER search16_@NAME@_words_ins AFTER INSERT ON @TABLE@
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION public.relapse_search_words_@NAME@_inserted();
CREATE TRIGGER search16_@NAME@_words_upd AFTER UPDATE ON @TABLE@
  FOR EACH ROW WHEN (@CHANGED@)
  EXECUTE FUNCTION public.relapse_search_words_@NAME@_updated();
DROP INDEX IF EXISTS search16_@NAME@_trgm;
DROP INDEX IF EXISTS search16_@NAME@_fts;
CREATE INDEX search16_@NAME@_fts ON @TABLE@ USING gin (search_team, search_vector);
"""


_REVERSE_TEMPLATE = """
DROP TRIGGER IF EXISTS search16_@NAME@_words_ins ON @TABLE@;
DROP TRIGGER IF EXISTS search16_@NAME@_words_upd ON @TABLE@;
DROP TRIGGER IF EXISTS search16_@NAME@_team_ins ON @TABLE@;
DROP TRIGGER IF EXISTS search16_@NAME@_team_upd ON @TABLE@;
DROP FUNCTION IF EXISTS public.relapse_search_words_@NAME@_inserted();
DROP FUNCTION IF EXISTS public.relapse_search_words_@NAME@_updated();
DROP FUNCTION IF EXISTS public.relapse_search_team_@NAME@();
DROP INDEX IF EXISTS search16_@NAME@_fts;
ALTER TABLE @TABLE@ DROP COLUMN IF EXISTS search_team;
CREATE INDEX search16_@NAME@_fts ON @TABLE@ USING gin (search_vector);
CREATE INDEX search16_@NAME@_trgm ON @TABLE@ USING gin (public.relapse_search_fold(@SOURCE@) gin_trgm_ops);
"""


def _pg_table(table: str, source: str, name: str) -> tuple[str, str]:
    columns = _columns(source)
    row_source = source
    for column in columns:
        row_source = re.sub(rf"\b{column}\b", f"NEW.{column}", row_source)
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
    lookup, key, backfill = _team_sql(table)
    forward = (
        _FORWARD_TEMPLATE.replace("@TABLE@", table)
        .replace("@NAME@", name)
        .replace("@ROW_SOURCE@", row_source)
        .replace("@SOURCE@", source)
        .replace("@CHANGED@", changed)
        .replace("@LOOKUP@", lookup)
        .replace("@KEY@", key)
        .replace("@BACKFILL@", backfill)
    )
    reverse = _REVERSE_TEMPLATE.replace("@TABLE@", table).replace("@NAME@", name).replace("@SOURCE@", source)
    return forward, reverse


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    # No parameters: psycopg sends each block as one simple query, several statements long.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(PG_COMMON)
        cursor.execute(_rebuild_function())
        for table, source, name in SOURCES:
            cursor.execute(_pg_table(table, source, name)[0])
        cursor.execute(PG_COMMON_AFTER)
        cursor.execute("SELECT public.relapse_search_words_rebuild()")


def reverse(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(PG_REVERSE_COMMON)
        for table, source, name in SOURCES:
            cursor.execute(_pg_table(table, source, name)[1])


class Migration(migrations.Migration):
    dependencies = [("records", "0001_note_search")]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
