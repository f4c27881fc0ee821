"""Settings for the test suite: SQLite unless DATABASE_URL is set, fast hashing, local mail."""

import os

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"
# Tests read English unless they ask for Russian (storefronts set their own language).
LANGUAGE_CODE = "en"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = PROJECT_DIR / "var" / "test-media"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests run the Celery tasks in-process; tests that start a real worker switch eagerness off and
# talk to it through this broker (tests/integration/conftest.py).
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("PIPIT_TEST_CELERY_WORKER")
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = os.environ.get(
    "PIPIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"
)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if os.environ.get("PIPIT_TEST_EMAIL_DIR"):
    # A Celery worker started by the tests writes e-mails where the test can read them.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["PIPIT_TEST_EMAIL_DIR"]

PIPIT_DEMO_ALLOWED = True
# Query counts are pinned: the day check is tested on its own (tests/integration/test_pricing_*).
PIPIT_PRICING_LAZY_ROLLOVER = False

# Tests never collect static files; without a STATIC_ROOT WhiteNoise stops warning about it.
STATIC_ROOT = None
