"""The Celery application.

With ``REDIS_URL`` set (production, ``make worker``) tasks go to a real worker; without it the
embedded default runs them in-process (``task_always_eager``) so a laptop demo needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pipit.settings.dev")

app = Celery("pipit")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
