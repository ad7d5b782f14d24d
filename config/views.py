"""Site-wide pages: home, the published policies, health and error pages."""

import logging
import sys

import kombu.exceptions
import redis
import redis.exceptions
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from consultations.selectors import open_consultations
from moderation.models import REASON_EXPLANATIONS, DecisionReason

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/home.html", {"consultations": open_consultations()})


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/privacy.html")


@require_safe
def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/terms.html")


@require_safe
def moderation_policy(request: HttpRequest) -> HttpResponse:
    reasons = [
        (reason.value, reason.label, REASON_EXPLANATIONS[reason]) for reason in DecisionReason
    ]
    return render(
        request,
        "pages/moderation_policy.html",
        {"reasons": reasons, "target_hours": settings.APORTA_MODERATION_TARGET_HOURS},
    )


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: the database is unreachable.", exc_info=True)
        return "down"
    return "up"


def _redis_state() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError:
        logger.warning("Health check: Redis is unreachable.", exc_info=True)
        return "down"
    finally:
        client.close()
    return "up"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every configured service answers, 503 naming those that do not."""
    checks = {"database": _database_state()}
    if settings.REDIS_URL:
        checks["redis"] = _redis_state()
    down = sorted(name for name, state in checks.items() if state != "up")
    body = {"status": "down" if down else "ok", "checks": checks, "down": down}
    return JsonResponse(body, status=503 if down else 200)


def _render_error(template_name: str, status: int) -> HttpResponse:
    # Error pages use no request context: rendering must not need the
    # database (the user, the session) that may be the very thing failing.
    return HttpResponse(loader.render_to_string(template_name), status=status)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 when the cause is a database, cache or broker outage."""
    error = sys.exc_info()[1]
    if isinstance(error, OUTAGE_ERRORS):
        response = _render_error("errors/503.html", 503)
        response["Retry-After"] = "30"
        return response
    return _render_error("errors/500.html", 500)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render_error("errors/400.html", 400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/403_csrf.html", status=403)
