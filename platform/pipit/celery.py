"""The Celery application.

With ``REDIS_URL`` set (production, ``make worker``) tasks go to a real worker; without it the
embedded default runs them in-process (``task_always_eager``) so a laptop demo needs no broker.
"""

import os

from celery import Celery

# Like wsgi.py: without DJANGO_SETTINGS_MODULE a worker gets production settings (`make worker`
# sets the laptop ones).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pipit.settings.production")

app = Celery("pipit")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
