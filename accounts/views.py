from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.forms import ProfileForm
from config.ratelimit import allow


def _render_profile(request: HttpRequest, form: ProfileForm, **context) -> HttpResponse:
    context = {"form": form, "api_tokens": services.api_tokens_of(user=request.user), **context}
    response = render(request, "accounts/profile.html", context)
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm.for_user(request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    return _render_profile(request, form)


def _token_creation_allowed(request: HttpRequest) -> bool:
    per_user, per_ip, window = settings.APORTA_PARTICIPATION_RATE_LIMITS["api_token"]
    address = request.META.get("REMOTE_ADDR", "")
    return allow(key=f"api_token:user:{request.user.pk}", limit=per_user, window=window) and (
        allow(key=f"api_token:ip:{address}", limit=per_ip, window=window)
    )


@login_required
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    """Shows the new token once, in this response (never stored, never cached)."""
    form = ProfileForm.for_user(request.user)
    if not _token_creation_allowed(request):
        messages.error(request, _("Too many new tokens. Wait a while and try again."))
        return redirect("accounts:profile")
    try:
        _row, token = services.api_token_create(user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:profile")
    return _render_profile(request, form, new_api_token=token)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest) -> HttpResponse:
    digest = request.POST.get("token", "")[:200]
    if services.api_token_revoke(user=request.user, digest=digest):
        messages.success(request, _("The API token has been revoked."))
    else:
        messages.error(request, _("That API token no longer exists."))
    return redirect("accounts:profile")
