"""Embedded default and development: safe defaults, nothing required from the environment."""

from .base import *  # noqa: F403
from .base import JWT_SIGNING_KEY, SECRET_KEY, SECRET_KEY_FILE, SIMPLE_JWT, env
from .embedded_secret import embedded_secret

# No committed key: one generated at random into var/secret-key on first run (mode 0600),
# reused afterwards. DJANGO_SECRET_KEY (and JWT_SIGNING_KEY), when set, win.
if not SECRET_KEY:
    SECRET_KEY = embedded_secret(SECRET_KEY_FILE)
    SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": JWT_SIGNING_KEY or SECRET_KEY}

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Serve static files straight from the apps in the embedded default (no collectstatic step).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
