"""Rate limits on taking part, shared by the pages and the API: per person and
per visitor address (read through trusted proxies), counted atomically."""

import math
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from config.ratelimit import allow_all, client_address


def within_limits(request: HttpRequest, action: str) -> bool:
    """Counts one ``action`` for the person and their address; False past either limit."""
    per_user, per_address, window = settings.APORTA_PARTICIPATION_RATE_LIMITS[action]
    return allow_all(
        [
            (f"{action}:user:{request.user.pk}", per_user, window),
            (f"{action}:ip:{client_address(request)}", per_address, window),
        ]
    )


def within_address_limit(request: HttpRequest, action: str) -> bool:
    """Counts one ``action`` for the visitor's address only (anonymous reads,
    where there is no person to count); False past its limit."""
    _per_user, per_address, window = settings.APORTA_PARTICIPATION_RATE_LIMITS[action]
    return allow_all([(f"{action}:ip:{client_address(request)}", per_address, window)])


def retry_after(action: str) -> int:
    """Seconds until the current window of ``action``'s limits ends (windows
    are fixed, counted from the epoch): what a 429 answers in Retry-After."""
    window = settings.APORTA_PARTICIPATION_RATE_LIMITS[action][2]
    return max(1, math.ceil(window - time.time() % window))


def too_many(response: HttpResponse, action: str) -> HttpResponse:
    """A page's 429, with the Retry-After a client can act on."""
    response["Retry-After"] = str(retry_after(action))
    return response
