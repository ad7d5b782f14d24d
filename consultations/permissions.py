"""Who may take part in a consultation, and who runs it."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser

from accounts.backends import VERIFIED_EMAIL_ATTRIBUTE
from accounts.models import Role, User
from accounts.permissions import has_role
from bills.models import Committee
from consultations.models import Consultation, ParticipationLevel


def has_verified_email(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    loaded = getattr(user, VERIFIED_EMAIL_ATTRIBUTE, None)  # as the request loaded them
    if loaded is not None:
        return loaded
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def levels_met(user: User | AnonymousUser) -> tuple[str, ...]:
    """The participation levels this person meets; an unknown (future) level
    admits nobody until it is implemented here."""
    if has_verified_email(user):
        return (ParticipationLevel.EMAIL_VERIFIED,)
    return ()


def meets_level(user: User | AnonymousUser, level: str) -> bool:
    return level in levels_met(user)


def can_take_part(user: User | AnonymousUser, consultation: Consultation) -> bool:
    """Vote, comment, propose, support, flag: open consultation, level met."""
    return consultation.is_open and meets_level(user, consultation.minimum_level)


def can_manage_committee(user: User | AnonymousUser, committee: Committee) -> bool:
    """Administrators run every committee's consultations; committee staff
    only those of the committees they are assigned to."""
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return has_role(user, Role.COMMITTEE_STAFF) and committee.staff.filter(pk=user.pk).exists()


def can_manage_consultation(user: User | AnonymousUser, consultation: Consultation) -> bool:
    """Create, edit, extend and close early: staff of the consultation's committee."""
    return can_manage_committee(user, consultation.committee)


def manageable_committees(user: User | AnonymousUser):
    """The committees whose consultations this person may run."""
    if has_role(user, Role.ADMINISTRATOR):
        return Committee.objects.filter(is_active=True)
    if has_role(user, Role.COMMITTEE_STAFF):
        return user.committees.filter(is_active=True)
    return Committee.objects.none()
