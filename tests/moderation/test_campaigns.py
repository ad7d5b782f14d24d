"""The campaign-detection engine, on small deterministic cases."""

import random
import time

import pytest

from moderation.campaigns import Campaign, detect
from tests.bench.bench_moderation import CAMPAIGN_TEMPLATES, campaign_texts, paraphrase

LETTER = CAMPAIGN_TEMPLATES[0]
OTHER = CAMPAIGN_TEMPLATES[1]


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 (reproducible data, not secrets)


def test_identical_copies_are_one_campaign_with_a_member_as_representative():
    found = detect([(pk, LETTER) for pk in range(10, 16)])
    assert found == [Campaign(tuple(range(10, 16)), found[0].representative)]
    assert found[0].representative in found[0].members
    assert found[0].size == 6


def test_case_accent_and_spacing_variants_are_grouped():
    variants = [
        LETTER,
        LETTER.upper(),
        LETTER.lower(),
        LETTER.replace("ó", "o").replace("í", "i"),
        LETTER.replace(" ", "   "),
        LETTER.replace("a", "4").replace("e", "3"),
    ]
    assert [campaign.members for campaign in detect(enumerate(variants))] == [tuple(range(6))]


@pytest.mark.parametrize("template", range(3))
def test_paraphrased_copies_are_grouped(template):
    rng = seeded(1)
    copies = [paraphrase(CAMPAIGN_TEMPLATES[template], rng) for _ in range(100)]
    assert len(set(copies)) == 100
    found = detect(enumerate(copies))
    assert len(found) == 1
    assert found[0].size >= 95


def test_paraphrased_copies_among_unique_comments_are_found_and_only_they():
    samples = campaign_texts(3_000, copies=60, seed=5)
    found = detect(enumerate(sample.text for sample in samples))
    assert len(found) == 3
    for campaign in found:
        templates = {samples[index].template for index in campaign.members}
        assert len(templates) == 1
        assert None not in templates
        assert campaign.size >= 54
        assert samples[campaign.representative].template in templates


def test_distinct_comments_on_the_same_topic_are_not_grouped():
    samples = campaign_texts(300, copies=0, seed=2)
    assert detect(enumerate(sample.text for sample in samples)) == []


def test_fewer_copies_than_min_size_are_no_campaign():
    assert detect([(pk, LETTER) for pk in range(4)]) == []
    assert len(detect([(pk, LETTER) for pk in range(4)], min_size=4)) == 1
    with pytest.raises(ValueError, match="two members"):
        detect([(1, LETTER)], min_size=1)


def test_two_templates_are_two_campaigns():
    rng = seeded(3)
    texts = [(pk, paraphrase(LETTER, rng)) for pk in range(20)]
    texts += [(pk, paraphrase(OTHER, rng)) for pk in range(100, 120)]
    found = detect(texts)
    assert len(found) == 2
    groups = sorted(found, key=lambda campaign: campaign.members[0])
    assert all(pk < 100 for pk in groups[0].members)
    assert all(pk >= 100 for pk in groups[1].members)


def test_empty_short_and_hostile_input_does_not_crash(naughty_strings):
    assert detect([]) == []
    assert detect([(1, ""), (2, "a"), (3, "Sí."), (4, "   ")]) == []
    texts = list(enumerate(naughty_strings))
    assert isinstance(detect(texts), list)
    assert isinstance(detect(texts * 1 + [(len(texts) + i, t) for i, t in texts]), list)


def test_twenty_thousand_texts_finish_quickly():
    samples = campaign_texts(20_000, copies=300, seed=4)
    started = time.perf_counter()
    found = detect(enumerate(sample.text for sample in samples))
    assert time.perf_counter() - started < 60
    assert len(found) >= 3


def test_campaigns_that_are_most_of_the_consultation_leave_the_rest_alone():
    samples = campaign_texts(4_000, copies=1_000, seed=7)
    found = detect(enumerate(sample.text for sample in samples))
    assert len(found) == 3
    for campaign in found:
        assert None not in {samples[index].template for index in campaign.members}
        assert campaign.size >= 950
