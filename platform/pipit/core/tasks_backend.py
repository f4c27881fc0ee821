"""A django-tasks backend that hands tasks to Celery.

Wagtail 8 queues its search-index updates through django-tasks; this backend sends them to the
same Celery workers as Pipit's own tasks (in-process in the embedded default, where Celery runs
eagerly). Enqueueing waits for the surrounding transaction to commit, so a worker never reads a
row that is not there yet.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id


class CeleryBackend(BaseTaskBackend):
    supports_defer = False
    supports_async_task = False
    supports_get_result = False
    supports_priority = False

    def enqueue(self, task: Task, args, kwargs) -> TaskResult:
        from .tasks import run_django_task

        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        path = task.module_path
        transaction.on_commit(
            lambda: run_django_task.apply_async(args=(path, list(args), dict(kwargs)), queue=None)
        )
        return result
