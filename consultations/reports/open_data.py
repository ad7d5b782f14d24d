"""Open data: a consultation's published feedback and its aggregates, for
everyone, under a stated licence. The same content as the committee's report
(aggregates with small groups suppressed), the feedback with public names
only: no per-item region, respondent type or age, nothing else personal."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from consultations.models import Consultation
from consultations.reports.content import report_content

AGGREGATES_SECONDS = 300  # the aggregates may be this old


def licence() -> dict[str, str]:
    name, url = settings.APORTA_OPEN_DATA_LICENCE
    return {"name": name, "url": url}


def aggregates(consultation: Consultation) -> dict:
    """The report's content with the licence, computed at most every five
    minutes per consultation (and language)."""
    from django.utils import translation

    key = f"open-data:{consultation.pk}:{translation.get_language()}"
    found = cache.get(key)
    if found is None:
        found = report_content(consultation) | {"licence": licence()}
        cache.set(key, found, AGGREGATES_SECONDS)
    return found
