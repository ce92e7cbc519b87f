"""Settings read from the environment; a malformed value stops start-up with a clear message."""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

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
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or os.environ.get("DELEGATIONS_DEV", "1") == "1":
        # Development default only; production sets DJANGO_SECRET_KEY and DELEGATIONS_DEV=0.
        SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105
    else:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY est obligatoire en production.")

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
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
AUTHENTICATION_BACKENDS = ["delegations.core.auth.EmailOrUsernameBackend"]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "conventions:liste"
LOGOUT_REDIRECT_URL = "core:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

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
        "rest_framework.authentication.TokenAuthentication",
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
    "(jeton obtenu par « delegations token UTILISATEUR »).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc assets served by the application, not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One clear name per choice set shared by several serializers.
    "ENUM_NAME_OVERRIDES": {
        "StatutConventionEnum": "delegations.conventions.models.Statut",
        "StatutObligationEnum": "delegations.comites.models.StatutObligation",
        "StatutReleveEnum": "delegations.comites.models.StatutReleve",
        "TypeComiteEnum": "delegations.comites.models.TypeComite",
        "TypeEcheanceEnum": "delegations.echeances.calcul.TypeEcheance",
        "PhaseFinanceeEnum": "delegations.produits.models.Phase",
        "PhaseProduitEnum": "delegations.produits.models.PhaseProduit",
        "TypeDocumentPublieEnum": ["convention", "avenant"],
        "StatutPublieEnum": ["signee", "publiee", "suspendue", "resiliee", "terminee"],
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

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    CSRF_COOKIE_HTTPONLY = False
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
DSFR_MARK_OPTIONAL_FIELDS = True
# Forms render with the project's templates too: delegations/templates/dsfr/form_snippet.html
# adds the error summary on top of every form.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
FORMS_URLFIELD_ASSUME_HTTPS = True
