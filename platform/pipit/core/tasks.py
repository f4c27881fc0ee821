from celery import shared_task
from django.utils.module_loading import import_string
from django_tasks.base import Task


@shared_task(name="pipit.core.run_django_task")
def run_django_task(path: str, args: list, kwargs: dict):
    """Run a django-tasks task (e.g. Wagtail's search-index update) on a Celery worker.

    Only objects declared as django-tasks ``Task`` run: a message naming any other importable
    callable is refused, so the broker cannot be used to call arbitrary code.
    """
    task = import_string(path)
    if not isinstance(task, Task):
        raise TypeError(f"{path} is not a django-tasks task")
    return task.call(*args, **kwargs)
