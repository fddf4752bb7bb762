"""B2 — check-in API (../shared/BENCHMARKS.md): POST /checkins/ from 64 concurrent clients (64
patients, new ids each time) in a closed loop, then the same 64 clients paced at half the bare
view's capacity with random arrivals. Limit: a bare Django view returning {} on the same
server, under the same two loads. Figure: the closed loop's requests/s and the paced run's p50
and p99. Target: closed-loop rate >= 0.5 of the bare view's; paced p99 <= 100 ms."""

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
    bare: dict[str, Any] = {"generator": "repeat", "params": {"paths": ["/bench/empty/"]}}
    checkin: dict[str, Any] = {"generator": "checkins", "params": {"tokens": tokens, "path": "/api/v1/checkins/"}}
    with ctx.server() as server:
        bare_before = ctx.load(server, {**bounded, **bare})
        checkins = ctx.load(server, {**bounded, **checkin})
        # The same with a 2,000-character note on every check-in (the risk-language detector
        # reads each): not part of the target, beside it.
        noted = ctx.load(server, {**bounded, **checkin, "params": {**checkin["params"], "note": LONG_NOTE}})
        bare_after = ctx.load(server, {**bounded, **bare})
        bare_rate = (bare_before.rate + bare_after.rate) / 2
        # The paced runs: the same 64 clients sending at random moments (a Poisson process in
        # all) at half the bare view's closed-loop rate, first to the bare view, then check-ins:
        # the latency a phone sees when the server is busy but not saturated.
        pace = round(bare_rate / 2, 1)
        paced_bounds = {**bounded, "max_requests": max(1, int(pace * seconds)), "rate_per_s": pace}
        paced_bare = ctx.load(server, {**paced_bounds, **bare})
        paced = ctx.load(server, {**paced_bounds, **checkin})
    with ctx.psycopg_connect() as conn:
        stored = conn.execute("SELECT count(*) FROM monitoring_checkin").fetchone()[0]
    processes = server.workers
    ratio = checkins.rate / bare_rate if bare_rate else 0.0
    runs = (checkins, noted, paced)
    created = sum(run.statuses.get(201, 0) for run in runs)
    # Every counted check-in answered 201 (the warm-up's are stored too, not counted).
    all_created = created == sum(run.requests for run in runs) and stored >= created
    errors = [e for run in (bare_before, checkins, noted, bare_after, paced_bare, paced) for e in run.errors]
    p99 = paced.p(99)
    passed = ratio >= 0.5 and p99 <= 100 and all_created and not errors
    return [
        ctx.row(
            id="B2",
            what="check-in API",
            workload=f"POST /checkins/, {CLIENTS} clients closed loop, then paced at {pace:,.0f} req/s "
            f"(half the bare view's rate), {processes} daphne process(es)",
            figure=f"{checkins.rate:,.0f} req/s; paced p50 {paced.p(50):.0f} ms, p99 {p99:.0f} ms "
            f"({paced.rate:,.0f} req/s) "
            f"(with a {len(LONG_NOTE):,}-character note: {noted.rate:,.0f} req/s, {noted.rate / bare_rate:.2f} "
            "of the bare view)",
            limit=f"bare view {bare_rate:,.0f} req/s; paced p50 {paced_bare.p(50):.0f} ms, "
            f"p99 {paced_bare.p(99):.0f} ms",
            ratio=ratio,
            target=">= 0.5 of the bare view; paced p99 <= 100 ms",
            passed=passed,
            details={
                "checkins": checkins.summary(),
                "checkins_stored": stored,
                "checkins_created_201": created,
                "bare_view_before": bare_before.summary(),
                "bare_view_after": bare_after.summary(),
                "paced_rate_per_s": pace,
                "paced_bare_view": paced_bare.summary(),
                "paced_checkins": paced.summary(),
                "checkins_with_2000_char_note": noted.summary(),
                "littles_law_note": "64 clients in a closed loop: mean latency = 64 / throughput by construction, "
                "so the latency target applies to the paced run",
                "client_errors": errors,
                "server_processes": processes,
            },
        )
    ]
