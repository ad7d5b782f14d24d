"""Email preferences, unsubscribe links, and the outbox's state for
administrators. Changes go through ``notifications.services``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.permissions import has_role
from bills.models import Bill
from consultations.models import Follow
from notifications import selectors, services
from notifications import unsubscribe as links
from notifications.forms import PreferencesForm

STAFF_ROLES = (Role.MODERATOR, Role.COMMITTEE_STAFF, Role.ADMINISTRATOR)


def _is_staff(user) -> bool:
    return any(has_role(user, role) for role in STAFF_ROLES)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """The bills a person follows and how often, and the emails about their
    own contributions (and, for staff, the daily summary)."""
    follows = (
        Follow.objects.filter(follower=request.user).select_related("bill").order_by("bill__title")
    )
    current = services.preferences_of(request.user)
    staff = _is_staff(request.user)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        follows=follows,
        staff=staff,
        initial={
            "about_my_contributions": current.about_my_contributions,
            "staff_summary": current.staff_summary,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.preferences_save(
            user=request.user,
            about_my_contributions=form.cleaned_data["about_my_contributions"],
            staff_summary=form.cleaned_data.get("staff_summary", current.staff_summary),
            follows=form.frequencies(),
        )
        messages.success(request, _("Your email preferences have been saved."))
        return redirect("notifications_preferences")
    status = 400 if request.method == "POST" else 200
    response = render(
        request, "notifications/preferences.html", {"form": form, "staff": staff}, status=status
    )
    add_never_cache_headers(response)
    return response


@csrf_exempt  # the signed token is the authority: mail clients post without a session
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """A signed link from an email: GET shows what it stops and asks to
    confirm (mail scanners open links); POST stops it, from the page or as a
    mail client's one-click unsubscribe (RFC 8058). Changed or expired links
    are refused with a page that says so."""
    try:
        user, scope = links.read(token)
    except links.Expired:
        return _refused(request, expired=True)
    except links.Invalid:
        return _refused(request, expired=False)
    bill = None
    bill_id = links.bill_of(scope)
    if bill_id is not None:
        bill = Bill.objects.filter(pk=bill_id).first()
    done = False
    if request.method == "POST":
        services.unsubscribe(user=user, scope=scope)
        done = True
        if request.POST.get("List-Unsubscribe") == "One-Click":
            response = HttpResponse(_("Unsubscribed."), content_type="text/plain; charset=utf-8")
            response["Referrer-Policy"] = "no-referrer"
            add_never_cache_headers(response)
            return response
    response = render(
        request,
        "notifications/unsubscribe.html",
        {
            "scope": scope,
            "bill": bill,
            "about_a_bill": bill_id is not None,
            "done": done,
            "token": token,
            "scopes": links,
        },
    )
    response["Referrer-Policy"] = "no-referrer"  # the token stays out of other sites' logs
    add_never_cache_headers(response)
    return response


def _refused(request: HttpRequest, *, expired: bool) -> HttpResponse:
    response = render(
        request, "notifications/unsubscribe_refused.html", {"expired": expired}, status=400
    )
    response["Referrer-Policy"] = "no-referrer"
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def outbox_status(request: HttpRequest) -> HttpResponse:
    """Administrators: emails pending, sent and failed per kind, digests per
    period, and the latest failures (what failed, never the addresses)."""
    if not has_role(request.user, Role.ADMINISTRATOR):
        raise PermissionDenied
    response = render(request, "notifications/outbox.html", selectors.outbox_state())
    add_never_cache_headers(response)
    return response
