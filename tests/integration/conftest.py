import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REDIS_FOR_TESTS = os.environ.get("PIPIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def worker_pythonpath() -> list[str]:
    """Extra directories for the worker's PYTHONPATH (e.g. a test plugin's dist); override it."""
    return []


@pytest.fixture
def celery_worker_process(transactional_db, on_postgres, tmp_path, worker_pythonpath):
    """A real Celery worker on Redis, reading the test database, sending mail to files.

    Needs PostgreSQL (a worker process cannot see SQLite's in-memory test database) and Redis.
    A test module overrides the ``worker_pythonpath`` fixture to put more packages in its reach.
    """
    if not _redis_up(REDIS_FOR_TESTS):
        pytest.skip(f"needs Redis at {REDIS_FOR_TESTS}")
    from django.db import connection

    from pipit.celery import app

    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pipit.settings.test",
        "PIPIT_TEST_CELERY_WORKER": "1",
        "REDIS_URL": REDIS_FOR_TESTS,
        "DATABASE_URL": database_url,
        "PIPIT_TEST_EMAIL_DIR": str(mail_dir),
    }
    if worker_pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(
            [*worker_pythonpath, *filter(None, [os.environ.get("PYTHONPATH")])]
        )
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "pipit",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=root / "platform",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    # The test settings already point the broker at REDIS_FOR_TESTS; only eagerness changes here.
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read().decode())
            if app.control.ping(timeout=0.5):
                break
        else:
            raise RuntimeError("Celery worker did not answer a ping within 30 s")
        yield {"process": proc, "mail_dir": mail_dir}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        app.conf.task_always_eager = True
