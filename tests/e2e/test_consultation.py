"""The consultation page in a real browser: a citizen votes, comments, quotes a
passage by touch on a phone, proposes another wording and supports someone
else's comment; with htmx (in place) and with JavaScript off (posts and
redirects); by keyboard alone; at 320 px."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from bills import services as bill_services
from consultations import services
from consultations.models import Comment, ItemStatus, Proposal, Support, Vote, VoteChoice
from tests.bills import factories as bill_factories
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
NARROWEST_PHONE = {"width": 320, "height": 640}
MARKER = "no page load since"
MAX_TABS = 80

# Sets a selection over ``passage`` inside a provision's text, as a phone's
# long press and handles leave it: a Range in the document's selection, which
# fires ``selectionchange`` like the real thing.
SELECT_PASSAGE = """([eid, passage]) => {
    const text = document.getElementById(eid).querySelector(".provision-text");
    const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const start = node.data.indexOf(passage);
        if (start >= 0) {
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + passage.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            return true;
        }
    }
    return false;
}"""


def shown(message: str) -> str:
    """``message`` as the page shows it to a Spanish-speaking visitor (translated
    or not yet: the catalogues are filled in later)."""
    with translation.override("es"):
        return translation.gettext(message)


def page_path(consultation, query: str = "") -> str:
    return f"/consultations/{consultation.pk}/" + (f"?{query}" if query else "")


def unit_of(page: Page, provision) -> Locator:
    return page.locator(f"#unit-{provision.eid}")


def tally(unit: Locator, choice: str) -> Locator:
    return unit.locator(f".tally-{choice}")


def count(number: int) -> re.Pattern:
    return re.compile(rf":\s*{number}$")


def mark_the_page(page: Page) -> None:
    """A value on ``window`` that only survives as long as no new page loads."""
    page.evaluate(f"window.aportaMarker = {MARKER!r}")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.aportaMarker") == MARKER, "the page was loaded again"


def vote_button(unit: Locator) -> Locator:
    return unit.locator(".vote-form button[type=submit]:not([name])")


def assert_no_horizontal_scrolling(page: Page) -> None:
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]}px wide in {widths[1]}px"


@pytest.fixture
def consultation(committee_staff):
    return open_consultation(committee_staff)


def test_a_citizen_votes_comments_supports_and_proposes_in_place(
    new_context, sign_in, consultation, citizen, browser_log
):
    first = article(consultation, 1)
    neighbour = UserFactory(display_name="Vecina Participativa")
    theirs = services.comment_submit(
        author=neighbour,
        consultation=consultation,
        provision=first,
        text="Conviene precisar quién convoca.",
    )
    context = new_context()
    sign_in(context, citizen)
    page = context.new_page()
    page.goto(page_path(consultation))
    mark_the_page(page)
    unit = unit_of(page, first)
    expect(tally(unit, "agree")).to_have_text(count(0))

    # A vote: the tally changes in place and the outcome takes the focus.
    unit.locator("input[name=choice][value=agree]").check()
    vote_button(unit).click()
    expect(tally(unit, "agree")).to_have_text(count(1))
    expect(unit.locator(".unit-done")).to_have_text(shown("Your vote is saved."))
    expect(unit.locator(".unit-done")).to_be_focused()
    expect(unit.locator("input[name=choice][value=agree]")).to_be_checked()
    assert_not_reloaded(page)

    # Changed, with a reason.
    unit.locator("input[name=choice][value=disagree]").check()
    unit.locator(".reason-box summary").click()
    unit.locator(".vote-form textarea[name=reason]").fill(
        "Deja fuera a las comunidades campesinas."
    )
    vote_button(unit).click()
    expect(tally(unit, "disagree")).to_have_text(count(1))
    expect(tally(unit, "agree")).to_have_text(count(0))
    expect(unit.locator(".my-vote")).to_be_visible()
    vote = Vote.objects.get(voter=citizen, provision=first)
    assert vote.choice == VoteChoice.DISAGREE
    assert vote.reason == "Deja fuera a las comunidades campesinas."
    assert_not_reloaded(page)

    # A comment: the discussion opens with it.
    unit.locator(".comment-box summary").click()
    unit.locator(".comment-box textarea[name=text]").fill("Falta un plazo para responder.")
    unit.locator(".comment-box button[type=submit]").click()
    expect(unit.locator(".unit-done")).to_have_text(shown("Thank you: it is published."))
    mine = Comment.objects.get(author=citizen)
    assert mine.provision == first
    assert mine.status == ItemStatus.PUBLISHED
    expect(unit.locator(f"#comment-{mine.pk} .item-text")).to_have_text(mine.text)

    # Supporting the neighbour's comment.
    support = unit.locator(f"#comment-{theirs.pk} .item-actions button")
    expect(support).to_have_attribute("aria-pressed", "false")
    support.click()
    expect(support).to_have_attribute("aria-pressed", "true")
    expect(unit.locator(f"#comment-{theirs.pk} .support-count")).to_contain_text("1")
    assert Support.objects.filter(supporter=citizen, comment=theirs).exists()
    assert_not_reloaded(page)

    # The proposals tab; the form starts from the current wording.
    unit.locator(".tabs a[href*='show=proposals']").click()
    wording = unit.locator(f"#proposal-{first.eid}")
    expect(wording).to_have_value(first.text)
    expect(page).to_have_url(re.compile(r"show=proposals"))

    # The same wording is refused next to the field, in place.
    unit.locator(".proposal-form button[type=submit]").click()
    expect(unit.locator(f"#proposal-{first.eid}-errors")).to_have_text(
        shown("The proposal is the same as the current text.")
    )
    expect(wording).to_have_attribute("aria-invalid", "true")
    expect(wording).to_be_focused()

    changed = first.text.replace("participación ciudadana", "participación vecinal")
    assert changed != first.text
    wording.fill(changed)
    unit.locator(f"#proposal-reason-{first.eid}").fill("Más cercano a la gente.")
    unit.locator(".proposal-form button[type=submit]").click()
    expect(unit.locator(".unit-done")).to_have_text(shown("Thank you: it is published."))
    proposal = Proposal.objects.get(author=citizen)
    assert proposal.text == changed
    diff = unit.locator(f"#proposal-{proposal.pk} .item-diff")
    expect(diff.locator("del")).to_contain_text("ciudadana")
    expect(diff.locator("ins")).to_contain_text("vecinal")
    assert_not_reloaded(page)

    # Everything is still there after a reload.
    page.reload()
    unit = unit_of(page, first)
    expect(tally(unit, "disagree")).to_have_text(count(1))
    expect(unit.locator("input[name=choice][value=disagree]")).to_be_checked()
    expect(unit.locator(".vote-form textarea[name=reason]")).to_have_value(vote.reason)
    expect(unit.locator(f"#proposal-{proposal.pk} .item-diff ins")).to_contain_text("vecinal")
    unit.locator(".tabs a[href*='show=comments']").click()
    expect(unit.locator(f"#comment-{mine.pk} .item-text")).to_have_text(mine.text)
    expect(unit.locator(f"#comment-{theirs.pk} .item-actions button")).to_have_attribute(
        "aria-pressed", "true"
    )
    browser_log.assert_clean()


def test_on_a_phone_a_passage_selected_by_touch_is_quoted_in_a_comment(
    new_context, sign_in, consultation, citizen, browser_log
):
    second = article(consultation, 2)
    passage = "sobre la participación"
    assert passage in second.text
    context = new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    sign_in(context, citizen)
    page = context.new_page()
    page.goto(page_path(consultation))
    unit = unit_of(page, second)
    box = unit.locator(".comment-box")
    expect(box).not_to_have_attribute("open", "")
    bar = page.locator(".quote-bar")
    expect(bar).to_be_hidden()

    assert page.evaluate(SELECT_PASSAGE, [second.eid, passage])
    expect(bar).to_be_visible()
    bar.locator("button").tap()

    expect(bar).to_be_hidden()
    expect(box).to_have_attribute("open", "")
    expect(unit.locator(".quote-input")).to_have_value(passage)
    text = unit.locator(".comment-box textarea[name=text]")
    expect(text).to_be_focused()
    expect(page.locator(".live-region")).to_have_text(
        shown("The passage is quoted in the comment form.")
    )

    text.fill("Participación de quién: conviene decirlo.")
    unit.locator(".comment-box button[type=submit]").tap()
    expect(unit.locator(".unit-done")).to_have_text(shown("Thank you: it is published."))
    comment = Comment.objects.get(author=citizen)
    assert comment.provision == second
    assert comment.quote == passage
    expect(unit.locator(f"#comment-{comment.pk} blockquote.item-quote")).to_have_text(passage)
    assert_no_horizontal_scrolling(page)
    browser_log.assert_clean()


def test_a_selection_outside_the_provisions_offers_no_quote(
    new_context, sign_in, consultation, citizen, browser_log
):
    context = new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    sign_in(context, citizen)
    page = context.new_page()
    page.goto(page_path(consultation))
    page.evaluate(
        """() => {
            const range = document.createRange();
            range.selectNodeContents(document.querySelector("h1"));
            window.getSelection().addRange(range);
        }"""
    )
    page.wait_for_timeout(400)  # longer than the bar's wait after a selection change
    expect(page.locator(".quote-bar")).to_be_hidden()
    browser_log.assert_clean()


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "citizen"])
def test_nothing_scrolls_sideways_at_320_pixels(
    new_context, sign_in, consultation, citizen, browser_log, signed_in
):
    first = article(consultation, 1)
    services.proposal_submit(
        author=UserFactory(),
        consultation=consultation,
        provision=first,
        text=first.text.replace("sobre", "acerca de")
        + " Palabrasinespaciosmuylargaparaponerapruebaelancho.",
    )
    services.comment_submit(
        author=UserFactory(),
        consultation=consultation,
        provision=first,
        quote="participación ciudadana",
        text="https://ejemplo.org/una/direccion/larguisima/sin/espacios/que/no/debe/desbordar",
    )
    context = new_context(viewport=NARROWEST_PHONE)
    if signed_in:
        sign_in(context, citizen)
    page = context.new_page()
    for show in ("comments", "proposals"):
        page.goto(page_path(consultation, f"open={first.eid}&show={show}"))
        expect(unit_of(page, first).locator(".discussion")).to_be_visible()
        if signed_in:
            unit_of(page, first).locator(".comment-box summary").click()
        assert_no_horizontal_scrolling(page)
    browser_log.assert_clean()


def test_without_javascript_every_form_posts_and_comes_back_to_the_provision(
    new_context, sign_in, consultation, citizen, browser_log
):
    first = article(consultation, 1)
    third = article(consultation, 3)
    passage = "artículo 1 sobre"
    context = new_context(java_script_enabled=False)
    sign_in(context, citizen)
    page = context.new_page()
    page.goto(page_path(consultation))
    unit = unit_of(page, first)
    messages = page.locator(".messages")

    unit.locator("input[name=choice][value=abstain]").check()
    with page.expect_navigation():
        vote_button(unit).click()
    assert page.url.endswith(f"#unit-{first.eid}")
    expect(messages).to_contain_text(shown("Your vote is saved."))
    expect(tally(unit, "abstain")).to_have_text(count(1))
    expect(unit.locator("input[name=choice][value=abstain]")).to_be_checked()

    # A comment quoting a passage pasted in the quote box.
    unit.locator(".comment-box summary").click()
    unit.locator(".quote-input").fill(passage)
    unit.locator(".comment-box textarea[name=text]").fill("Sin JavaScript también se puede.")
    with page.expect_navigation():
        unit.locator(".comment-box button[type=submit]").click()
    assert page.url.endswith(f"#unit-{first.eid}")
    assert "show=comments" in page.url
    expect(messages).to_contain_text(shown("Thank you: it is published."))
    comment = Comment.objects.get(author=citizen)
    assert comment.quote == passage
    expect(unit.locator(f"#comment-{comment.pk} blockquote.item-quote")).to_have_text(passage)

    # A proposal, from the proposals tab (a plain link here).
    with page.expect_navigation():
        unit.locator(".unit-links a[href*='show=proposals']").click()
    wording = unit.locator(f"#proposal-{first.eid}")
    expect(wording).to_have_value(first.text)
    wording.fill(first.text.replace("Texto", "Contenido"))
    with page.expect_navigation():
        unit.locator(".proposal-form button[type=submit]").click()
    assert page.url.endswith(f"#unit-{first.eid}")
    expect(messages).to_contain_text(shown("Thank you: it is published."))
    proposal = Proposal.objects.get(author=citizen)
    diff = unit.locator(f"#proposal-{proposal.pk} .item-diff")
    expect(diff.locator("del")).to_contain_text("Texto")
    expect(diff.locator("ins")).to_contain_text("Contenido")

    # A comment of blank space: the error is next to the field, the quote kept.
    other = unit_of(page, third)
    other.locator(".comment-box summary").click()
    other.locator(".quote-input").fill("artículo 3")
    other.locator(".comment-box textarea[name=text]").fill("   ")
    with page.expect_navigation() as navigation:
        other.locator(".comment-box button[type=submit]").click()
    assert navigation.value.status == 400
    expect(other.locator(".comment-box")).to_have_attribute("open", "")
    expect(other.locator(f"#text-{third.eid}-errors")).to_be_visible()
    expect(other.locator(f"#text-{third.eid}")).to_have_attribute("aria-invalid", "true")
    expect(other.locator(".quote-input")).to_have_value("artículo 3")
    assert Comment.objects.count() == 1
    browser_log.assert_clean()


def test_the_vote_form_works_with_the_keyboard_alone(
    new_context, sign_in, consultation, citizen, browser_log
):
    first = article(consultation, 1)
    context = new_context()
    sign_in(context, citizen)
    page = context.new_page()
    page.goto(page_path(consultation))
    unit = unit_of(page, first)
    first_choice = unit.locator("input[name=choice]").first

    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if first_choice.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail(f"{MAX_TABS} presses of Tab never reached the vote on {first.label}")
    page.keyboard.press("Space")
    expect(first_choice).to_be_checked()
    page.keyboard.press("Tab")
    expect(unit.locator(".reason-box summary")).to_be_focused()
    page.keyboard.press("Enter")
    expect(unit.locator(".reason-box")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(unit.locator(".vote-form textarea[name=reason]")).to_be_focused()
    page.keyboard.type("Con el teclado basta.")
    page.keyboard.press("Tab")
    expect(vote_button(unit)).to_be_focused()
    page.keyboard.press("Enter")

    expect(tally(unit, first_choice.get_attribute("value"))).to_have_text(count(1))
    expect(unit.locator(".unit-done")).to_be_focused()
    vote = Vote.objects.get(voter=citizen, provision=first)
    assert vote.reason == "Con el teclado basta."

    # Opening the discussion in place keeps the focus on the link that opened it.
    page.keyboard.press("Tab")
    comments = unit.locator(".unit-links a[href*='show=comments']")
    expect(comments).to_be_focused()
    page.keyboard.press("Enter")
    expect(unit.locator(".discussion")).to_be_visible()
    expect(comments).to_be_focused()
    expect(comments).not_to_have_attribute("tabindex", "-1")
    browser_log.assert_clean()


def test_a_touch_on_the_edge_of_the_quote_bar_does_not_pin_an_old_quote(
    new_context, sign_in, consultation, citizen, browser_log
):
    second, third = article(consultation, 2), article(consultation, 3)
    context = new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    sign_in(context, citizen)
    page = context.new_page()
    page.goto(page_path(consultation))
    bar = page.locator(".quote-bar")

    assert page.evaluate(SELECT_PASSAGE, [second.eid, "artículo 2"])
    expect(bar).to_be_visible()
    bar.tap(position={"x": 4, "y": 4})  # beside the button
    # Changing their mind: a long press on article 3 starts with a touch there.
    page.locator(f"#{third.eid} .provision-text").tap()
    expect(bar).to_be_hidden()  # the touch let go of the first selection
    assert page.evaluate(SELECT_PASSAGE, [third.eid, "artículo 3"])
    expect(bar).to_be_visible()
    bar.locator("button").tap()

    expect(unit_of(page, third).locator(".quote-input")).to_have_value("artículo 3")
    expect(unit_of(page, second).locator(".quote-input")).to_have_value("")
    browser_log.assert_clean()


def test_a_passage_across_a_line_break_is_quoted_as_the_phone_selects_it(
    new_context, sign_in, committee_staff, citizen, browser_log
):
    bill = bill_factories.published_bill()
    version = bill_services.bill_version_create(
        bill=bill,
        result=bill_factories.tree(3, changed={2: "Primera línea del texto.\nSegunda línea."}),
        source_format="text",
        source_name="v2.txt",
        source_bytes=b"v2",
    )
    consultation = open_consultation(
        committee_staff, version=bill_services.bill_version_publish(version=version)
    )
    second = article(consultation, 2)
    context = new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    sign_in(context, citizen)
    page = context.new_page()
    page.goto(page_path(consultation))
    page.evaluate(
        """(eid) => {
            const text = document.getElementById(eid).querySelector(".provision-text");
            window.getSelection().selectAllChildren(text);
        }""",
        second.eid,
    )
    page.locator(".quote-bar button").tap()
    unit = unit_of(page, second)
    unit.locator(".comment-box textarea[name=text]").fill("Las dos líneas.")
    unit.locator(".comment-box button[type=submit]").tap()
    expect(unit.locator(".unit-done")).to_be_visible()
    # The selection reads the line break as a space; the comment keeps the passage.
    assert Comment.objects.get(author=citizen).quote == " ".join(second.text.split())
    browser_log.assert_clean()
