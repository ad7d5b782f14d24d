"""The moderation benchmark's parts, without its worker: the texts it screens,
the data it loads, and the check that makes its figure a measurement."""

import random
from collections import Counter

import pytest

from consultations.models import Comment, ItemStatus
from moderation import screening, services
from moderation.models import Finding
from moderation.services import current_lists
from tests.bench import bench_moderation
from tests.bench.bench_moderation import LONGEST, PLANTS, SHORTEST, Sample, texts
from tests.bench.runner import BenchError, Context


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 (reproducible data, not secrets)


def test_a_known_share_of_the_texts_carries_each_kind_of_plant_in_turn():
    samples = texts(600, seeded(1))
    planted = [sample for sample in samples if sample.planted]
    assert len(planted) == 60
    assert Counter(sample.planted for sample in planted) == dict.fromkeys(PLANTS, 10)
    first = [index for index, sample in enumerate(samples) if sample.planted][:5]
    assert first != list(range(5))  # at random places, not bunched at the start


def test_the_texts_are_distinct_varied_and_of_comment_length():
    samples = texts(600, seeded(2))
    lengths = [len(sample.text) for sample in samples]
    assert all(SHORTEST <= length <= LONGEST for length in lengths)
    assert len({sample.text for sample in samples}) == 600
    assert max(lengths) - min(lengths) > 1_000
    assert len({sample.text.split(".")[0] for sample in samples}) > 100  # openings differ
    assert texts(50, seeded(3)) == texts(50, seeded(3))  # reproducible


@pytest.mark.django_db
def test_screening_finds_each_plant_and_nothing_in_the_clean_texts():
    lists = current_lists()
    for sample in texts(600, seeded(4)):
        rules = {hit.rule for hit in screening.screen_text(sample.text, lists)}
        if sample.planted:
            assert sample.expected_rule in rules, sample
        else:
            assert rules == set(), sample


@pytest.mark.django_db
def test_the_data_is_published_unscreened_comments_with_a_warm_up_apart():
    loaded = bench_moderation.load(count=40, warmup=5)
    comments = Comment.objects.filter(consultation=loaded.consultation)
    assert loaded.consultation.is_open
    assert comments.count() == 40
    assert set(comments.values_list("status", flat=True)) == {ItemStatus.PUBLISHED}
    assert not comments.exclude(screened_at=None).exists()
    assert (
        loaded.warmup + loaded.measured
        == sorted(loaded.comments)
        == sorted(comments.values_list("pk", flat=True))
    )
    assert len(loaded.warmup) == 5
    assert sum(1 for sample in loaded.comments.values() if sample.planted) == 4
    for comment in comments:
        assert comment.text == loaded.comments[comment.pk].text


def screened_in_process(count: int = 40):
    loaded = bench_moderation.load(count=count, warmup=5)
    for pk in loaded.comments:
        assert services.item_screen(kind="comment", pk=pk)
    return loaded


@pytest.mark.django_db
def test_the_check_passes_when_every_comment_was_screened_as_planted():
    loaded = screened_in_process()
    logged = []
    bench_moderation._verify(Context(group="moderation", log=logged.append), loaded, 40)
    assert "4 held" in logged[0]


@pytest.mark.django_db
def test_the_check_fails_when_the_worker_ran_a_task_twice_or_lost_one():
    loaded = screened_in_process()
    for tasks_run in (39, 41):
        with pytest.raises(BenchError, match="queued once each"):
            bench_moderation._verify(Context(group="moderation"), loaded, tasks_run)


@pytest.mark.django_db
def test_the_check_fails_when_a_planted_comment_was_let_through():
    loaded = screened_in_process()
    planted = next(pk for pk, sample in loaded.comments.items() if sample.planted)
    Comment.objects.filter(pk=planted).update(status=ItemStatus.PUBLISHED)
    Finding.objects.filter(kind="comment", object_id=planted).delete()
    with pytest.raises(BenchError, match=r"1 of 40 comments were not screened as expected"):
        bench_moderation._verify(Context(group="moderation"), loaded, 40)


@pytest.mark.django_db
def test_the_check_fails_when_a_clean_comment_was_held():
    loaded = screened_in_process()
    clean = next(pk for pk, sample in loaded.comments.items() if not sample.planted)
    Comment.objects.filter(pk=clean).update(status=ItemStatus.HELD)
    with pytest.raises(BenchError, match="expected published with none"):
        bench_moderation._verify(Context(group="moderation"), loaded, 40)


def test_the_campaign_figures_are_declared_in_order_after_screening():
    assert bench_moderation.FIGURES == (
        "screening_items_per_s",
        "campaign_detection_s",
        "campaign_detection_peak_mb",
        "campaign_recall",
        "campaign_false_positive_rate",
    )
    assert Sample("Texto.").expected_rule == ""


def test_the_campaign_data_holds_the_copies_and_the_unique_comments():
    samples = bench_moderation.campaign_texts(3_000, copies=200, seed=1)
    assert len(samples) == 3_000
    assert len({sample.text for sample in samples}) == 3_000
    templates = Counter(sample.template for sample in samples)
    assert templates == {0: 200, 1: 200, 2: 200, None: 2_400}
    assert bench_moderation.campaign_texts(500, copies=20, seed=2) == (
        bench_moderation.campaign_texts(500, copies=20, seed=2)
    )


def test_campaign_copies_really_differ_from_their_template():
    samples = bench_moderation.campaign_texts(1_000, copies=100, seed=3)
    for sample in samples:
        if sample.template is not None:
            template = bench_moderation.CAMPAIGN_TEMPLATES[sample.template]
            assert sample.text != template
            assert set(sample.text.split()) != set(template.split())


def test_the_campaign_scores_count_copies_and_unique_comments():
    from moderation.campaigns import Campaign

    samples = [bench_moderation.CampaignSample("x", 0)] * 4 + [
        bench_moderation.CampaignSample("y")
    ] * 4
    found = [Campaign((0, 1, 2, 4), 0)]
    assert bench_moderation.campaign_scores(samples, found) == (0.75, 0.25)
