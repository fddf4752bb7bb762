"""The embedded default's own secret key: generated at random into `var/` on first run (mode
0600), read from there afterwards. Nothing in the repository signs anything."""

import os
import secrets
from pathlib import Path


def embedded_secret(path: str | Path) -> str:
    """The key stored at `path`, created (64 random bytes, URL-safe) if there is none yet.
    Two processes starting at once agree: the file is created exclusively, and the loser
    reads the winner's key."""
    path = Path(path)
    try:
        key = path.read_text().strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
