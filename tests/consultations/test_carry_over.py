"""Feedback follows the provisions into a re-drafted text: unchanged, changed,
renumbered and deleted provisions, and votes that do not carry over."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bills import services as bill_services
from bills.importers.base import Node, ParseResult, assign_eids
from consultations import services
from consultations.page import BILL, carry_over, consultation_page, discussion
from tests.bills import factories as bill_factories
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SAME = "Texto del artículo {n} sobre la participación ciudadana."


def second_version(bill):
    """Article 1 unchanged, 2 reworded, 3 deleted, 4 renumbered as 3."""
    articles = [
        bill_factories.article(1, SAME.format(n=1), heading="Epígrafe 1"),
        bill_factories.article(2, "Texto nuevo y distinto del artículo dos.", heading="Epígrafe 2"),
        bill_factories.article(3, SAME.format(n=4), heading="Epígrafe 4"),
    ]
    nodes = [
        Node(kind="title", label="TÍTULO I", heading="DISPOSICIONES GENERALES", children=[
            Node(kind="chapter", label="CAPÍTULO I", heading="OBJETO", children=articles),
        ]),
    ]  # fmt: skip
    assign_eids(nodes)
    version = bill_services.bill_version_create(
        bill=bill,
        result=ParseResult(nodes=nodes),
        source_format="text",
        source_name="v2.txt",
        source_bytes=b"v2",
    )
    return bill_services.bill_version_publish(version=version)


@pytest.fixture
def two_consultations(committee_staff):
    first = open_consultation(committee_staff, articles=4)
    people = [UserFactory() for _ in range(3)]
    for number in (1, 2, 3, 4):
        services.comment_submit(
            author=people[0],
            consultation=first,
            provision=article(first, number),
            text=f"Comentario sobre el artículo {number}.",
        )
        services.vote_cast(
            voter=people[1], consultation=first, provision=article(first, number), choice="agree"
        )
    services.comment_submit(author=people[2], consultation=first, text="Sobre todo el proyecto.")
    services.proposal_submit(
        author=people[2],
        consultation=first,
        provision=article(first, 2),
        text="Otra redacción para el artículo dos.",
    )
    services.consultation_close_early(actor=committee_staff, consultation=first)
    bill = first.version.bill
    version = second_version(bill)
    second = services.consultation_create(
        actor=committee_staff,
        version=version,
        committee=first.committee,
        title="Segunda consulta",
        opens_at=timezone.now(),
        closes_at=timezone.now() + timedelta(days=10),
    )
    services.consultations_open_and_close_due()
    second.refresh_from_db()
    return first, second


def unit(page, number):
    return next(
        unit for unit in page.units.values() if unit.provision.label == f"Artículo {number}.-"
    )


def test_feedback_is_shown_where_the_provision_now_is_and_counted_where_given(two_consultations):
    first, second = two_consultations
    page = consultation_page(second, None)

    assert unit(page, 1).carried == 1
    assert unit(page, 2).carried == 2  # the comment and the proposal
    assert unit(page, 3).carried == 1  # article 4 of the first text
    assert page.bill_unit.carried == 1
    # Carried feedback is shown, not counted; votes do not carry at all.
    for shown in page.units.values():
        assert shown.comments == shown.proposals == 0
        assert shown.votes == 0
    first_page = consultation_page(first, None)
    assert sum(shown.comments for shown in first_page.units.values()) == 4
    assert sum(shown.votes for shown in first_page.units.values()) == 4


def test_each_carried_item_says_whether_the_text_changed(two_consultations):
    _first, second = two_consultations
    page = consultation_page(second, None)
    carry = carry_over(second)

    def carried(number, show="comments"):
        return discussion(
            second, unit(page, number), show=show, sort="supported", page_number=1,
            user=None, carry=carry,
        ).carried  # fmt: skip

    [unchanged] = carried(1)
    assert unchanged.text == "Comentario sobre el artículo 1."
    assert not unchanged.text_changed
    assert not unchanged.moved
    [changed] = carried(2)
    assert changed.text_changed
    [proposal] = carried(2, "proposals")
    assert proposal.text == "Otra redacción para el artículo dos."
    [renumbered] = carried(3)
    assert renumbered.text == "Comentario sobre el artículo 4."
    assert renumbered.moved
    assert not renumbered.text_changed


def test_feedback_on_a_deleted_provision_is_kept_under_its_own_heading(client, two_consultations):
    _first, second = two_consultations
    response = client.get(reverse("consultations:detail", args=[second.pk]))
    html = response.content.decode()
    assert "Disposiciones eliminadas en esta versión" in html
    removed = html.split('class="removed"')[1]
    assert "Comentario sobre el artículo 3." in removed
    assert SAME.format(n=3) in removed


def test_the_page_marks_changed_text_and_links_to_the_comparison(client, two_consultations):
    _first, second = two_consultations
    eid = unit(consultation_page(second, None), 2).key
    response = client.get(
        reverse("consultations:detail", args=[second.pk]), {"open": eid, "show": "comments"}
    )
    html = response.content.decode()
    bill = second.version.bill
    assert reverse("bills:diff", args=[bill.slug, 1, 2]) + f"#{eid}" in html
    assert "Comentario sobre el artículo 2." in html
    assert "carried-note" in html


def test_whole_bill_comments_carry_to_the_whole_bill(client, two_consultations):
    _first, second = two_consultations
    response = client.get(
        reverse("consultations:detail", args=[second.pk]), {"open": BILL, "show": "comments"}
    )
    assert "Sobre todo el proyecto." in response.content.decode()


def test_a_new_consultation_without_earlier_ones_carries_nothing(committee_staff):
    consultation = open_consultation(committee_staff)
    carry = carry_over(consultation)
    assert not carry.consultations
    assert not carry.counts
    assert not carry.removed
