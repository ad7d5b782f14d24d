"""Unsubscribe links: the one-click POST mail clients send (RFC 8058), the
link opened in a browser, and what they stop; changed, expired and foreign
links are refused with a page that says so, and change nothing."""

import re
import time
from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.core import mail, signing
from django.test import Client
from django.utils import timezone
from lxml import html

from consultations.models import Follow
from notifications import digests
from notifications import unsubscribe as links
from notifications.models import Digest, Event, Outbox, OutboxStatus, Preferences
from notifications.services import outbox_send_due, preferences_of
from tests.bills.factories import published_bill
from tests.consultations.factories import open_consultation
from tests.factories import UserFactory
from tests.notifications.factories import rejected

pytestmark = pytest.mark.django_db
NEXT_WEEK = timedelta(days=7)
ONE_CLICK = "List-Unsubscribe=One-Click"
LINK = re.compile(r"https?://[^\s<>\"]+?/notifications/unsubscribe/[^/\s<>\"]+/")


# --- Helpers ------------------------------------------------------------------------------------


@pytest.fixture
def consultation(committee_staff):
    return open_consultation(committee_staff)  # its opening is news of its bill


@pytest.fixture
def mail_client() -> Client:
    """A mail client or a browser without a session: no cookie, CSRF enforced."""
    return Client(enforce_csrf_checks=True)


def follower(bill, frequency="weekly", **fields):
    person = UserFactory(**fields)
    Follow.objects.create(follower=person, bill=bill, frequency=frequency)
    return person


def plan_and_send(frequency="weekly", later=NEXT_WEEK) -> int:
    moment = timezone.now() + later
    period, _made = digests.digests_plan(frequency=frequency, now=moment)
    return sum(digests.digests_send(first=a, last=b, now=moment)[0]
               for a, b in digests.digest_batches(period))  # fmt: skip


def news_next_week(bill) -> Outbox:
    """A new version of ``bill`` published in the week after this one."""
    return Outbox.objects.create(
        event=Event.NEW_VERSION, bill=bill, status=OutboxStatus.DIGEST,
        payload={"version": 2, "previous": 1}, created_at=timezone.now() + NEXT_WEEK,
    )  # fmt: skip


def header_path(message) -> str:
    """The path of the message's List-Unsubscribe address."""
    header = message.extra_headers["List-Unsubscribe"]
    assert (header[0], header[-1]) == ("<", ">")
    assert message.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
    return urlsplit(header[1:-1]).path


def body_links(message) -> dict[str, str]:
    """The unsubscribe links in the message's text, by the scope each names."""
    found = {}
    for address in LINK.findall(message.body):
        path = urlsplit(address).path
        _person, scope = links.read(path.rstrip("/").rsplit("/", 1)[1])
        found[scope] = path
    return found


def to(person) -> list:
    return [message for message in mail.outbox if message.to == [person.email]]


def state() -> tuple:
    """Everything an unsubscribe link may change."""
    return (
        sorted(Follow.objects.values_list("follower_id", "bill_id", "frequency")),
        sorted(
            Preferences.objects.values_list("user_id", "about_my_contributions", "staff_summary")
        ),
        sorted(Outbox.objects.values_list("pk", "status")),
        sorted(Digest.objects.values_list("pk", "status")),
    )


def one_click(client: Client, path: str):
    """What a mail client sends when the person presses "unsubscribe"."""
    return client.post(path, ONE_CLICK, content_type="application/x-www-form-urlencoded")


def path_of(token: str) -> str:
    return f"/notifications/unsubscribe/{quote(token, safe='')}/"


class SignedLongAgo(signing.TimestampSigner):
    """Signs as the site did ``seconds`` ago (a link from an old email)."""

    def __init__(self, *, seconds: int, **kwargs):
        super().__init__(**kwargs)
        self.seconds = seconds

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - self.seconds)


def old_token(user, scope: str, *, seconds: int) -> str:
    signer = SignedLongAgo(seconds=seconds, salt=links.SALT)
    return signer.sign_object([user.pk, scope], compress=False)


# --- One-click unsubscribe from real emails -----------------------------------------------------


@pytest.mark.parametrize("encoding", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_one_click_from_a_digest_stops_the_next_digests(consultation, mail_client, encoding):
    bill = consultation.version.bill
    reader, neighbour = follower(bill), follower(bill)
    assert plan_and_send() == 2
    path = header_path(to(reader)[0])

    if encoding.startswith("multipart"):
        response = mail_client.post(path, {"List-Unsubscribe": "One-Click"})
    else:
        response = mail_client.post(path, ONE_CLICK, content_type=encoding)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert not Follow.objects.filter(follower=reader).exists()
    mail.outbox.clear()
    news_next_week(bill)
    assert plan_and_send(later=2 * NEXT_WEEK) == 1
    assert to(reader) == []
    assert len(to(neighbour)) == 1  # the news did go out, to the other follower


def test_one_click_from_a_decision_notice_stops_the_next_notices(
    citizen, consultation, moderator, mail_client
):
    rejected(citizen, consultation, moderator, "Son unos cojudos")
    assert outbox_send_due() == 1
    [notice] = mail.outbox

    response = one_click(mail_client, header_path(notice))

    assert response.status_code == 200
    assert preferences_of(citizen).about_my_contributions is False
    mail.outbox.clear()
    row = rejected(citizen, consultation, moderator, "Otra vez: cojudos")
    assert outbox_send_due() == 0
    row.refresh_from_db()
    assert row.status == OutboxStatus.SKIPPED
    assert mail.outbox == []


def test_a_decision_notices_one_click_leaves_the_followed_bills_alone(
    citizen, consultation, moderator, mail_client
):
    Follow.objects.create(follower=citizen, bill=consultation.version.bill, frequency="weekly")
    rejected(citizen, consultation, moderator)
    outbox_send_due()
    one_click(mail_client, header_path(mail.outbox[0]))
    mail.outbox.clear()
    assert plan_and_send() == 1  # news of the bill still comes
    assert [message.to for message in mail.outbox] == [[citizen.email]]


def test_one_click_needs_no_session_and_no_csrf_token(consultation, mail_client, citizen):
    reader = follower(consultation.version.bill)
    path = links.url(reader, links.BILLS)
    mail_client.force_login(citizen)  # someone else's browser: the link still names the reader
    response = one_click(mail_client, urlsplit(path).path)
    assert response.status_code == 200
    assert not Follow.objects.filter(follower=reader).exists()
    assert preferences_of(citizen).about_my_contributions is True


# --- The link opened in a browser -------------------------------------------------------------


def test_opening_the_link_only_asks_to_confirm(consultation, mail_client):
    """Mail scanners open every link in an email: a GET or HEAD never unsubscribes."""
    reader = follower(consultation.version.bill)
    path = urlsplit(links.url(reader, links.ALL)).path
    before = state()

    page = mail_client.get(path)
    head = mail_client.head(path)

    assert (page.status_code, head.status_code) == (200, 200)
    assert page.context["done"] is False
    assert page.context["scope"] == links.ALL
    assert state() == before


def test_the_confirm_pages_button_unsubscribes(consultation, mail_client):
    reader = follower(consultation.version.bill)
    path = urlsplit(links.url(reader, links.BILLS)).path
    page = html.fromstring(mail_client.get(path).content)
    [action] = page.xpath("//main//form[@method='post']/@action")
    assert action == path

    response = mail_client.post(action)  # the form as the page sends it, no CSRF token

    assert response.status_code == 200
    assert response.context["done"] is True
    assert not Follow.objects.filter(follower=reader).exists()


def test_a_bills_link_stops_only_that_bill(consultation, mail_client):
    first, other = consultation.version.bill, published_bill("999/2026-CR")
    Outbox.objects.create(event=Event.NEW_VERSION, bill=other, status=OutboxStatus.DIGEST,
                          payload={"version": 2, "previous": 1})  # fmt: skip
    reader = follower(first)
    Follow.objects.create(follower=reader, bill=other, frequency="weekly")
    assert plan_and_send() == 1
    [digest] = mail.outbox
    found = body_links(digest)
    assert set(found) == {
        links.bill_scope(first.pk),
        links.bill_scope(other.pk),
        links.BILLS,
        links.ALL,
    }

    response = mail_client.post(found[links.bill_scope(first.pk)])

    assert response.status_code == 200
    assert response.context["bill"] == first
    assert list(Follow.objects.filter(follower=reader).values_list("bill", flat=True)) == [other.pk]
    mail.outbox.clear()
    news_next_week(first)
    news_next_week(other)
    assert plan_and_send(later=2 * NEXT_WEEK) == 1
    [next_digest] = mail.outbox
    assert other.number in next_digest.body
    assert first.number not in next_digest.body


def test_the_all_link_stops_everything_waiting_included(
    citizen, consultation, moderator, mail_client
):
    bill = consultation.version.bill
    Follow.objects.create(follower=citizen, bill=bill, frequency="weekly")
    rejected(citizen, consultation, moderator, "Son unos cojudos")
    waiting = rejected(citizen, consultation, moderator, "Otra vez: cojudos")
    assert outbox_send_due(limit=1) == 1  # the second notice is still waiting
    held = Outbox.objects.create(  # one held back for the next digest
        event=Event.DECISION, recipient=citizen, status=OutboxStatus.DIGEST,
        payload=waiting.payload,
    )  # fmt: skip
    period, _made = digests.digests_plan(frequency="weekly", now=timezone.now() + NEXT_WEEK)
    planned = Digest.objects.get(recipient=citizen)  # planned, not sent yet
    path = body_links(mail.outbox[0])[links.ALL]
    mail.outbox.clear()

    response = mail_client.post(path)

    assert response.status_code == 200
    assert response.context["scope"] == links.ALL
    assert not Follow.objects.filter(follower=citizen).exists()
    preferences = preferences_of(citizen)
    assert (preferences.about_my_contributions, preferences.staff_summary) == (False, False)
    for row in (waiting, held, planned):
        row.refresh_from_db()
        assert row.status == OutboxStatus.SKIPPED
    later = timezone.now() + NEXT_WEEK
    assert sum(digests.digests_send(first=a, last=b, now=later)[0]
               for a, b in digests.digest_batches(period)) == 0  # fmt: skip
    rejected(citizen, consultation, moderator, "Y una tercera: cojudos")
    news_next_week(bill)
    assert outbox_send_due(now=later) == 0
    assert plan_and_send("daily", later=NEXT_WEEK + timedelta(days=1)) == 0
    assert plan_and_send(later=2 * NEXT_WEEK) == 0
    assert mail.outbox == []


def test_the_staff_link_stops_only_the_summary(moderator, mail_client):
    summary = Outbox.objects.create(
        event=Event.STAFF_SUMMARY, recipient=moderator, payload={"moderation": {"held": 1}}
    )
    response = one_click(mail_client, urlsplit(links.url(moderator, links.STAFF)).path)
    assert response.status_code == 200
    preferences = preferences_of(moderator)
    assert (preferences.about_my_contributions, preferences.staff_summary) == (True, False)
    summary.refresh_from_db()
    assert summary.status == OutboxStatus.SKIPPED
    assert outbox_send_due() == 0


def test_unsubscribing_twice_is_fine(consultation, mail_client):
    reader = follower(consultation.version.bill)
    path = urlsplit(links.url(reader, links.ALL)).path
    assert mail_client.post(path).status_code == 200
    after = state()
    assert mail_client.post(path).context["done"] is True
    assert one_click(mail_client, path).status_code == 200
    assert state() == after


@pytest.mark.parametrize("method", ["get", "post", "one_click"])
def test_pages_keep_the_token_out_of_caches_and_referrers(consultation, mail_client, method):
    reader = follower(consultation.version.bill)
    path = urlsplit(links.url(reader, links.ALL)).path
    refused = path_of("nada-que-ver")
    for address in (path, refused):
        if method == "one_click":
            response = one_click(mail_client, address)
        else:
            response = getattr(mail_client, method)(address)
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        if response["Content-Type"].startswith("text/html"):
            assert response["Referrer-Policy"] == "no-referrer"


# --- Refused links ------------------------------------------------------------------------------


def refused(client: Client, path: str) -> list:
    """Opens, confirms and one-clicks ``path``; answers the three responses."""
    return [client.get(path), client.post(path), one_click(client, path)]


def assert_refused(responses: list, *, expired: bool) -> None:
    for response in responses:
        assert response.status_code == 400
        assert response.context["expired"] is expired
        assert response["Referrer-Policy"] == "no-referrer"


def tampered(token: str, other_pk: int) -> list[str]:
    payload, stamp, signature = token.rsplit(":", 2)
    flip = {"A": "B"}.get(signature[-1], "A")
    return [
        f"{payload}:{stamp}:{signature[:-1]}{flip}",  # a changed signature
        f"{payload[:-1]}{'x' if payload[-1] != 'x' else 'y'}:{stamp}:{signature}",
        f"{payload}:{signing.b62_encode(signing.b62_decode(stamp) + 86400)}:{signature}",
        signing.dumps([other_pk, links.ALL], salt=links.SALT, key="not-the-sites-key"),
        signing.dumps([other_pk, links.ALL]),  # signed by the site for something else
        token[:-4],
        token[: len(token) // 2],
        token.split(":", 1)[0],
        token + "A",
        token + ":" + signature,
        token * 200,  # very long
        "A" * 20_000,
        ":",
        "::",
        "-",
        "0",
        "null",
        " ",
    ]


def test_changed_links_are_refused_and_change_nothing(consultation, mail_client):
    bill = consultation.version.bill
    reader, victim = follower(bill), follower(bill)
    token = links.make(reader, links.ALL)
    before = state()
    for changed in tampered(token, victim.pk):
        assert_refused(refused(mail_client, path_of(changed)), expired=False)
    assert state() == before


def test_signed_links_naming_nothing_we_know_are_refused(consultation, mail_client):
    reader = follower(consultation.version.bill)
    before = state()
    for payload in (
        [reader.pk, "everything"], [reader.pk, "bill:"], [reader.pk, "bill:-1"],
        [reader.pk, "bill:1 OR 1=1"], [reader.pk, ""], [str(reader.pk), links.ALL],
        [reader.pk], [reader.pk, links.ALL, "extra"], {"user": reader.pk}, None, "all",
        [None, links.ALL], [reader.pk + 1000, links.ALL], [reader.pk, ["all"]],
    ):  # fmt: skip
        token = signing.dumps(payload, salt=links.SALT)
        assert_refused(refused(mail_client, path_of(token)), expired=False)
    assert state() == before


def test_naughty_strings_as_the_token_are_refused(naughty_strings, consultation, mail_client):
    follower(consultation.version.bill)
    before = state()
    for text in naughty_strings:
        response = mail_client.post(path_of(text))
        if "/" in text:  # another address altogether
            assert response.status_code == 404, text
        else:
            assert response.status_code == 400, text
            assert response.context["expired"] is False
    assert state() == before


def test_naughty_strings_in_the_body_of_a_good_link_do_no_harm(
    naughty_strings, consultation, mail_client
):
    reader = follower(consultation.version.bill)
    path = path_of(links.make(reader, links.ALL))
    for text in naughty_strings[:200]:
        response = mail_client.post(path, {"List-Unsubscribe": text, text: text})
        assert response.status_code == 200
        assert response.context["done"] is True  # the page, not the one-click answer
    assert not Follow.objects.filter(follower=reader).exists()


def test_an_expired_link_is_refused_as_expired(consultation, mail_client, settings):
    settings.APORTA_UNSUBSCRIBE_DAYS = 30
    reader = follower(consultation.version.bill)
    before = state()
    too_old = old_token(reader, links.ALL, seconds=30 * 86400 + 60)
    assert_refused(refused(mail_client, path_of(too_old)), expired=True)
    assert state() == before

    still_good = old_token(reader, links.ALL, seconds=29 * 86400)
    assert mail_client.post(path_of(still_good)).status_code == 200
    assert not Follow.objects.filter(follower=reader).exists()


def test_links_work_for_the_configured_number_of_days(consultation, mail_client):
    reader = follower(consultation.version.bill)
    days = settings.APORTA_UNSUBSCRIBE_DAYS
    too_old = old_token(reader, links.ALL, seconds=(days + 1) * 86400)
    assert_refused([mail_client.get(path_of(too_old))], expired=True)
    recent = old_token(reader, links.ALL, seconds=(days - 1) * 86400)
    assert mail_client.get(path_of(recent)).status_code == 200


def test_a_changed_old_link_is_refused_as_changed_not_expired(consultation, mail_client):
    reader = follower(consultation.version.bill)
    token = old_token(reader, links.ALL, seconds=400 * 86400)
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert_refused([mail_client.get(path_of(changed))], expired=False)


def test_a_deactivated_persons_link_is_refused(consultation, mail_client):
    reader = follower(consultation.version.bill)
    path = path_of(links.make(reader, links.ALL))
    reader.is_active = False
    reader.save(update_fields=["is_active"])
    before = state()
    assert_refused(refused(mail_client, path), expired=False)
    assert state() == before


def test_a_deleted_persons_link_is_refused(consultation, mail_client):
    reader = follower(consultation.version.bill)
    path = path_of(links.make(reader, links.ALL))
    reader.delete()
    before = state()
    assert_refused(refused(mail_client, path), expired=False)
    assert state() == before


def test_a_link_never_reaches_another_person(consultation, mail_client):
    """A link names one person; nothing in the address can point it elsewhere."""
    bill = consultation.version.bill
    reader, neighbour = follower(bill), follower(bill)
    response = mail_client.post(
        f"{path_of(links.make(reader, links.ALL))}?user={neighbour.pk}",
        {"user": neighbour.pk, "scope": links.bill_scope(bill.pk)},
    )
    assert response.status_code == 200
    assert list(Follow.objects.values_list("follower", flat=True)) == [neighbour.pk]
    assert preferences_of(neighbour).about_my_contributions is True


def test_only_get_head_and_post_are_answered(consultation, mail_client):
    reader = follower(consultation.version.bill)
    path = path_of(links.make(reader, links.ALL))
    before = state()
    for method in ("put", "patch", "delete", "options"):
        assert getattr(mail_client, method)(path).status_code == 405
    assert state() == before
