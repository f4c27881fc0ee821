import pytest

from pipit.core.tasks import run_django_task


def test_only_declared_django_tasks_run_through_the_celery_bridge():
    with pytest.raises(TypeError):
        run_django_task("os.system", ["true"], {})
