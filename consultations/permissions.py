"""Who may take part in a consultation, and who runs it."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser

from accounts.models import Role, User
from accounts.permissions import has_role
from consultations.models import Consultation, ParticipationLevel


def has_verified_email(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def meets_level(user: User | AnonymousUser, level: str) -> bool:
    if level == ParticipationLevel.EMAIL_VERIFIED:
        return has_verified_email(user)
    return False  # an unknown (future) level admits nobody until it is implemented


def can_take_part(user: User | AnonymousUser, consultation: Consultation) -> bool:
    """Vote, comment, propose, support, flag: open consultation, level met."""
    return consultation.is_open and meets_level(user, consultation.minimum_level)


def can_manage_consultation(user: User | AnonymousUser, consultation: Consultation) -> bool:
    """Committee staff and administrators run consultations. Limiting staff to
    their own committee's consultations comes with committee-scoped roles."""
    return has_role(user, Role.COMMITTEE_STAFF) or has_role(user, Role.ADMINISTRATOR)
