from django.db import models
from django.utils.translation import gettext_lazy as _

from config.models import BilingualName


class Chamber(BilingualName):
    """A chamber of the parliament (Peru from 2026: Senado, Cámara de Diputados)."""

    slug = models.SlugField(unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("chamber")
        verbose_name_plural = _("chambers")


class Committee(BilingualName):
    """A standing committee of one chamber; it runs consultations on its bills."""

    chamber = models.ForeignKey(Chamber, on_delete=models.PROTECT, related_name="committees")
    slug = models.SlugField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["chamber__position", "name_es"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        constraints = [
            models.UniqueConstraint(
                fields=["chamber", "slug"], name="bills_committee_slug_unique_in_chamber"
            ),
        ]
