"""The moderation queue and log pages: who reaches them, what they show, and
decisions sent from them, hostile input included."""

import csv
import io

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from accounts.models import Role
from accounts.services import user_assign_role
from consultations import services as participation
from consultations.models import Comment, ItemStatus
from moderation import services
from moderation.models import AuditEntry
from tests.bills.factories import published_bill
from tests.consultations.factories import open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
QUEUE, DECIDE, LOG = "/staff/moderation/", "/staff/moderation/decide/", "/staff/moderation/log/"


def sign_in(client: Client, user) -> Client:
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    return client


@pytest.fixture
def consultation(committee_staff):
    return open_consultation(committee_staff)


def submitted(consultation, text: str, author=None) -> Comment:
    item = participation.comment_submit(
        author=author or UserFactory(), consultation=consultation, provision=None, text=text
    )
    services.item_screen(kind="comment", pk=item.pk)
    item.refresh_from_db()
    return item


@pytest.fixture
def moderating(client, moderator) -> Client:
    return sign_in(client, moderator)


@pytest.mark.parametrize("path", [QUEUE, LOG, f"{LOG}?format=csv"])
def test_only_moderators_and_administrators_reach_the_pages(
    client, path, citizen, committee_staff, administrator, moderator
):
    assert client.get(path).status_code == 302  # to sign in
    assert sign_in(Client(), citizen).get(path).status_code == 403
    assert sign_in(Client(), committee_staff).get(path).status_code == 403
    assert sign_in(Client(), moderator).get(path).status_code == 200
    user_assign_role(user=administrator, role=Role.ADMINISTRATOR)
    assert sign_in(Client(), administrator).get(path).status_code == 200


def test_a_moderator_without_a_second_factor_sets_one_up_first(client, moderator):
    client.force_login(moderator)
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "2fa" in response["Location"]


def test_the_queue_ranks_by_risk_and_marks_what_was_found(moderating, consultation):
    insult = submitted(consultation, "Son unos cojudos")
    personal = submitted(consultation, "Llamen a mi vecina al 987 654 321")
    clean = submitted(consultation, "Un aporte tranquilo")

    page = moderating.get(QUEUE).content.decode()

    assert page.index(f"comment:{personal.pk}:held") < page.index(f"comment:{insult.pk}:held")
    assert f"comment:{clean.pk}:" not in page
    assert '<mark class="hit hit-personal_data"' in page
    assert ">987 654 321</mark>" in page
    assert ">cojudos</mark>" in page


def test_hostile_text_is_shown_escaped_and_links_are_not_clickable(moderating, consultation):
    text = '<script>alert(1)</script> visiten http://bit.ly/x"onmouseover="alert(2)'
    submitted(consultation, text)

    page = moderating.get(QUEUE).content.decode()

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="http://bit.ly' not in page
    assert 'onmouseover="alert(2)' not in page


@pytest.mark.parametrize(
    "query",
    ["?older_than_hours=abc", "?consultation=999999", "?rule=bogus", "?kind=%00",
     "?page=-1", "?page=99999", "?older_than_hours=1", "?rule=insult&kind=comment"],
)  # fmt: skip
def test_bad_or_odd_filters_never_break_the_queue(moderating, consultation, query):
    submitted(consultation, "Son unos cojudos")
    assert moderating.get(QUEUE + query).status_code == 200


def test_filters_narrow_the_queue(moderating, consultation, committee_staff):
    insult = submitted(consultation, "Son unos cojudos")
    phone = submitted(consultation, "Mi celular es 987 654 321")
    page = moderating.get(QUEUE + "?rule=insult").content.decode()
    assert f"comment:{insult.pk}:" in page
    assert f"comment:{phone.pk}:" not in page
    other = open_consultation(committee_staff, version=published_bill("77/2026-CR").versions.get())
    page = moderating.get(QUEUE + f"?consultation={other.pk}").content.decode()
    assert f"comment:{insult.pk}:" not in page


def test_approving_from_the_queue(moderating, consultation, moderator):
    item = submitted(consultation, "Son unos cojudos")

    response = moderating.post(DECIDE, {"item": f"comment:{item.pk}:held", "action": "approve"})

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    assert AuditEntry.objects.get().actor == moderator


def test_rejecting_several_at_once_with_a_reason(moderating, consultation):
    items = [submitted(consultation, f"Son unos cojudos, {n}") for n in range(3)]
    response = moderating.post(
        DECIDE,
        {"item": [f"comment:{item.pk}:held" for item in items], "action": "reject",
         "reason": "insult"},
    )  # fmt: skip
    assert response.status_code == 302
    assert set(Comment.objects.values_list("status", flat=True)) == {ItemStatus.REJECTED}
    assert AuditEntry.objects.filter(reason="insult").count() == 3


def test_a_conflict_is_told_and_the_other_items_are_still_decided(moderating, consultation):
    first, second = submitted(consultation, "cojudos uno"), submitted(consultation, "cojudos dos")
    Comment.objects.filter(pk=first.pk).update(status=ItemStatus.PUBLISHED)  # decided meanwhile

    response = moderating.post(
        DECIDE,
        {"item": [f"comment:{first.pk}:held", f"comment:{second.pk}:held"], "action": "approve"},
        follow=True,
    )

    assert "Otra persona decidió antes sobre este elemento" in response.content.decode()
    assert Comment.objects.get(pk=second.pk).status == ItemStatus.PUBLISHED
    assert AuditEntry.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [{"action": "approve"}, {"item": "comment:abc:held", "action": "approve"},
     {"item": "vote:1:held", "action": "approve"}, {"item": "comment:1:held", "action": "nuke"},
     {"item": "comment:1:held", "action": "reject"},
     {"item": "comment:-1:held", "action": "approve"},
     {"item": "comment:9999999999999999999999:held", "action": "approve"},
     {"item": [f"comment:{n}:held" for n in range(101)], "action": "approve"}],
)  # fmt: skip
def test_malformed_decisions_get_a_clear_message_and_change_nothing(moderating, consultation, data):
    item = submitted(consultation, "Son unos cojudos")
    response = moderating.post(DECIDE, data, follow=True)
    assert response.status_code == 200
    assert 'class="message message-error"' in response.content.decode()
    assert Comment.objects.get(pk=item.pk).status == ItemStatus.HELD
    assert not AuditEntry.objects.exists()


def test_hostile_notes_are_stored_exactly_and_shown_escaped(
    moderating, consultation, naughty_strings
):
    for index, note in enumerate(naughty_strings[:200]):
        item = submitted(consultation, f"Son unos cojudos {index}")
        response = moderating.post(
            DECIDE, {"item": f"comment:{item.pk}:held", "action": "approve", "note": note}
        )
        assert response.status_code == 302, note
    stored = set(AuditEntry.objects.values_list("note", flat=True))
    assert {note.strip() for note in naughty_strings[:200] if "\x00" not in note} <= stored | {""}
    page = moderating.get(LOG).content.decode()
    assert "<script>alert" not in page


def test_decisions_need_the_csrf_token(moderator, consultation):
    item = submitted(consultation, "Son unos cojudos")
    client = sign_in(Client(enforce_csrf_checks=True), moderator)
    response = client.post(DECIDE, {"item": f"comment:{item.pk}:held", "action": "approve"})
    assert response.status_code == 403
    assert Comment.objects.get(pk=item.pk).status == ItemStatus.HELD


def test_a_citizen_cannot_decide(client, citizen, consultation):
    item = submitted(consultation, "Son unos cojudos")
    response = sign_in(client, citizen).post(
        DECIDE, {"item": f"comment:{item.pk}:held", "action": "approve"}
    )
    assert response.status_code == 403
    assert Comment.objects.get(pk=item.pk).status == ItemStatus.HELD


def test_the_log_is_exported_with_public_names_only(moderating, consultation, moderator):
    item = submitted(consultation, "Son unos cojudos")
    moderating.post(
        DECIDE,
        {"item": f"comment:{item.pk}:held", "action": "reject", "reason": "insult",
         "note": "=HYPERLINK(\"http://evil\")"},
    )  # fmt: skip

    response = moderating.get(LOG + "?format=csv")

    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["when", "moderator", "action"]
    assert rows[1][1:4] == [moderator.display_name, "reject", "comment"]
    assert rows[1][7].startswith("'=")  # never a formula in a spreadsheet
    assert moderator.email not in body
