"""A worker killed in the middle of sending digests: each person still gets
their digest exactly once (real PostgreSQL, Redis and worker processes; the
mail server is a folder of files)."""

import email
import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from consultations.models import Follow
from notifications import digests
from notifications.models import Digest, Outbox, OutboxStatus
from notifications.services import outbox_send_due
from notifications.tasks import send_digests
from tests.consultations.factories import open_consultation
from tests.factories import UserFactory
from tests.moderation.test_faults import _stop, _wait
from tests.moderation.test_faults import _worker as real_worker

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def _worker(queue: str, folder: Path, block_after: int):
    return real_worker(
        queue,
        DJANGO_SETTINGS_MODULE="tests.notifications.worker_settings",
        APORTA_TEST_MAIL_DIR=str(folder),
        APORTA_TEST_MAIL_BLOCK_AFTER=str(block_after),
    )


def test_a_worker_killed_mid_digest_sends_one_digest_per_person(
    migration_data, committee_staff, tmp_path
):
    consultation = open_consultation(committee_staff)
    readers = [UserFactory() for _ in range(5)]
    for reader in readers:
        Follow.objects.create(follower=reader, bill=consultation.version.bill, frequency="weekly")
    # The consultation opened last week: this week's run plans its digests.
    Outbox.objects.update(created_at=timezone.now() - timedelta(days=7))
    period, made = digests.digests_plan(frequency="weekly")
    assert made == 5
    [(first, last)] = list(digests.digest_batches(period))

    queue = f"test-digests-{os.getpid()}"
    worker = _worker(queue, tmp_path, block_after=2)
    try:
        send_digests.apply_async(args=(first, last), queue=queue)

        def two_sent_and_the_third_hangs() -> bool:
            sent = Digest.objects.filter(status=OutboxStatus.SENT).count()
            return len(list(tmp_path.iterdir())) == 2 and sent == 2

        _wait(two_sent_and_the_third_hangs, "the worker to send two digests, then hang")
    finally:
        output = _stop(worker, signal.SIGKILL)
    assert worker.returncode == -signal.SIGKILL, output
    assert Digest.objects.filter(status=OutboxStatus.SENDING).count() == 3  # claimed, unsent

    # Once the dead worker's claims expire, the every-minute run sends the rest.
    assert outbox_send_due() == 0  # still claimed
    assert outbox_send_due(now=timezone.now() + timedelta(minutes=6)) == 3

    delivered = [
        email.message_from_bytes(path.read_bytes())["To"] for path in tmp_path.iterdir()
    ] + [message.to[0] for message in mail.outbox]
    assert sorted(delivered) == sorted(reader.email for reader in readers)
    assert set(Digest.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
