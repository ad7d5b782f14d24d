"""How the signed-in person is loaded on each request, and the permissions that
follow from a person's role, so roles need no permission rows."""

from functools import cache

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.account.models import EmailAddress
from django.contrib.auth import backends
from django.db import connection, router

from accounts.models import Role, User
from accounts.permissions import has_role
from config import sql

# Set on the signed-in person as the request loads them; read by
# consultations.permissions.has_verified_email.
VERIFIED_EMAIL_ATTRIBUTE = "_aporta_has_verified_email"

# What Administrators manage in the Django admin: people and roles, the
# parliament's structure, bills, and (as later issues add them) word lists and
# settings. Superusers keep Django's own unlimited rights.
ADMINISTERED_APPS = frozenset(
    {"accounts", "auth", "account", "mfa", "bills", "consultations", "moderation"}
)


@cache
def _signed_in_query() -> str:
    quote = connection.ops.quote_name
    person = [field.attname for field in User._meta.concrete_fields]
    return (
        f"SELECT {sql.columns(User, person, 'person')}, EXISTS ("  # noqa: S608 - names from the models
        f"SELECT 1 FROM {quote(EmailAddress._meta.db_table)} address "
        "WHERE address.user_id = person.id AND address.verified) "
        f"FROM {quote(User._meta.db_table)} person WHERE person.id = %s"
    )


class _SignedInLoad:
    """Loads the signed-in person with whether they have a verified email
    address, in the one query a request makes for them: taking part is
    checked on most signed-in pages and on every vote. Written in SQL
    (config.sql) because it runs on every signed-in request."""

    def get_user(self, user_id):
        person = [field.attname for field in User._meta.concrete_fields]
        found = sql.fetch_instance(
            User, person, _signed_in_query(), [user_id], using=router.db_for_read(User)
        )
        if found is None:
            return None
        user, (verified,) = found
        setattr(user, VERIFIED_EMAIL_ATTRIBUTE, bool(verified))  # SQLite answers 0 or 1
        return user if self.user_can_authenticate(user) else None


class ModelBackend(_SignedInLoad, backends.ModelBackend):
    pass


class AuthenticationBackend(_SignedInLoad, AllauthBackend):
    pass


class RolePermissionBackend(backends.BaseBackend):
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
