from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
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
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="committees",
        verbose_name=_("technical staff"),
        help_text=_("Committee staff who run this committee's consultations."),
    )

    class Meta:
        ordering = ["chamber__position", "name_es"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        constraints = [
            models.UniqueConstraint(
                fields=["chamber", "slug"], name="bills_committee_slug_unique_in_chamber"
            ),
        ]


class BillStage(models.TextChoices):
    """Stages of a unicameral or bicameral procedure."""

    PRESENTED = "presented", _("Presented")
    IN_COMMITTEE = "in_committee", _("In committee")
    COMMITTEE_REPORT = "committee_report", _("Committee report")
    PLENARY = "plenary", _("Before the plenary")
    APPROVED_BY_ORIGIN = "approved_by_origin", _("Approved by the chamber of origin")
    IN_REVIEWING_CHAMBER = "in_reviewing_chamber", _("In the reviewing chamber")
    APPROVED = "approved", _("Approved")
    ENACTED = "enacted", _("Enacted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ARCHIVED = "archived", _("Archived")


class Bill(models.Model):
    """A bill as a stable work; its texts are the immutable published versions."""

    number = models.CharField(
        _("number"),
        max_length=40,
        unique=True,
        help_text=_("The parliament's number for the bill, such as 1234/2025-CR."),
    )
    slug = models.SlugField(max_length=40, unique=True, help_text=_("The number as used in URLs."))
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    proponents = models.TextField(_("proponents"), blank=True)
    origin_chamber = models.ForeignKey(
        Chamber, verbose_name=_("chamber of origin"), on_delete=models.PROTECT, related_name="bills"
    )
    committees = models.ManyToManyField(
        Committee, verbose_name=_("committees"), blank=True, related_name="bills"
    )
    stage = models.CharField(
        _("stage"), max_length=30, choices=BillStage.choices, default=BillStage.PRESENTED
    )
    external_url = models.URLField(_("record on the parliament's site"), blank=True, max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bill")
        verbose_name_plural = _("bills")

    def __str__(self) -> str:
        return f"{self.number} · {self.title}"


class BillStageChange(models.Model):
    """Append-only history of a bill's stages."""

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(max_length=30, choices=BillStage.choices)
    happened_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["happened_on", "recorded_at"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.bill_id} → {self.stage} ({self.happened_on})"


class VersionKind(models.TextChoices):
    ORIGINAL = "original", _("Original text")
    SUBSTITUTE = "substitute", _("Substitute text (committee report)")
    APPROVED_BY_CHAMBER = "approved_by_chamber", _("Text approved by a chamber")
    FINAL = "final", _("Final text")
    OTHER = "other", _("Other text")


class SourceFormat(models.TextChoices):
    TEXT = "text", _("Plain text or Markdown")
    DOCX = "docx", _("Word (DOCX)")
    PDF = "pdf", _("PDF")
    AKN = "akn", _("Akoma Ntoso XML")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class BillVersion(models.Model):
    """One text of a bill, numbered 1, 2, … per bill. Immutable once published."""

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(
        _("kind of text"), max_length=30, choices=VersionKind.choices, default=VersionKind.ORIGINAL
    )
    status = models.CharField(
        max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    source_file = models.FileField(upload_to="bill-sources/%Y/%m/", blank=True)
    source_format = models.CharField(max_length=10, choices=SourceFormat.choices)
    source_sha256 = models.CharField(max_length=64, blank=True)
    import_report = models.JSONField(
        default=dict, blank=True, help_text=_("Warnings and removed page furniture.")
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["bill", "number"]
        verbose_name = _("bill version")
        verbose_name_plural = _("bill versions")
        constraints = [
            models.UniqueConstraint(fields=["bill", "number"], name="bills_version_number_unique"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="bills_version_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bill.number} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class ProvisionKind(models.TextChoices):
    HEADER = "header", _("Header")
    PREAMBLE = "preamble", _("Preamble")
    FORMULA = "formula", _("Enacting formula")
    PART = "part", _("Part")
    TITLE = "title", _("Title")
    CHAPTER = "chapter", _("Chapter")
    SUBCHAPTER = "subchapter", _("Subchapter")
    SECTION = "section", _("Section")
    ARTICLE = "article", _("Article")
    PARAGRAPH = "paragraph", _("Paragraph")
    NUMERAL = "numeral", _("Numeral")
    LITERAL = "literal", _("Literal")
    PROVISIONS_GROUP = "provisions_group", _("Group of provisions")
    PROVISION = "provision", _("Provision")
    EXPLANATORY_STATEMENT = "explanatory_statement", _("Explanatory statement")
    NOTE = "note", _("Editorial note")


class ProvisionGroupType(models.TextChoices):
    FINAL = "final", _("Final provisions")
    TRANSITORY = "transitory", _("Transitory provisions")
    AMENDING = "amending", _("Amending provisions")
    REPEALING = "repealing", _("Repealing provisions")
    OTHER = "other", _("Other provisions")


class Provision(models.Model):
    """One node of a version's tree: its own text only, children excluded."""

    version = models.ForeignKey(BillVersion, on_delete=models.CASCADE, related_name="provisions")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    kind = models.CharField(max_length=30, choices=ProvisionKind.choices)
    group_type = models.CharField(max_length=20, choices=ProvisionGroupType.choices, blank=True)
    label = models.CharField(max_length=200, blank=True)
    heading = models.TextField(blank=True)
    text = models.TextField(blank=True)
    order = models.PositiveIntegerField(help_text=_("Position in document order."))
    depth = models.PositiveSmallIntegerField(default=0)
    eid = models.CharField(
        max_length=200, help_text=_("Akoma Ntoso style identifier, unique within the version.")
    )

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        constraints = [
            models.UniqueConstraint(fields=["version", "eid"], name="bills_provision_eid_unique"),
            models.UniqueConstraint(
                fields=["version", "order"], name="bills_provision_order_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.label or self.get_kind_display()


class MatchStatus(models.TextChoices):
    UNCHANGED = "unchanged", _("Unchanged")
    CHANGED = "changed", _("Changed")
    MOVED = "moved", _("Moved or renumbered")
    DELETED = "deleted", _("Deleted")
    INSERTED = "inserted", _("Inserted")


class ProvisionMatch(models.Model):
    """How a provision of one version corresponds to one of a later version.

    Stored when a version is published, so that feedback can follow a
    provision into the next text. ``old`` is empty for an inserted provision,
    ``new`` for a deleted one.
    """

    old_version = models.ForeignKey(BillVersion, on_delete=models.CASCADE, related_name="+")
    new_version = models.ForeignKey(BillVersion, on_delete=models.CASCADE, related_name="+")
    old = models.ForeignKey(
        Provision, null=True, blank=True, on_delete=models.CASCADE, related_name="matches_forward"
    )
    new = models.ForeignKey(
        Provision, null=True, blank=True, on_delete=models.CASCADE, related_name="matches_back"
    )
    status = models.CharField(max_length=20, choices=MatchStatus.choices)
    similarity = models.FloatField(default=0.0)

    class Meta:
        verbose_name = _("provision match")
        verbose_name_plural = _("provision matches")
        constraints = [
            models.CheckConstraint(
                condition=Q(old__isnull=False) | Q(new__isnull=False),
                name="bills_match_has_a_side",
            ),
            models.UniqueConstraint(
                fields=["new_version", "old"],
                condition=Q(old__isnull=False),
                name="bills_match_old_once",
            ),
            models.UniqueConstraint(
                fields=["old_version", "new"],
                condition=Q(new__isnull=False),
                name="bills_match_new_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old_id} → {self.new_id}: {self.status}"
