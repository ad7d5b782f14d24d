"""Every submitted text is queued for screening once it is committed; a lost
message is queued again by the sweeper; a Redis outage never fails a submission."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import User
from consultations import services
from consultations.models import Comment, Vote
from moderation import services as moderation
from tests.consultations.factories import article, open_consultation

ROOT = Path(__file__).resolve().parents[2]
NOTHING_LISTENS = "127.0.0.1:1"


@pytest.mark.django_db
def test_screening_runs_after_the_commit_and_only_once(
    citizen, committee_staff, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        consultation = open_consultation(committee_staff)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            comment = services.comment_submit(
                author=citizen, consultation=consultation, provision=None, text="Hola."
            )
        assert Comment.objects.get(pk=comment.pk).screened_at is None  # not before the commit
        assert len(callbacks) == 1
        callbacks[0]()
        screened = Comment.objects.get(pk=comment.pk).screened_at
        assert screened is not None
        assert moderation.item_screen(kind="comment", pk=comment.pk) is False
        assert Comment.objects.get(pk=comment.pk).screened_at == screened
    finally:
        app.conf.task_always_eager = settings.REDIS_URL is None


@pytest.mark.django_db
def test_a_vote_reason_is_screened_again_only_when_it_changes(
    citizen, committee_staff, django_capture_on_commit_callbacks
):
    consultation = open_consultation(committee_staff)
    provision = article(consultation)
    with django_capture_on_commit_callbacks() as callbacks:
        services.vote_cast(voter=citizen, consultation=consultation, provision=provision,
                           choice="agree", reason="Porque sí.")  # fmt: skip
    assert len(callbacks) == 1
    moderation.item_screen(kind="reason", pk=Vote.objects.get().pk)
    with django_capture_on_commit_callbacks() as callbacks:
        services.vote_cast(voter=citizen, consultation=consultation, provision=provision,
                           choice="disagree", reason="Porque sí.")  # fmt: skip
    assert callbacks == []
    assert Vote.objects.get().reason_screened_at is not None
    with django_capture_on_commit_callbacks() as callbacks:
        services.vote_cast(voter=citizen, consultation=consultation, provision=provision,
                           choice="disagree", reason="Lo pensé mejor.")  # fmt: skip
    assert len(callbacks) == 1
    assert Vote.objects.get().reason_screened_at is None


@pytest.mark.django_db
def test_the_sweeper_queues_what_waited_too_long(citizen, committee_staff, settings):
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        consultation = open_consultation(committee_staff)
        comment = services.comment_submit(
            author=citizen, consultation=consultation, provision=None, text="Perdido."
        )
        Comment.objects.filter(pk=comment.pk).update(screened_at=None)  # the message was lost
        User.objects.update(display_name_screened_at=timezone.now())  # names: their own test
        assert moderation.unscreened_requeue() == 0  # too recent: its task may still come
        later = timezone.now() + timedelta(minutes=6)
        assert moderation.unscreened_requeue(now=later) == 1
        assert Comment.objects.get(pk=comment.pk).screened_at is not None
        assert moderation.unscreened_requeue(now=later) == 0
    finally:
        app.conf.task_always_eager = settings.REDIS_URL is None


SUBMIT_WITH_REDIS_DOWN = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from accounts.models import Role
from accounts.services import user_assign_role
from consultations.models import Comment, Vote
from moderation import services as moderation
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory
staff = UserFactory(email="staff@example.org")
user_assign_role(user=staff, role=Role.COMMITTEE_STAFF)
consultation = open_consultation(staff)
client = Client(raise_request_exception=False, HTTP_HOST="localhost")
client.force_login(UserFactory(email="citizen@example.org"))
key = article(consultation).eid
page = client.post(f"/consultations/{consultation.pk}/comment/",
                   {"unit": key, "text": "Sin Redis."})
vote = client.post(f"/consultations/{consultation.pk}/vote/", {"unit": key, "choice": "agree"})
api = client.post(f"/api/v1/consultations/{consultation.pk}/comments/",
                  {"text": "Por la API."}, content_type="application/json")
print(json.dumps({"page": page.status_code, "vote": vote.status_code, "api": api.status_code,
                  "comments": sorted(Comment.objects.values_list("text", flat=True)),
                  "votes": Vote.objects.count()}))
"""


def test_a_redis_outage_never_fails_a_submission(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'outage.sqlite3'}",
        "REDIS_URL": f"redis://{NOTHING_LISTENS}/0",
    }
    result = subprocess.run(
        [sys.executable, "-c", SUBMIT_WITH_REDIS_DOWN],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["page"] == 302
    assert outcome["vote"] == 302
    assert outcome["api"] == 201
    assert outcome["comments"] == ["Por la API.", "Sin Redis."]
    assert outcome["votes"] == 1
    assert "Could not queue task consultations.tasks.screen_item" in result.stderr
