"""Exact tallies when many votes arrive at once (real PostgreSQL, real threads)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from consultations import services
from consultations.models import Vote
from consultations.selectors import tally_counts, vote_tallies
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WORKERS = 40  # below PostgreSQL's default connection limit


@pytest.fixture(autouse=True)
def _regions(migration_data):
    """Regions come from a data migration that transactional tests flush."""


def run_at_once(calls):
    """Runs the calls on WORKERS threads, all released together."""
    start = threading.Event()

    def run(call):
        try:
            start.wait(timeout=30)
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(run, call) for call in calls]
        start.set()
        return [future.result() for future in futures]


def test_two_hundred_people_voting_at_once_are_all_counted_once(committee_staff):
    consultation = open_consultation(committee_staff)
    provision = article(consultation)
    voters = [UserFactory() for _ in range(200)]
    choices = ["agree", "disagree", "abstain"]

    run_at_once(
        [
            (lambda voter=voter, n=n: services.vote_cast(
                voter=voter, consultation=consultation, provision=provision,
                choice=choices[n % 3],
            ))
            for n, voter in enumerate(voters)
        ]
    )  # fmt: skip

    assert Vote.objects.filter(provision=provision).count() == 200
    tally = vote_tallies(consultation)[provision.pk]
    assert tally == {"agree": 67, "disagree": 67, "abstain": 66}
    assert tally_counts(consultation)[provision.pk] == tally


def test_one_person_sending_a_hundred_votes_at_once_keeps_one_row(committee_staff, citizen):
    consultation = open_consultation(committee_staff)
    provision = article(consultation)
    choices = ["agree", "disagree", "abstain"]

    results = run_at_once(
        [
            (lambda n=n: services.vote_cast(
                voter=citizen, consultation=consultation, provision=provision,
                choice=choices[n % 3],
            ))
            for n in range(100)
        ]
    )  # fmt: skip

    assert len(results) == 100
    rows = Vote.objects.filter(voter=citizen, provision=provision)
    assert rows.count() == 1
    tally = vote_tallies(consultation)[provision.pk]
    assert sum(tally.values()) == 1
    assert tally[rows.get().choice] == 1
    assert tally_counts(consultation)[provision.pk] == tally


def test_votes_changed_and_withdrawn_at_once_keep_the_tallies_exact(committee_staff):
    consultation = open_consultation(committee_staff)
    provision = article(consultation)
    voters = [UserFactory() for _ in range(30)]
    choices = ["agree", "disagree", "abstain"]
    calls = []
    for n, voter in enumerate(voters):
        for round_ in range(3):
            calls.append(lambda voter=voter, c=choices[(n + round_) % 3]: services.vote_cast(
                voter=voter, consultation=consultation, provision=provision, choice=c
            ))  # fmt: skip
        if n % 5 == 0:
            calls.append(lambda voter=voter: services.vote_withdraw(
                voter=voter, consultation=consultation, provision=provision
            ))  # fmt: skip

    run_at_once(calls)

    assert tally_counts(consultation).get(provision.pk) == vote_tallies(consultation)[provision.pk]


def test_one_person_voting_and_withdrawing_at_once_never_fails(committee_staff, citizen):
    consultation = open_consultation(committee_staff)
    provision = article(consultation)
    choices = ["agree", "disagree", "abstain"]
    for _round in range(3):
        calls = []
        for n in range(30):
            calls.append(lambda n=n: services.vote_cast(
                voter=citizen, consultation=consultation, provision=provision,
                choice=choices[n % 3],
            ))  # fmt: skip
            calls.append(lambda: services.vote_withdraw(
                voter=citizen, consultation=consultation, provision=provision
            ))  # fmt: skip
        run_at_once(calls)  # any exception in a call fails the test here

        rows = Vote.objects.filter(voter=citizen, provision=provision).count()
        assert rows in {0, 1}
        counted = tally_counts(consultation).get(provision.pk, dict.fromkeys(choices, 0))
        stored = {c: Vote.objects.filter(provision=provision, choice=c).count() for c in choices}
        assert counted == stored
