"""Access checks about people and their roles. Every view and API permission
calls these rather than testing groups or flags itself."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import Role, User

STAFF_ROLES = frozenset(Role.values)


def has_role(user: User | AnonymousUser, role: Role) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.groups.filter(name=role.value).exists()


def is_staff_member(user: User | AnonymousUser) -> bool:
    """Moderators, committee staff, administrators and Django staff."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.filter(name__in=STAFF_ROLES).exists()


def has_totp(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def needs_mfa_setup(user: User | AnonymousUser, *, required: bool) -> bool:
    """True when a staff member must set up TOTP before reaching staff pages."""
    if not required or not is_staff_member(user):
        return False
    return not has_totp(user)
