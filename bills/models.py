from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualName(models.Model):
    """Names that users see carry Spanish and English forms."""

    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "es").startswith("en") else self.name_es


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
