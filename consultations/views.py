"""The consultation page and the forms on it.

Every form posts to its own URL. With htmx the answer is the provision's block,
re-rendered in place; without JavaScript it is a redirect back to the
provision's anchor (or, when something is wrong, the whole page again with the
person's input kept and the error next to it).

Anonymous visitors get the page from a cache (at most ``ANONYMOUS_TTL``
seconds old); signed-in people always get it fresh, with their own votes.
"""

import csv
import hashlib
import itertools
import json
import re
from collections import defaultdict
from contextlib import suppress
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
    StreamingHttpResponse,
)
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from redis import RedisError

from config.text import EchoBuffer, spreadsheet_safe
from consultations import blocks, selectors, services
from consultations.blocks import esc, html
from consultations.forms import (
    CommentForm,
    FlagForm,
    FollowForm,
    ItemEditForm,
    ProposalForm,
    VoteForm,
)
from consultations.limits import too_many, within_address_limit, within_limits
from consultations.models import (
    Comment,
    Consultation,
    ConsultationStatus,
    DigestFrequency,
    ItemStatus,
    Proposal,
    VoteChoice,
)
from consultations.page import (
    BILL,
    SHOWS,
    SORTS,
    Unit,
    consultation_for_page,
    consultation_page,
    discussion,
    removed_feedback,
)
from consultations.permissions import can_take_part, has_verified_email
from consultations.reports import open_data as open_data_files
from consultations.reports.formats import ANNEX_COLUMNS, annex
from consultations.selectors import follow_of, votes_by_place
from consultations.templatetags.consultation_tags import open_href, unit_href, unit_label

ANONYMOUS_TTL = 10
# Cached pages are shared by every web process, so the two marks below are the
# same in all of them; derived from SECRET_KEY, no text a citizen writes can
# contain them. One stands in for the visitor's CSRF token, the other marks
# where each person's own vote form goes in the shared text.
TOKEN_PLACEHOLDER = (
    "csrf-" + salted_hmac("consultations.page", "csrf", algorithm="sha256").hexdigest()[:32]
)
VOTE_SLOT = (
    "vote-" + salted_hmac("consultations.page", "vote-slot", algorithm="sha256").hexdigest()[:32]
)
SLOT_PATTERN = re.compile(rf"<!--{VOTE_SLOT}:([a-z0-9_]+)-->")
KEY_PATTERN = re.compile(r"^[a-z0-9_]{1,120}$")
MAX_PAGE = 10_000
ITEM_MODELS = {"comment": Comment, "proposal": Proposal}


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _consultation(pk: int) -> Consultation:
    try:
        consultation = consultation_for_page(pk)
    except Consultation.DoesNotExist:
        raise Http404 from None
    if consultation.status == ConsultationStatus.DRAFT:
        raise Http404  # drafts are seen on the staff pages only
    return consultation


class Params:
    """The page's query string, validated: anything odd falls back to defaults."""

    def __init__(self, query) -> None:
        key = query.get("open", "")
        self.open = key if KEY_PATTERN.match(key) else ""
        show = query.get("show", "")
        self.show = show if show in (*SHOWS, "reasons") else SHOWS[0]
        sort = query.get("sort", "")
        self.sort = sort if sort in SORTS else SORTS[0]
        page = query.get("page", "1")
        self.page = int(page) if page.isdigit() and 0 < int(page) <= MAX_PAGE else 1

    def cache_key(self, pk: int) -> str:
        parts = (pk, get_language(), self.open, self.show, self.sort, self.page)
        return "consultation-page:" + ":".join(str(part) for part in parts)


def _detail_url(consultation: Consultation, *, open_key: str = "", show: str = "") -> str:
    url = reverse("consultations:detail", args=[consultation.pk])
    query = {key: value for key, value in (("open", open_key), ("show", show)) if value}
    return f"{url}?{urlencode(query)}" if query else url


def _back(consultation: Consultation, key: str, *, open_discussion: bool = False, show=""):
    url = _detail_url(consultation, open_key=key if open_discussion else "", show=show)
    return redirect(f"{url}#unit-{key}")


def _vote_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in VoteChoice.choices]


def _unit_forms(consultation: Consultation, token: str, labels: dict, choices: list):
    """The builder of each provision's vote form and comment box, sharing one
    CSRF field (``token``: the visitor's, or the cached text's stand-in)."""
    return blocks.UnitForms(
        vote_url=reverse("consultations:vote", args=[consultation.pk]),
        comment_url=reverse("consultations:comment", args=[consultation.pk]),
        csrf_input=format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token
        ),
        labels=labels,
        choices=choices,
    )


def _errors(form) -> dict[str, str]:
    """A bound form's errors as text per field (``all`` for the form's own).
    Missing fields read as "" (a plain dict would make the template try, and
    fail, three other lookups for every field without an error)."""
    errors: dict[str, str] = defaultdict(str)
    if form is not None:
        errors.update({field: " ".join(messages) for field, messages in form.errors.items()})
        errors["all"] = " ".join(form.non_field_errors())
    return errors


def _labels(consultation: Consultation) -> dict[str, str]:
    """The page's repeated words, translated once per page, not once per provision."""
    comment_hint = _("Your display name is shown with your comment.")
    if consultation.moderation_policy == "pre":
        comment_hint += " " + _("A moderator reviews it before it is published.")
    return {
        "agree": _("Agree"),
        "disagree": _("Disagree"),
        "abstain": _("Abstain"),
        "add_reason": _("Add a reason (optional)"),
        "reason": _("Why? It is public, without your name."),
        "change_vote": _("Change my vote"),
        "withdraw_vote": _("Withdraw my vote"),
        "vote": _("Vote"),
        "comment_provision": _("Comment on this provision"),
        "comment_bill": _("Comment on the whole bill"),
        "quote": _("Quoted passage (optional)"),
        "quote_hint": _(
            "Select words in the text above and choose “Quote in a comment”, or paste them here."
        ),
        "comment": _("Your comment"),
        "comment_hint": comment_hint,
        "send_comment": _("Send comment"),
        "reasons": _("Reasons given with votes"),
    }


def _present(unit: Unit, base: str, bound: dict, choices: list, labels: dict[str, str]) -> None:
    """Everything the unit's block shows, worked out here rather than in the
    template: the page repeats the block for every provision."""
    key = unit.key
    label = unit_label(unit.provision) if unit.provision else ""
    if unit.provision:
        unit.aria_label = _("Feedback on %(label)s") % {"label": label}
        unit.legend = _("Your vote on %(label)s") % {"label": label}
    else:
        unit.aria_label = _("Feedback on the whole bill")
        unit.legend = _("Your vote on the whole bill")
    texts = [
        ("comments", ngettext("%(counter)s comment", "%(counter)s comments", unit.comments)
         % {"counter": unit.comments}),
        ("proposals", ngettext("%(counter)s alternative wording",
                               "%(counter)s alternative wordings", unit.proposals)
         % {"counter": unit.proposals}),
        ("reasons", labels["reasons"]),
    ]  # fmt: skip
    links = "".join(
        html(
            '<li><a href="{0}" hx-get="{1}" hx-target="#unit-{2}" hx-swap="outerHTML" '
            'hx-push-url="{0}">{3}</a></li>',
            open_href(base, key, show), unit_href(base, key, show), key, text,
        )
        for show, text in texts
        if show != "proposals" or unit.provision
    )  # fmt: skip
    if unit.carried:
        carried = ngettext(
            "%(counter)s from an earlier version (shown, not counted)",
            "%(counter)s from earlier versions (shown, not counted)",
            unit.carried,
        ) % {"counter": unit.carried}
        links += html('<li class="carried-count">{}</li>', carried)
    bar = ""
    if unit.votes:
        shares = unit.shares
        bar = html(
            '<div class="tally-bar" aria-hidden="true"><span class="bar-agree pct-{}"></span>'
            '<span class="bar-disagree pct-{}"></span><span class="bar-abstain pct-{}"></span>'
            "</div>",
            shares["agree"],
            shares["disagree"],
            shares["abstain"],
        )
    # The block's read-only part (figures and links) is one piece of markup:
    # built once here, it saves the template some fifty nodes per provision.
    unit.summary = html(
        '<div class="tally"><p class="tally-figures"><span class="tally-agree">{}: {}</span> · '
        '<span class="tally-disagree">{}: {}</span> · <span class="tally-abstain">{}: {}</span>'
        '</p>{}</div>\n  <ul class="unit-links">{}</ul>',
        labels["agree"], unit.tally["agree"],
        labels["disagree"], unit.tally["disagree"],
        labels["abstain"], unit.tally["abstain"],
        bar, mark_safe(links),  # noqa: S308 - built escaped
    )  # fmt: skip
    vote_form, comment_form = bound.get("vote"), bound.get("comment")
    unit.vote_form, unit.comment_form = vote_form, comment_form
    unit.proposal_form = bound.get("proposal")
    unit.error = bound.get("error", "")
    _vote_state(unit, vote_form, choices)
    own_comment = comment_form is not None and not comment_form.data.get("parent")
    unit.comment_errors = _errors(comment_form if own_comment else None)
    unit.comment_open = own_comment
    unit.comment_value = comment_form.data.get("text", "") if own_comment else ""
    unit.quote_value = comment_form.data.get("quote", "") if own_comment else ""


def _vote_state(unit, vote_form, choices: list[tuple[str, str]]) -> None:
    """What the vote form shows: the person's input after an error, else their vote."""
    unit.vote_errors = _errors(vote_form)
    if vote_form is not None:
        chosen, unit.reason_value = vote_form.data.get("choice"), vote_form.data.get("reason", "")
    else:
        chosen = unit.my_vote.choice if unit.my_vote else None
        unit.reason_value = unit.my_vote.reason if unit.my_vote else ""
    unit.reason_open = bool(unit.reason_value or unit.vote_errors.get("reason"))
    unit.choices = [(value, label, value == chosen) for value, label in choices]
    if unit.my_vote:
        unit.my_vote_text = _("You voted: %(choice)s") % {
            "choice": unit.my_vote.get_choice_display()
        }


def _context(
    request: HttpRequest,
    consultation: Consultation,
    params: Params,
    *,
    bound: dict | None = None,
    shared: bool = False,
    may_take_part: bool | None = None,
) -> dict:
    """The page's context. ``shared=True`` builds what every participant sees
    alike (no one's votes, a stand-in CSRF token, a slot where each vote form
    goes) for :func:`_shared_text`."""
    user = request.user if request.user.is_authenticated and not shared else None
    page = consultation_page(consultation, user)
    opened: Unit | None = None
    if params.open:
        opened = page.bill_unit if params.open == BILL else page.units.get(params.open)
        if opened is None:
            raise Http404
    if may_take_part is None:
        may_take_part = user is not None and can_take_part(user, consultation)
    context = {
        "consultation": consultation,
        "bill": page.version.bill,
        "version": page.version,
        "page": page,
        "provisions": page.provisions,
        "bill_unit": page.bill_unit,
        "params": params,
        "may_take_part": may_take_part,
        "verified": user is not None and (may_take_part or has_verified_email(user)),
        "removed": removed_feedback(page.carry),
        "earlier": sorted(page.carry.consultations.values(), key=lambda c: c.version.number),
        "follow": page.follow,
        "vote_choices": VoteChoice.choices,
        "follow_choices": DigestFrequency.choices,
        "discussion_tabs": [
            ("comments", _("Comments")),
            ("proposals", _("Alternative wordings")),
            ("reasons", _("Reasons given with votes")),
        ],
        "discussion_sorts": [("supported", _("most supported")), ("newest", _("newest"))],
    }
    bound = bound or {}
    base = reverse("consultations:detail", args=[consultation.pk])
    choices = _vote_choices()
    labels = context["labels"] = _labels(consultation)
    for each in (page.bill_unit, *page.units.values()):
        _present(each, base, bound if bound.get("unit") == each.key else {}, choices, labels)
    context["urls"] = {
        action: reverse(f"consultations:{action}", args=[consultation.pk])
        for action in ("vote", "comment", "proposal")
    }
    if may_take_part:  # the forms under each provision share one token field
        token = TOKEN_PLACEHOLDER if shared else get_token(request)
        forms = _unit_forms(consultation, token, labels, choices)
        context["vote_forms"] = {}
        for each in (page.bill_unit, *page.units.values()):
            vote, comment = forms.vote_form(each), forms.comment_box(each)
            if shared:  # each person's own vote form goes in the slot
                context["vote_forms"][each.key] = (str(vote), each.legend)
                vote = format_html("<!--{}:{}-->", VOTE_SLOT, each.key)
            each.forms = vote + mark_safe("\n    ") + comment
        context["unit_keys"] = {
            each.provision.pk if each.provision else None: each.key
            for each in (page.bill_unit, *page.units.values())
        }
    if opened is not None:
        opened.discussion = discussion(
            consultation,
            opened,
            show=params.show if params.show in SHOWS else "reasons",
            sort=params.sort,
            page_number=params.page,
            user=user,
            carry=page.carry,
        )
        context["opened"] = opened
    for each in (page.bill_unit, *page.units.values()):
        if each is opened:  # the one block with a discussion goes through the template
            each.block = render_to_string(
                "consultations/detail.html#unit", {**context, "unit": each}, request
            )
        else:
            each.block = _block(each, may_take_part=may_take_part)
    for provision in page.provisions:
        if provision.closing:
            provision.after = mark_safe(  # noqa: S308 - blocks built escaped
                "".join(unit.block for unit in provision.closing)
            )
    return context


def _block(unit: Unit, *, may_take_part: bool) -> SafeString:
    """A provision's block without a discussion open: the template's ``unit``
    partial, built here because the page repeats it for every provision."""
    key = esc(unit.key)
    classes = "unit unit-bill" if unit.key == BILL else "unit"
    error = f'\n  <p class="unit-error" role="alert">{esc(unit.error)}</p>' if unit.error else ""
    forms = f"\n  {unit.forms}" if may_take_part else ""
    return mark_safe(  # noqa: S308 - every value escaped or built escaped
        f'<section class="{classes}" id="unit-{key}" aria-label="{esc(unit.aria_label)}" '
        f'data-unit="{key}">{error}\n  {unit.summary}{forms}\n</section>\n'
    )


def _fresh(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def _serve(request: HttpRequest, pk: int, params: Params, template: str, key: str = ""):
    """Anonymous: from the cache. Signed in: the person's own parts rendered
    now around the text everyone shares (cached); rendered whole when a
    discussion is open or a message is waiting (after the person's own post)."""
    has_messages = len(messages.get_messages(request))
    if request.user.is_authenticated and not has_messages and not key and not params.open:
        return _fresh(request, _signed_in_page(request, _consultation(pk)))
    if request.user.is_authenticated or has_messages:
        consultation = _consultation(pk)
        context = _context(request, consultation, params)
        if key:
            context["unit"] = context["opened"]
        return _fresh(request, render(request, template, context))
    cache_key = f"{params.cache_key(pk)}:{template}"
    try:
        cached = cache.get(cache_key)
    except (RedisError, OSError):
        cached = None
    if cached is None:
        consultation = _consultation(pk)
        context = _context(request, consultation, params)
        if key:
            context["unit"] = context["opened"]
        context["csrf_token"] = TOKEN_PLACEHOLDER
        body = render_to_string(template, context, request)
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
        cached = (body, etag)
        opened = context.get("opened")
        # Only pages that exist are cached: odd page numbers cannot fill the cache.
        if opened is None or opened.discussion.page.number == params.page:
            with suppress(RedisError, OSError):  # served uncached while the cache is away
                cache.set(cache_key, cached, ANONYMOUS_TTL)
    body, etag = cached
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body.replace(TOKEN_PLACEHOLDER, get_token(request)))
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=ANONYMOUS_TTL)
    patch_vary_headers(response, ["Cookie", "Accept-Language", "HX-Request"])
    return response


def _shared_text(request: HttpRequest, consultation: Consultation, may_take_part: bool) -> dict:
    """The text with its figures and forms as every participant sees it,
    rendered once per language and kind of viewer and kept ``ANONYMOUS_TTL``
    seconds: a viral bill's page is not rebuilt for each signed-in reader."""
    cache_key = f"consultation-text:{consultation.pk}:{get_language()}:{int(may_take_part)}"
    with suppress(RedisError, OSError):
        cached = cache.get(cache_key)
        if cached is not None:
            return cached
    context = _context(request, consultation, Params({}), shared=True, may_take_part=may_take_part)
    shared = {
        "text": render_to_string("consultations/detail.html#text", context, request),
        "vote_forms": context.get("vote_forms", {}),
        "unit_keys": context.get("unit_keys", {}),
        "earlier": bool(context["earlier"]),
    }
    with suppress(RedisError, OSError):  # served uncached while the cache is away
        cache.set(cache_key, shared, ANONYMOUS_TTL)
    return shared


def _signed_in_page(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    """The page for a signed-in person: their votes, their vote forms and the
    header are fresh; the shared text may be up to ``ANONYMOUS_TTL`` seconds old."""
    user = request.user
    may_take_part = can_take_part(user, consultation)
    shared = _shared_text(request, consultation, may_take_part)
    text = shared["text"]
    if may_take_part:
        mine = {
            shared["unit_keys"].get(provision_id): vote
            for provision_id, vote in votes_by_place(voter=user, consultation=consultation).items()
        }
        choices = _vote_choices()
        forms = _unit_forms(consultation, TOKEN_PLACEHOLDER, _labels(consultation), choices)

        def vote_form(match: re.Match) -> str:
            key = match.group(1)
            default, legend = shared["vote_forms"][key]
            if key not in mine:
                return default
            unit = Unit(key=key, provision=None, my_vote=mine[key])
            unit.legend = legend
            _vote_state(unit, None, choices)
            return forms.vote_form(unit)

        text = SLOT_PATTERN.sub(vote_form, text).replace(TOKEN_PLACEHOLDER, get_token(request))
    context = {
        "consultation": consultation,
        "bill": consultation.version.bill,
        "version": consultation.version,
        "may_take_part": may_take_part,
        "verified": may_take_part or has_verified_email(user),
        "follow": follow_of(user=user, bill_id=consultation.version.bill_id),
        "follow_choices": DigestFrequency.choices,
        "text_html": mark_safe(text),  # noqa: S308 - rendered by our templates above
    }
    return render(request, "consultations/detail.html", context)


@require_safe
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _serve(request, pk, Params(request.GET), "consultations/detail.html")


@require_safe
def unit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """One unit's block with its discussion open, for htmx; the full page otherwise."""
    params = Params({**request.GET.dict(), "open": key})
    if not params.open:
        raise Http404
    if not _is_htmx(request):
        query = urlencode({"open": key, "show": params.show, "sort": params.sort})
        url = reverse("consultations:detail", args=[pk])
        return redirect(f"{url}?{query}#unit-{key}")
    return _serve(request, pk, params, "consultations/detail.html#unit", key=key)


# --- Answering a form ---------------------------------------------------------------


def _sign_in_first(request: HttpRequest, consultation: Consultation, key: str):
    response = redirect_to_login(
        f"{_detail_url(consultation)}#unit-{key}", login_url=settings.LOGIN_URL
    )
    if _is_htmx(request):  # a whole-page visit, not a sign-in form inside the block
        response = HttpResponse(status=204, headers={"HX-Redirect": response["Location"]})
    return response


TOO_MANY = "too_many"


def _unit_of(consultation: Consultation, key: str):
    """The provision a form names (``None`` for the whole bill); 404 if unknown."""
    if key == BILL:
        return None
    if not KEY_PATTERN.match(key or ""):
        raise Http404
    return get_object_or_404(consultation.version.provisions, eid=key)


def _answer(
    request: HttpRequest,
    consultation: Consultation,
    key: str,
    *,
    form=None,
    form_name: str = "",
    error: str = "",
    status: int = 200,
    open_discussion: bool = False,
    show: str = "",
    done: str = "",
) -> HttpResponse:
    """After a form: the re-rendered block (htmx) or a redirect or the page again."""
    if _is_htmx(request):
        if error and form is None:
            return HttpResponse(error, status=status, content_type="text/plain; charset=utf-8")
        params = Params({"open": key if open_discussion or form is not None else "", "show": show})
        bound = {"unit": key, form_name: form, "error": error} if form is not None else None
        context = _context(request, consultation, params, bound=bound)
        context["done"] = done
        unit = context["bill_unit"] if key == BILL else context["page"].units[key]
        context["unit"] = unit
        return render(
            request,
            "consultations/detail.html#unit",
            context,
            status=422 if status == 400 else status,
        )
    if form is None or status == 200:
        if error:
            messages.error(request, error)
        elif done:
            messages.success(request, done)
        return _back(consultation, key, open_discussion=open_discussion, show=show)
    params = Params({"open": key, "show": show})
    bound = {"unit": key, form_name: form, "error": error}
    response = render(
        request,
        "consultations/detail.html",
        _context(request, consultation, params, bound=bound),
        status=status,
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _participation(request, pk, *, form_class, form_name, action, limit, show="", done_for):
    """The shared path of the vote, comment and proposal forms."""
    consultation = _consultation(pk)
    form = form_class(request.POST)
    key = request.POST.get("unit", "")
    key = key if KEY_PATTERN.match(key) else BILL
    if not request.user.is_authenticated:
        return _sign_in_first(request, consultation, key)
    open_discussion = action != "vote"
    if not form.is_valid():
        return _answer(request, consultation, key, form=form, form_name=form_name, status=400,
                       open_discussion=open_discussion, show=show)  # fmt: skip
    provision = _unit_of(consultation, form.cleaned_data["unit"])
    if not within_limits(request, limit):
        form.add_error(None, _("Too many requests. Wait a moment and try again."))
        refused = _answer(request, consultation, key, form=form, form_name=form_name, status=429,
                          open_discussion=open_discussion, show=show)  # fmt: skip
        return too_many(refused, limit)
    try:
        item = _action_for(action)(request.user, consultation, provision, form.cleaned_data)
    except PermissionDenied as refusal:
        message = str(refusal) or _("You cannot take part in this consultation.")
        return _answer(request, consultation, key, error=message, status=403)
    except ValidationError as error:
        _apply_errors(form, error)
        return _answer(request, consultation, key, form=form, form_name=form_name, status=400,
                       open_discussion=open_discussion, show=show)  # fmt: skip
    return _answer(request, consultation, key, done=done_for(item),
                   open_discussion=open_discussion, show=show)  # fmt: skip


def _action_for(action: str):
    def vote(user, consultation, provision, data):
        if data.get("withdraw"):
            services.vote_withdraw(voter=user, consultation=consultation, provision=provision)
            return None
        return services.vote_cast(
            voter=user,
            consultation=consultation,
            provision=provision,
            choice=data["choice"],
            reason=data["reason"],
        )

    def comment(user, consultation, provision, data):
        parent = None
        if data.get("parent"):
            parent = get_object_or_404(Comment, pk=data["parent"], consultation=consultation)
        return services.comment_submit(
            author=user,
            consultation=consultation,
            provision=provision,
            parent=parent,
            text=data["text"],
            quote=data["quote"],
        )

    def proposal(user, consultation, provision, data):
        return services.proposal_submit(
            author=user,
            consultation=consultation,
            provision=provision,
            text=data["text"],
            reason=data["reason"],
        )

    return {"vote": vote, "comment": comment, "proposal": proposal}[action]


def _item_done(item) -> str:
    if item.status == ItemStatus.PUBLISHED:
        return _("Thank you: it is published.")
    return _("Thank you: it will be published once a moderator has reviewed it.")


@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    return _participation(
        request,
        pk,
        form_class=VoteForm,
        form_name="vote",
        action="vote",
        limit="vote",
        done_for=lambda vote: _("Your vote is saved.") if vote else _("Your vote is withdrawn."),
    )


@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    return _participation(
        request,
        pk,
        form_class=CommentForm,
        form_name="comment",
        action="comment",
        limit="comment",
        show="comments",
        done_for=_item_done,
    )


@require_POST
def proposal(request: HttpRequest, pk: int) -> HttpResponse:
    return _participation(
        request,
        pk,
        form_class=ProposalForm,
        form_name="proposal",
        action="proposal",
        limit="comment",
        show="proposals",
        done_for=_item_done,
    )


# --- Items: support, withdraw, edit, flag -------------------------------------------------


def _item(consultation: Consultation, kind: str, item_pk: int):
    model = ITEM_MODELS.get(kind)
    if model is None:
        raise Http404
    return get_object_or_404(
        model.objects.select_related("consultation", "provision"),
        pk=item_pk,
        consultation=consultation,
    )


def _key_of(item) -> str:
    return item.provision.eid if item.provision_id else BILL


def _show_of(kind: str) -> str:
    return "comments" if kind == "comment" else "proposals"


@require_POST
def support(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    consultation = _consultation(pk)
    item = _item(consultation, kind, item_pk)
    key = _key_of(item)
    if not request.user.is_authenticated:
        return _sign_in_first(request, consultation, key)
    if not within_limits(request, "vote"):
        return too_many(_answer(request, consultation, key, status=429,
                                error=_("Too many requests. Wait a moment and try again.")),
                        "vote")  # fmt: skip
    try:
        if request.POST.get("action") == "remove":
            services.support_remove(supporter=request.user, item=item)
            done = _("Your support is withdrawn.")
        else:
            services.support_add(supporter=request.user, item=item)
            done = _("Thank you for your support.")
    except PermissionDenied as refusal:
        message = str(refusal) or _("You cannot take part in this consultation.")
        return _answer(request, consultation, key, error=message, status=403)
    except ValidationError as error:
        return _answer(request, consultation, key, error=" ".join(error.messages), status=400)
    return _answer(request, consultation, key, done=done, open_discussion=True,
                   show=_show_of(kind))  # fmt: skip


@require_POST
def withdraw(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    consultation = _consultation(pk)
    item = _item(consultation, kind, item_pk)
    key = _key_of(item)
    if not request.user.is_authenticated:
        return _sign_in_first(request, consultation, key)
    try:
        services.item_withdraw(author=request.user, item=item)
    except PermissionDenied:
        return _answer(request, consultation, key, status=403,
                       error=_("Only its author can withdraw a contribution."))  # fmt: skip
    return _answer(request, consultation, key, done=_("Your contribution is withdrawn."),
                   open_discussion=True, show=_show_of(kind))  # fmt: skip


def _own_item_page(request, consultation, item, template, form, *, status=200):
    kind = item._meta.model_name
    context = {"consultation": consultation, "item": item, "form": form, "kind": kind}
    return render(request, template, context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    """The author edits an item while it waits for moderation."""
    consultation = _consultation(pk)
    item = _item(consultation, kind, item_pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url=settings.LOGIN_URL)
    if item.author_id != request.user.pk:
        raise PermissionDenied
    template = "consultations/item_edit.html"
    if request.method != "POST":
        form = ItemEditForm(initial={"text": item.text})
        return _own_item_page(request, consultation, item, template, form)
    form = ItemEditForm(request.POST)
    if form.is_valid():
        try:
            services.item_edit(author=request.user, item=item, text=form.cleaned_data["text"])
        except PermissionDenied as refusal:
            form.add_error(None, str(refusal) or _("You cannot edit this contribution."))
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return _back(consultation, _key_of(item), open_discussion=True, show=_show_of(kind))
    return _own_item_page(request, consultation, item, template, form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def flag(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    """Report a comment or proposal to the moderators."""
    consultation = _consultation(pk)
    item = _item(consultation, kind, item_pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url=settings.LOGIN_URL)
    template = "consultations/flag.html"
    if request.method != "POST":
        return _own_item_page(request, consultation, item, template, FlagForm())
    form = FlagForm(request.POST)
    if form.is_valid():
        if not within_limits(request, "comment"):
            form.add_error(None, _("Too many requests. Wait a moment and try again."))
            return too_many(
                _own_item_page(request, consultation, item, template, form, status=429), "comment"
            )
        try:
            services.flag_add(flagger=request.user, item=item, **form.cleaned_data)
        except PermissionDenied as refusal:
            form.add_error(None, str(refusal) or _("You cannot take part in this consultation."))
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Thank you: the moderators will review it."))
            return _back(consultation, _key_of(item), open_discussion=True, show=_show_of(kind))
    return _own_item_page(request, consultation, item, template, form, status=400)


@require_POST
def follow(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _consultation(pk)
    if not request.user.is_authenticated:
        return redirect_to_login(_detail_url(consultation), login_url=settings.LOGIN_URL)
    form = FollowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose daily, weekly or never."))
        return redirect(_detail_url(consultation) + "#follow")
    try:
        services.follow_set(
            follower=request.user,
            bill=consultation.version.bill,
            frequency=form.cleaned_data["frequency"],
        )
    except PermissionDenied as refusal:
        messages.error(request, str(refusal) or _("You cannot follow this bill."))
    else:
        if form.cleaned_data["frequency"] == "never":
            messages.success(request, _("You no longer follow this bill."))
        else:
            messages.success(request, _("You follow this bill. Digests come by email."))
    return redirect(_detail_url(consultation) + "#follow")


@require_safe
def results(request: HttpRequest, pk: int) -> HttpResponse:
    """Public: what the committee did with the feedback, article by article,
    and the version of the bill that followed (once the committee published it)."""
    consultation = _consultation(pk)
    if consultation.results_published_at is None:
        raise Http404
    places, following = selectors.results(consultation)
    return render(
        request,
        "consultations/results.html",
        {
            "consultation": consultation,
            "bill": consultation.version.bill,
            "places": places,
            "following": following,
        },
    )


# --- Open data -------------------------------------------------------------------------------


@require_safe
def open_data(request: HttpRequest, pk: int) -> HttpResponse:
    """Public: the consultation's open data, what each file holds, and the licence."""
    consultation = _consultation(pk)
    return render(
        request,
        "consultations/open_data.html",
        {"consultation": consultation, "licence": open_data_files.licence()},
    )


@require_safe
def open_data_aggregates(request: HttpRequest, pk: int) -> HttpResponse:
    """Public: the aggregates as JSON (small groups suppressed), with the licence."""
    consultation = _consultation(pk)
    response = JsonResponse(
        open_data_files.aggregates(consultation), json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Disposition"] = (
        f'attachment; filename="consulta-{consultation.pk}-agregados.json"'
    )
    return response


@require_safe
def open_data_feedback(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    """Public: every published comment and proposal, streamed, as CSV or JSON
    lines; public names only. Rate limited per visitor (it is a big read)."""
    consultation = _consultation(pk)
    if not within_address_limit(request, "open_data"):
        return too_many(HttpResponse(_("Too many downloads. Wait a minute."), status=429),
                        "open_data")  # fmt: skip
    rows = annex(consultation)
    if extension == "csv":
        writer = csv.writer(EchoBuffer())
        lines = itertools.chain(
            [writer.writerow(ANNEX_COLUMNS)],
            (writer.writerow([spreadsheet_safe(row[column]) for column in ANNEX_COLUMNS])
             for row in rows),
        )  # fmt: skip
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    else:
        lines = (json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        response = StreamingHttpResponse(lines, content_type="application/x-ndjson; charset=utf-8")
    name = f"consulta-{consultation.pk}-aportes.{'csv' if extension == 'csv' else 'jsonl'}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    licence = open_data_files.licence()
    response["Link"] = f'<{licence["url"]}>; rel="license"'
    return response
