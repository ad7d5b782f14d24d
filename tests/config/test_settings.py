"""Settings as each process starts them: run in a subprocess with a chosen environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "s" * 30 + "0123456789abcdefghijklmnopqrstuvwxyz"
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": GOOD_SECRET,
    "ALLOWED_HOSTS": "aporta.example.org",
    "SITE_URL": "https://aporta.example.org",
}


def run(args: list[str], **environ: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"))
    }
    env.update(environ)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def settings_value(name: str, **environ: str) -> subprocess.CompletedProcess:
    code = (
        f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    )
    return run(["-c", code], **environ)


def test_production_refuses_to_start_without_a_secret_key():
    result = settings_value("DEBUG", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = settings_value("DEBUG", **{**PRODUCTION, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY must be a long random value" in result.stderr


def test_production_requires_allowed_hosts():
    result = settings_value("DEBUG", **{**PRODUCTION, "ALLOWED_HOSTS": ""})
    assert "ALLOWED_HOSTS must be set in production" in result.stderr


@pytest.mark.parametrize("site_url", ["", "http://aporta.example.org"])
def test_production_requires_the_https_site_address(site_url):
    result = settings_value("DEBUG", **{**PRODUCTION, "SITE_URL": site_url})
    assert "SITE_URL must be set in production" in result.stderr


def test_a_bad_value_fails_at_start_naming_the_variable():
    result = settings_value("DEBUG", **{**PRODUCTION, "DJANGO_DEBUG": "perhaps"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of" in result.stderr
    result = settings_value("TIME_ZONE", **{**PRODUCTION, "TIME_ZONE": "Mars/Olympus"})
    assert "TIME_ZONE is not a known time zone" in result.stderr


def test_debug_is_off_unless_local():
    assert settings_value("DEBUG", **PRODUCTION).stdout.strip() == "False"
    local = settings_value("DEBUG", DJANGO_SETTINGS_MODULE="config.settings.local")
    assert local.stdout.strip() == "True"


def test_defaults_are_spanish_and_lima_time():
    assert settings_value("LANGUAGE_CODE", **PRODUCTION).stdout.strip() == "es"
    assert settings_value("TIME_ZONE", **PRODUCTION).stdout.strip() == "America/Lima"


def test_without_redis_url_tasks_run_eagerly_and_cache_is_local():
    environ = {**PRODUCTION, "REDIS_URL": ""}
    assert settings_value("CELERY_TASK_ALWAYS_EAGER", **environ).stdout.strip() == "True"
    assert "LocMemCache" in settings_value("CACHES", **environ).stdout


def test_with_redis_url_redis_is_broker_and_cache():
    environ = {**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/3"}
    assert settings_value("CELERY_TASK_ALWAYS_EAGER", **environ).stdout.strip() == "False"
    assert settings_value("CELERY_BROKER_URL", **environ).stdout.strip().endswith("6379/3")
    assert "RedisCache" in settings_value("CACHES", **environ).stdout


def test_without_database_url_the_default_is_a_sqlite_file_under_var():
    result = settings_value("DATABASES['default']['NAME']", **{**PRODUCTION, "DATABASE_URL": ""})
    assert result.stdout.strip().endswith("var/aporta.sqlite3")


def test_staff_mfa_can_be_relaxed_only_by_local_settings():
    environ = {"STAFF_MFA_REQUIRED": "false"}
    assert settings_value("APORTA_STAFF_MFA_REQUIRED", **PRODUCTION, **environ).stdout.strip() == (
        "True"
    )
    local = settings_value(
        "APORTA_STAFF_MFA_REQUIRED", DJANGO_SETTINGS_MODULE="config.settings.local", **environ
    )
    assert local.stdout.strip() == "False"


def test_deploy_checks_report_nothing_under_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi", "config.celery"])
def test_servers_and_celery_default_to_production_settings(module):
    code = f"import os, {module}; print(os.environ['DJANGO_SETTINGS_MODULE'])"
    result = run(["-c", code], **PRODUCTION)
    assert result.stdout.strip() == "config.settings.production", result.stderr


def test_collectstatic_writes_hashed_and_compressed_files(tmp_path):
    result = run(
        ["manage.py", "collectstatic", "--no-input", "-v", "0"],
        **PRODUCTION,
        STATIC_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    names = {path.name for path in (tmp_path / "css").iterdir()}
    hashed = [name for name in names if name.startswith("aporta.") and name.endswith(".css")]
    assert any(len(name.split(".")) == 3 for name in hashed), names
    assert any(name.endswith(".css.gz") for name in names), names
    assert (tmp_path / "vendor" / "htmx").is_dir()


def test_mail_is_printed_locally_and_sent_by_smtp_in_production():
    local = settings_value("MAILERS", DJANGO_SETTINGS_MODULE="config.settings.local")
    assert "console.EmailBackend" in local.stdout
    production = settings_value("MAILERS", **PRODUCTION, EMAIL_HOST="smtp.example.org")
    assert "smtp.EmailBackend" in production.stdout
    assert "smtp.example.org" in production.stdout
    refused = settings_value("MAILERS", **PRODUCTION, EMAIL_BACKEND="carrier-pigeon")
    assert "EMAIL_BACKEND must be one of console, smtp" in refused.stderr


def test_gunicorn_reads_the_projects_configuration():
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    env = {**os.environ, **PRODUCTION}
    result = subprocess.run(
        [gunicorn, "--print-config", "config.wsgi"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    settings = dict(
        (part.strip() for part in line.split("=", 1)) for line in result.stdout.splitlines()
        if "=" in line
    )  # fmt: skip
    assert settings["worker_class"] == "gthread"
    assert settings["threads"] == "4"
    assert settings["post_worker_init"] == "<post_worker_init()>"
