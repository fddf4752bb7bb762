"""Not a benchmark: B2's closed loop (check-ins, or the bare view) on the bench server, with the
CPU time the server process and PostgreSQL spent per request, and optionally py-spy sampling
the server (collapsed stacks, `--gil`: only the thread holding the GIL, i.e. where the server's
CPU goes). py-spy is not a dependency: install it anywhere (`pip install py-spy` in a scratch
venv) and give its path.

    .venv/bin/python -m benchmarks.profile_b2 checkins|bare [OUT.txt PY_SPY]

Same environment as `benchmarks.run` (BENCH_DATABASE_URL, BENCH_REDIS_URL). PostgreSQL's CPU
is that of every `postgres` process of the machine: another session's queries count too."""

import os
import subprocess
import sys
import threading
import time

from benchmarks.b2_checkins import CLIENTS
from benchmarks.harness import Context


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (Linux /proc), in seconds."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def postgres_pids() -> list[int]:
    found = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True, check=False)  # noqa: S607
    return [int(pid) for pid in found.stdout.split()]


def main(argv: list[str]) -> None:
    which = argv[0]
    out, py_spy = (argv[1], argv[2]) if len(argv) > 2 else (None, None)
    ctx = Context()
    try:
        ctx.reset_database()
        team, _nurse, _token = ctx.care_team("b2")
        tokens = [token for _patient, token in ctx.patients(team, CLIENTS, prefix="b2", enrolled_days_ago=30)]
        spec = (
            {"generator": "checkins", "params": {"tokens": tokens, "path": "/api/v1/checkins/"}}
            if which == "checkins"
            else {"generator": "repeat", "params": {"paths": ["/bench/empty/"]}}
        )
        with ctx.server() as server:
            pid = server.procs[0].pid

            def spy() -> None:
                time.sleep(8)  # after the warm-up, 15 s of the 28 s loop
                command = [str(py_spy), "record", "--nonblocking", "--gil", "-r", "200", "-d", "15"]
                subprocess.run([*command, "-f", "raw", "-o", str(out), "-p", str(pid)], check=False)  # noqa: S603

            sampler = threading.Thread(target=spy)
            if py_spy:
                sampler.start()
            postgres = postgres_pids()
            server_before, postgres_before, children = cpu_seconds([pid]), cpu_seconds(postgres), os.times()
            bounded = {"concurrency": CLIENTS, "max_requests": 20_000, "max_seconds": 28, "warmup": 2}
            result = ctx.load(server, {**bounded, **spec})
            # The pool opens connections during the loop: their backends count from their start.
            postgres_after = cpu_seconds(sorted({*postgres, *postgres_pids()}))
            server_after, after = cpu_seconds([pid]), os.times()
            if py_spy:
                sampler.join()
            client = after.children_user + after.children_system - children.children_user - children.children_system
            n = result.requests + 2 * CLIENTS  # the warm-up's requests ran in the same interval
            print(which, result.summary())
            print(
                f"per request: server CPU {1000 * (server_after - server_before) / n:.2f} ms, "
                f"postgres CPU {1000 * (postgres_after - postgres_before) / n:.2f} ms, "
                f"client CPU {1000 * client / n:.2f} ms ({n} requests with the warm-up)"
            )
    finally:
        ctx.close()


if __name__ == "__main__":
    main(sys.argv[1:])
