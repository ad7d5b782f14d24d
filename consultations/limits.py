"""Rate limits on taking part, shared by the pages and the API: per person and
per visitor address (read through trusted proxies), counted atomically."""

from django.conf import settings
from django.http import HttpRequest

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
