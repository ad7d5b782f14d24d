"""Permissions that follow from a person's role, so roles need no permission rows."""

from django.contrib.auth.backends import BaseBackend

from accounts.models import Role
from accounts.permissions import has_role

# What Administrators manage in the Django admin: people and roles, the
# parliament's structure, bills, and (as later issues add them) word lists and
# settings. Superusers keep Django's own unlimited rights.
ADMINISTERED_APPS = frozenset(
    {"accounts", "auth", "account", "mfa", "bills", "consultations", "moderation"}
)


class RolePermissionBackend(BaseBackend):
    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        app_label = perm.split(".", 1)[0]
        return app_label in ADMINISTERED_APPS and self._is_administrator(user_obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return app_label in ADMINISTERED_APPS and self._is_administrator(user_obj)

    @staticmethod
    def _is_administrator(user_obj) -> bool:
        # One query per request and person, however many checks the admin makes.
        if not hasattr(user_obj, "_aporta_is_administrator"):
            user_obj._aporta_is_administrator = has_role(user_obj, Role.ADMINISTRATOR)
        return user_obj._aporta_is_administrator
