"""Production settings pass Django's deployment checks and refuse to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "pipit.settings.production",
    "SECRET_KEY": "a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/pipit",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CSRF_TRUSTED_ORIGINS": "https://shop.example.com",
}


def _clean_environ():
    # The test run's own switches (settings module, async-unsafe for Playwright) must not leak.
    skip = {*PRODUCTION_ENV, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {k: v for k, v in os.environ.items() if k not in skip}


def manage(*args, **env):
    base = _clean_environ()
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_redis():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "REDIS_URL"}
    result = manage("check", **env)
    assert result.returncode != 0 and "REDIS_URL must be set" in result.stderr


def test_a_server_started_without_settings_gets_production_not_debug():
    env = _clean_environ()
    code = "import pipit.wsgi"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "platform",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY must be set in production" in result.stderr
