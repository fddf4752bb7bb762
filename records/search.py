"""Search over the patients' free text, for clinicians: check-in notes, clinical event notes,
alert notes, alert resolution notes and crisis plans, within the clinician's care teams.

The index is records/migrations/0001 and 0002 (one per database). Two engines, one result
shape:

- PostgreSQL: a generated `search_vector` per table (French stemmed then unaccented, plus
  English unaccented then stemmed), indexed with the note's care team (`search_team`),
  `websearch_to_tsquery` for words, "phrases", `-words` and `or`, `word*` prefixes added by
  this module; the newest RANK_CAP matches ranked by `ts_rank_cd`, snippets by `ts_headline`
  on the page only; when the words find fewer than FEW notes, words spelt nearly alike are
  looked up in the vocabulary (`search_word`, pg_trgm word similarity) and the notes are
  searched for them too (misspelt drugs and places).
- SQLite: FTS5 (`porter unicode61 remove_diacritics 2`); French stemming is done on the query
  (a word also matches the prefix of its French and English stems), ranked by `bm25`, snippets
  by `snippet()`; no trigram fallback.

Snippets are safe HTML: the text is escaped, and only the <mark> this module adds is markup."""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
import secrets
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import snowballstemmer
from django.db import connection
from django.urls import reverse

from patients.audit import audit_record_patients
from patients.models import AuditAction, Patient, PatientStatus, User
from patients.selectors import patients_for_clinician

KINDS = ("checkin", "clinical_event", "alert_note", "alert_resolution", "crisis_plan")
# Fewer word matches than this and the trigram fallback runs (PostgreSQL).
FEW = 3
# A misspelt word is found when pg_trgm's word similarity reaches this ("olanzepine" in
# "started olanzapine, feel slow." is 0.57; pg_trgm's default, 0.6, misses it).
SIMILARITY = 0.5
# The fallback looks up this many words of the query, and keeps this many words of the
# vocabulary spelt alike for each.
SIMILAR_QUERY_WORDS = 4
SIMILAR_WORDS = 5
# At most this many matches are ranked, the newest (PostgreSQL): a query that matches more is
# counted whole, but its older matches are neither ranked nor shown (docs/search.md).
RANK_CAP = 1000
MAX_QUERY = 200
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


class EmptyQuery(ValueError):
    """The query has no word to look for (only stop words, signs, or only `-word`s)."""


@dataclass
class Clause:
    words: list[str]
    phrase: bool = False
    prefix: bool = False
    negated: bool = False


@dataclass
class ParsedQuery:
    """The user's query, understood once for both engines."""

    text: str
    groups: list[list[Clause]] = field(default_factory=list)  # OR of ANDs
    negations: list[Clause] = field(default_factory=list)

    @property
    def positives(self) -> list[Clause]:
        return [c for group in self.groups for c in group]

    @property
    def websearch(self) -> str:
        """What `websearch_to_tsquery` reads: everything but the prefix terms."""
        parts: list[str] = []
        for i, group in enumerate(self.groups):
            if i:
                parts.append("or")
            parts.extend(_websearch_clause(c) for c in group if not c.prefix)
        parts.extend(_websearch_clause(c) for c in self.negations)
        return " ".join(p for p in parts if p)

    @property
    def prefixes(self) -> str:
        """The prefix terms as `to_tsquery` text (word characters only, quoted)."""
        terms: list[str] = []
        for clause in self.positives:
            if clause.prefix:
                *whole, last = clause.words
                terms.extend(f"'{w}'" for w in whole)
                terms.append(f"'{last}':*")
        return " & ".join(terms)

    @property
    def similar_words(self) -> list[str]:
        """Words the trigram fallback looks for: plain words of four letters or more."""
        return [w for c in self.positives if not (c.phrase or c.prefix) for w in c.words if len(w) >= 4]


def _websearch_clause(clause: Clause) -> str:
    body = " ".join(clause.words)
    body = f'"{body}"' if clause.phrase or len(clause.words) > 1 else body
    return ("-" if clause.negated else "") + body


def parse_query(text: str) -> ParsedQuery:
    """Words, "phrases", `-word` (not), `or`, `word*` (prefix). Only word characters reach
    either engine, so no operator of theirs can be injected."""
    parsed = ParsedQuery(text=text, groups=[[]])
    for match in _TOKEN.finditer(text[:MAX_QUERY]):
        sign, phrase, bare = match.groups()
        if phrase is not None:
            words = _WORD.findall(phrase.lower())
            clause = Clause(words=words, phrase=True, negated=bool(sign))
        else:
            if bare.lower() == "or":
                if parsed.groups[-1]:
                    parsed.groups.append([])
                continue
            negated = bare.startswith("-")
            words = _WORD.findall(bare.lower())
            clause = Clause(words=words, prefix=bare.endswith("*") and not negated, negated=negated)
        if not clause.words:
            continue
        (parsed.negations if clause.negated else parsed.groups[-1]).append(clause)
    parsed.groups = [g for g in parsed.groups if g]
    if not parsed.groups:
        raise EmptyQuery(text)
    return parsed


@functools.cache
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer(language)


def fts5_expression(parsed: ParsedQuery) -> str:
    """The FTS5 MATCH expression. The index stems English (porter); a plain word also matches
    the prefix of its French and English Snowball stems, SQLite's stand-in for French stemming
    ("hospitalisée" -> hospitalis*, which finds "hospitalisation")."""

    def clause_expr(clause: Clause) -> str:
        if clause.phrase:
            return '"' + " ".join(clause.words) + '"'
        if clause.prefix:
            *whole, last = clause.words
            return " AND ".join([*(f'"{w}"' for w in whole), f'"{last}"*'])
        terms = []
        for word in clause.words:
            options = [f'"{word}"']
            for language in ("french", "english"):
                stem = _stemmer(language).stemWord(word)
                if len(stem) >= 4 and f'"{stem}"*' not in options:
                    options.append(f'"{stem}"*')
            terms.append("(" + " OR ".join(options) + ")")
        return " AND ".join(terms)

    expr = " OR ".join("(" + " AND ".join(clause_expr(c) for c in group) + ")" for group in parsed.groups)
    for clause in parsed.negations:
        expr = f"({expr}) NOT ({clause_expr(Clause(words=clause.words, phrase=clause.phrase))})"
    return expr


# --- results ------------------------------------------------------------------------------------


@dataclass
class SearchHit:
    kind: str
    id: str
    patient_id: UUID
    patient_code: str
    date: dt.date
    at: dt.datetime | None
    snippet: str
    rank: float
    match: str  # "words" (full text) or "similar" (trigram)
    link: str
    alert_id: str | None = None


@dataclass
class SearchPage:
    total: int
    hits: list[SearchHit]
    fallback: bool  # the trigram fallback ran
    # How many of the `total` matches were ranked and can be paged through: all of them, but
    # on PostgreSQL at most the newest RANK_CAP.
    ranked: int = 0


@dataclass
class _Source:
    kind: str
    table: str
    columns: tuple[str, ...]  # the text columns
    date_sql: str  # the note's day (a date), for filters and display
    at_sql: str  # its time (timestamp or NULL)
    alert_sql: str  # the alert's id or NULL
    flag_sql: str  # check-in "for my next appointment", else false
    patient_sql: str
    joins: str = ""
    where: str = ""
    id_type: str = "uuid"

    @property
    def fts(self) -> str:
        return f"search_{self.short}_fts"

    @property
    def short(self) -> str:
        return {
            "checkin": "checkin",
            "clinical_event": "event",
            "alert_note": "alertnote",
            "alert_resolution": "alert",
            "crisis_plan": "crisisplan",
        }[self.kind]

    @property
    def text_sql(self) -> str:
        return " || E'\\n' || ".join(f"t.{c}" for c in self.columns)


# Dates: check-ins and events carry the patient's local day; timestamped notes use their UTC
# day for the from/to filters (the page shows their time in the reader's zone).
SOURCES = [
    _Source("checkin", "monitoring_checkin", ("note",), "t.day", "t.recorded_at", "NULL", "t.for_next_appointment",
            "t.patient_id", where="t.note <> ''"),
    _Source("clinical_event", "patients_clinicalevent", ("note",), "t.date", "NULL", "NULL", "false",
            "t.patient_id", where="t.note <> ''"),
    _Source("alert_note", "alerts_alertnote", ("text",), "{day}(t.created_at)", "t.created_at", "t.alert_id", "false",
            "a.patient_id", joins="JOIN alerts_alert a ON a.id = t.alert_id", where="t.text <> ''"),
    _Source("alert_resolution", "alerts_alert", ("resolution_note",), "{day}(coalesce(t.resolved_at, t.created_at))",
            "coalesce(t.resolved_at, t.created_at)", "t.id", "false", "t.patient_id", where="t.resolution_note <> ''"),
    _Source("crisis_plan", "patients_crisisplan", ("warning_signs", "who_to_call", "what_helped"),
            "{day}(t.updated_at)", "t.updated_at", "NULL", "false", "t.patient_id", id_type="integer"),
]  # fmt: skip


def notes_search(
    *,
    user: User,
    query: str,
    patient_id: UUID | None = None,
    kind: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> SearchPage:
    """One page of the notes of the clinician's patients that match `query`, best first.
    Raises EmptyQuery when the query has nothing to look for."""
    parsed = parse_query(query)
    if not (user.is_authenticated and user.is_active and user.is_clinician):
        return SearchPage(total=0, hits=[], fallback=False)
    sources = [s for s in SOURCES if kind is None or s.kind == kind]
    if connection.vendor == "postgresql":
        return _search_postgresql(parsed, sources, user, patient_id, start, end, limit, offset)
    # The patients of the clinician's teams, never erased ones (patients.selectors' rule).
    patients = patients_for_clinician(user=user)
    if patient_id is not None:
        patients = patients.filter(pk=patient_id)
    in_scope = list(patients.values_list("pk", "care_team_id"))
    if not in_scope:
        return SearchPage(total=0, hits=[], fallback=False)
    scope = _Scope(
        patient_ids=[pk for pk, _team in in_scope],
        team_ids=sorted({team for _pk, team in in_scope}),
        one_patient=patient_id,
        start=start,
        end=end,
    )
    return _search_sqlite(parsed, sources, scope, limit, offset)


@dataclass
class _Scope:
    patient_ids: list[UUID]
    team_ids: list[int]
    one_patient: UUID | None
    start: dt.date | None
    end: dt.date | None
    excluded: list[UUID] = field(default_factory=list)

    def sql(self, source: _Source, day_fn: str) -> tuple[str, list[Any]]:
        """The branch's filters. PostgreSQL: the teams in scope, which the GIN index on
        (search_team, search_vector) answers with the words in one scan, and not the team's
        patients out of scope (erased ones), if any; SQLite: the patients in scope. Then the
        optional ones."""
        params: list[Any]
        if connection.vendor == "postgresql":
            clauses = ["t.search_team = ANY(%s::bigint[])"]
            params = [self.team_ids]
            if self.one_patient is not None:
                clauses.append(f"{source.patient_sql} = %s::uuid")
                params.append(self.one_patient)
            if self.excluded:
                clauses.append(f"{source.patient_sql} <> ALL(%s::uuid[])")
                params.append(self.excluded)
        else:
            clauses = [f"{source.patient_sql} IN ({', '.join(['%s'] * len(self.patient_ids))})"]
            params = [pid.hex for pid in self.patient_ids]
        day = source.date_sql.format(day=day_fn)
        if self.start is not None:
            clauses.append(f"{day} >= %s")
            params.append(self.start)
        if self.end is not None:
            clauses.append(f"{day} <= %s")
            params.append(self.end)
        if source.where:
            clauses.append(source.where)
        return " AND ".join(clauses), params


_COLUMNS = "kind, source_id, patient_id, day, at, alert_id, flag, rank, match"


# The scope and the query, in one statement before the search (PostgreSQL): the clinician's
# teams that have a patient they may read (patients_for_clinician's rule: their teams' patients,
# never erased ones; with `patient=`, that patient's team if it is one of them), the erased
# patients of these teams (left out by id: the team's records about them are kept), the tsquery
# (a constant the planner can match against each GIN index in the next statement) and the
# French one the snippets use. It was three statements, two of them through the ORM.
_SCOPE_SQL = """
WITH mine AS (SELECT m.careteam_id FROM patients_careteam_members m WHERE m.user_id = %(user)s)
SELECT
  ARRAY(SELECT mine.careteam_id FROM mine WHERE EXISTS (
          SELECT 1 FROM patients_patient p WHERE p.care_team_id = mine.careteam_id
          AND p.status <> %(erased)s AND (%(patient)s::uuid IS NULL OR p.id = %(patient)s::uuid))
        ORDER BY 1),
  ARRAY(SELECT p.id FROM patients_patient p WHERE %(patient)s::uuid IS NULL
        AND p.care_team_id IN (SELECT careteam_id FROM mine) AND p.status = %(erased)s),
  public.relapse_search_query(%(words)s, %(prefixes)s)::text,
  websearch_to_tsquery('pg_catalog.french', public.relapse_search_clean(%(words)s))
    && to_tsquery('pg_catalog.french', public.relapse_search_clean(%(prefixes)s))
"""


def _search_postgresql(
    parsed: ParsedQuery,
    sources: list[_Source],
    user: User,
    patient_id: UUID | None,
    start: dt.date | None,
    end: dt.date | None,
    limit: int,
    offset: int,
) -> SearchPage:
    with connection.cursor() as cursor:
        cursor.execute(
            _SCOPE_SQL,
            {
                "user": user.pk,
                "erased": PatientStatus.ERASED.value,
                "patient": patient_id,
                "words": parsed.websearch,
                "prefixes": parsed.prefixes,
            },
        )
        team_ids, excluded, tsquery, headline_fr = cursor.fetchone()
    if not team_ids:
        return SearchPage(total=0, hits=[], fallback=False)
    if not tsquery:
        raise EmptyQuery(parsed.text)
    # Scoped by team (the index's key), then without the team's patients the clinician may not
    # read (erased ones): usually none, so usually no filter at all.
    scope = _Scope(patient_ids=[], team_ids=team_ids, one_patient=patient_id, start=start, end=end, excluded=excluded)
    marks = Marks.new()
    rank = _Rank(sql="1 + ts_rank(v, %s::tsquery, 32)", params=[tsquery], match="'words'")
    headline = _Headline(marks=marks, tsquery=tsquery, french_sql="%s::tsquery", french_params=[headline_fr])
    rows, total = _ranked_page(sources, scope, tsquery, rank, headline, limit, offset)
    fallback = False
    words = parsed.similar_words
    if total < FEW and words and not parsed.negations:
        fallback = True
        similar = _similar_words(words)
        if similar:
            # The notes with the words as written (ranked first), or with a word of the
            # vocabulary spelt nearly alike (ranked by that word's similarity).
            either = "(" + ") | (".join([tsquery, *(q for _w, _s, q in similar)]) + ")"
            cases = ", ".join(["CASE WHEN v @@ %s::tsquery THEN %s::float8 END"] * len(similar))
            rank = _Rank(
                sql=f"CASE WHEN v @@ %s::tsquery THEN 1 + ts_rank(v, %s::tsquery, 32) ELSE greatest({cases}) END",
                params=[tsquery, tsquery, *(p for _w, s, q in similar for p in (q, s))],
                match="CASE WHEN v @@ %s::tsquery THEN 'words' ELSE 'similar' END",
                match_params=[tsquery],
            )
            headline = _Headline(
                marks=marks,
                tsquery=either,
                french_sql="(%s::tsquery || websearch_to_tsquery('pg_catalog.french', %s))",
                french_params=[headline_fr, " or ".join(w for w, _s, _q in similar)],
            )
            rows, total = _ranked_page(sources, scope, either, rank, headline, limit, offset)
    people = {_uuid(row[2]): (row[9], row[10]) for row in rows}
    hits = _hits([row[:9] for row in rows], people)
    for hit, row in zip(hits, rows, strict=True):
        french, english, body = row[11:14]
        best = french if english is None else english
        if marks.open not in best:
            best = _similar_snippet(body, parsed.similar_words, marks)
        hit.snippet = marked_html(best, marks)
    return SearchPage(total=total, hits=hits, fallback=fallback, ranked=min(total, RANK_CAP))


@dataclass
class _Rank:
    """How a page's matches are ranked (SQL over their tsvector `v`) and labelled."""

    sql: str
    params: list[Any]
    match: str
    match_params: list[Any] = field(default_factory=list)


@dataclass
class _Headline:
    """The snippets' queries: the French headline's (its own tsquery, accents kept, since
    ts_headline parses the text with the French configuration) and the index's one for the
    English headline, which is made only where the French one marks nothing."""

    marks: Marks
    tsquery: str
    french_sql: str
    french_params: list[Any]

    @property
    def options(self) -> str:
        return (
            f"StartSel={self.marks.open}, StopSel={self.marks.close}, MaxWords=28, MinWords=10, MaxFragments=2, "
            'FragmentDelimiter=" … "'
        )


def _by_ref(sources: list[_Source], alias: str, columns: str) -> str:
    """A LATERAL subquery reading `columns` (SQL over `t`, the row's table, and `a`, an alert
    note's alert) of the match `alias` back by its ctid from its own table (a TID scan, the
    other tables' branches cut by a one-time filter on the kind): only the few rows that need
    them are read again, the newest matches' tsvectors and ids, the page's texts."""
    branches = " UNION ALL ".join(
        f"SELECT {columns.format(text=s.text_sql, patient=s.patient_sql, alert=s.alert_sql, flag=s.flag_sql)} "  # noqa: S608  # nosec B608 - constant identifiers
        f"FROM {s.table} t {s.joins} WHERE {alias}.kind = '{s.kind}' AND t.ctid = {alias}.ref"
        for s in sources
    )
    return f"({branches})"


def _ranked_page(
    sources: list[_Source],
    scope: _Scope,
    tsquery: str,
    rank: _Rank,
    headline: _Headline,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Any, ...]], int]:
    """One page of the matches, their count, their patients and their snippets, in one
    statement. Every match in scope is found (one GIN scan per table, team and words) and
    counted, but only the newest RANK_CAP are ranked (`ts_rank` reads each tsvector: ranking
    the 30,000 notes of a team that hold a frequent word would be most of the time), best
    first; `ts_headline` (slow: it parses the whole text) runs on the page's rows only.
    What is kept of every match is only what counting and choosing the newest need (its
    table, its place in it, its day and time): on a frequent word (10,000-30,000 matches in a
    team) the ids, patients and flags of every match were most of the statement's work past
    the index; the newest matches' ids and tsvectors, then the page's patients, alerts, flags
    and texts, are read back by ctid."""
    branches, params = [], []
    for source in sources:
        where, where_params = scope.sql(source, "date")
        day = source.date_sql.format(day="date")
        branches.append(
            f"SELECT '{source.kind}' AS kind, t.ctid AS ref, {day} AS day, {source.at_sql} AS at "  # noqa: S608  # nosec B608 - constant identifiers; values are parameters
            f"FROM {source.table} t {source.joins} WHERE t.search_vector @@ %s::tsquery AND {where}"
        )
        params.extend([tsquery, *where_params])
    union = " UNION ALL ".join(f"({b})" for b in branches)
    ranked = _by_ref(sources, "n", "t.search_vector AS v, t.id::text AS source_id")
    detail = _by_ref(
        sources,
        "g",
        "{patient} AS patient_id, {alert}::text AS alert_id, {flag} AS flag, {text} AS body",
    )
    sql = (
        f"WITH scoped AS MATERIALIZED ({union}), "  # noqa: S608  # nosec B608 - constant identifiers; values are parameters
        "newest AS (SELECT * FROM scoped ORDER BY day DESC, at DESC NULLS LAST, kind, ref LIMIT %s), "
        "page AS MATERIALIZED (SELECT n.kind, n.ref, n.day, n.at, x.source_id, "
        f"{rank.sql} AS rank, {rank.match} AS match FROM newest n "
        f"CROSS JOIN LATERAL {ranked} x "
        "ORDER BY rank DESC, n.day DESC, x.source_id LIMIT %s OFFSET %s) "
        "SELECT g.kind, g.source_id, r.patient_id, g.day, g.at, r.alert_id, r.flag, g.rank, g.match, "
        "p.code, p.timezone, h.french, CASE WHEN strpos(h.french, %s) > 0 THEN NULL "
        "ELSE ts_headline('public.relapse_en', r.body, %s::tsquery, %s) END, r.body, c.total "
        "FROM (SELECT count(*) AS total FROM scoped) c LEFT JOIN (page g "
        f"CROSS JOIN LATERAL {detail} r "
        "JOIN patients_patient p ON p.id = r.patient_id "
        f"CROSS JOIN LATERAL (SELECT ts_headline('pg_catalog.french', r.body, {headline.french_sql}, %s) "
        "AS french OFFSET 0) h) ON true "
        "ORDER BY g.rank DESC, g.day DESC, g.source_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                *params,
                RANK_CAP,
                *rank.params,
                *rank.match_params,
                limit,
                min(offset, RANK_CAP),
                headline.marks.open,
                headline.tsquery,
                headline.options,
                *headline.french_params,
                headline.options,
            ],
        )
        rows = cursor.fetchall()
    total = int(rows[0][-1]) if rows else 0
    return [row[:-1] for row in rows if row[0] is not None], total


def _similar_words(words: list[str]) -> list[tuple[str, float, str]]:
    """Words of the vocabulary spelt nearly alike (pg_trgm word similarity of the folded word,
    at least SIMILARITY), best first, with the tsquery that finds each: (word, similarity,
    tsquery). The nearest words come from the GiST index (`<<->`, one minus the similarity)."""
    selects = " UNION ALL ".join(
        [
            "(SELECT w.word, 1 - (public.relapse_search_fold(%s) <<-> w.word) AS similarity, "
            "public.relapse_search_query(w.word, '')::text FROM public.search_word w "
            "ORDER BY public.relapse_search_fold(%s) <<-> w.word, w.word LIMIT %s)"
        ]
        * len(words[:SIMILAR_QUERY_WORDS])
    )
    params = [p for word in words[:SIMILAR_QUERY_WORDS] for p in (word, word, SIMILAR_WORDS)]
    with connection.cursor() as cursor:
        cursor.execute(selects, params)
        rows = cursor.fetchall()
    found: dict[str, tuple[str, float, str]] = {}
    for similar, score, tsquery in rows:
        if tsquery and score >= SIMILARITY and similar not in found:
            found[similar] = (similar, float(score), tsquery)
    return sorted(found.values(), key=lambda item: -item[1])


def _hits(rows: list[tuple[Any, ...]], people: dict[UUID, tuple[str, str]] | None = None) -> list[SearchHit]:
    """The hits of rows (kind, source_id, patient_id, day, at, alert_id, flag, rank, match);
    `people`: each patient's code and time zone, when the rows came with them."""
    if people is None:
        patients = Patient.objects.filter(pk__in={_uuid(row[2]) for row in rows})
        people = {p.pk: (p.code, p.timezone) for p in patients}
    detail_page = _Reversed("dashboard_patient_detail")
    summary_page = _Reversed("dashboard_patient_summary")
    hits = []
    for kind, source_id, patient_id, day, at, alert_id, flag, rank, match in rows:
        pk = _uuid(patient_id)
        code, zone = people[pk]
        when = _datetime(at)
        local_day = _date(day)
        if when is not None and kind not in ("checkin", "clinical_event"):
            local_day = when.astimezone(zoneinfo.ZoneInfo(zone)).date()
        hits.append(
            SearchHit(
                kind=kind,
                id=str(_uuid(source_id)) if kind != "crisis_plan" else str(source_id),
                patient_id=pk,
                patient_code=code,
                date=local_day,
                at=when,
                snippet="",
                rank=float(rank),
                match=match,
                link=_link(kind, detail_page(pk), summary_page(pk), local_day, bool(flag)),
                alert_id=str(_uuid(alert_id)) if alert_id else None,
            )
        )
    return hits


class _Reversed:
    """A patient page's path for any patient, reversed once (reverse() per hit was a good part
    of a page's time): the path of a placeholder id, the id put in its place."""

    _PLACEHOLDER = UUID(int=0)

    def __init__(self, name: str) -> None:
        self.path = reverse(name, args=[self._PLACEHOLDER])

    def __call__(self, patient_id: UUID) -> str:
        return self.path.replace(str(self._PLACEHOLDER), str(patient_id))


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _datetime(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _link(kind: str, detail_page: str, summary_page: str, day: dt.date, for_next_appointment: bool) -> str:
    """Where the note is read in the record: the patient page around its day (charts,
    clinical events, alert history), the pre-consultation summary for a note the patient kept
    for the next appointment; a crisis plan, shown on the desk's card, links to the patient."""
    window = f"?start={day - dt.timedelta(days=14)}&end={day + dt.timedelta(days=14)}"
    if kind == "checkin" and for_next_appointment:
        return summary_page + f"?start={day}&end={day}#summary-notes"
    if kind == "checkin":
        return detail_page + window + "#mood"
    if kind == "clinical_event":
        return detail_page + window + "#clinical-events"
    if kind in ("alert_note", "alert_resolution"):
        return detail_page + window + "#alert-history"
    return detail_page


def _search_sqlite(parsed: ParsedQuery, sources: list[_Source], scope: _Scope, limit: int, offset: int) -> SearchPage:
    expression = fts5_expression(parsed)
    marks = Marks.new()
    branches, params = [], []
    for source in sources:
        where, where_params = scope.sql(source, "date")
        day = source.date_sql.format(day="date")
        # bm25 is lower for a better match: negated so that higher is better everywhere.
        branches.append(
            f"SELECT '{source.kind}' AS kind, t.id AS source_id, {source.patient_sql} AS patient_id, "  # noqa: S608  # nosec B608 - constant identifiers; values are parameters
            f"{day} AS day, {source.at_sql} AS at, {source.alert_sql} AS alert_id, {source.flag_sql} AS flag, "
            f"-bm25({source.fts}) AS rank, 'words' AS match, "
            f"snippet({source.fts}, -1, %s, %s, ' … ', 24) AS snippet "
            f"FROM {source.fts} JOIN {source.table} t ON t.rowid = {source.fts}.rowid {source.joins} "
            f"WHERE {source.fts} MATCH %s AND {where}"
        )
        params.extend([marks.open, marks.close, expression, *where_params])
    union = " UNION ALL ".join(branches)
    sql = (
        f"SELECT {_COLUMNS}, snippet, count(*) OVER () AS total FROM ({union}) hits "  # noqa: S608  # nosec B608 - constant identifiers; values are parameters
        "ORDER BY rank DESC, day DESC, source_id LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
        total = int(rows[0][-1]) if rows else 0
        if not rows and offset:
            cursor.execute(f"SELECT count(*) FROM ({union}) hits", params)  # noqa: S608  # nosec B608 - constant identifiers; values are parameters
            total = int(cursor.fetchone()[0])
    hits = _hits([row[:9] for row in rows])
    for hit, row in zip(hits, rows, strict=True):
        hit.snippet = marked_html(row[9] or "", marks)
    return SearchPage(total=total, hits=hits, fallback=False, ranked=total)


@dataclass(frozen=True)
class Marks:
    """The markers the engine puts around a matched word, random for each search: a note
    cannot contain them, so the text can be escaped whole and only these become <mark>."""

    open: str
    close: str

    @classmethod
    def new(cls) -> Marks:
        token = secrets.token_hex(8)
        return cls(open=f"\u2063{token}[", close=f"]{token}\u2063")


def marked_html(text: str, marks: Marks) -> str:
    """Escape everything, then turn the markers into <mark>...</mark> (balanced)."""
    out, open_ = [], False
    for piece in re.split(f"({re.escape(marks.open)}|{re.escape(marks.close)})", text):
        if piece == marks.open:
            if not open_:
                out.append("<mark>")
            open_ = True
        elif piece == marks.close:
            if open_:
                out.append("</mark>")
            open_ = False
        else:
            out.append(html.escape(piece, quote=True))
    if open_:
        out.append("</mark>")
    return "".join(out)


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


def _similar_snippet(body: str, words: list[str], marks: Marks, width: int = 28) -> str:
    """A snippet around the words of `body` spelt like the query's (the trigram fallback):
    pg_trgm's similarity, word by word."""
    wanted = [_trigrams(_fold(w)) for w in words]
    tokens = re.split(r"(\w+)", body)
    marked, first = [], None
    for i, token in enumerate(tokens):
        if i % 2 == 1 and any(
            len(t & (grams := _trigrams(_fold(token)))) / max(len(t | grams), 1) >= 0.35 for t in wanted
        ):
            marked.append(marks.open + token + marks.close)
            first = i if first is None else first
        else:
            marked.append(token)
    start = max(0, (first or 0) - width)
    text = "".join(marked[start : start + 2 * width])
    return ("… " if start else "") + text + (" …" if start + 2 * width < len(marked) else "")


def notes_search_audited(*, request: Any, query: str, **filters: Any) -> SearchPage:
    """`notes_search` for a request (the API and the results page): every search is on record
    with its query, its filters and the patients it returned (one audit row per patient)."""
    page = notes_search(user=request.user, query=query, **filters)
    audit_record_patients(
        request=request,
        action=AuditAction.READ,
        resource="search",
        patient_ids=[hit.patient_id for hit in page.hits],
        detail={
            "q": query,
            **{name: str(value) for name, value in filters.items() if value is not None and name != "limit"},
            "count": page.total,
            "fallback": page.fallback,
        },
    )
    return page
