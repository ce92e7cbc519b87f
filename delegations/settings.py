"""Settings read from the environment; a malformed value stops start-up with a clear message."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import csp.constants as csp
import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on", "oui"}:
        return True
    if value in {"0", "false", "no", "off", "non"}:
        return False
    raise ImproperlyConfigured(f"{name} doit valoir true ou false, pas « {raw} ».")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} doit être un entier, pas « {raw} ».") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name} doit être supérieur ou égal à {minimum}.")
    return value


def env_decimal(name: str, default: str) -> Decimal:
    raw = os.environ.get(name) or default
    try:
        return Decimal(raw)
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name} doit être un nombre décimal, pas « {raw} ».") from exc


def env_day_month(name: str, default: str) -> tuple[int, int]:
    """A yearly cut-off written DD-MM (e.g. 30-11)."""
    raw = os.environ.get(name) or default
    try:
        day_s, month_s = raw.split("-")
        day, month = int(day_s), int(month_s)
        if not (1 <= month <= 12 and 1 <= day <= 31):
            raise ValueError
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} doit être au format JJ-MM, pas « {raw} ».") from exc
    return day, month


def env_choice(name: str, default: str, choices: set[str]) -> str:
    raw = os.environ.get(name) or default
    if raw not in choices:
        raise ImproperlyConfigured(f"{name} doit valoir l'une de {sorted(choices)}, pas « {raw} ».")
    return raw


DEBUG = env_bool("DJANGO_DEBUG", False)

# ─── Production mode and secret key (issue 17) ──────────────────────────────────────────────
# Production is the default: DELEGATIONS_DEV=1 (set by `make run`, `make test` and the CI)
# allows the development secret key and plain HTTP. In production a missing or short secret
# key stops start-up with a French message.
DEV = env_bool("DELEGATIONS_DEV", False)
SECRET_KEY_LONGUEUR_MIN = 50
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if DEV:
    # Development default only; production sets DJANGO_SECRET_KEY and DELEGATIONS_DEV=0.
    SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-change-me"  # noqa: S105
elif not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY est obligatoire en production (DELEGATIONS_DEV=0) : donnez une clé "
        f"aléatoire d'au moins {SECRET_KEY_LONGUEUR_MIN} caractères, par exemple "
        "« python -c 'import secrets; print(secrets.token_urlsafe(64))' »."
    )
elif (
    len(SECRET_KEY) < SECRET_KEY_LONGUEUR_MIN
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure")
):
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY est trop courte ou trop simple ({len(SECRET_KEY)} caractères) : "
        f"en production, donnez une clé aléatoire d'au moins {SECRET_KEY_LONGUEUR_MIN} "
        "caractères."
    )
# ─── End of production mode ─────────────────────────────────────────────────────────────────

ALLOWED_HOSTS = [
    h.strip()
    for h in env_str("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in env_str("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "widget_tweaks",  # django-dsfr's form templates load it
    "django_htmx",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    # Domain apps; dependency order is in ARCHITECTURE.md.
    "delegations.core",
    "delegations.taches",
    "delegations.produits",
    "delegations.conventions",
    "delegations.lecture",
    "delegations.execution",
    "delegations.chorus",
    "delegations.comites",
    "delegations.echeances",
    "delegations.rapports",
    "delegations.redaction",
    "delegations.opendata",
    "django.forms",  # default form templates for FORM_RENDERER below
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Issue 17: Content-Security-Policy and Permissions-Policy on every response.
    "csp.middleware.CSPMiddleware",
    "delegations.core.securite.EntetesSecuriteMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Issue 17: idle sessions end; django-axes last (it answers the lock-out page).
    "delegations.core.securite.SessionInactiveMiddleware",
    "delegations.core.securite.AccesEnAttenteMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "delegations.urls"
WSGI_APPLICATION = "delegations.wsgi.application"

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
                "delegations.core.context_processors.site",
            ],
        },
    },
]

DEFAULT_DB = f"sqlite:///{PROJECT_DIR / 'db.sqlite3'}"
_database_url = env_str("DATABASE_URL", DEFAULT_DB)
if not _database_url.startswith(("sqlite:", "postgres:", "postgresql:", "pgsql:")):
    raise ImproperlyConfigured(
        "DATABASE_URL doit commencer par sqlite:/// ou postgres://, pas « "
        f"{_database_url.split(':', 1)[0]}: »."
    )
DATABASES = {
    "default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_PREPARED_STATEMENTS", True
):
    # Server-side binding lets PostgreSQL reuse the plans of the hot write path (planning a
    # balance query costs more than running it). Disable behind a transaction-mode pooler.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait on a locked database rather than failing at once under concurrent writers.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The journal's indexes carry amounts as non-key columns (INCLUDE) on PostgreSQL; SQLite builds
# the same indexes without them, which is what we want there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: a locked account+address is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "delegations.core.auth.EmailOrUsernameBackend",
    # ProConnect (does nothing unless PROCONNECT_ISSUER is set).
    "delegations.core.proconnect.ProConnectBackend",
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "conventions:liste"
LOGOUT_REDIRECT_URL = "core:login"

# ─── Login and sessions (issue 17) ──────────────────────────────────────────────────────────
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes: after AXES_FAILURE_LIMIT failures for one account from one address, that pair is
# locked for AXES_COOLOFF_MINUTES (login page and /admin/ alike), with a French page.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10, 1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, 1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/compte_verrouille.html"
AXES_USERNAME_CALLABLE = "delegations.core.securite.identifiant_tente"
AXES_CLIENT_IP_CALLABLE = "delegations.core.securite.adresse_client"
AXES_VERBOSE = False
# Behind a reverse proxy, the header carrying the visitor's address as the proxy sets it (e.g.
# HTTP_X_REAL_IP); otherwise every visitor has the proxy's address (REMOTE_ADDR).
ADRESSE_CLIENT_ENTETE = env_str("ADRESSE_CLIENT_ENTETE", "")
# A session unused for SESSION_IDLE_MINUTES ends (core.securite.SessionInactiveMiddleware).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 60, 1)
# API keys (core.JetonAPI) expire after API_TOKEN_DAYS days.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 365, 1)
# ─── End of login and sessions ──────────────────────────────────────────────────────────────

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
# Project wording over the libraries' (django-dsfr's « (optionnel) » → « (facultatif) »).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(PROJECT_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(PROJECT_DIR / "media")))
# Files (documents, uploads waiting for review, task results) on the local disk by default; on
# an S3-compatible bucket, shared by every web and worker machine, when STOCKAGE_S3_BUCKET is set.
STOCKAGE_S3_BUCKET = env_str("STOCKAGE_S3_BUCKET", "")
STOCKAGE_DEFAUT: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if STOCKAGE_S3_BUCKET:
    STOCKAGE_DEFAUT = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STOCKAGE_S3_BUCKET,
            "endpoint_url": env_str("STOCKAGE_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("STOCKAGE_S3_REGION", "") or None,
            "access_key": env_str("STOCKAGE_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("STOCKAGE_S3_SECRET_ACCESS_KEY", "") or None,
            "location": env_str("STOCKAGE_S3_PREFIXE", ""),
            # Files are served by the application (permissions), never by public URLs.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": STOCKAGE_DEFAUT,
    # Collected files are hashed (served with a one-year immutable cache by whitenoise) and
    # pre-compressed (gzip, brotli): `delegations serve` and `make run` run collectstatic.
    # STATIC_MANIFESTE=0 serves the files as they are (tests without collectstatic).
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFESTE", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_MAX_AGE = 0 if DEBUG else 3600  # files without a hash; hashed ones: one year
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5_000_000, 1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5_000_000

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, 1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, 1)
if os.environ.get("EMAIL_URL"):
    # One URL instead of the EMAIL_* variables: smtp://user:password@host:587/?tls=True,
    # smtp+ssl://…:465, console:// (dj-email-url).
    import dj_email_url

    _email = dj_email_url.parse(os.environ["EMAIL_URL"])
    if "EMAIL_BACKEND" not in _email:
        raise ImproperlyConfigured(
            "EMAIL_URL doit commencer par smtp://, smtps://, smtp+tls://, console:// ou "
            f"file://, pas « {os.environ['EMAIL_URL'].split(':', 1)[0]}: »."
        )
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"] or EMAIL_HOST
    EMAIL_PORT = _email["EMAIL_PORT"] or EMAIL_PORT
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
    EMAIL_USE_TLS = bool(_email["EMAIL_USE_TLS"])
    EMAIL_USE_SSL = bool(_email["EMAIL_USE_SSL"])
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "delegations@beta.gouv.fr")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "delegations.core.jetons.JetonAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "delegations.core.api.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "delegations.core.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Délégations",
    "DESCRIPTION": "API des conventions de délégation de gestion (DINUM / beta.gouv.fr). "
    "Authentification par jeton : en-tête « Authorization: Token <jeton> » "
    "(jeton créé sur la page « Mon profil », ou par « delegations token UTILISATEUR »).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc assets served by the application, not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One clear name per choice set shared by several serializers.
    "ENUM_NAME_OVERRIDES": {
        "PartiePreavisEnum": "delegations.conventions.models.PartiePreavis",
        "StatutConventionEnum": "delegations.conventions.models.Statut",
        "StatutObligationEnum": "delegations.comites.models.StatutObligation",
        "StatutReleveEnum": "delegations.comites.models.StatutReleve",
        "TypeComiteEnum": "delegations.comites.models.TypeComite",
        "TypeEcheanceEnum": "delegations.echeances.calcul.TypeEcheance",
        "PhaseFinanceeEnum": "delegations.produits.models.Phase",
        "PhaseProduitEnum": "delegations.produits.models.PhaseProduit",
        "TypeDocumentPublieEnum": ["convention", "avenant"],
        "StatutPublieEnum": ["signee", "publiee", "suspendue", "resiliee", "terminee", "cloturee"],
        # A task just queued (202 answers) and the decision on an open order at the end.
        "StatutEnFileEnum": ["en_attente"],
        "SuiteCommandeEnum": "delegations.execution.models.SuiteCommande",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "delegations.opendata.schema.documenter_erreurs",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Domain settings (configurable practice, see docs/domain).
PREAVIS_MOIS_DEFAUT = env_int("PREAVIS_MOIS_DEFAUT", 3, 0)
SEUIL_CONVENTION_RARE = env_decimal("SEUIL_CONVENTION_RARE", "50000")
# Conventions at or above this consolidated AE are "missions" (annual interministerial committee).
SEUIL_MISSION = env_decimal("SEUIL_MISSION", "1000000")
CLOTURE_PAIEMENTS = env_day_month("CLOTURE_PAIEMENTS", "30-11")
CLOTURE_ENGAGEMENTS = env_day_month("CLOTURE_ENGAGEMENTS", "12-12")
CLOTURE_MODE = env_choice("CLOTURE_MODE", "avertir", {"avertir", "bloquer"})
LECTURE_MAX_BYTES = env_int("LECTURE_MAX_BYTES", 20_000_000, 1)
# OCR of scanned pages in parallel (processes), and the longest document read.
LECTURE_PROCESSUS = env_int("LECTURE_PROCESSUS", os.cpu_count() or 1, 1)
LECTURE_MAX_PAGES = env_int("LECTURE_MAX_PAGES", 200, 1)

# Task queue (delegations.taches): django-tasks with its database backend.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Heartbeat of a worker (s); a worker silent for TACHES_DELAI_ABANDON s is presumed dead and
# its running task goes back to the queue, at most TACHES_TENTATIVES times.
# Worker processes of ``delegations worker`` without --processes.
TACHES_PROCESSUS = env_int("TACHES_PROCESSUS", 1, 1)
TACHES_BATTEMENT = env_int("TACHES_BATTEMENT", 5, 1)
TACHES_DELAI_ABANDON = env_int("TACHES_DELAI_ABANDON", 60, 1)
TACHES_TENTATIVES = env_int("TACHES_TENTATIVES", 3, 1)
TACHES_ARRET_GRACIEUX = env_int("TACHES_ARRET_GRACIEUX", 30, 0)
# Niceness added to worker processes (0-19): web requests keep the CPU first.
TACHES_PRIORITE = env_int("TACHES_PRIORITE", 5, 0)
# Execution imports (CSV/XLSX of orders and payments): caps, and how long a parked upload waits
# for its confirmation before it is purged.
IMPORT_MAX_OCTETS = env_int("IMPORT_MAX_OCTETS", 10_000_000, 1)
IMPORT_MAX_LIGNES = env_int("IMPORT_MAX_LIGNES", 20_000, 1)
IMPORT_MAX_DECOMPRESSE = env_int("IMPORT_MAX_DECOMPRESSE", 100_000_000, 1)
IMPORT_DUREE_HEURES = env_int("IMPORT_DUREE_HEURES", 24, 1)
DATAGOUV_API_URL = env_str("DATAGOUV_API_URL", "https://www.data.gouv.fr/api/1")
DATAGOUV_API_KEY = env_str("DATAGOUV_API_KEY", "")
DATAGOUV_DATASET = env_str("DATAGOUV_DATASET", "")
# Daily tasks queued by the workers (local time "HH:MM"; empty: never). Several workers on
# several machines queue each one once a day (taches/planification.py).
RAPPELS_HEURE = env_str("RAPPELS_HEURE", "07:00")
DONNEES_SERVIES_HEURE = env_str("DONNEES_SERVIES_HEURE", "03:00")
DATAGOUV_PUBLICATION_HEURE = env_str(
    "DATAGOUV_PUBLICATION_HEURE", "04:00" if DATAGOUV_API_KEY and DATAGOUV_DATASET else ""
)
PURGE_DEPOTS_HEURE = env_str("PURGE_DEPOTS_HEURE", "02:00")

# ─── ProConnect (issue 17) ──────────────────────────────────────────────────────────────────
# The State's agent login (OpenID Connect). Unset PROCONNECT_ISSUER: local passwords only.
PROCONNECT_ISSUER = env_str("PROCONNECT_ISSUER", "").rstrip("/")
PROCONNECT_ORIGINE = "/".join(PROCONNECT_ISSUER.split("/")[:3]) if PROCONNECT_ISSUER else ""
OIDC_RP_CLIENT_ID = env_str("PROCONNECT_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("PROCONNECT_CLIENT_SECRET", "")
if PROCONNECT_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "PROCONNECT_ISSUER est défini : PROCONNECT_CLIENT_ID et PROCONNECT_CLIENT_SECRET sont "
        "obligatoires (donnés par ProConnect à l'inscription du service)."
    )
# Endpoints: read from PROCONNECT_ISSUER/.well-known/openid-configuration (core.proconnect),
# kept this many seconds.
PROCONNECT_DECOUVERTE_SECONDES = env_int("PROCONNECT_DECOUVERTE_SECONDES", 3600, 0)
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email given_name usual_name siret uid"
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "eidas1"}
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the id_token_hint of the provider's logout
OIDC_TIMEOUT = env_int("PROCONNECT_TIMEOUT", 10, 1)
OIDC_AUTHENTICATE_CLASS = "delegations.core.proconnect.DebutConnexion"
OIDC_CALLBACK_CLASS = "delegations.core.proconnect.RetourConnexion"
OIDC_OP_LOGOUT_URL_METHOD = "delegations.core.proconnect.url_deconnexion"
LOGIN_REDIRECT_URL_FAILURE = "core:login"
# ─── End of ProConnect ──────────────────────────────────────────────────────────────────────

# ─── HTTP security (issue 17) ───────────────────────────────────────────────────────────────
# In production (DELEGATIONS_DEV=0) HTTPS is the default: redirect, HSTS, secure cookies, so
# that `delegations check --deploy --fail-level WARNING` passes with only the secret key and
# the allowed hosts set. Each can be turned off by its variable (e.g. a test platform).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEV)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEV else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEV)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEV)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEV)
# --- t16 (national scale): public pages and API limited per address (requests per minute,
# counted in the default cache; 0 turns the limit off). See delegations/core/limites.py.
LIMITE_PUBLIQUE_PAR_MINUTE = env_int("LIMITE_PUBLIQUE_PAR_MINUTE", 120, 0)
# The counters are shared by every process and machine: a table of the database (created by
# the migration opendata/0002), never a process's memory.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "limites": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "delegations_limites",
    },
}
# --- end t16

CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind a reverse proxy that terminates TLS: the header it sets, e.g.
# SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO (the proxy must overwrite it, never pass on
# the client's). Then request.is_secure() and the absolute URLs (iCal) say https.
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER", "")
if _proxy_ssl_header:
    if not _proxy_ssl_header.startswith("HTTP_"):
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER doit nommer un en-tête tel que Django le voit, par exemple "
            f"HTTP_X_FORWARDED_PROTO, pas « {_proxy_ssl_header} »."
        )
    SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https")

# Content-Security-Policy (django-csp): scripts from our own origin only (no inline script,
# no eval); inline styles stay allowed (DSFR components and htmx set style attributes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF, "data:"],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        # The logout form ends at the identity provider's end-session endpoint.
        "form-action": [csp.SELF, *([PROCONNECT_ORIGINE] if PROCONNECT_ORIGINE else [])],
    }
}
# Browser features the application never uses (core.securite.EntetesSecuriteMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
# ─── End of HTTP security ───────────────────────────────────────────────────────────────────
DSFR_MARK_OPTIONAL_FIELDS = True
# Forms render with the project's templates too: delegations/templates/dsfr/form_snippet.html
# adds the error summary on top of every form.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
FORMS_URLFIELD_ASSUME_HTTPS = True
