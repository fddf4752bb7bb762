"""Settings shared by every runtime.

Everything that differs between machines comes from environment variables (see
.env.example). With nothing set this is the *embedded default*: SQLite, in-memory channel
layer, Celery tasks run in-process. With DATABASE_URL / REDIS_URL set, the same code runs
on PostgreSQL, the Redis channel layer and a real Celery broker.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(str(env_file))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# No key is committed: production.py requires DJANGO_SECRET_KEY; the embedded default
# (local.py, test.py) generates one at random into DJANGO_SECRET_KEY_FILE on first run.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
SECRET_KEY_FILE = env("DJANGO_SECRET_KEY_FILE", default=str(BASE_DIR / "var" / "secret-key"))
JWT_SIGNING_KEY = env("JWT_SIGNING_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_celery_beat",
    "axes",
    "csp",
    # The project's apps. Their layers (each imports only those below it) are in pyproject.toml's
    # import-linter contracts; this order only sets translation and template precedence.
    "patients",
    "monitoring",
    "ml",
    "alerts",
    "mobile",
    "records",
    "demo",
    "interop",
]

MIDDLEWARE = [
    "config.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.csp.SiteCSPMiddleware",  # django-csp, connect-src naming the site's own ws(s) origin
    "config.observability.NoStoreApiMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "patients.context_processors.time_zone",
            ],
        },
    },
]

# --- Database: SQLite file by default, PostgreSQL when DATABASE_URL is set -------------
DATABASE_URL = env("DATABASE_URL", default="")
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Under ASGI every request has its own connection context: persistent connections pile
    # up (one per in-flight request) until PostgreSQL refuses clients. DB_POOL_MAX_SIZE > 0
    # shares a psycopg pool instead (Django >= 5.1; CONN_MAX_AGE must then be 0).
    if env.int("DB_POOL_MAX_SIZE", default=0) > 0:
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DB_POOL_MAX_SIZE"),
            "timeout": env.int("DB_POOL_TIMEOUT", default=10),
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "patients.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/dashboard/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Dashboard sessions end after inactivity (a shared ward computer must not stay signed in).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A dashboard's alert socket opened with the session checks this often that the session
# still holds (idle expiry, password change); signing out closes it at once.
ALERTS_WS_SESSION_CHECK_SECONDS = env.float("ALERTS_WS_SESSION_CHECK_SECONDS", default=60.0)

# --- Brute-force protection (django-axes): by username + IP, with a cool-off -------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "patients.auth.lockout_response"
# Which address a request comes from, for the lockout and the rate limits alike: the socket
# peer (REMOTE_ADDR) unless TRUSTED_PROXY_COUNT proxies of ours stand in front, in which case
# the address that many entries from the right of X-Forwarded-For (what a client writes in the
# header itself is to the left of it, and ignored). DRF's throttles read the same count.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "patients.auth.client_ip"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False

# --- Internationalisation ------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates follow British conventions (10/08/2026, 24-hour clock): config/formats/en.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "config" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
MODEL_ARTIFACT_DIR = env("MODEL_ARTIFACT_DIR", default=str(BASE_DIR / "var" / "models"))

# --- REST framework --------------------------------------------------------------------
REST_FRAMEWORK: dict[str, Any] = {
    # Deny by default: every view must say who may call it.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "patients.authentication.PatientAwareJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [],
    # Never whatever X-Forwarded-For a client sends: see TRUSTED_PROXY_COUNT above.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "patient_write": env("THROTTLE_PATIENT_WRITE", default="600/min"),
        "enroll": env("THROTTLE_ENROLL", default="20/min"),
        # Emergency access: INS + date-of-birth look-ups per emergency clinician.
        "emergency_search": env("THROTTLE_EMERGENCY_SEARCH", default="10/hour"),
    },
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=5)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    # Tokens carry a digest of the password hash: a password change refuses the access tokens
    # issued before it (its refresh tokens are blacklisted by patients.signals).
    "CHECK_REVOKE_TOKEN": True,  # nosec B105 - a flag, not a password
    # JWT_SIGNING_KEY, else the secret key (local.py and test.py set it when they generate one).
    "SIGNING_KEY": JWT_SIGNING_KEY or SECRET_KEY,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Relapse monitoring API",
    "DESCRIPTION": (
        "Remote monitoring and relapse alerts for psychiatric care teams. "
        "Contract v1: see README. Timestamps are ISO 8601 with offset; lists are paginated "
        "with limit/offset; device-created records carry a client UUID `id` (idempotent)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Served from our own static files: hospital networks are closed to CDNs.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `status`: name their enums so the schema components stay stable.
    "ENUM_NAME_OVERRIDES": {
        "AlertStatusEnum": "alerts.models.AlertStatus",
        "AlertNoteKindEnum": "alerts.models.AlertNoteKind",
        "PatientStatusEnum": "patients.models.PatientStatus",
        "AlertOutcomeEnum": "alerts.models.AlertOutcome",
        "CallOutcomeEnum": "alerts.models.CallOutcome",
        "ModelVersionStatusEnum": ["candidate", "active", "retired"],
    },
}

# --- Redis, channel layer, Celery, cache ------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# The cache holds the rate limits' counters: in Redis they are shared by every server process
# (a client cannot spread its guesses over workers); without Redis (the embedded default, one
# process) in local memory.
CACHES: dict[str, Any] = {
    "default": (
        {
            # Django's RedisCache with one pool and one client per process, not one connection
            # per request (config/cache.py).
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "relapse",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # channels-redis waits for messages with 5 s blocking reads (BZPOPMIN); redis-py's
            # default 5 s socket timeout races them and kills idle WebSocket consumers.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}], "capacity": 1500, "expiry": 60},
        }
    }
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the task for another worker
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}

# --- Content security policy (django-csp 4) ---------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:"],
        # + the page's own ws:// or wss:// origin, added per response by config.csp
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "manifest-src": ["'self'"],
        "worker-src": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Request body limits (config.body_limits, before Django reads a body) ------------------
# Every route: 2.5 MiB (Django's own limit for what it parses, kept equal). Routes that take
# more, by path prefix: a voice diary (monitoring.speech.MAX_BYTES, 16 MiB) and its form.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=2_621_440)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
REQUEST_BODY_ROUTE_LIMITS = {
    "/api/v1/speech/recordings/": env.int("REQUEST_BODY_SPEECH_MAX_BYTES", default=17 * 1024 * 1024),
}

# --- Product settings -------------------------------------------------------------------
ENROLLMENT_CODE_TTL_HOURS = env.int("ENROLLMENT_CODE_TTL_HOURS", default=72)
# How long an emergency ("break-the-glass") access lasts unless revoked (patients.emergency).
EMERGENCY_ACCESS_HOURS = env.float("EMERGENCY_ACCESS_HOURS", default=4.0)
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
CRISIS_LINE = env("CRISIS_LINE", default="3114")
# Build the risk-language pipelines when a server starts (a few seconds), not on the first
# check-in with a note (monitoring.risk_language).
RISK_LANGUAGE_PRELOAD = env.bool("RISK_LANGUAGE_PRELOAD", default=True)

# --- Web Push reminders of the phone app (mobile/push.py) ---------------------------------------
# The VAPID private key (PEM, or base64url), e.g. from `manage.py webpush_keys`; without it
# (and without the key file, which `make demo` writes) reminders work only while the app is open.
WEBPUSH_VAPID_PRIVATE_KEY = env("WEBPUSH_VAPID_PRIVATE_KEY", default="")
WEBPUSH_VAPID_PRIVATE_KEY_FILE = env(
    "WEBPUSH_VAPID_PRIVATE_KEY_FILE", default=str(BASE_DIR / "var" / "vapid-private.pem")
)
WEBPUSH_CONTACT = env("WEBPUSH_CONTACT", default="mailto:dpo@example.org")
# The server posts to addresses browsers give: only these push services' hosts (and their
# subdomains), over HTTPS.
WEBPUSH_ENDPOINT_HOSTS = env.list(
    "WEBPUSH_ENDPOINT_HOSTS",
    default=["fcm.googleapis.com", "push.services.mozilla.com", "notify.windows.com", "push.apple.com"],
)
WEBPUSH_ALLOW_LOOPBACK_HTTP = False  # tests only: a push service on http://127.0.0.1
# Origins (scheme://host[:port], exactly) whose pages may open the alert socket; empty: the
# page's own origin (patients.websocket_auth.websocket_origin_allowed).
ALLOWED_WS_ORIGINS = env.list("ALLOWED_WS_ORIGINS", default=[])
if any("://" not in origin for origin in ALLOWED_WS_ORIGINS):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("ALLOWED_WS_ORIGINS lists full origins: scheme://host[:port].")

# --- Logging: JSON lines with a request id; never patient data, notes or tokens ----------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "config.observability.RequestIdFilter"},
        # No path, query string, request repr or exception message: config.observability.
        "redact": {"()": "config.observability.RedactingFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id", "redact"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django.request's error records are redacted (route and status only) by the handler.
        "django.request": {"level": "ERROR"},
        "daphne": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # The summary's PDF: WeasyPrint and fontTools log every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
