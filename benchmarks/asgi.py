"""The benchmark server's ASGI entry point: the project's application on bench settings."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

from config.asgi import application  # noqa: E402

__all__ = ["application"]
