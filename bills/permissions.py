"""Who may do what with bills. Views, the API and commands ask these."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import Role, User
from accounts.permissions import has_role
from bills.models import BillVersion


def can_manage_bills(user: User | AnonymousUser) -> bool:
    """Committee staff and administrators import texts and publish versions."""
    return has_role(user, Role.COMMITTEE_STAFF) or has_role(user, Role.ADMINISTRATOR)


def can_see_version(user: User | AnonymousUser, version: BillVersion) -> bool:
    """Published versions are public; drafts only for those who manage bills."""
    return version.is_published or can_manage_bills(user)
