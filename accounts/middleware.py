from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import needs_mfa_setup


class StaffMFAMiddleware:
    """Sends staff without a second factor to set one up before any staff page.

    htmx requests get an ``HX-Redirect`` header instead of a redirect, so the
    browser leaves the page rather than swapping the set-up page into it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(settings.APORTA_STAFF_PATH_PREFIXES) and needs_mfa_setup(
            request.user, required=settings.APORTA_STAFF_MFA_REQUIRED
        ):
            target = reverse("mfa_activate_totp")
            messages.warning(
                request,
                _("Staff accounts need two-step verification. Set it up to continue."),
            )
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=403)
                response["HX-Redirect"] = target
                return response
            return HttpResponseRedirect(target)
        return self.get_response(request)
