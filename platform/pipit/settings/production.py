"""Production: everything comes from the environment (see .env.example)."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY") or ""
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production")
for required in ("DATABASE_URL", "REDIS_URL"):
    # Without Redis, tasks would run inside web requests and every worker process would keep a
    # cache of its own (tenant host map, design tokens): refuse to start instead.
    if not os.environ.get(required):
        raise ImproperlyConfigured(f"{required} must be set in production")
# Persistent connections (a new one per request costs a PostgreSQL backend start); 0 for a
# pooler that does transaction pooling.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "60"))  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SESSION_COOKIE_SECURE = os.environ.get("SECURE_COOKIES", "true") == "true"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if os.environ.get("BEHIND_TLS_PROXY", "true") == "true":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true") == "true"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
# Subdomains and preload are an operator's decision (a storefront host may be a subdomain of a
# domain with plain-HTTP neighbours); when left off, Django's reminders about them are silenced.
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS") == "true"
SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD") == "true"
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# DRF's throttles key on the client address; behind N proxies, trust N X-Forwarded-For hops.
REST_FRAMEWORK["NUM_PROXIES"] = int(os.environ.get("NUM_PROXIES", "1"))  # noqa: F405
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TIME_LIMIT = 300
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
LOGGING["root"]["level"] = os.environ.get("LOG_LEVEL", "INFO")  # noqa: F405
