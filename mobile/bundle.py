"""The phone app's bundle (mobile/static/mobile/dist/): built by scripts/build_mobile_bundle.mjs
with esbuild and committed; each file starts with the hash of its sources, computed here the
same way, so that a test fails when a source changed and the bundle was not rebuilt."""

import hashlib
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
SOURCES = ("mobile/js", "mobile/css/app.css")
NOT_IN_BUNDLE = {"mobile/js/schedule_panel.js"}
BUNDLE = ("mobile/dist/app.min.js", "mobile/dist/app.min.css")
_STAMP = re.compile(r"source-hash: ([0-9a-f]{16});")


def source_files() -> list[str]:
    files: list[str] = []
    for source in SOURCES:
        path = STATIC / source
        candidates = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        files += [p.relative_to(STATIC).as_posix() for p in candidates]
    return sorted(f for f in files if f.endswith((".js", ".css")) and f not in NOT_IN_BUNDLE)


def source_hash() -> str:
    digest = hashlib.sha256()
    for file in source_files():
        digest.update(f"{file}\0".encode())
        digest.update((STATIC / file).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def bundle_hash(path: str) -> str | None:
    """The source hash stamped in a bundle file's first line (None if it has none)."""
    with (STATIC / path).open(encoding="utf-8") as file:
        found = _STAMP.search(file.readline())
    return found.group(1) if found else None
