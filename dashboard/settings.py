"""Django settings, read from the environment (see README's table).

Imports with no environment at all: every value has a development default, and a bad value is
reported by a system check (dashboard/checks.py), never by a traceback here.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import csp.constants as csp
import dj_database_url
import django_stubs_ext

from dashboard.env import (
    PROBLEMS,
    envbool,
    envfloat,
    envint,
    envlist,
    envsecret,
    envstr,
    proxy_ssl_header,
)
from dashboard.logs import LOG_FORMATS, logging_config

# Lets generic classes such as ModelAdmin[Model] be subscripted at run time, for mypy.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("DASHBOARD_VAR_DIR", str(BASE_DIR / "var")))
try:
    # SQLite creates its file but not the folder it lives in.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "staticfiles").mkdir(exist_ok=True)
except OSError as exc:
    PROBLEMS.append(("DASHBOARD_VAR_DIR", f"cannot create {VAR_DIR}: {exc.strerror}"))

DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"  # noqa: S105 (flagged by a check when DEBUG is off)
SECRET_KEY = envsecret("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS") or ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin, on a site that asks for the operator's second factor too.
    "dashboard.accounts.admin_apps.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "django_htmx",
    "template_partials",
    "django_tables2",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    # Operators' second factor (TOTP and recovery codes) and sign-in throttling. axes comes
    # before dashboard.accounts: its failed-sign-in receiver runs first, and the audit's reads
    # what it found (dashboard/accounts/signin.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "dashboard.apps.DashboardConfig",
    "dashboard.accounts",
    "dashboard.audit",
    "dashboard.verifications",
    "dashboard.clients",
    "dashboard.credentials",
    "dashboard.saved_views",
    "dashboard.sandbox",
    "dashboard.sandbox.b2core",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files keep their own caching and need no policy.
    # Above the policy's middleware, to see its header: declares the policy's report-to group.
    "dashboard.csp_reports.ReportingEndpointsMiddleware",
    "csp.middleware.CSPMiddleware",
    "dashboard.security.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # /healthz answered here, before the Host check, the session and the sign-in.
    "dashboard.health.HealthzMiddleware",
    "dashboard.request_ids.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Signs out after SESSION_IDLE_SECONDS without activity or SESSION_MAX_SECONDS in all.
    "dashboard.accounts.session_limits.SessionLimitsMiddleware",
    "dashboard.accounts.middleware.OperatorTimezoneMiddleware",
    # The provider calls one request makes share one PROVIDER_DEADLINE.
    "dashboard.provider_deadline.ProviderDeadlineMiddleware",
    # Act only on requests routed to the sandbox (dashboard/sandbox/wsgi.py): a log of the
    # writes received (before any fault), then latency, errors and broken bodies on request.
    "dashboard.sandbox.calls.CallLogMiddleware",
    "dashboard.sandbox.faults.SandboxFaultMiddleware",
    # Last: turns a sign-in refused for too many failures into the sign-in page saying when to
    # try again (AXES_LOCKOUT_CALLABLE below).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.context_processors.providers",
                "dashboard.audit.context_processors.audit_nav",
                "dashboard.context_processors.admin_nav",
                "dashboard.credentials.context_processors.b2core_auth",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------------------------
# SQLite by default, in WAL mode with IMMEDIATE transactions: with deferred transactions a
# read-then-write transaction fails with "database is locked" while a sync writes.
_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    # 64 MB of page cache a connection (the default is 2 MB): a sync's transaction dirties
    # pages all over the phone and ID indexes, and a small cache spills them to the WAL
    # repeatedly before the commit writes them again.
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
    ),
}


def _database(url: str, sqlite_file: Path, variable: str) -> dict[str, Any]:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": sqlite_file,
            "OPTIONS": dict(_SQLITE_OPTIONS),
        }
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as exc:
        PROBLEMS.append((variable, f"cannot be read as a database URL: {exc}"))
        return _database("", sqlite_file, variable)
    if config.get("ENGINE") == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**_SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    return config


DATABASE_URL = envsecret("DATABASE_URL")
DATABASES = {
    "default": _database(DATABASE_URL, VAR_DIR / "dashboard.sqlite3", "DATABASE_URL"),
    # The sandbox keeps its own tables on its own connection, as a real provider would.
    # The sandbox keeps its own tables on its own connection, as a real provider would, in a
    # SQLite file of its own unless told otherwise. (Sharing DATABASE_URL would also share
    # django_migrations, and the sandbox's tables would be recorded as made but never made.)
    "sandbox": _database(
        envsecret("SANDBOX_DATABASE_URL"), VAR_DIR / "sandbox.sqlite3", "SANDBOX_DATABASE_URL"
    ),
}
if DATABASES["default"].get("ENGINE") == "django.db.backends.sqlite3":
    # A file, as in production: WAL and the busy timeout then behave as they will there
    # (an in-memory test database locks whole tables between threads instead).
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-default-{os.getpid()}.sqlite3")}
if DATABASES["sandbox"].get("ENGINE") == "django.db.backends.sqlite3":
    # A file in tests too, so that a sandbox served by another thread sees what a test wrote;
    # one per process, so that two test runs never share it.
    DATABASES["sandbox"]["TEST"] = {"NAME": str(VAR_DIR / f"test-sandbox-{os.getpid()}.sqlite3")}
else:
    DATABASES["sandbox"]["TEST"] = {"NAME": f"test_{DATABASES['sandbox']['NAME']}_sandbox"}
# Independent of "default": a test may ask for the sandbox's database alone.
DATABASES["sandbox"]["TEST"]["DEPENDENCIES"] = []
DATABASE_ROUTERS = ["dashboard.sandbox.routers.SandboxRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache -----------------------------------------------------------------------------------
REDIS_URL = envsecret("REDIS_URL")
CACHES: dict[str, dict[str, Any]] = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Task queue ------------------------------------------------------------------------------
# Django 6's tasks API through the django-tasks backport. The embedded default keeps the queue
# in the database (a `manage.py worker` runs it); with Redis, RQ shares the work between any
# number of workers on any number of machines.
TASKS_BACKEND = envstr("TASKS_BACKEND", "rq" if REDIS_URL else "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    # Runs each task at once, in the caller: for tests and one-off scripts only.
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS or (TASKS_BACKEND == "rq" and not REDIS_URL):
    PROBLEMS.append(
        (
            "TASKS_BACKEND",
            f"{TASKS_BACKEND!r} is not one of database, rq (needs REDIS_URL), immediate",
        )
    )
    TASKS_BACKEND = "database"
TASKS: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}
}
# django-rq's queues (used only by the RQ backend); 10 minutes covers the longest bulk action.
RQ_QUEUES: dict[str, dict[str, Any]] = {
    "default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}
}
# How often the scheduler enqueues a sync of the recent days, and how many days it covers.
SCHEDULED_SYNC_SECONDS = envfloat("SCHEDULED_SYNC_SECONDS", 60.0, minimum=5.0)
SCHEDULED_SYNC_DAYS = envint("SCHEDULED_SYNC_DAYS", 2, minimum=1)
# Bulk cancel: how many sessions one bulk may hold, and how many cancel calls run at once.
BULK_CANCEL_MAX = envint("BULK_CANCEL_MAX", 500, minimum=1)
BULK_CANCEL_CONCURRENCY = envint("BULK_CANCEL_CONCURRENCY", 8, minimum=1)
# How often the scheduler enqueues sync_clients (B2Core 2FA changes across clients).
SCHEDULED_CLIENT_SYNC_SECONDS = envfloat("SCHEDULED_CLIENT_SYNC_SECONDS", 300.0, minimum=5.0)

# --- Auth ------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# axes first: it refuses a locked-out (username, address) before any password is hashed.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "verifications:services"
LOGOUT_REDIRECT_URL = "accounts:login"

# --- Sessions --------------------------------------------------------------------------------
# A sign-in ends after SESSION_IDLE_SECONDS without activity (pages refreshing themselves are
# not activity) and SESSION_MAX_SECONDS after it began in any case; see
# dashboard/accounts/session_limits.py. The cookie lasts no longer than the longest sign-in.
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_MAX_SECONDS = envint("SESSION_MAX_SECONDS", 12 * 60 * 60, minimum=60)
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
SESSION_COOKIE_HTTPONLY = True
# Lax, not Strict: a link to a session pasted in a chat must open signed in.
SESSION_COOKIE_SAMESITE = "Lax"
# Nothing reads the CSRF cookie from script: pages carry the token (base.html's hx-headers).
CSRF_COOKIE_HTTPONLY = True

# --- HTTPS and response headers --------------------------------------------------------------
# Served over HTTPS, directly or by a proxy in front: on unless DEBUG is. It is the default of
# the redirect, HSTS and Secure cookies below; `make run` sets DASHBOARD_HTTPS=0 for its
# plain http://127.0.0.1:8000.
DASHBOARD_HTTPS = envbool("DASHBOARD_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", DASHBOARD_HTTPS)
# Not a browser's, never redirected: the sandbox's own requests (in process over
# http://sandbox.internal, or `sandbox_serve` on a plain port; the dashboard's URLs have no
# sandbox/), and a load balancer's health check, often made over plain http (no data).
SECURE_REDIRECT_EXEMPT = [r"^sandbox/", r"^healthz/?$"]
# Sent on HTTPS responses only. A year, with subdomains and preload, as `check --deploy`
# asks; start lower (e.g. 300) on a host that has never served HTTPS only.
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31_536_000 if DASHBOARD_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", DASHBOARD_HTTPS)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", DASHBOARD_HTTPS)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", DASHBOARD_HTTPS)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", DASHBOARD_HTTPS)
# Behind a proxy that ends TLS: the header it sets, e.g. X-Forwarded-Proto (meaning "https"
# when it says so) or X-Forwarded-Ssl=on. Only behind a proxy that always sets it: a client
# could send it too.
SECURE_PROXY_SSL_HEADER = proxy_ssl_header("SECURE_PROXY_SSL_HEADER")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Content-Security-Policy ----------------------------------------------------------------
# No inline script or style and no eval anywhere (htmx is told so in base.html's htmx-config);
# behaviour lives in static/ui.js, looks in static/*.css.
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "frame-ancestors": [csp.NONE],
        "form-action": [csp.SELF],
    }
}
# Violations reported by browsers to /csp-report/ (dashboard/csp_reports.py): one log line
# each, nothing stored. The endpoint is open, so it reads at most CSP_REPORT_MAX_BYTES and
# CSP_REPORTS_PER_MINUTE requests per client address.
CSP_REPORTS = envbool("CSP_REPORTS", True)
CSP_REPORTS_PER_MINUTE = envint("CSP_REPORTS_PER_MINUTE", 30, minimum=1)
CSP_REPORT_MAX_BYTES = 16 * 1024
if CSP_REPORTS:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = ["/csp-report/"]
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-to"] = "csp-endpoint"

# Operators' second factor: "auto" requires it of every account whenever a real provider is
# configured (WAVIX_BASE_URL or B2CORE_BASE_URL) and offers it when the sandbox plays all;
# "required" and "optional" say so whatever the providers. An operator who has set one up is
# always asked for it. A value not understood requires it (and a check reports it).
OPERATOR_2FA = envstr("OPERATOR_2FA", "auto").lower()
if OPERATOR_2FA not in ("auto", "required", "optional"):
    PROBLEMS.append(("OPERATOR_2FA", f"{OPERATOR_2FA!r} is not auto, required or optional"))
    OPERATOR_2FA = "required"
# The name authenticator apps list the dashboard's codes under.
OTP_TOTP_ISSUER = envstr("OPERATOR_2FA_ISSUER", "2FA Ops")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the Django admin never shows a TOTP key

# Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one
# username from one client address, that pair is refused for LOGIN_COOLOFF_MINUTES, counted
# from the failure that locked it (attempts while locked neither count nor extend it). Never
# permanent, and never a username alone: an attacker elsewhere cannot lock an operator out.
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_COOLOFF_MINUTES = envint("LOGIN_COOLOFF_MINUTES", 15, minimum=1)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A right password wipes that pair's failures: the limit counts failures in a row.
AXES_RESET_ON_SUCCESS = True
# The client's address by the same rule as the audit trail's (TRUSTED_PROXY_COUNT).
AXES_CLIENT_IP_CALLABLE = "dashboard.accounts.signin.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "dashboard.accounts.signin.locked_out"
# Sign-ins are audit records already (dashboard/accounts/signin.py); axes keeps only counts.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no start-up banner; its warnings name no username or address

# --- Time ------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
# The country whose national format the phone search reads ("07911 123456" as GB) when an
# operator has not chosen one; empty: a national number must be typed with its country code.
PHONE_DEFAULT_REGION = envstr("PHONE_DEFAULT_REGION", "").strip().upper()
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# WhiteNoise serves static files from the finders too: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Providers -------------------------------------------------------------------------------
WAVIX_BASE_URL = envstr("WAVIX_BASE_URL").rstrip("/")
WAVIX_API_KEY = envsecret("WAVIX_API_KEY")
WAVIX_SERVICE_IDS = envlist("WAVIX_SERVICE_IDS")
B2CORE_BASE_URL = envstr("B2CORE_BASE_URL").rstrip("/")
B2CORE_ACCESS_TOKEN = envsecret("B2CORE_ACCESS_TOKEN")
# Traded for a new pair when B2Core refuses the access token; the renewed pair is kept in the
# database, encrypted with a key derived from B2CORE_TOKEN_KEY (else from SECRET_KEY).
B2CORE_REFRESH_TOKEN = envsecret("B2CORE_REFRESH_TOKEN")
B2CORE_TOKEN_KEY = envsecret("B2CORE_TOKEN_KEY")
B2CORE_EMAIL = envsecret("B2CORE_EMAIL")
B2CORE_PASSWORD = envsecret("B2CORE_PASSWORD")
# B2Core documents no body for disabling a method; ours is configurable (JSON object).
B2CORE_DISABLE_BODY = envstr("B2CORE_DISABLE_BODY", '{"isEnabled": false}')
# Pages read before a walk of a whole B2Core list gives up and says so (100 records a page).
B2CORE_MAX_PAGES = envint("B2CORE_MAX_PAGES", 1000, minimum=1)
# Who may disable a client's 2FA method besides admins: "admin" (admins only) or "operator".
CLIENT_DISABLE_ROLE = envstr("CLIENT_DISABLE_ROLE", "admin").strip().lower()
if CLIENT_DISABLE_ROLE not in ("admin", "operator"):
    PROBLEMS.append(("CLIENT_DISABLE_ROLE", f"{CLIENT_DISABLE_ROLE!r} is not admin or operator"))
    CLIENT_DISABLE_ROLE = "admin"
PROVIDER_CONNECT_TIMEOUT = envfloat("PROVIDER_CONNECT_TIMEOUT", 5.0, minimum=0.1)
PROVIDER_READ_TIMEOUT = envfloat("PROVIDER_READ_TIMEOUT", 15.0, minimum=0.1)
PROVIDER_DEADLINE = envfloat("PROVIDER_DEADLINE", 30.0, minimum=0.1)
# Bytes: a longer answer is refused as it streams in, never held whole. Every answer is one
# record or a page of at most 100 (a few KB), but Wavix's sessions list: a service's whole
# day, unpaged, ~270 bytes a session (100,000 sessions ≈ 27 MB).
PROVIDER_MAX_RESPONSE_BYTES = envint("PROVIDER_MAX_RESPONSE_BYTES", 4 * 1024 * 1024, minimum=1024)
WAVIX_MAX_SESSIONS_BYTES = envint("WAVIX_MAX_SESSIONS_BYTES", 64 * 1024 * 1024, minimum=1024)

# The sandbox stands in for any provider that is not configured.
SANDBOX_SEED = envint("SANDBOX_SEED", 2024)
# Wavix's older guide answers cancel with 204 and no body; the sandbox can too.
SANDBOX_WAVIX_CANCEL_204 = envbool("SANDBOX_WAVIX_CANCEL_204", False)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Logs ------------------------------------------------------------------------------------
# "plain" lines for a terminal (`make run`), or "json": one JSON object a line, for a log
# collector (production). Either way each provider call and each operator action is one line
# with its request id (dashboard/logs.py); never a key, a token, a code or a whole number.
LOG_FORMAT = envstr("LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in LOG_FORMATS:
    PROBLEMS.append(("LOG_FORMAT", f"{LOG_FORMAT!r} is not one of {', '.join(LOG_FORMATS)}"))
    LOG_FORMAT = "plain"
LOG_LEVEL = envstr("LOG_LEVEL", "INFO").strip().upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    PROBLEMS.append(("LOG_LEVEL", f"{LOG_LEVEL!r} is not DEBUG, INFO, WARNING or ERROR"))
    LOG_LEVEL = "INFO"
LOGGING: dict[str, Any] = logging_config(LOG_FORMAT, LOG_LEVEL)

# --- Mirror of Wavix sessions ----------------------------------------------------------------
# Today's and unsettled windows are fetched again when older than this.
MIRROR_FRESHNESS_SECONDS = envint("MIRROR_FRESHNESS_SECONDS", 30, minimum=1)
MIRROR_SYNC_WORKERS = envint("MIRROR_SYNC_WORKERS", 4, minimum=1)
# How long a page waits for its own fetches (and the service list) before showing what is
# held; they go on in the background. A page never waits for a fetch someone else is making.
MIRROR_PAGE_SYNC_BUDGET = envfloat("MIRROR_PAGE_SYNC_BUDGET", 2.0, minimum=0.0)
MIRROR_MAX_RANGE_DAYS = envint("MIRROR_MAX_RANGE_DAYS", 400, minimum=1)
MIRROR_RETENTION_DAYS = envint("MIRROR_RETENTION_DAYS", 400, minimum=1)

# --- Mirror of B2Core 2FA changes (sync_clients, the clients feed) ---------------------------
# Clients whose changes are fetched at once.
CLIENT_SYNC_WORKERS = envint("CLIENT_SYNC_WORKERS", 8, minimum=1)
# A client synced more recently than this is not asked again (sync_clients --force asks).
CLIENT_SYNC_FRESHNESS_SECONDS = envint("CLIENT_SYNC_FRESHNESS_SECONDS", 60, minimum=0)
# Ask each client again from this long before its newest change held (B2Core documents
# nothing about late writes; 0 asks from the newest change itself, which comes back).
CLIENT_SYNC_OVERLAP_SECONDS = envint("CLIENT_SYNC_OVERLAP_SECONDS", 0, minimum=0)
# How long a worker holds a client before another may take it (a crashed worker's clients).
CLIENT_SYNC_LEASE_SECONDS = envint("CLIENT_SYNC_LEASE_SECONDS", 300, minimum=10)
# A method turned off and on again (or on and off) within this is flagged as a rapid toggle.
CLIENT_RAPID_TOGGLE_SECONDS = envint("CLIENT_RAPID_TOGGLE_SECONDS", 3600, minimum=1)

# --- Client address (audit trail, sign-in throttling) ----------------------------------------
# How many reverse proxies stand between the clients and the dashboard, each appending the
# address it was reached from to CLIENT_IP_HEADER: the client's address is the entry the
# outermost one appended (TRUSTED_PROXY_COUNT-th from the right). 0: REMOTE_ADDR, the header
# ignored. Set it only behind proxies that always append to that header. AUDIT_CLIENT_IP_HEADER,
# the older setting, still stands for one proxy appending to the header it names.
_LEGACY_CLIENT_IP_HEADER = envstr("AUDIT_CLIENT_IP_HEADER")
CLIENT_IP_HEADER = envstr("CLIENT_IP_HEADER", _LEGACY_CLIENT_IP_HEADER or "X-Forwarded-For")
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 1 if _LEGACY_CLIENT_IP_HEADER else 0)

# --- Audit trail -----------------------------------------------------------------------------
# The header a proxy puts a request id in (e.g. X-Request-ID). Empty: one is made per request.
AUDIT_REQUEST_ID_HEADER = envstr("AUDIT_REQUEST_ID_HEADER")
# A service Wavix rejected is probed again by the background sync at most this often.
MIRROR_REJECTED_RECHECK_SECONDS = envint("MIRROR_REJECTED_RECHECK_SECONDS", 3600, minimum=1)
