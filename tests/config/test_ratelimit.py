"""Rate limits hold under parallel requests and never fail a request when the
cache is away."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import override_settings

from config.ratelimit import allow, allow_all, take


def at_once(call, times: int) -> list:
    start = threading.Event()

    def run():
        start.wait(timeout=10)
        return call()

    with ThreadPoolExecutor(max_workers=32) as pool:
        futures = [pool.submit(run) for _ in range(times)]
        start.set()
        return [future.result() for future in futures]


@pytest.mark.broker
def test_a_limit_holds_when_requests_arrive_together_on_redis():
    answers = at_once(lambda: allow_all([("test:together", 10, 60), ("test:wide", 1000, 60)]), 64)
    assert answers.count(True) == 10


def test_a_limit_holds_in_the_local_cache_too():
    answers = [allow(key="test:local", limit=3, window=60) for _ in range(5)]
    assert answers == [True, True, True, False, False]


def test_every_counter_counts_even_past_a_refusal():
    assert allow_all([("test:narrow", 1, 60), ("test:broad", 5, 60)])
    assert not allow_all([("test:narrow", 1, 60), ("test:broad", 5, 60)])
    # The broad counter saw both hits: three more fit, not four.
    assert [allow(key="test:broad", limit=5, window=60) for _ in range(4)] == [
        True, True, True, False,
    ]  # fmt: skip


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_an_unreachable_redis_lets_requests_through():
    assert allow_all([("test:away", 1, 60)])
    assert allow_all([("test:away", 1, 60)])


@pytest.mark.broker
def test_senders_reserving_at_once_on_redis_never_share_more_than_the_limit():
    answers = at_once(lambda: take(key="test:take", wanted=7, limit=50, window=60), 20)
    assert sum(answers) == 50
    assert all(0 <= answer <= 7 for answer in answers)


def test_reserving_in_the_local_cache_grants_what_is_left():
    with override_settings(REDIS_URL=None):
        grants = [take(key="test:take-local", wanted=4, limit=10, window=60) for _ in range(4)]
    assert grants == [4, 4, 2, 0]
