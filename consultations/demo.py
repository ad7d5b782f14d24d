"""Demo consultations on the demo bill: a closed one on the original text, with
feedback that follows the provisions into the substitute text, and an open one
on the substitute text. Everything goes through the services."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.models import AgeRange, Region, RespondentType, User
from bills.models import Bill, Committee
from consultations import services
from consultations.models import Consultation

# (number, public name, region code, respondent type, age range)
DEMO_PEOPLE = [
    (1, "Juan Mamani", "puno", RespondentType.CITIZEN, AgeRange.FROM_35_TO_44),
    (2, "Lucía Torres", "arequipa", RespondentType.CITIZEN, AgeRange.FROM_18_TO_24),
    (3, "Colectivo Jóvenes por la Transparencia", "lima-metropolitana",
     RespondentType.CIVIL_SOCIETY, ""),
    (4, "Pedro Huamán", "junin", RespondentType.CITIZEN, AgeRange.FROM_45_TO_54),
    (5, "Carmen Rojas", "piura", RespondentType.CITIZEN, AgeRange.FROM_65),
    (6, "Universidad Demo del Sur", "tacna", RespondentType.ACADEMIA, ""),
    (7, "Miguel Ccahuana", "ayacucho", RespondentType.CITIZEN, AgeRange.FROM_18_TO_24),
    (8, "Ana Shipibo", "ucayali", RespondentType.CITIZEN, AgeRange.FROM_35_TO_44),
]  # fmt: skip

EARLY_COMMENTS = {
    "1": "El objeto debería mencionar también a las personas que viven en el extranjero.",
    "2": "Las finalidades están bien, pero falta la rendición de cuentas de las comisiones.",
    "5": "Quince días es muy poco para un proyecto largo: propongo treinta días.",
}
OPEN_COMMENTS = {
    "1": "Me parece bien que la ley sea para todos los proyectos, no solo algunos.",
    "3": "¿Qué pasa con quienes no tienen internet? Deberían existir puntos de acceso.",
}


def _people() -> list[User]:
    people = []
    for number, name, region, respondent_type, age_range in DEMO_PEOPLE:
        email = f"participante{number:02d}@aporta.test"
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = account_services.user_create(
                email=email,
                password=None,
                display_name=name,
                region=Region.objects.get(code=region),
                respondent_type=respondent_type,
                age_range=age_range,
                email_verified=True,
            )
        people.append(user)
    return people


def _article(consultation: Consultation, number: str):
    return (
        consultation.version.provisions.filter(
            kind="article", label__startswith=f"Artículo {number}."
        )
        .order_by("order")
        .first()
    )


def _take_part(consultation: Consultation, people: list[User], comments: dict[str, str]) -> None:
    choices = ["agree", "agree", "disagree", "abstain", "agree"]
    articles = consultation.version.provisions.filter(kind="article").order_by("order")
    for index, person in enumerate(people):
        services.vote_cast(
            voter=person, consultation=consultation, provision=None, choice=choices[index % 5]
        )
        for position, provision in enumerate(articles[:6]):
            services.vote_cast(
                voter=person,
                consultation=consultation,
                provision=provision,
                choice=choices[(index + position) % 5],
            )
    for offset, (number, text) in enumerate(comments.items()):
        provision = _article(consultation, number)
        if provision is not None:
            comment = services.comment_submit(
                author=people[offset], consultation=consultation, provision=provision, text=text
            )
            services.support_add(supporter=people[offset + 1], item=comment)


@transaction.atomic
def seed_demo_consultations(*, bill: Bill, committee: Committee, staff: User) -> None:
    """Safe to repeat: does nothing once the bill has consultations."""
    if Consultation.objects.filter(version__bill=bill).exists():
        return
    people = _people()
    original, substitute = bill.versions.order_by("number")[:2]
    now = timezone.now()
    earlier = services.consultation_create(
        actor=staff,
        version=original,
        committee=committee,
        title="Consulta ciudadana sobre el texto original",
        description="Primera consulta sobre el proyecto tal como fue presentado.",
        opens_at=now,
        closes_at=now + timedelta(days=1),
    )
    services.consultations_open_and_close_due()
    earlier.refresh_from_db()
    _take_part(earlier, people, EARLY_COMMENTS)
    services.consultation_close_early(actor=staff, consultation=earlier)

    current = services.consultation_create(
        actor=staff,
        version=substitute,
        committee=committee,
        title="Consulta ciudadana sobre el texto sustitutorio",
        description=(
            "La comisión recoge opiniones sobre el texto sustitutorio, artículo por artículo. "
            "Los comentarios dados sobre el texto original se muestran junto al artículo "
            "que les corresponde ahora."
        ),
        questions=[
            "¿El plazo de la consulta es suficiente?",
            "¿Cómo debería responder la comisión a los aportes recibidos?",
        ],
        opens_at=now,
        closes_at=now + timedelta(days=30),
    )
    services.consultations_open_and_close_due()
    current.refresh_from_db()
    _take_part(current, people[2:], OPEN_COMMENTS)
