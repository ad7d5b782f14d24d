"""Moderators' pages: the queue and the moderation log. Every decision goes
through ``moderation.services``, which checks permission again."""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from config.text import EchoBuffer, spreadsheet_safe
from consultations.limits import too_many, within_limits
from consultations.models import Consultation, ConsultationStatus, ItemStatus
from moderation import selectors, services
from moderation.forms import (
    AppealForm,
    CampaignFilterForm,
    CampaignMembersForm,
    DecisionForm,
    QueueFilterForm,
)
from moderation.models import Action, DecisionReason, ScreenedKind
from moderation.permissions import can_moderate

PAGE_SIZE = 25
LOG_PAGE_SIZE = 50
OWN_PAGE_SIZE = 20


def _require_moderator(request: HttpRequest) -> None:
    if not can_moderate(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "HEAD"])
def queue(request: HttpRequest) -> HttpResponse:
    _require_moderator(request)
    filters = QueueFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    consultation = chosen.get("consultation")
    items = selectors.queue(
        consultation_id=consultation.pk if consultation else None,
        kind=chosen.get("kind") or None,
        rule=chosen.get("rule") or None,
        older_than_hours=chosen.get("older_than_hours"),
        viewer=request.user,
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    return render(
        request,
        "moderation/queue.html",
        {
            "filters": filters,
            "page": page,
            "total": len(items),
            "rows": [(item, item.overdue(now), item.waiting(now)) for item in page.object_list],
            "reasons": DecisionReason.choices,
            "actions": Action,
            "target_hours": settings.APORTA_MODERATION_TARGET_HOURS,
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest) -> HttpResponse:
    """Applies one action to the chosen items; each item is decided on its own,
    so a conflict on one (another moderator was first) leaves the others done."""
    _require_moderator(request)
    form = DecisionForm(request.POST, items=request.POST.getlist("item"))
    back = _back_to_queue(request)
    if not form.is_valid():
        for error in form.errors.values():
            for message in error:
                messages.error(request, message)
        return redirect(back)
    done = 0
    for kind, pk, status in form.cleaned_data["items"]:
        try:
            services.item_decide(
                moderator=request.user,
                kind=kind,
                pk=pk,
                action=form.cleaned_data["action"],
                seen_status=status,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            done += 1
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, f"{_('Item')} {kind} {pk}: {message}")
    if done:
        messages.success(
            request,
            _("%(count)d item(s): %(action)s.")
            % {"count": done, "action": Action(form.cleaned_data["action"]).label},
        )
    return redirect(back)


def _back_to_queue(request: HttpRequest) -> str:
    """Where the moderator was (the queue with its filters and page): only a
    moderation page of this site, else the queue."""
    back = request.POST.get("next") or ""
    safe = url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
    return back if safe and back.startswith("/staff/moderation/") else "moderation:queue"


@login_required
@require_http_methods(["GET", "HEAD"])
def log(request: HttpRequest) -> HttpResponse:
    _require_moderator(request)
    entries = selectors.log()
    if request.GET.get("format") == "csv":
        return _log_csv(entries)
    page = Paginator(entries, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "moderation/log.html", {"page": page})


def _log_csv(entries) -> StreamingHttpResponse:
    """The whole log as CSV, streamed. Moderators are named by their public
    display name only."""
    writer = csv.writer(EchoBuffer())
    header = ["when", "moderator", "action", "kind", "item", "consultation", "reason",
              "note", "before", "after"]  # fmt: skip

    def rows():
        yield writer.writerow(header)
        for entry in entries.iterator(chunk_size=2000):
            yield writer.writerow(
                [entry.created_at.isoformat(), spreadsheet_safe(_actor(entry)), entry.action,
                 entry.kind, entry.object_id, entry.consultation_id or "", entry.reason,
                 spreadsheet_safe(entry.note), entry.status_before, entry.status_after]
            )  # fmt: skip

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="moderation-log.csv"'
    return response


def _actor(entry) -> str:
    return entry.actor.display_name if entry.actor else _("Aporta (citizens' flags)")


@login_required
@require_http_methods(["GET", "HEAD"])
def my_contributions(request: HttpRequest) -> HttpResponse:
    """The signed-in person's contributions and their state (theirs only):
    published, waiting for a moderator, not published and why, appealed."""
    page = Paginator(selectors.own_items(request.user), OWN_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    response = render(
        request,
        "moderation/my_contributions.html",
        {
            "page": page,
            "items": selectors.own_items_detail(page.object_list),
            "name": selectors.own_name(request.user),
        },
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def appeal(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The author appeals a moderator's decision on their contribution, once.
    Someone else's contribution is not found here."""
    if kind == ScreenedKind.DISPLAY_NAME and pk == request.user.pk:
        item = selectors.own_name(request.user)
    else:
        item = selectors.own_item(request.user, kind, pk)
    if item is None:
        raise Http404
    form = AppealForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and item.appealable and form.is_valid():
        if not within_limits(request, "appeal"):
            form.add_error(None, _("Too many requests. Wait a moment and try again."))
            return too_many(_appeal_page(request, item, form, status=429), "appeal")
        try:
            services.appeal_file(
                author=request.user, kind=kind, pk=pk, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_error("text" if hasattr(error, "error_dict") else None, error)
        else:
            messages.success(
                request, _("Your appeal was sent: another moderator will look at it again.")
            )
            return redirect("my_contributions")
    if request.method == "POST":
        status = 400
    return _appeal_page(request, item, form, status=status)


def _appeal_page(request, item, form, *, status: int) -> HttpResponse:
    response = render(
        request,
        "moderation/appeal.html",
        {"item": item, "form": form, "policy": reverse("moderation_policy")},
        status=status,
    )
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "HEAD"])
def transparency(request: HttpRequest, pk: int) -> HttpResponse:
    """Public: what moderation did in a consultation (not a draft's)."""
    consultation = get_object_or_404(
        Consultation.objects.exclude(status=ConsultationStatus.DRAFT), pk=pk
    )
    figures = selectors.transparency(consultation.pk)
    statuses = [
        (ItemStatus(status).label, figures.by_status[status])
        for status in (ItemStatus.PUBLISHED, ItemStatus.PENDING, ItemStatus.HELD,
                       ItemStatus.HIDDEN, ItemStatus.REJECTED, ItemStatus.WITHDRAWN)
    ]  # fmt: skip
    return render(
        request,
        "moderation/transparency.html",
        {
            "consultation": consultation,
            "figures": figures,
            "statuses": statuses,
            "policy": reverse("moderation_policy"),
        },
    )


# --- Campaigns under review ------------------------------------------------------------------

CAMPAIGNS_PAGE_SIZE = 50
MEMBERS_PAGE_SIZE = 50
RELEASED_SHOWN = 100  # released texts listed on a campaign's page (all are counted)


@login_required
@require_http_methods(["GET", "HEAD"])
def campaigns(request: HttpRequest) -> HttpResponse:
    _require_moderator(request)
    filters = CampaignFilterForm(request.GET or None)
    consultation = filters.cleaned_data.get("consultation") if filters.is_valid() else None
    found = selectors.campaigns(consultation_id=consultation.pk if consultation else None)
    page = Paginator(found, CAMPAIGNS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.with_representatives(list(page.object_list))
    return render(
        request, "moderation/campaigns.html", {"filters": filters, "page": page, "rows": rows}
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    _require_moderator(request)
    found = get_object_or_404(selectors.campaigns(), pk=pk)
    members = selectors.campaign_members(campaign_id=pk)
    page = Paginator(members, MEMBERS_PAGE_SIZE).get_page(request.GET.get("page"))
    released = selectors.campaign_members(campaign_id=pk, released=True)
    return render(
        request,
        "moderation/campaign.html",
        {
            "campaign": selectors.with_representatives([found])[0],
            "page": page,
            "rows": selectors.member_rows(list(page.object_list)),
            "released": selectors.member_rows(list(released[:RELEASED_SHOWN])),
            "released_count": released.count(),
            "splits": found.splits.order_by("pk").values_list("pk", flat=True),
        },
    )


@login_required
@require_POST
def campaign_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    _require_moderator(request)
    try:
        services.campaign_confirm(moderator=request.user, campaign_id=pk)
    except ValidationError as error:
        _campaign_errors(request, error)
    else:
        messages.success(request, _("Campaign confirmed."))
    return redirect(_campaign_page(pk, request.POST.get("page")))


@login_required
@require_POST
def campaign_split(request: HttpRequest, pk: int) -> HttpResponse:
    """The selected texts become a new campaign, split from this one."""
    return _campaign_take_out(request, pk, release=False)


@login_required
@require_POST
def campaign_release(request: HttpRequest, pk: int) -> HttpResponse:
    """The selected texts are not part of the campaign: kept, no longer counted."""
    return _campaign_take_out(request, pk, release=True)


def _campaign_take_out(request: HttpRequest, pk: int, *, release: bool) -> HttpResponse:
    _require_moderator(request)
    form = CampaignMembersForm(request.POST, members=request.POST.getlist("member"))
    if not form.is_valid():
        for message in form.non_field_errors():
            messages.error(request, message)
        return redirect(_campaign_page(pk, request.POST.get("page")))
    chosen = form.cleaned_data["members"]
    try:
        new = services.campaign_split(
            moderator=request.user, campaign_id=pk, members=chosen, release=release
        )
    except ValidationError as error:
        _campaign_errors(request, error)
    else:
        if new is None:
            done = ngettext(
                "%(count)d text released: it is no longer counted in the campaign.",
                "%(count)d texts released: they are no longer counted in the campaign.",
                len(chosen),
            ) % {"count": len(chosen)}
        else:
            done = ngettext(
                "%(count)d text moved to the new campaign %(number)d.",
                "%(count)d texts moved to the new campaign %(number)d.",
                len(chosen),
            ) % {"count": len(chosen), "number": new.pk}
        messages.success(request, done)
    return redirect(_campaign_page(pk, request.POST.get("page")))


def _campaign_errors(request: HttpRequest, error: ValidationError) -> None:
    if getattr(error, "code", None) == "gone":
        raise Http404
    for message in error.messages:
        messages.error(request, message)


def _campaign_page(pk: int, page: str | None) -> str:
    """Back to the campaign's page the moderator was on (a plain number only)."""
    url = reverse("moderation:campaign", args=[pk])
    if page and page.isascii() and page.isdigit() and len(page) < 7:
        url += f"?page={page}"
    return url
