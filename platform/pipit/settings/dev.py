"""Laptop settings: SQLite, in-process tasks, database search, e-mails to the console."""

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-not-secret"  # noqa: F405

# Theme templates are edited live on a laptop: no compiled-template cache.
TEMPLATES[0]["OPTIONS"]["loaders"] = [  # noqa: F405
    "pipit.themes.loaders.ThemeLoader",
    "django.template.loaders.app_directories.Loader",
]

PIPIT_DEMO_ALLOWED = True
