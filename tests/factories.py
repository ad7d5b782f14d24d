import factory
from django.conf import settings

from accounts import services
from accounts.models import Region, RespondentType, User

PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    """Accounts made through the same service as the demo and commands."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Persona {n}")
    password = PASSWORD
    respondent_type = RespondentType.CITIZEN
    email_verified = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        region = kwargs.pop("region", None) or Region.objects.get(code="cusco")
        return services.user_create(
            region=region,
            privacy_notice_version=settings.APORTA_PRIVACY_NOTICE_VERSION,
            **kwargs,
        )
