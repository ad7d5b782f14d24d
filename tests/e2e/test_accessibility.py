"""axe-core, run inside Chromium, finds no WCAG 2.1 A/AA violation on any page.

Add every new page to ``SCREENS``; each one is checked in both languages.

axe is injected with ``page.evaluate``, which goes through the DevTools
protocol and is not subject to the page's Content-Security-Policy, so the
strict policy stays on while axe runs (no ``bypass_csp``): the pages are
checked exactly as people get them.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Locator, Page

from accounts.models import Role, User
from accounts.services import user_assign_role
from bills import services
from bills.models import Committee
from consultations import services as consultation_services
from consultations.models import Comment, Consultation, ModerationPolicy
from tests.bills import factories
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def submit_main_form_empty(page: Page) -> None:
    """Posts the main form as it is, past the browser's own required-field checks,
    so that the server's error messages are what gets checked."""
    with page.expect_navigation():
        page.locator("main form[method=post]").first.evaluate("form => form.submit()")
    assert page.locator(".field-errors").count() > 0, "expected field errors on the page"


@dataclass(frozen=True)
class Screen:
    """One state of one page worth checking."""

    name: str
    path: str
    status: int = 200
    persona: str = ""  # a persona fixture to sign in as: "citizen", "committee_staff"…
    prepare: Callable[[], str | None] | None = None  # makes data; may return the path
    then: Callable[[Page], None] | None = None  # brings the page to the state to check


def bill_with_two_versions() -> None:
    factories.published_bill(versions=2)


def draft_to_preview() -> str:
    bill = factories.published_bill()
    draft = services.bill_version_create(
        bill=bill,
        result=factories.tree(4, changed={3: "Texto nuevo."}),
        source_format="text",
        source_name="v2.txt",
        source_bytes=b"v2",
    )
    return f"/staff/bills/versions/{draft.pk}/"


def consultation_to_manage() -> str:
    """An open consultation with a comment; the persona ``assigned_committee_staff`` runs it."""
    organiser = UserFactory(email="organiser@example.org")
    user_assign_role(user=organiser, role=Role.COMMITTEE_STAFF)
    consultation = open_consultation(organiser)
    consultation_services.comment_submit(
        author=UserFactory(), consultation=consultation, text="Un comentario publicado."
    )
    return f"/staff/consultations/{consultation.pk}/"


def consultation_list_to_manage() -> str:
    consultation_to_manage()
    return "/staff/consultations/"


def draft_consultation_to_edit() -> str:
    path = consultation_to_manage()
    consultation = Consultation.objects.get()
    draft = consultation_services.consultation_create(
        actor=consultation.created_by,
        version=consultation.version,
        committee=consultation.committee,
        title="Borrador de consulta",
        opens_at=consultation.closes_at,
        closes_at=consultation.closes_at + timedelta(days=15),
        questions=["¿Qué artículo cambiaría?"],
        draft=True,
    )
    return path.replace(str(consultation.pk), str(draft.pk))


def ledger_to_answer() -> str:
    """The response ledger of ``consultation_to_manage``: one comment answered,
    one not."""
    path = consultation_to_manage()
    consultation = Consultation.objects.get()
    comments = [
        consultation_services.comment_submit(
            author=UserFactory(), consultation=consultation, text="Otro comentario publicado."
        ),
        Comment.objects.filter(consultation=consultation).first(),
    ]
    consultation_services.responses_set(
        actor=User.objects.get(email="organiser@example.org"), consultation=consultation,
        items=[("comment", comments[0].pk)], outcome="partial", reason="Se recogió en parte.",
    )  # fmt: skip
    return path + "responses/"


def reports_to_download() -> str:
    """The reports page of ``consultation_to_manage`` with one report built."""
    from consultations.reports.build import report_build

    path = consultation_to_manage()
    report = consultation_services.report_request(
        actor=User.objects.get(email="organiser@example.org"),
        consultation=Consultation.objects.get(),
        format="xlsx",
    )
    report_build(report.pk)
    return path + "reports/"


def published_results() -> str:
    """The public results of ``consultation_to_manage``, closed and answered."""
    ledger_to_answer()
    consultation = Consultation.objects.get()
    organiser = User.objects.get(email="organiser@example.org")
    consultation_services.consultation_close_early(actor=organiser, consultation=consultation)
    consultation_services.results_publish(
        actor=organiser, consultation=consultation, summary="La comisión recogió los aportes."
    )
    return f"/consultations/{consultation.pk}/results/"


def consultation_to_close() -> str:
    return consultation_to_manage() + "close/"


@pytest.fixture
def assigned_committee_staff(committee_staff):
    """Committee staff assigned to every committee the screen's data made."""
    for committee in Committee.objects.all():
        committee.staff.add(committee_staff)
    return committee_staff


# --- The consultation page (templates/consultations/detail.html) ---------------------

ITEM_AUTHOR = "autora@example.org"


def _consultation_for_citizens(policy: str = ModerationPolicy.POST) -> Consultation:
    organiser = UserFactory()
    user_assign_role(user=organiser, role=Role.COMMITTEE_STAFF)
    return open_consultation(organiser, policy=policy)


def consultation_with_feedback() -> str:
    """An open consultation with a quoting comment and its reply, a proposal (shown
    as a diff) and votes with reasons on article 1, and a vote on the whole bill."""
    consultation = _consultation_for_citizens()
    first = article(consultation, 1)
    neighbour = UserFactory(display_name="Vecina Participativa")
    comment = consultation_services.comment_submit(
        author=neighbour,
        consultation=consultation,
        provision=first,
        quote="participación ciudadana",
        text="Conviene precisar quién convoca.",
    )
    consultation_services.comment_submit(
        author=UserFactory(), consultation=consultation, parent=comment, text="De acuerdo."
    )
    consultation_services.proposal_submit(
        author=neighbour,
        consultation=consultation,
        provision=first,
        text=first.text.replace("participación ciudadana", "participación vecinal"),
        reason="Más cercano a la gente.",
    )
    consultation_services.vote_cast(
        voter=neighbour, consultation=consultation, provision=first, choice="agree",
        reason="Es necesario.",
    )  # fmt: skip
    consultation_services.vote_cast(
        voter=neighbour, consultation=consultation, provision=None, choice="disagree"
    )
    return f"/consultations/{consultation.pk}/"


def consultation_discussion(show: str) -> Callable[[], str]:
    def prepare() -> str:
        path = consultation_with_feedback()
        eid = article(Consultation.objects.get(), 1).eid
        return f"{path}?open={eid}&show={show}"

    return prepare


def closed_consultation() -> str:
    path = consultation_with_feedback()
    consultation = Consultation.objects.get()
    consultation_services.consultation_close_early(
        actor=consultation.created_by, consultation=consultation
    )
    return path


def comment_to_report() -> str:
    path = consultation_with_feedback()
    comment = Comment.objects.filter(parent=None).get()
    return f"{path}comment/{comment.pk}/report/"


def pending_comment_to_edit() -> str:
    """A pre-moderated consultation; the persona ``item_author`` wrote a comment
    that waits for a moderator."""
    consultation = _consultation_for_citizens(policy=ModerationPolicy.PRE)
    comment = consultation_services.comment_submit(
        author=UserFactory(email=ITEM_AUTHOR),
        consultation=consultation,
        provision=article(consultation, 2),
        text="Un comentario en espera.",
    )
    return f"/consultations/{consultation.pk}/comment/{comment.pk}/edit/"


@pytest.fixture
def item_author(db):
    """The person ``pending_comment_to_edit`` made (prepared before personas are)."""
    return User.objects.get(email=ITEM_AUTHOR)


def _blank_comment(page: Page) -> Locator:
    box = page.locator(".consultation-text .comment-box").first
    box.locator("summary").click()
    box.locator("textarea[name=text]").fill("   ")
    return box.locator("form")


def post_blank_comment(page: Page) -> None:
    """The comment form posted as a page would be without JavaScript."""
    form = _blank_comment(page)
    with page.expect_navigation():
        form.evaluate("form => form.submit()")  # a plain post, which htmx does not see
    assert page.locator(".comment-box .field-errors").count() > 0, "expected a field error"


def post_blank_comment_in_place(page: Page) -> None:
    _blank_comment(page).locator("button[type=submit]").click()
    page.locator(".comment-box [aria-invalid=true]").wait_for()


# --- Moderation (templates/moderation/) -----------------------------------------------


def held_items() -> str:
    """Three comments screening held (an insult, a phone number, a link) and one
    already decided, so the log has an entry."""
    from moderation import services as moderation

    consultation = _consultation_for_citizens()
    texts = ["Son unos cojudos.", "Llamen al 987 654 321.", "Vean http://bit.ly/x", "Idiotas."]
    for text in texts:
        comment = consultation_services.comment_submit(
            author=UserFactory(), consultation=consultation, provision=article(consultation, 1),
            text=text,
        )  # fmt: skip
        moderation.item_screen(kind="comment", pk=comment.pk)
    decider = UserFactory(display_name="Moderadora de turno")
    user_assign_role(user=decider, role=Role.MODERATOR)
    last = Comment.objects.order_by("pk").last()
    moderation.item_decide(
        moderator=decider, kind="comment", pk=last.pk, action="reject", seen_status="held",
        reason="insult", note="Insulto directo.",
    )  # fmt: skip
    return "/staff/moderation/"


def moderation_log() -> str:
    return held_items() + "log/"


def moderation_figures() -> str:
    held_items()
    return f"/consultations/{Consultation.objects.get().pk}/moderation/"


def _rejected_for_author() -> Comment:
    """The persona ``item_author`` wrote a comment a moderator rejected, and
    another that is published."""
    from moderation import services as moderation

    consultation = _consultation_for_citizens()
    author = UserFactory(email=ITEM_AUTHOR)
    comments = [
        consultation_services.comment_submit(
            author=author, consultation=consultation, provision=article(consultation, 1),
            text=text,
        )
        for text in ("Son unos cojudos.", "Apoyo el artículo tal como está.")
    ]  # fmt: skip
    for comment in comments:
        moderation.item_screen(kind="comment", pk=comment.pk)
    decider = UserFactory(display_name="Moderadora de turno")
    user_assign_role(user=decider, role=Role.MODERATOR)
    moderation.item_decide(
        moderator=decider, kind="comment", pk=comments[0].pk, action="reject",
        seen_status="held", reason="insult",
    )  # fmt: skip
    return comments[0]


def own_contributions() -> str:
    _rejected_for_author()
    return "/accounts/contributions/"


def appeal_form() -> str:
    comment = _rejected_for_author()
    return f"/accounts/contributions/comment/{comment.pk}/appeal/"


def send_blank_appeal(page: Page) -> None:
    page.get_by_role("button", name=re.compile("apelación|appeal", re.I)).click()
    page.locator("textarea[aria-invalid=true]").wait_for()


def appealed_item() -> str:
    from moderation import services as moderation

    comment = _rejected_for_author()
    moderation.appeal_file(
        author=comment.author, kind="comment", pk=comment.pk, text="Critiqué una decisión."
    )
    return "/staff/moderation/"


SCREENS = [
    Screen("home", "/"),
    Screen("sign-up", "/accounts/signup/"),
    Screen("sign-up-with-errors", "/accounts/signup/", then=submit_main_form_empty),
    Screen("sign-in", "/accounts/login/"),
    Screen("password-reset", "/accounts/password/reset/"),
    Screen("privacy", "/privacy/"),
    Screen("terms", "/terms/"),
    Screen("moderation-policy", "/moderation-policy/"),
    Screen("not-found", "/no-such-page/", status=404),
    Screen("profile", "/accounts/profile/", persona="citizen"),
    Screen("bills", "/bills/", prepare=bill_with_two_versions),
    Screen("bills-empty-search", "/bills/?q=nada", prepare=bill_with_two_versions),
    Screen("bill", "/bills/1234-2025-CR/", prepare=bill_with_two_versions),
    Screen("bill-diff", "/bills/1234-2025-CR/compare/1/2/", prepare=bill_with_two_versions),
    Screen(
        "staff-bills", "/staff/bills/", persona="committee_staff", prepare=bill_with_two_versions
    ),
    Screen("staff-import", "/staff/bills/import/", persona="committee_staff"),
    Screen(
        "staff-import-with-errors",
        "/staff/bills/import/",
        persona="committee_staff",
        then=submit_main_form_empty,
    ),
    Screen("staff-preview", "", persona="committee_staff", prepare=draft_to_preview),
    Screen(
        "staff-bill",
        "/staff/bills/1234-2025-CR/",
        persona="committee_staff",
        prepare=bill_with_two_versions,
    ),
    Screen(
        "staff-consultations",
        "",
        persona="assigned_committee_staff",
        prepare=consultation_list_to_manage,
    ),
    Screen(
        "staff-consultation-new",
        "/staff/consultations/new/",
        persona="assigned_committee_staff",
        prepare=bill_with_two_versions,
    ),
    Screen(
        "staff-consultation-new-with-errors",
        "/staff/consultations/new/",
        persona="assigned_committee_staff",
        prepare=bill_with_two_versions,
        then=submit_main_form_empty,
    ),
    Screen(
        "staff-consultation-open",
        "",
        persona="assigned_committee_staff",
        prepare=consultation_to_manage,
    ),
    Screen(
        "staff-consultation-draft",
        "",
        persona="assigned_committee_staff",
        prepare=draft_consultation_to_edit,
    ),
    Screen(
        "staff-consultation-close",
        "",
        persona="assigned_committee_staff",
        prepare=consultation_to_close,
    ),
    Screen("consultation", "", prepare=consultation_with_feedback),
    Screen("consultation-signed-in", "", persona="citizen", prepare=consultation_with_feedback),
    Screen(
        "consultation-comments",
        "",
        persona="citizen",
        prepare=consultation_discussion("comments"),
    ),
    Screen(
        "consultation-proposals",
        "",
        persona="citizen",
        prepare=consultation_discussion("proposals"),
    ),
    Screen(
        "consultation-reasons", "", persona="citizen", prepare=consultation_discussion("reasons")
    ),
    Screen(
        "consultation-with-errors",
        "",
        persona="citizen",
        prepare=consultation_with_feedback,
        then=post_blank_comment,
    ),
    Screen(
        "consultation-with-errors-in-place",
        "",
        persona="citizen",
        prepare=consultation_with_feedback,
        then=post_blank_comment_in_place,
    ),
    Screen("consultation-closed", "", persona="citizen", prepare=closed_consultation),
    Screen("consultation-report", "", persona="citizen", prepare=comment_to_report),
    Screen("consultation-edit-pending", "", persona="item_author", prepare=pending_comment_to_edit),
    Screen("moderation-queue", "", persona="moderator", prepare=held_items),
    Screen("moderation-queue-empty", "/staff/moderation/", persona="moderator"),
    Screen("moderation-log", "", persona="moderator", prepare=moderation_log),
    Screen("moderation-transparency", "", prepare=moderation_figures),
    Screen("moderation-queue-appeal", "", persona="moderator", prepare=appealed_item),
    Screen(
        "consultation-responses", "", persona="assigned_committee_staff", prepare=ledger_to_answer
    ),
    Screen(
        "consultation-reports", "", persona="assigned_committee_staff", prepare=reports_to_download
    ),
    Screen("consultation-results", "", prepare=published_results),
    Screen(
        "consultation-open-data",
        "",
        prepare=lambda: published_results()[: -len("results/")] + "open-data/",
    ),
    Screen("own-contributions", "", persona="item_author", prepare=own_contributions),
    Screen("own-contributions-empty", "/accounts/contributions/", persona="citizen"),
    Screen("appeal", "", persona="item_author", prepare=appeal_form),
    Screen(
        "appeal-blank",
        "",
        persona="item_author",
        prepare=appeal_form,
        status=200,
        then=send_blank_appeal,
    ),
]


def describe(violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}")
            summary = node.get("failureSummary")
            if summary:
                lines.extend(f"      {line}" for line in summary.splitlines())
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("screen", SCREENS, ids=lambda screen: screen.name)
def test_no_wcag_violations(
    screen, language, axe, context, live_server, sign_in, browser_log, request
):
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    path = (screen.prepare() if screen.prepare else None) or screen.path
    if screen.persona:
        person = request.getfixturevalue(screen.persona)
        if screen.persona != "citizen":
            TOTP.activate(person, generate_totp_secret())
        sign_in(context, person)
    page = context.new_page()

    response = page.goto(path)
    assert response.status == screen.status
    assert urlsplit(page.url).path == urlsplit(path).path  # not redirected, e.g. to sign in
    if screen.then:
        screen.then(page)
    assert page.locator("html").get_attribute("lang") == language

    results = axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, f"{screen.name} ({language}) at {page.url}\n{describe(violations)}"
    browser_log.assert_clean()


def test_the_harness_reports_violations(axe, page):
    """Guards the test above against passing vacuously."""
    page.goto("/")
    page.evaluate(
        """() => {
            const image = document.createElement("img");
            image.src = "/static/img/favicon.svg";
            document.querySelector("main").append(image);
        }"""
    )
    results = axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert [violation["id"] for violation in violations] == ["image-alt"]
    assert "image-alt" in describe(violations)
