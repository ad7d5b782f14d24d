from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from bills.models import Provision
from consultations import services
from consultations.models import (
    ConsultationStatus,
    ItemStatus,
    ModerationPolicy,
    Support,
    Vote,
)
from consultations.selectors import published_counts, tally_counts, vote_tallies
from tests.bills.factories import published_bill
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_consultations_open_and_close_on_time(committee_staff):
    consultation = open_consultation(committee_staff)
    assert consultation.status == ConsultationStatus.OPEN
    later = timezone.now() + timedelta(days=16)
    assert services.consultations_open_and_close_due(now=later) == (0, 1)
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.CLOSED
    assert services.consultations_open_and_close_due(now=later) == (0, 0)


def test_only_staff_create_consultations_and_they_close_after_they_open(citizen, committee_staff):
    consultation = open_consultation(committee_staff)
    arguments = {
        "version": consultation.version,
        "committee": consultation.committee,
        "title": "Otra",
        "opens_at": timezone.now(),
        "closes_at": timezone.now() + timedelta(days=1),
    }
    with pytest.raises(PermissionDenied):
        services.consultation_create(actor=citizen, **arguments)
    with pytest.raises(ValidationError):
        services.consultation_create(
            actor=committee_staff, **{**arguments, "closes_at": arguments["opens_at"]}
        )


def test_a_vote_can_be_changed_and_stays_one_row(citizen, committee_staff):
    consultation = open_consultation(committee_staff)
    provision = article(consultation)
    services.vote_cast(
        voter=citizen, consultation=consultation, provision=provision, choice="agree"
    )
    services.vote_cast(
        voter=citizen, consultation=consultation, provision=provision, choice="disagree"
    )
    services.vote_cast(voter=citizen, consultation=consultation, provision=None, choice="agree")
    assert Vote.objects.filter(voter=citizen).count() == 2
    tallies = vote_tallies(consultation)
    assert tallies[provision.pk] == {"agree": 0, "disagree": 1, "abstain": 0}
    assert tallies[None]["agree"] == 1


def test_a_vote_records_the_profile_as_it_was(citizen, committee_staff):
    consultation = open_consultation(committee_staff)
    vote = services.vote_cast(
        voter=citizen, consultation=consultation, provision=None, choice="abstain"
    )
    assert vote.region_id == citizen.region_id
    assert vote.respondent_type == citizen.respondent_type


def test_a_vote_named_by_eid_is_stored_like_any_other(citizen, committee_staff):
    consultation = open_consultation(committee_staff)
    provision = article(consultation, 2)
    first = services.vote_cast_on(
        voter=citizen, consultation_id=consultation.pk, eid=provision.eid, choice="agree"
    )
    whole = services.vote_cast_on(
        voter=citizen, consultation_id=consultation.pk, eid=None, choice="abstain"
    )
    stored = Vote.objects.get(pk=first.pk)
    assert (stored.provision, stored.choice, stored.reason) == (provision, "agree", "")
    assert (stored.region_id, stored.respondent_type, stored.age_range) == (
        citizen.region_id,
        citizen.respondent_type,
        citizen.age_range,
    )
    assert (first.provision.eid, first.provision_id) == (provision.eid, provision.pk)
    assert Vote.objects.get(pk=whole.pk).provision is None
    assert whole.provision is None

    changed = services.vote_cast_on(
        voter=citizen, consultation_id=consultation.pk, eid=provision.eid, choice="disagree"
    )
    assert changed.pk == first.pk
    assert Vote.objects.filter(voter=citizen).count() == 2
    tallies = vote_tallies(consultation)
    assert tallies[provision.pk] == {"agree": 0, "disagree": 1, "abstain": 0}
    assert tallies == tally_counts(consultation)


def _with_status(status):
    return lambda consultation: setattr(consultation, "status", status)


def _not_open_yet(consultation):
    consultation.opens_at = timezone.now() + timedelta(days=1)


def _past_its_closing_time(consultation):
    consultation.closes_at = timezone.now() - timedelta(minutes=1)
    consultation.opens_at = consultation.closes_at - timedelta(days=1)


@pytest.mark.parametrize(
    ("change", "eid", "refusal"),
    [
        (_with_status("closed"), "first", PermissionDenied),
        (_with_status("scheduled"), "first", PermissionDenied),
        (_with_status("draft"), "first", Http404),
        (_not_open_yet, "first", PermissionDenied),
        (_past_its_closing_time, None, PermissionDenied),
        # A level not implemented yet admits nobody.
        (lambda consultation: setattr(consultation, "minimum_level", "id_verified"), None,
         PermissionDenied),
        (None, "art_999", Http404),
        (None, "first\x00", Http404),
        (None, "other bill", Http404),
    ],
)  # fmt: skip
def test_a_vote_named_by_eid_is_refused_where_any_vote_is(
    citizen, committee_staff, change, eid, refusal
):
    """The one-statement first vote stores nothing that the checked way would
    refuse, and the person gets the same answer."""
    consultation = open_consultation(committee_staff)
    if change is not None:
        change(consultation)
        consultation.save()
    if eid and eid.startswith("first"):
        eid = eid.replace("first", article(consultation).eid)
    if eid == "other bill":  # a provision of another bill's text
        other = published_bill("77/2026-CR", articles=5).versions.get()
        eid = other.provisions.get(kind="article", label="Artículo 5.-").eid
        assert not Provision.objects.filter(version=consultation.version, eid=eid).exists()
    with pytest.raises(refusal):
        services.vote_cast_on(
            voter=citizen, consultation_id=consultation.pk, eid=eid, choice="agree"
        )
    assert not Vote.objects.exists()


def test_a_vote_named_by_eid_needs_a_verified_address_and_a_known_choice(committee_staff):
    consultation = open_consultation(committee_staff)
    eid = article(consultation).eid
    unverified = UserFactory(email_verified=False)
    with pytest.raises(PermissionDenied):
        services.vote_cast_on(
            voter=unverified, consultation_id=consultation.pk, eid=eid, choice="agree"
        )
    with pytest.raises(ValidationError):
        services.vote_cast_on(
            voter=UserFactory(), consultation_id=consultation.pk, eid=eid, choice="maybe"
        )
    assert not Vote.objects.exists()


def test_a_vote_named_by_eid_with_a_reason_is_moderated(citizen, committee_staff):
    consultation = open_consultation(committee_staff, policy=ModerationPolicy.PRE)
    vote = services.vote_cast_on(
        voter=citizen,
        consultation_id=consultation.pk,
        eid=article(consultation).eid,
        choice="disagree",
        reason="  El plazo es muy corto.  ",
    )
    stored = Vote.objects.get(pk=vote.pk)
    assert (stored.reason, stored.reason_status) == ("El plazo es muy corto.", ItemStatus.PENDING)


def test_people_without_a_verified_address_cannot_take_part(committee_staff):
    consultation = open_consultation(committee_staff)
    unverified = UserFactory(email_verified=False)
    with pytest.raises(PermissionDenied):
        services.vote_cast(
            voter=unverified, consultation=consultation, provision=None, choice="agree"
        )


def test_a_closed_consultation_is_read_only(citizen, committee_staff):
    consultation = open_consultation(committee_staff)
    services.consultation_close_early(actor=committee_staff, consultation=consultation)
    with pytest.raises(PermissionDenied):
        services.comment_submit(author=citizen, consultation=consultation, text="Tarde")


def test_post_moderation_publishes_at_once(citizen, committee_staff):
    consultation = open_consultation(committee_staff)
    comment = services.comment_submit(author=citizen, consultation=consultation, text="Bien.")
    assert comment.status == ItemStatus.PUBLISHED


def test_pre_moderation_keeps_items_pending(citizen, committee_staff):
    consultation = open_consultation(committee_staff, policy=ModerationPolicy.PRE)
    comment = services.comment_submit(author=citizen, consultation=consultation, text="Texto")
    assert comment.status == ItemStatus.PENDING
    edited = services.item_edit(author=citizen, item=comment, text="Texto corregido")
    assert edited.text == "Texto corregido"


def test_replies_go_one_level_deep(citizen, committee_staff):
    consultation = open_consultation(committee_staff)
    provision = article(consultation, 2)
    first = services.comment_submit(
        author=citizen, consultation=consultation, text="Primero", provision=provision
    )
    reply = services.comment_submit(
        author=citizen, consultation=consultation, text="Respuesta", parent=first
    )
    assert reply.provision == provision
    with pytest.raises(ValidationError):
        services.comment_submit(
            author=citizen, consultation=consultation, text="Demasiado", parent=reply
        )


def test_a_quote_must_come_from_the_provision(citizen, committee_staff):
    consultation = open_consultation(committee_staff)
    provision = article(consultation)
    services.comment_submit(
        author=citizen,
        consultation=consultation,
        text="Sí",
        provision=provision,
        quote="participación ciudadana",
    )
    with pytest.raises(ValidationError):
        services.comment_submit(
            author=citizen,
            consultation=consultation,
            text="No",
            provision=provision,
            quote="texto inventado",
        )


def test_a_proposal_must_change_the_wording(citizen, committee_staff):
    consultation = open_consultation(committee_staff)
    provision = article(consultation)
    with pytest.raises(ValidationError):
        services.proposal_submit(
            author=citizen, consultation=consultation, provision=provision, text=provision.text
        )
    proposal = services.proposal_submit(
        author=citizen, consultation=consultation, provision=provision, text="Nueva redacción."
    )
    assert published_counts(consultation)[provision.pk]["proposals"] == 1
    services.item_withdraw(author=citizen, item=proposal)
    proposal.refresh_from_db()
    assert proposal.status == ItemStatus.WITHDRAWN


def test_one_support_per_person_and_never_for_oneself(citizen, committee_staff):
    consultation = open_consultation(committee_staff)
    other = UserFactory()
    comment = services.comment_submit(author=other, consultation=consultation, text="Apóyenme")
    services.support_add(supporter=citizen, item=comment)
    services.support_add(supporter=citizen, item=comment)
    assert Support.objects.filter(comment=comment).count() == 1
    with pytest.raises(ValidationError):
        services.support_add(supporter=other, item=comment)


def test_only_the_author_withdraws_or_edits(citizen, committee_staff):
    consultation = open_consultation(committee_staff)
    comment = services.comment_submit(author=citizen, consultation=consultation, text="Mío")
    with pytest.raises(PermissionDenied):
        services.item_withdraw(author=UserFactory(), item=comment)


@pytest.mark.parametrize("text", ["", "   ", "a\x00b", "x" * 5001])
def test_bad_comment_text_is_refused(citizen, committee_staff, text):
    consultation = open_consultation(committee_staff)
    with pytest.raises(ValidationError):
        services.comment_submit(author=citizen, consultation=consultation, text=text)


def test_naughty_strings_are_stored_exactly(citizen, committee_staff, naughty_strings):
    consultation = open_consultation(committee_staff)
    for text in naughty_strings[:200]:
        if not text.strip() or "\x00" in text:
            continue
        comment = services.comment_submit(author=citizen, consultation=consultation, text=text)
        comment.refresh_from_db()
        assert comment.text == text.strip()


def test_the_home_page_lists_open_consultations_only(client, committee_staff):
    consultation = open_consultation(committee_staff)
    assert consultation.title in client.get("/").content.decode()
    services.consultation_close_early(actor=committee_staff, consultation=consultation)
    html = client.get("/", headers={"Accept-Language": "en"}).content.decode()
    assert consultation.title not in html
    assert "There are no open consultations right now." in html


def test_a_person_flags_an_item_once(citizen, committee_staff):
    consultation = open_consultation(committee_staff)
    comment = services.comment_submit(author=UserFactory(), consultation=consultation, text="X")
    services.flag_add(flagger=citizen, item=comment, reason="spam")
    services.flag_add(flagger=citizen, item=comment, reason="insult")
    assert comment.flags.count() == 1
    with pytest.raises(ValidationError):
        services.flag_add(flagger=UserFactory(), item=comment, reason="not-a-reason")


def test_following_a_bill_sets_and_clears_the_digest(citizen, committee_staff):
    consultation = open_consultation(committee_staff)
    bill = consultation.version.bill
    services.follow_set(follower=citizen, bill=bill, frequency="daily")
    services.follow_set(follower=citizen, bill=bill, frequency="weekly")
    assert list(bill.follows.values_list("frequency", flat=True)) == ["weekly"]
    services.follow_set(follower=citizen, bill=bill, frequency="never")
    assert not bill.follows.exists()
    with pytest.raises(ValidationError):
        services.follow_set(follower=citizen, bill=bill, frequency="hourly")


def test_staff_run_only_their_own_committees_consultations(committee_staff, administrator):
    consultation = open_consultation(committee_staff)
    outsider = UserFactory(email="otra-comision@example.org")
    from accounts.models import Role
    from accounts.services import user_assign_role

    user_assign_role(user=outsider, role=Role.COMMITTEE_STAFF)
    later = consultation.closes_at + timedelta(days=1)
    with pytest.raises(PermissionDenied):
        services.consultation_extend(actor=outsider, consultation=consultation, closes_at=later)
    with pytest.raises(PermissionDenied):
        services.consultation_close_early(actor=outsider, consultation=consultation)
    with pytest.raises(PermissionDenied):
        services.consultation_create(
            actor=outsider,
            version=consultation.version,
            committee=consultation.committee,
            title="Ajena",
            opens_at=timezone.now(),
            closes_at=timezone.now() + timedelta(days=1),
        )
    services.consultation_extend(actor=administrator, consultation=consultation, closes_at=later)
    services.consultation_close_early(actor=committee_staff, consultation=consultation)
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.CLOSED


def test_running_tallies_follow_votes_changes_and_withdrawals(citizen, committee_staff):
    from consultations.selectors import tally_counts

    consultation = open_consultation(committee_staff)
    provision = article(consultation)
    other = UserFactory()
    services.vote_cast(
        voter=citizen, consultation=consultation, provision=provision, choice="agree"
    )
    services.vote_cast(voter=other, consultation=consultation, provision=provision, choice="agree")
    services.vote_cast(voter=citizen, consultation=consultation, provision=None, choice="abstain")
    services.vote_cast(
        voter=citizen, consultation=consultation, provision=provision, choice="disagree"
    )
    services.vote_withdraw(voter=other, consultation=consultation, provision=provision)

    assert tally_counts(consultation) == vote_tallies(consultation)
    assert tally_counts(consultation)[provision.pk] == {"agree": 0, "disagree": 1, "abstain": 0}
    assert tally_counts(consultation)[None] == {"agree": 0, "disagree": 0, "abstain": 1}


def test_tallies_can_be_recounted_from_the_votes(committee_staff):
    from consultations.models import VoteTally
    from consultations.selectors import tally_counts

    consultation = open_consultation(committee_staff)
    for choice in ("agree", "agree", "abstain"):
        services.vote_cast(
            voter=UserFactory(), consultation=consultation, provision=article(consultation),
            choice=choice,
        )  # fmt: skip
    services.vote_cast(
        voter=UserFactory(), consultation=consultation, provision=None, choice="agree"
    )
    expected = vote_tallies(consultation)
    VoteTally.objects.all().update(agree=0)  # drifted, or never written by a bulk load
    assert services.tallies_recount(consultation=consultation) == 2
    assert tally_counts(consultation) == expected


def test_tallies_follow_every_change_of_the_votes_not_only_the_services(committee_staff):
    """The database keeps the tallies: a bulk load, changes and deletions made
    outside the services (the admin, a data repair) all move them."""
    from consultations.models import VoteTally
    from consultations.selectors import tally_counts

    consultation = open_consultation(committee_staff, articles=2)
    first, second = consultation.version.provisions.filter(kind="article").order_by("order")
    leaving, staying = UserFactory(), UserFactory()
    Vote.objects.bulk_create(
        Vote(consultation=consultation, provision=place, voter=person, choice=choice)
        for person, choice in ((leaving, "agree"), (staying, "disagree"))
        for place in (first, second, None)
    )
    Vote.objects.filter(voter=staying, provision=second).update(choice="abstain")
    Vote.objects.filter(voter=staying, provision=first).update(choice="disagree")  # no change
    assert tally_counts(consultation) == vote_tallies(consultation)
    assert tally_counts(consultation)[second.pk] == {"agree": 1, "disagree": 0, "abstain": 1}

    Vote.objects.filter(voter=leaving).delete()
    assert tally_counts(consultation) == vote_tallies(consultation)
    assert tally_counts(consultation)[None] == {"agree": 0, "disagree": 1, "abstain": 0}

    # Deleting the consultation takes its tallies and votes, in whichever order.
    consultation.delete()
    assert not VoteTally.objects.exists()
