from celery import shared_task
from django.utils.module_loading import import_string


@shared_task(name="pipit.core.run_django_task")
def run_django_task(path: str, args: list, kwargs: dict):
    """Run a django-tasks task (e.g. Wagtail's search-index update) on a Celery worker."""
    task = import_string(path)
    return task.call(*args, **kwargs)
