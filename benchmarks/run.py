"""`make bench`: run every benchmark module (benchmarks/b*_*.py exposing `run(ctx)`), or a
subset, and merge their rows into benchmarks/results/latest.json and latest.md.

    .venv/bin/python -m benchmarks.run [--only B1,B2] [--quick]
"""

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

from benchmarks.harness import RESULTS, Context, markdown_table, merge_results


def discover() -> list[tuple[str, str]]:
    found = []
    for path in sorted(Path(__file__).parent.glob("b*_*.py")):
        digits = "".join(ch for ch in path.stem.split("_", 1)[0] if ch.isdigit())
        if digits:
            found.append((f"B{int(digits)}", f"benchmarks.{path.stem}"))
    return sorted(found, key=lambda item: int(item[0][1:]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated benchmark ids, e.g. B1,B7")
    parser.add_argument("--quick", action="store_true", help="smaller workloads (a smoke run; figures not comparable)")
    args = parser.parse_args(argv)
    wanted = {item.strip().upper() for item in args.only.split(",")} if args.only else None
    modules = [(bid, name) for bid, name in discover() if wanted is None or bid in wanted]
    if wanted and not modules:
        print(f"No benchmark among {sorted(wanted)}; available: {[bid for bid, _ in discover()]}", file=sys.stderr)
        return 2
    ctx = Context(quick=args.quick)
    failed = []
    rows = []
    try:
        for bid, name in modules:
            print(f"== {bid} ({name})", flush=True)
            started = time.monotonic()
            try:
                produced = importlib.import_module(name).run(ctx)
            except Exception:  # noqa: BLE001 - one benchmark's failure must not hide the others
                traceback.print_exc()
                failed.append(bid)
                continue
            merge_results(produced)
            rows.extend(produced)
            print(f"   done in {time.monotonic() - started:.0f} s", flush=True)
    finally:
        ctx.close()
    print()
    print(markdown_table(rows), end="")
    print(f"(all rows: {RESULTS / 'latest.md'})")
    if failed:
        print(f"Benchmarks that could not run: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
