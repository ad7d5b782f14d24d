"""The digests benchmark with small numbers: its data, its checks, and a whole
run in process (PostgreSQL: the group loads with COPY)."""

import re

import pytest
from django.utils import timezone

from consultations.models import Follow
from notifications import digests
from notifications.models import Digest, Outbox, OutboxStatus
from tests.bench import bench_digests
from tests.bench.runner import BenchError, Context

MB = 2**20


def on_postgres(test):
    """The group loads with COPY: its tests need PostgreSQL."""
    return pytest.mark.django_db(pytest.mark.postgres(test))


def test_the_figures_are_the_issues_contract():
    assert bench_digests.FIGURES == (
        "digest_100k_s",
        "digest_peak_mb",
        "digest_queries_per_batch",
    )


@on_postgres
def test_a_small_run_prints_the_three_figures_in_their_formats(monkeypatch):
    monkeypatch.setattr(digests, "DIGEST_BATCH", 50)  # three batches, the last one short
    logged = []
    figures = bench_digests.run(
        Context(group="digests", log=logged.append), followers=120, bystanders=20
    )
    lines = [figure.line() for figure in figures]
    assert [line.split(":")[0] for line in lines] == list(bench_digests.FIGURES)
    assert re.fullmatch(r"digest_100k_s: \d+\.\d s", lines[0])
    assert re.fullmatch(r"digest_peak_mb: \d+\.\d mb", lines[1])
    assert re.fullmatch(r"digest_queries_per_batch: \d+ queries", lines[2])
    assert 0 < figures[1].value < 100  # a batch's worth, not the run's
    assert "120 digests sent" in "\n".join(logged)
    assert "traced run of 3 batches" in "\n".join(logged)


@on_postgres
def test_only_the_weekly_followers_of_bills_with_news_get_a_digest():
    loaded = bench_digests.load(followers=40, bystanders=10)
    period = loaded.period
    news = Outbox.objects.filter(
        recipient=None, created_at__gte=period.begins, created_at__lt=period.ends
    )
    with_news = sorted(set(news.values_list("bill_id", flat=True)))
    assert with_news == [bill.pk for bill in loaded.bills[:5]]
    events = sorted(news.values_list("event", flat=True))
    assert events == ["closing_soon"] * 2 + ["consultation_opened"] * 3 + ["new_version"] * 2
    weekly = Follow.objects.filter(frequency="weekly", bill__in=with_news)
    assert set(weekly.values_list("follower_id", flat=True)) == loaded.expected
    assert len(loaded.expected) == 40
    assert Follow.objects.filter(frequency="daily").exists()

    made = digests.digests_plan(frequency="weekly", now=loaded.now)
    assert made == (period, 40)


@pytest.fixture
def small():
    loaded = bench_digests.load(followers=30, bystanders=6)
    with bench_digests._mail_settings():
        sent = bench_digests.send_all(Context(group="digests"), loaded)
    return loaded, sent


@on_postgres
def test_the_check_passes_when_each_follower_got_one_digest(small):
    loaded, sent = small
    bench_digests.verify(loaded, sent)
    assert sent.sent == 30
    assert list(sent.received) == [1] * 30 + [0] * 6


@on_postgres
@pytest.mark.parametrize(
    ("index", "times", "problem"),
    [(0, 2, "1 people got more than one"), (0, 0, "1 followers got none"),
     (35, 1, "1 went to people who should get none")],
)  # fmt: skip
def test_the_check_fails_when_a_message_went_wrong(small, index, times, problem):
    loaded, sent = small
    sent.received[index] = times
    with pytest.raises(BenchError, match=problem):
        bench_digests.verify(loaded, sent)


@on_postgres
def test_the_check_fails_when_a_digest_row_is_not_sent(small):
    loaded, sent = small
    Digest.objects.filter(pk=Digest.objects.first().pk).update(status=OutboxStatus.PENDING)
    with pytest.raises(BenchError, match="the period's digests are"):
        bench_digests.verify(loaded, sent)


@on_postgres
def test_the_check_accepts_a_partial_run_with_the_rest_pending(small):
    loaded, sent = small
    Digest.objects.filter(recipient__email="d29@digests.bench.example.org").update(
        status=OutboxStatus.PENDING, sent_at=timezone.now()
    )
    sent.sent, sent.received[29] = 29, 0
    bench_digests.verify(loaded, sent)


def test_queries_per_batch_must_not_vary_between_batches_of_one_size():
    assert bench_digests.check_queries([(500, 508), (500, 509), (50, 58)]) == 509
    with pytest.raises(BenchError, match="batches of 500 digests ran from 508 to 520"):
        bench_digests.check_queries([(500, 508), (500, 520), (50, 58)])


def test_memory_must_stay_flat_after_the_warm_up():
    bench_digests.check_flat([1 * MB, 9 * MB, 5 * MB, 5 * MB, 5.5 * MB], 1.0, "memory")
    with pytest.raises(BenchError, match=r"memory grew by 3\.0 MB over 4 batches"):
        bench_digests.check_flat([1 * MB, 2 * MB, 5 * MB, 6 * MB, 7 * MB, 8 * MB], 1.0, "memory")
