"""Moderators confirm or split a campaign: texts taken out go to a new campaign
or are released (kept, no longer counted); nothing is ever deleted, every
action is logged, and every figure counts only what is still in a campaign."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from consultations.models import Comment
from moderation import selectors, services
from moderation.models import Action, AuditEntry, Campaign, CampaignMember
from tests.bills.factories import published_bill
from tests.consultations.factories import open_consultation
from tests.moderation.test_campaign_records import OTHERS, copies, send
from tests.moderation.test_pages import sign_in

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/staff/moderation/campaigns/"
QUEUE = "/staff/moderation/"


def page_of(campaign) -> str:
    return f"{CAMPAIGNS}{campaign.pk}/"


@pytest.fixture
def consultation(committee_staff):
    return open_consultation(committee_staff)


def campaign_of(consultation, count: int = 8, seed: int = 11) -> tuple[Campaign, list[Comment]]:
    """A detected campaign of ``count`` copies, and its texts, the first sent first."""
    items = send(consultation, copies(count, seed=seed))
    send(consultation, OTHERS)
    services.campaigns_refresh(consultation_id=consultation.pk)
    return Campaign.objects.get(consultation=consultation), items


def keys(items) -> list[tuple[str, int]]:
    return [("comment", item.pk) for item in items]


def figures(campaign) -> tuple[int, object, object]:
    found = Campaign.objects.with_figures().get(pk=campaign.pk)
    return found.size, found.first_seen, found.last_seen


def codes(raised: pytest.ExceptionInfo) -> set[str]:
    return {error.code for error in raised.value.error_list}


def untouched(campaign, size: int) -> None:
    """Nothing moved, released or logged."""
    assert Campaign.objects.count() == 1
    assert figures(campaign)[0] == size
    assert not CampaignMember.objects.filter(released_at__isnull=False).exists()
    assert not AuditEntry.objects.filter(kind="campaign").exists()


# --- Services ---------------------------------------------------------------------------------


def test_a_moderator_confirms_a_campaign_once(consultation, moderator):
    campaign, _items = campaign_of(consultation)

    confirmed = services.campaign_confirm(moderator=moderator, campaign_id=campaign.pk)

    campaign.refresh_from_db()
    assert campaign.confirmed_by == moderator
    assert campaign.confirmed_at == confirmed.confirmed_at
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.kind, entry.object_id, entry.consultation) == (
        moderator, Action.CONFIRM, "campaign", campaign.pk, consultation,
    )  # fmt: skip
    assert (entry.status_before, entry.status_after) == ("detected", "confirmed")

    with pytest.raises(ValidationError) as raised:
        services.campaign_confirm(moderator=moderator, campaign_id=campaign.pk)
    assert codes(raised) == {"confirmed"}
    assert AuditEntry.objects.count() == 1


def test_moving_texts_makes_a_new_campaign_split_from_the_original(consultation, moderator):
    campaign, items = campaign_of(consultation, count=8)
    moved = items[5:]

    new = services.campaign_split(
        moderator=moderator, campaign_id=campaign.pk, members=keys(reversed(moved)), release=False
    )

    assert (new.split_from, new.consultation) == (campaign, consultation)
    assert (new.representative_kind, new.representative_id) == ("comment", moved[0].pk)
    assert new.confirmed_at is None
    assert figures(new) == (3, moved[0].created_at, moved[-1].created_at)
    assert figures(campaign) == (5, items[0].created_at, items[4].created_at)
    assert CampaignMember.objects.count() == 8  # moved, not deleted
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_id, entry.status_before, entry.status_after) == (
        Action.SPLIT, campaign.pk, "8", "5",
    )  # fmt: skip
    assert str(new.pk) in entry.note
    assert all(f"comment:{item.pk}" in entry.note for item in moved)


def test_released_texts_are_kept_but_no_longer_counted(consultation, moderator):
    campaign, items = campaign_of(consultation, count=8)

    new = services.campaign_split(
        moderator=moderator, campaign_id=campaign.pk, members=keys(items[:2]), release=True
    )

    assert new is None
    assert Campaign.objects.count() == 1
    assert figures(campaign) == (6, items[2].created_at, items[-1].created_at)
    released = CampaignMember.objects.filter(released_at__isnull=False)
    assert {member.object_id for member in released} == {items[0].pk, items[1].pk}
    assert CampaignMember.objects.count() == 8
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.status_before, entry.status_after) == (Action.RELEASE, "8", "6")


def test_public_figures_and_the_queue_count_what_is_left_after_split_and_release(
    consultation, moderator
):
    campaign, items = campaign_of(consultation, count=8)
    for item in items:
        services.item_screen(kind="comment", pk=item.pk)
    Comment.objects.filter(pk__in=[item.pk for item in items]).update(status="pending")

    services.campaign_split(
        moderator=moderator, campaign_id=campaign.pk, members=keys(items[:2]), release=True
    )
    new = services.campaign_split(
        moderator=moderator, campaign_id=campaign.pk, members=keys(items[2:4]), release=False
    )

    public = selectors.transparency_now(consultation.pk)
    assert (public.campaigns, public.signatories) == (2, 6)
    queued = {item.pk: item for item in selectors.queue()}
    assert (queued[items[0].pk].campaign_size, queued[items[0].pk].campaign_id) == (0, None)
    assert (queued[items[2].pk].campaign_size, queued[items[2].pk].campaign_id) == (2, new.pk)
    assert (queued[items[7].pk].campaign_size, queued[items[7].pk].campaign_id) == (4, campaign.pk)
    in_campaign = {item.pk for item in selectors.queue(rule="campaign")}
    assert in_campaign == {item.pk for item in items[2:]}


def test_the_representative_moves_on_when_it_is_taken_out(consultation, moderator):
    campaign, items = campaign_of(consultation, count=8)
    Campaign.objects.filter(pk=campaign.pk).update(representative_id=items[3].pk)

    services.campaign_split(
        moderator=moderator, campaign_id=campaign.pk, members=keys(items[3:4]), release=True
    )
    campaign.refresh_from_db()
    assert campaign.representative_id == items[0].pk  # the earliest left

    services.campaign_split(
        moderator=moderator, campaign_id=campaign.pk, members=keys(items[:2]), release=False
    )
    campaign.refresh_from_db()
    assert campaign.representative_id == items[2].pk


def test_detection_never_adds_released_texts_back_nor_moves_split_ones(consultation, moderator):
    campaign, items = campaign_of(consultation, count=8)
    services.campaign_split(
        moderator=moderator, campaign_id=campaign.pk, members=keys(items[:2]), release=True
    )
    new = services.campaign_split(
        moderator=moderator, campaign_id=campaign.pk, members=keys(items[2:4]), release=False
    )

    assert services.campaigns_refresh(consultation_id=consultation.pk) == 0
    later = send(consultation, copies(3, seed=12))
    assert services.campaigns_refresh(consultation_id=consultation.pk) == 1

    assert Campaign.objects.count() == 2
    assert figures(campaign)[0] == 4 + 3  # the new copies join the campaign most texts are in
    counted = campaign.members.filter(released_at__isnull=True)
    assert set(counted.values_list("object_id", flat=True)) == {i.pk for i in items[4:] + later}
    assert figures(new)[0] == 2
    released = CampaignMember.objects.filter(released_at__isnull=False)
    assert {member.object_id for member in released} == {items[0].pk, items[1].pk}


@pytest.mark.parametrize("persona", ["citizen", "committee_staff"])
def test_only_moderators_confirm_or_split(consultation, persona, request):
    campaign, items = campaign_of(consultation)
    person = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        services.campaign_confirm(moderator=person, campaign_id=campaign.pk)
    for release in (False, True):
        with pytest.raises(PermissionDenied):
            services.campaign_split(
                moderator=person, campaign_id=campaign.pk, members=keys(items[:1]), release=release
            )
    untouched(campaign, 8)
    assert Campaign.objects.get().confirmed_at is None


def test_texts_not_counted_in_the_campaign_are_refused(consultation, moderator, committee_staff):
    campaign, items = campaign_of(consultation)
    other_consultation = open_consultation(
        committee_staff, version=published_bill("78/2026-CR").versions.get()
    )
    other, theirs = campaign_of(other_consultation, seed=13)
    outsider = send(consultation, ["Un aporte que no es parte de ninguna campaña ciudadana."])

    for members in (keys(theirs[:1]), keys(items[:1] + theirs[:1]), keys(outsider),
                    [("comment", 10**15)], [("proposal", items[0].pk)]):  # fmt: skip
        for release in (False, True):
            with pytest.raises(ValidationError) as raised:
                services.campaign_split(
                    moderator=moderator, campaign_id=campaign.pk, members=members, release=release
                )
            assert codes(raised) == {"not_member"}
    assert figures(campaign)[0] == figures(other)[0] == 8
    assert not AuditEntry.objects.exists()

    services.campaign_split(
        moderator=moderator, campaign_id=campaign.pk, members=keys(items[:1]), release=True
    )
    with pytest.raises(ValidationError) as raised:  # already released
        services.campaign_split(
            moderator=moderator, campaign_id=campaign.pk, members=keys(items[:1]), release=False
        )
    assert codes(raised) == {"not_member"}


def test_choosing_no_text_or_every_text_is_refused(consultation, moderator):
    campaign, items = campaign_of(consultation)

    for members, code in (([], "no_members"), (keys(items), "all_members"),
                          (keys(items) * 2, "all_members")):  # fmt: skip
        with pytest.raises(ValidationError) as raised:
            services.campaign_split(
                moderator=moderator, campaign_id=campaign.pk, members=members, release=False
            )
        assert codes(raised) == {code}
    untouched(campaign, 8)


@pytest.mark.parametrize(
    "member",
    [("display_name", 1), ("reason", 1), ("comment", -1), ("comment", 0), ("comment", "1"),
     ("comment", True), ("comment", 1.0), ("comment", 2**70), ("comment",), "comment:1", None,
     ("comment", 1, "held"), (None, 1), (["comment"], 1)],
)  # fmt: skip
def test_malformed_members_are_refused(consultation, moderator, member):
    campaign, _items = campaign_of(consultation)
    with pytest.raises(ValidationError) as raised:
        services.campaign_split(
            moderator=moderator, campaign_id=campaign.pk, members=[member], release=True
        )
    assert codes(raised) == {"not_member"}
    untouched(campaign, 8)


def test_huge_lists_and_unknown_campaigns_are_refused(consultation, moderator):
    campaign, items = campaign_of(consultation)
    huge = [("comment", pk) for pk in range(1, services.CAMPAIGN_MEMBERS_LIMIT + 2)]
    with pytest.raises(ValidationError) as raised:
        services.campaign_split(
            moderator=moderator, campaign_id=campaign.pk, members=huge, release=False
        )
    assert codes(raised) == {"too_many"}
    with pytest.raises(ValidationError) as raised:
        services.campaign_confirm(moderator=moderator, campaign_id=campaign.pk + 1000)
    assert codes(raised) == {"gone"}
    with pytest.raises(ValidationError) as raised:
        services.campaign_split(
            moderator=moderator, campaign_id=campaign.pk + 1000, members=keys(items[:1]),
            release=False,
        )  # fmt: skip
    assert codes(raised) == {"gone"}
    untouched(campaign, 8)


# --- Pages ------------------------------------------------------------------------------------


@pytest.fixture
def moderating(client, moderator) -> Client:
    return sign_in(client, moderator)


def notices(response) -> list[str]:
    """The messages shown after the redirect (pass ``follow=True``): their levels."""
    assert response.redirect_chain, "expected a redirect"
    return [message.level_tag for message in response.context["messages"]]


def landed(response) -> str:
    return response.redirect_chain[-1][0]


def test_only_moderators_reach_the_campaign_pages(
    client, consultation, citizen, committee_staff, moderator
):
    campaign, items = campaign_of(consultation)
    as_citizen, as_staff, as_moderator = (
        sign_in(Client(), person) for person in (citizen, committee_staff, moderator)
    )
    for path in (CAMPAIGNS, page_of(campaign)):
        assert client.get(path).status_code == 302  # to sign in
        assert as_citizen.get(path).status_code == 403
        assert as_staff.get(path).status_code == 403
        assert as_moderator.get(path).status_code == 200
    member = {"member": f"comment:{items[0].pk}"}
    for action in ("confirm", "split", "release"):
        path = f"{page_of(campaign)}{action}/"
        response = client.post(path, member)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        assert as_citizen.post(path, member).status_code == 403
        assert as_moderator.get(path).status_code == 405
    untouched(campaign, 8)
    assert Campaign.objects.get().confirmed_at is None


def test_the_pages_show_each_campaign_its_figures_and_texts(moderating, consultation, moderator):
    hostile = '<script>alert(1)</script> visiten http://bit.ly/x"onmouseover="alert(2)'
    campaign, items = campaign_of(consultation)
    Comment.objects.filter(pk=campaign.representative_id).update(text=hostile)
    services.campaign_confirm(moderator=moderator, campaign_id=campaign.pk)

    listing = moderating.get(CAMPAIGNS).content.decode()
    assert f'href="{page_of(campaign)}"' in listing
    assert "<strong>8 " in listing  # signatories
    assert "Moderadora" in listing  # who confirmed it
    assert "<script>alert(1)" not in listing
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing

    detail = moderating.get(page_of(campaign)).content.decode()
    assert detail.count('type="checkbox" name="member"') == 8
    for item in items:
        assert f'value="comment:{item.pk}" id="member-comment-{item.pk}"' in detail
        assert f'<label for="member-comment-{item.pk}">' in detail
        assert item.author.display_name in detail
    assert "<script>alert(1)" not in detail
    assert 'href="http://bit.ly' not in detail
    assert f'action="{page_of(campaign)}split/"' in detail
    assert f'formaction="{page_of(campaign)}release/"' in detail
    assert f'action="{page_of(campaign)}confirm/"' not in detail  # confirmed already


def test_the_list_filters_by_consultation(moderating, consultation, committee_staff):
    campaign, _items = campaign_of(consultation)
    other_consultation = open_consultation(
        committee_staff, version=published_bill("79/2026-CR").versions.get()
    )
    other, _theirs = campaign_of(other_consultation, seed=14)

    page = moderating.get(f"{CAMPAIGNS}?consultation={other_consultation.pk}").content.decode()

    assert f'href="{page_of(other)}"' in page
    assert f'href="{page_of(campaign)}"' not in page
    for query in ("?consultation=abc", "?consultation=999999", "?page=-1", "?page=x%00"):
        assert moderating.get(CAMPAIGNS + query).status_code == 200


def test_members_are_shown_fifty_a_page(moderating, consultation):
    campaign, items = campaign_of(consultation, count=53)
    assert figures(campaign)[0] == 53

    first = moderating.get(page_of(campaign)).content.decode()
    second = moderating.get(page_of(campaign) + "?page=2").content.decode()

    assert first.count('name="member"') == 50
    assert second.count('name="member"') == 3
    assert f'value="comment:{items[-1].pk}"' in second


def test_a_moderator_confirms_splits_and_releases_from_the_page(moderating, consultation):
    campaign, items = campaign_of(consultation)
    base = page_of(campaign)

    data = {"member": keys_of(items[6:]), "page": "1"}
    response = moderating.post(f"{base}split/", data, follow=True)
    assert (landed(response), notices(response)) == (f"{base}?page=1", ["success"])
    new = Campaign.objects.get(split_from=campaign)
    assert figures(new)[0] == 2

    response = moderating.post(f"{base}release/", {"member": keys_of(items[:1])}, follow=True)
    assert (landed(response), notices(response)) == (base, ["success"])
    assert figures(campaign)[0] == 5

    response = moderating.post(f"{base}confirm/", follow=True)
    assert notices(response) == ["success"]
    confirmed_at = Campaign.objects.get(pk=campaign.pk).confirmed_at
    response = moderating.post(f"{base}confirm/", follow=True)
    assert notices(response) == ["error"]  # twice: told, nothing changed
    assert Campaign.objects.get(pk=campaign.pk).confirmed_at == confirmed_at
    actions = AuditEntry.objects.filter(kind="campaign").order_by("pk")
    assert list(actions.values_list("action", flat=True)) == ["split", "release", "confirm"]

    page = moderating.get(base).content.decode()
    assert f'href="{page_of(new)}"' in page
    assert page.count('name="member"') == 5


def keys_of(items) -> list[str]:
    return [f"comment:{item.pk}" for item in items]


@pytest.mark.parametrize(
    "members",
    [[], [""], ["comment"], ["comment:"], ["comment:abc"], ["comment:-1"], ["comment:1.5"],
     ["comment:١٢"], ["comment:" + "9" * 40], ["display_name:1"], ["comment:1:held"],
     ["comment:\x00"], ["proposal:1"], ["comment:0"], ["comment:999999999"]],
)  # fmt: skip
def test_bad_member_keys_are_refused_and_change_nothing(moderating, consultation, members):
    campaign, _items = campaign_of(consultation)
    for action in ("split", "release"):
        response = moderating.post(
            f"{page_of(campaign)}{action}/", {"member": members}, follow=True
        )
        assert (landed(response), notices(response)) == (page_of(campaign), ["error"])
    untouched(campaign, 8)


def test_huge_lists_and_another_campaigns_texts_are_refused(
    moderating, consultation, committee_staff
):
    campaign, items = campaign_of(consultation)
    other = open_consultation(committee_staff, version=published_bill("80/2026-CR").versions.get())
    second, theirs = campaign_of(other, seed=15)
    Campaign.objects.filter(pk=second.pk).update(consultation=consultation)  # even alongside
    many = keys_of(items[:1]) * 200 + [f"comment:{pk}" for pk in range(1, 200)]
    huge = many * 20  # past the fields a request may carry at all

    for action in ("split", "release"):
        assert moderating.post(f"{page_of(campaign)}{action}/", {"member": huge}).status_code == 400
        for members in (many, keys_of(theirs[:2]), keys_of(items[:1] + theirs[:1])):
            response = moderating.post(
                f"{page_of(campaign)}{action}/", {"member": members}, follow=True
            )
            assert notices(response) == ["error"]
    assert figures(campaign)[0] == figures(second)[0] == 8
    assert Campaign.objects.count() == 2
    assert not AuditEntry.objects.exists()


def test_naughty_strings_as_members_or_page_change_nothing(
    moderating, consultation, naughty_strings
):
    campaign, _items = campaign_of(consultation)
    for start in range(0, len(naughty_strings), 25):
        batch = naughty_strings[start : start + 25]
        members = batch + [f"comment:{text}" for text in batch]
        response = moderating.post(
            f"{page_of(campaign)}release/", {"member": members, "page": batch[0]}, follow=True
        )
        assert landed(response).startswith(page_of(campaign))
        assert notices(response) == ["error"]
    for text in naughty_strings[:50]:
        assert moderating.get(CAMPAIGNS, {"consultation": text, "page": text}).status_code == 200
    untouched(campaign, 8)


def test_unknown_campaigns_are_not_found(moderating, consultation):
    campaign, items = campaign_of(consultation)
    missing = f"{CAMPAIGNS}{campaign.pk + 1000}/"
    assert moderating.get(missing).status_code == 404
    assert moderating.post(f"{missing}confirm/").status_code == 404
    assert moderating.post(f"{missing}split/", {"member": keys_of(items[:1])}).status_code == 404
    assert moderating.get(f"{CAMPAIGNS}abc/").status_code == 404
    assert moderating.get(f"{CAMPAIGNS}-1/").status_code == 404
    untouched(campaign, 8)


def test_the_queue_links_to_the_campaigns_and_to_each_items_campaign(moderating, consultation):
    campaign, items = campaign_of(consultation, count=5)
    for item in items:
        services.item_screen(kind="comment", pk=item.pk)
    Comment.objects.filter(pk__in=[item.pk for item in items]).update(status="held")

    page = moderating.get(QUEUE).content.decode()

    assert f'href="{CAMPAIGNS}"' in page
    assert page.count(f'<a class="hit-chip" href="{page_of(campaign)}">') == 5
