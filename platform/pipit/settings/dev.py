"""Laptop settings: SQLite, in-process tasks, database search, e-mails to the console."""

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-not-secret"  # noqa: F405
