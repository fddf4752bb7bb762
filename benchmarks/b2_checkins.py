"""B2 — check-in API: POST /checkins/ from 64 concurrent clients (64 patients, new ids each
time); requests/s, p50 and p99 latency, beside a bare Django view returning {} on the same
server, measured before and after (their mean is the limit). Target >= 0.35 of the bare
view, p99 <= 100 ms."""

from typing import Any

from benchmarks.harness import Context

CLIENTS = 64
# A 2,000-character note (the API's maximum) as patients write them, without risk language: what
# the risk-language detector (monitoring.risk_language) reads on every such check-in.
NOTE_SENTENCES = (
    "Journée plutôt calme, je suis allée marcher une heure au bord du canal avec ma sœur. ",
    "J'ai mal dormi au début de la nuit, réveillée vers 3h, puis rendormie jusqu'à 7h. ",
    "Le nouveau traitement me fatigue un peu le matin, mais les nausées ont disparu. ",
    "J'ai appelé ma mère, on a parlé des vacances, ça m'a fait du bien. ",
    "Au travail c'était chargé, mon chef m'a encore donné deux dossiers en retard. ",
    "Je voudrais parler au docteur de la prise de poids et du sommeil. ",
)
LONG_NOTE = ("".join(NOTE_SENTENCES) * 6)[:2000].rstrip()


def run(ctx: Context) -> list[dict[str, Any]]:
    requests = 1_000 if ctx.quick else 6_000
    seconds = 10 if ctx.quick else 30
    ctx.reset_database()
    team, _nurse, _token = ctx.care_team("b2")
    tokens = [token for _patient, token in ctx.patients(team, CLIENTS, prefix="b2", enrolled_days_ago=30)]
    bounded = {"concurrency": CLIENTS, "max_requests": requests, "max_seconds": seconds, "warmup": 2}
    with ctx.server() as server:
        bare_before = ctx.load(server, {**bounded, "generator": "repeat", "params": {"paths": ["/bench/empty/"]}})
        checkins = ctx.load(
            server, {**bounded, "generator": "checkins", "params": {"tokens": tokens, "path": "/api/v1/checkins/"}}
        )
        # The same with a 2,000-character note on every check-in (the risk-language detector
        # reads each): not part of the target, beside it.
        noted = ctx.load(
            server,
            {
                **bounded,
                "generator": "checkins",
                "params": {"tokens": tokens, "path": "/api/v1/checkins/", "note": LONG_NOTE},
            },
        )
        bare_after = ctx.load(server, {**bounded, "generator": "repeat", "params": {"paths": ["/bench/empty/"]}})
        # Not part of the target: the same 64 clients, each sending one check-in a second on
        # average at random moments (about half the saturated rate): the latency a phone sees
        # when the server is busy but not saturated.
        paced = ctx.load(
            server,
            {
                **bounded,
                "max_requests": 640 if ctx.quick else 1_920,
                "think_s": 1.0,
                "generator": "checkins",
                "params": {"tokens": tokens, "path": "/api/v1/checkins/"},
            },
        )
    with ctx.psycopg_connect() as conn:
        stored = conn.execute("SELECT count(*) FROM monitoring_checkin").fetchone()[0]
    processes = server.workers
    bare_rate = (bare_before.rate + bare_after.rate) / 2
    ratio = checkins.rate / bare_rate if bare_rate else 0.0
    created = checkins.statuses.get(201, 0)
    p99 = checkins.p(99)
    passed = ratio >= 0.35 and p99 <= 100 and created == checkins.requests and not checkins.errors
    return [
        ctx.row(
            id="B2",
            what="check-in API",
            workload=f"POST /checkins/, {CLIENTS} concurrent clients, {processes} daphne process(es)",
            figure=f"{checkins.rate:,.0f} req/s, p50 {checkins.p(50):.0f} ms, p99 {p99:.0f} ms "
            f"(paced at 1/s per client: p50 {paced.p(50):.0f} ms, p99 {paced.p(99):.0f} ms; "
            f"with a {len(LONG_NOTE):,}-character note: {noted.rate:,.0f} req/s, p50 {noted.p(50):.0f} ms, "
            f"p99 {noted.p(99):.0f} ms)",
            limit=f"bare view {bare_rate:,.0f} req/s (its p99 {max(bare_before.p(99), bare_after.p(99)):.0f} ms)",
            ratio=ratio,
            target=">= 0.35 of the bare view; p99 <= 100 ms",
            passed=passed,
            details={
                "checkins": checkins.summary(),
                "checkins_stored": stored,
                "bare_view_before": bare_before.summary(),
                "bare_view_after": bare_after.summary(),
                "paced_64_clients_1_per_s": paced.summary(),
                "checkins_with_2000_char_note": noted.summary(),
                "littles_law_note": "64 clients in a closed loop: mean latency = 64 / throughput; p99 <= 100 ms "
                "needs >= 640 req/s, above what even the bare view reaches here (see the bare view's own p99)",
                "client_errors": checkins.errors + bare_before.errors + bare_after.errors + paced.errors + noted.errors,
                "server_processes": processes,
            },
        )
    ]
