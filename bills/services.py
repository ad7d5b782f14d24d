"""Writes to the parliament's structure: chambers and committees."""

from django.db import transaction

from bills.models import Chamber, Committee


@transaction.atomic
def chamber_ensure(*, slug: str, name_es: str, name_en: str, position: int = 0) -> Chamber:
    """Creates the chamber or brings its names up to date; safe to repeat."""
    chamber = Chamber.objects.filter(slug=slug).first() or Chamber(slug=slug)
    chamber.name_es, chamber.name_en, chamber.position = name_es, name_en, position
    chamber.full_clean()
    chamber.save()
    return chamber


@transaction.atomic
def committee_ensure(*, chamber: Chamber, slug: str, name_es: str, name_en: str) -> Committee:
    """Creates the committee or brings its names up to date; safe to repeat."""
    committee = Committee.objects.filter(chamber=chamber, slug=slug).first() or Committee(
        chamber=chamber, slug=slug
    )
    committee.name_es, committee.name_en = name_es, name_en
    committee.full_clean()
    committee.save()
    return committee
