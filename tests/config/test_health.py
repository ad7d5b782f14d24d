"""/healthz, and what people see when the database or Redis is down.

Outages are real: a subprocess starts Django with its database or Redis
pointing at a port where nothing listens.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
NOTHING_LISTENS = "127.0.0.1:1"


def test_healthz_reports_the_database_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "up"
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.broker
def test_healthz_checks_redis_when_configured(client, db):
    body = client.get("/healthz").json()
    assert body["checks"]["redis"] == "up"


def test_healthz_names_redis_when_it_is_down(client, db):
    with override_settings(REDIS_URL=f"redis://{NOTHING_LISTENS}/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["redis"]


def test_healthz_refuses_writes(client, db):
    assert client.post("/healthz").status_code == 405


def request_in_subprocess(method: str, path: str, **environ: str) -> dict:
    """Serves one request in a fresh Django process with the given environment."""
    code = f"""
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False, HTTP_HOST="localhost")
client.cookies["sessionid"] = "a" * 32
response = client.{method}({path!r})
print(json.dumps({{"status": response.status_code,
                  "body": response.content.decode(),
                  "retry": response.get("Retry-After")}}))
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **environ}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.postgres
def test_healthz_is_503_naming_the_database_when_it_is_down():
    outcome = request_in_subprocess(
        "get", "/healthz", DATABASE_URL=f"postgres://postgres@{NOTHING_LISTENS}/aporta"
    )
    assert outcome["status"] == 503
    assert json.loads(outcome["body"])["down"] == ["database"]


def test_a_database_outage_shows_the_503_page_not_a_traceback(tmp_path):
    # SQLite cannot open a file in a folder that does not exist: a real
    # OperationalError on the first query, like a refused PostgreSQL connection.
    missing = tmp_path / "no-such-folder" / "db.sqlite3"
    outcome = request_in_subprocess(
        "get", "/accounts/profile/", DATABASE_URL=f"sqlite:///{missing}"
    )
    assert outcome["status"] == 503
    assert outcome["retry"] == "30"
    assert "Traceback" not in outcome["body"]
    assert "<h1>" in outcome["body"]


@pytest.mark.postgres
def test_a_postgres_outage_shows_the_503_page():
    outcome = request_in_subprocess(
        "get", "/accounts/profile/", DATABASE_URL=f"postgres://postgres@{NOTHING_LISTENS}/aporta"
    )
    assert outcome["status"] == 503


def test_a_redis_outage_shows_the_503_page_on_sign_in():
    # Sign-in counts attempts in the cache, which is Redis when REDIS_URL is set.
    outcome = request_in_subprocess(
        "post", "/accounts/login/", REDIS_URL=f"redis://{NOTHING_LISTENS}/0"
    )
    assert outcome["status"] == 503
    assert "Traceback" not in outcome["body"]
