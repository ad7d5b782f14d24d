"""Moderators' pages: the queue and the moderation log. Every decision goes
through ``moderation.services``, which checks permission again."""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from consultations.models import Consultation, ConsultationStatus, ItemStatus
from moderation import selectors, services
from moderation.forms import DecisionForm, QueueFilterForm
from moderation.models import Action, DecisionReason
from moderation.permissions import can_moderate

PAGE_SIZE = 25
LOG_PAGE_SIZE = 50


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


class _Echo:
    def write(self, value: str) -> str:
        return value


def _log_csv(entries) -> StreamingHttpResponse:
    """The whole log as CSV, streamed. Moderators are named by their public
    display name only."""
    writer = csv.writer(_Echo())
    header = ["when", "moderator", "action", "kind", "item", "consultation", "reason",
              "note", "before", "after"]  # fmt: skip

    def rows():
        yield writer.writerow(header)
        for entry in entries.iterator(chunk_size=2000):
            yield writer.writerow(
                [entry.created_at.isoformat(), _cell(_actor(entry)), entry.action,
                 entry.kind, entry.object_id, entry.consultation_id or "", entry.reason,
                 _cell(entry.note), entry.status_before, entry.status_after]
            )  # fmt: skip

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="moderation-log.csv"'
    return response


def _actor(entry) -> str:
    return entry.actor.display_name if entry.actor else _("Aporta (citizens' flags)")


def _cell(text: str) -> str:
    """A spreadsheet never runs a cell as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


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
