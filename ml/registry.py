"""Model artifacts on disk: written once, checked against their SHA-256 whenever loaded.

A tampered or truncated artifact is refused (ArtifactIntegrityError) rather than unpickled:
joblib files are pickles, and loading one runs code."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Protocol

import joblib

from patients.errors import DomainError

from .serving import RiskModel


class ArtifactIntegrityError(DomainError):
    """The artifact on disk is not the one the registry recorded (an API call gets a 400)."""


_cache: dict[tuple[str, str], RiskModel] = {}
_lock = threading.Lock()


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def artifact_save(model: RiskModel, *, directory: str | Path, version: str) -> tuple[str, str]:
    """Write the model as `<directory>/<version>.joblib` (atomically) and return (path, sha256)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{version}.joblib"
    tmp = path.with_suffix(".joblib.tmp")
    joblib.dump(model, tmp, compress=3)
    os.replace(tmp, path)
    return str(path), file_sha256(path)


def artifact_load(path: str | Path, sha256: str) -> RiskModel:
    """The model at `path`, if and only if its bytes hash to `sha256`."""
    key = (str(path), sha256)
    with _lock:
        cached = _cache.get(key)
    if cached is not None and file_sha256(path) == sha256:
        return cached
    try:
        actual = file_sha256(path)
    except FileNotFoundError as exc:
        raise ArtifactIntegrityError(f"Model artifact {path} is missing.") from exc
    if actual != sha256:
        raise ArtifactIntegrityError(
            f"Model artifact {path} has SHA-256 {actual}, the registry recorded {sha256}: refusing to load it."
        )
    model = joblib.load(path)  # noqa: S301 - integrity checked above
    if not isinstance(model, RiskModel):
        raise ArtifactIntegrityError(f"Model artifact {path} does not hold a RiskModel.")
    with _lock:
        _cache[key] = model
    return model


class _RegisteredVersion(Protocol):
    artifact_path: str
    artifact_sha256: str


def model_load(model_version: _RegisteredVersion) -> RiskModel:
    """The serving model of a registered version (a ModelVersion), hash-checked, cached per
    process. Loads no training code."""
    return artifact_load(model_version.artifact_path, model_version.artifact_sha256)
