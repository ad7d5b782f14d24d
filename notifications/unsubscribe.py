"""Signed unsubscribe links: who, and from what, readable without signing in.
A link names its scope; it works for ``APORTA_UNSUBSCRIBE_DAYS`` days, and a
changed or expired one is refused."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from accounts.models import User

SALT = "aporta.notifications.unsubscribe"

ALL = "all"  # every email: follows, notices about my contributions, staff summaries
BILLS = "bills"  # every followed bill (a digest's one-click unsubscribe)
MINE = "mine"  # emails about my own contributions
STAFF = "staff"  # the daily staff summary
SCOPES = {ALL, BILLS, MINE, STAFF}


def bill_scope(bill_id: int) -> str:
    return f"bill:{bill_id}"


class Invalid(Exception):
    """The link was changed, or names no one."""


class Expired(Exception):
    """The link is older than ``APORTA_UNSUBSCRIBE_DAYS``."""


def make(user: User, scope: str) -> str:
    return signing.dumps([user.pk, scope], salt=SALT, compress=False)


def read(token: str) -> tuple[User, str]:
    """The person and scope a link names; Invalid or Expired otherwise."""
    try:
        user_id, scope = signing.loads(
            token, salt=SALT, max_age=settings.APORTA_UNSUBSCRIBE_DAYS * 24 * 3600
        )
    except signing.SignatureExpired:
        raise Expired from None
    except (signing.BadSignature, ValueError, TypeError):
        raise Invalid from None
    if not isinstance(user_id, int) or not isinstance(scope, str) or not _known(scope):
        raise Invalid
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Invalid
    return user, scope


def bill_of(scope: str) -> int | None:
    if scope.startswith("bill:") and scope[5:].isdecimal():
        return int(scope[5:])
    return None


def _known(scope: str) -> bool:
    return scope in SCOPES or bill_of(scope) is not None


def url(user: User, scope: str) -> str:
    path = reverse("notifications:unsubscribe", kwargs={"token": make(user, scope)})
    return f"{settings.APORTA_SITE_URL}{path}"
