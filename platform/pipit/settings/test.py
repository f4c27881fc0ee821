"""Settings for the test suite: SQLite unless DATABASE_URL is set, fast hashing, local mail."""

import os

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = PROJECT_DIR / "var" / "test-media"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests run the Celery tasks in-process unless a test starts a real worker itself.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("PIPIT_TEST_CELERY_WORKER")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
