"""Fills an empty site with Peru's chambers, committees, demo accounts and a demo bill.

Safe to run again: it updates what exists and adds what is missing.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import services as account_services
from accounts.models import Region, RespondentType, Role, User
from bills import services as bill_services
from bills.demo import seed_demo_bill
from bills.models import Chamber, Committee
from consultations.demo import seed_demo_consultations

CHAMBERS = [
    ("senado", "Senado de la República", "Senate of the Republic"),
    ("diputados", "Cámara de Diputados", "Chamber of Deputies"),
]

COMMITTEES = {
    "senado": [
        (
            "constitucion",
            "Comisión de Constitución y Reglamento",
            "Constitution and Rules Committee",
        ),
        (
            "economia",
            "Comisión de Economía, Banca y Finanzas",
            "Economy, Banking and Finance Committee",
        ),
        (
            "educacion",
            "Comisión de Educación, Juventud y Deporte",
            "Education, Youth and Sport Committee",
        ),
        (
            "justicia",
            "Comisión de Justicia y Derechos Humanos",
            "Justice and Human Rights Committee",
        ),
        ("salud", "Comisión de Salud y Población", "Health and Population Committee"),
    ],
    "diputados": [
        (
            "presupuesto",
            "Comisión de Presupuesto y Cuenta General de la República",
            "Budget and General Account Committee",
        ),
        (
            "descentralizacion",
            "Comisión de Descentralización, Regionalización y Gobiernos Locales",
            "Decentralisation, Regionalisation and Local Government Committee",
        ),
        (
            "trabajo",
            "Comisión de Trabajo y Seguridad Social",
            "Labour and Social Security Committee",
        ),
        (
            "transportes",
            "Comisión de Transportes y Comunicaciones",
            "Transport and Communications Committee",
        ),
        (
            "pueblos",
            "Comisión de Pueblos Andinos, Amazónicos y Afroperuanos, Ambiente y Ecología",
            "Andean, Amazonian and Afro-Peruvian Peoples, Environment and Ecology Committee",
        ),
        ("mujer", "Comisión de Mujer y Familia", "Women and Family Committee"),
    ],
}

# (email, public name, region code, respondent type, role or None, demo password)
ACCOUNTS = [
    (
        "ciudadana@aporta.test",
        "Rosa Quispe",
        "cusco",
        RespondentType.CITIZEN,
        None,
        "demo-ciudadana-2026",
    ),
    (
        "ong@aporta.test",
        "Asociación Civil Transparencia Demo",
        "lima-metropolitana",
        RespondentType.CIVIL_SOCIETY,
        None,
        "demo-ong-2026",
    ),
    (
        "moderacion@aporta.test",
        "Equipo de Comunicaciones",
        "lima-metropolitana",
        RespondentType.PUBLIC_BODY,
        Role.MODERATOR,
        "demo-moderacion-2026",
    ),
    (
        "comision@aporta.test",
        "Secretaría Técnica de Comisión",
        "lima-metropolitana",
        RespondentType.PUBLIC_BODY,
        Role.COMMITTEE_STAFF,
        "demo-comision-2026",
    ),
    (
        "admin@aporta.test",
        "Administración Aporta",
        "lima-metropolitana",
        RespondentType.PUBLIC_BODY,
        Role.ADMINISTRATOR,
        "demo-admin-2026",
    ),
]


class Command(BaseCommand):
    help = "Creates Peru's chambers, committees and demo accounts (idempotent)."

    def handle(self, *args, **options):
        show_passwords = getattr(settings, "APORTA_PRINT_DEMO_PASSWORDS", False)
        with transaction.atomic():
            for position, (slug, name_es, name_en) in enumerate(CHAMBERS):
                chamber = bill_services.chamber_ensure(
                    slug=slug, name_es=name_es, name_en=name_en, position=position
                )
                for committee_slug, committee_es, committee_en in COMMITTEES[slug]:
                    bill_services.committee_ensure(
                        chamber=chamber,
                        slug=committee_slug,
                        name_es=committee_es,
                        name_en=committee_en,
                    )
            logins = [self._ensure_account(row, show_passwords=show_passwords) for row in ACCOUNTS]
            committee = Committee.objects.get(chamber__slug="diputados", slug="descentralizacion")
            committee.staff.add(User.objects.get(email__iexact="comision@aporta.test"))
            staff = User.objects.get(email__iexact="comision@aporta.test")
            bill = seed_demo_bill(
                chamber=Chamber.objects.get(slug="diputados"), committee=committee
            )
            seed_demo_consultations(bill=bill, committee=committee, staff=staff)

        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        self.stdout.write("Demo accounts:")
        for email, role, password in logins:
            shown = password if show_passwords else "(not shown: use password reset)"
            self.stdout.write(f"  {role:<16} {email:<26} {shown}")

    def _ensure_account(self, row, *, show_passwords: bool) -> tuple[str, str, str]:
        email, display_name, region_code, respondent_type, role, demo_password = row
        # Known passwords only where they are printed (local settings); elsewhere
        # the accounts exist without a usable password.
        password = demo_password if show_passwords else None
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = account_services.user_create(
                email=email,
                password=password,
                display_name=display_name,
                region=Region.objects.get(code=region_code),
                respondent_type=respondent_type,
                email_verified=True,
                privacy_notice_version=settings.APORTA_PRIVACY_NOTICE_VERSION,
            )
        elif password is not None and not user.check_password(password):
            account_services.user_set_password(user=user, password=password)
        if role is not None:
            account_services.user_assign_role(user=user, role=role)
        return (
            email,
            str(role.label if role else RespondentType(respondent_type).label),
            demo_password,
        )
