"""Who moderates."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import Role, User
from accounts.permissions import has_role


def can_moderate(user: User | AnonymousUser) -> bool:
    """The queue, decisions and the moderation log: moderators and administrators."""
    return has_role(user, Role.MODERATOR) or has_role(user, Role.ADMINISTRATOR)
