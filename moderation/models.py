"""Screening: the lists administrators edit, and what screening found."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation


class Rule(models.TextChoices):
    """What a screening hit is about. Each has a weight in the risk that ranks
    the moderation queue: a third party's personal data weighs most."""

    PERSONAL_DATA = "personal_data", _("Personal data")
    SLUR = "slur", _("Slur")
    INSULT = "insult", _("Insult")
    LINK = "link", _("Link")
    REPETITION = "repetition", _("Repetition by the same author")
    FLOODING = "flooding", _("Flooding")
    SHOUTING = "shouting", _("Shouting")


RISK = {
    Rule.PERSONAL_DATA: 100,
    Rule.SLUR: 80,
    Rule.INSULT: 50,
    Rule.LINK: 30,
    Rule.REPETITION: 20,
    Rule.FLOODING: 15,
    Rule.SHOUTING: 10,
}


class TermCategory(models.TextChoices):
    INSULT = "insult", _("Insult")
    SLUR = "slur", _("Slur")


class Term(models.Model):
    """A word or phrase screening holds. Matched whole, on word boundaries,
    after case, accents, repeated letters and character substitutions are
    normalised; a trailing ``*`` matches any ending (``pendej*``)."""

    text = models.CharField(_("word or phrase"), max_length=200, unique=True)
    category = models.CharField(
        _("category"), max_length=10, choices=TermCategory.choices, default=TermCategory.INSULT
    )
    language = models.CharField(_("language"), max_length=5, default="es")
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["text"]
        verbose_name = _("screened word")
        verbose_name_plural = _("screened words")

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        from moderation.screening import Term as Parsed

        parsed = Parsed.parse(self.text, self.category)
        if parsed is None or len("".join(parsed.words)) < 3:
            raise ValidationError(
                {"text": _("Write a word or phrase of at least three letters or digits.")}
            )


_DOMAIN_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


class BlockedDomain(models.Model):
    """A site whose links are always held (its subdomains too)."""

    domain = models.CharField(_("domain"), max_length=253, unique=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("blocked domain")
        verbose_name_plural = _("blocked domains")

    def __str__(self) -> str:
        return self.domain

    def clean(self) -> None:
        self.domain = self.domain.strip().lower().removeprefix("www.")
        labels = self.domain.split(".")
        if len(labels) < 2 or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels):
            raise ValidationError({"domain": _("Write a domain name, such as example.com.")})


class ScreenedKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    PROPOSAL = "proposal", _("Proposal")
    REASON = "reason", _("Vote reason")
    DISPLAY_NAME = "display_name", _("Public name")


class Finding(models.Model):
    """One hit of screening in one field of a submitted text: the rule, what
    exactly (a category, "phone", a domain…) and where (character offsets into
    the text as submitted), for the moderator to see highlighted. The found text
    itself is not copied here: it may be someone's personal data."""

    kind = models.CharField(max_length=12, choices=ScreenedKind.choices)
    object_id = models.PositiveBigIntegerField()
    # None for a public name, which belongs to no consultation.
    consultation = models.ForeignKey(
        Consultation, null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    field = models.CharField(max_length=20)
    rule = models.CharField(max_length=20, choices=Rule.choices)
    label = models.CharField(max_length=253)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "object_id", "field", "start"]
        verbose_name = _("screening finding")
        verbose_name_plural = _("screening findings")
        indexes = [
            models.Index(fields=["kind", "object_id"], name="finding_item"),
            models.Index(fields=["consultation", "rule"], name="finding_consultation_rule"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="finding_span"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.rule} ({self.label})"

    @property
    def risk(self) -> int:
        return RISK.get(self.rule, 0)


class Fingerprint(models.Model):
    """A screened text's digest, as normalised (case, accents, repeated letters,
    spacing and punctuation set aside): the same text sent again by its author
    is found by one indexed lookup, without reading the texts."""

    kind = models.CharField(max_length=12, choices=ScreenedKind.choices)
    object_id = models.PositiveBigIntegerField()
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="fingerprints"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=32)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("text fingerprint")
        verbose_name_plural = _("text fingerprints")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="fingerprint_once")
        ]
        indexes = [
            models.Index(
                fields=["consultation", "author", "digest", "created_at"],
                name="fingerprint_author_text",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.digest}"


class DecisionReason(models.TextChoices):
    """Why a moderator rejects or hides a contribution: the published list (the
    moderation policy page explains each)."""

    INSULT = "insult", _("Insults, threats or harassment")
    DISCRIMINATION = "discrimination", _("Discriminatory language")
    PERSONAL_DATA = "personal_data", _("Personal data")
    SPAM = "spam", _("Advertising, spam or unrelated links")
    IMPERSONATION = "impersonation", _("Impersonation")
    OFF_TOPIC = "off_topic", _("Unrelated to the bill")


# What each reason means, on the moderation policy page (each with its anchor,
# ``#reason-<value>``, which decision emails link to).
REASON_EXPLANATIONS = {
    DecisionReason.INSULT: _(
        "Insulting, threatening or harassing anyone: other participants, officials or anyone "
        "else. Criticism of ideas, bills and institutions is welcome, however strong."
    ),
    DecisionReason.DISCRIMINATION: _(
        "Language that demeans people for their origin, ethnicity, language, sex, sexual "
        "orientation, religion, opinion, disability, economic situation or any other condition."
    ),
    DecisionReason.PERSONAL_DATA: _(
        "Phone numbers, home addresses, email addresses, ID numbers or other data that "
        "identifies a person, yours or someone else's. Say what you think without them."
    ),
    DecisionReason.SPAM: _(
        "Advertising, the same message sent again and again, and links unrelated to the bill."
    ),
    DecisionReason.IMPERSONATION: _(
        "Posing as another person, an official or an institution, or writing in their name "
        "without their consent."
    ),
    DecisionReason.OFF_TOPIC: _(
        "Content unrelated to the bill under consultation. A comment that fits another article "
        "of the same bill better is not off topic."
    ),
}


class Action(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    HIDE = "hide", _("Hide")
    RESTORE = "restore", _("Restore")
    FLAGGED = "flagged", _("Hidden by citizens' flags")
    APPEAL = "appeal", _("Appealed by the author")
    UPHOLD = "uphold", _("Upheld on appeal")
    CONFIRM = "confirm", _("Campaign confirmed")
    SPLIT = "split", _("Campaign split")
    RELEASE = "release", _("Released from a campaign")


# A moderator's decisions on an item (the rest of the log: flags, appeals, campaigns).
DECISIONS = (Action.APPROVE, Action.REJECT, Action.HIDE, Action.RESTORE, Action.UPHOLD)


class LoggedKind(models.TextChoices):
    """What a moderation log entry is about: a screened item, or a campaign."""

    COMMENT = ScreenedKind.COMMENT.value, ScreenedKind.COMMENT.label
    PROPOSAL = ScreenedKind.PROPOSAL.value, ScreenedKind.PROPOSAL.label
    REASON = ScreenedKind.REASON.value, ScreenedKind.REASON.label
    DISPLAY_NAME = ScreenedKind.DISPLAY_NAME.value, ScreenedKind.DISPLAY_NAME.label
    CAMPAIGN = "campaign", _("Campaign")


class AuditEntry(models.Model):
    """One moderation action, as it happened: who, what, when, why, and the
    state before and after. Entries are only ever added: the database refuses
    to change or delete one (PostgreSQL trigger, migration 0003)."""

    # None: the platform itself (an item hidden by citizens' flags). An
    # appeal's actor is the item's author.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    kind = models.CharField(max_length=12, choices=LoggedKind.choices)
    object_id = models.PositiveBigIntegerField()
    # None for a public name, which belongs to no consultation.
    consultation = models.ForeignKey(
        Consultation, null=True, blank=True, on_delete=models.PROTECT, related_name="moderation_log"
    )
    reason = models.CharField(max_length=20, choices=DecisionReason.choices, blank=True)
    note = models.TextField(blank=True, max_length=1000)
    status_before = models.CharField(max_length=20)
    status_after = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")
        indexes = [
            models.Index(fields=["kind", "object_id"], name="audit_item"),
            models.Index(fields=["consultation", "created_at"], name="audit_consultation"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.kind} {self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("Moderation log entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Moderation log entries are never deleted.")


class CampaignQuerySet(models.QuerySet):
    def with_figures(self):
        """Each campaign's signatories (``size``) and its first and last copy,
        counted from its members (those a moderator released aside)."""
        counted = models.Q(members__released_at__isnull=True)
        return self.annotate(
            size=models.Count("members", filter=counted),
            first_seen=models.Min("members__created_at", filter=counted),
            last_seen=models.Max("members__created_at", filter=counted),
        )


class Campaign(models.Model):
    """Near-identical texts sent by many people in one consultation (a form
    letter, paraphrased or not): counted as one campaign with its number of
    signatories. Never deleted: detection run again only adds members."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="campaigns"
    )
    representative_kind = models.CharField(max_length=12, choices=ScreenedKind.choices)
    representative_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # A moderator looked at it and agrees its texts are one campaign.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Made by a moderator from members of another campaign.
    split_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="splits"
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return f"{self.consultation_id}: {self.pk}"


class CampaignMember(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    kind = models.CharField(max_length=12, choices=ScreenedKind.choices)
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()  # when the item was sent
    # A moderator judged it not part of the campaign: kept on record, no longer
    # counted in it, and never added to a campaign again by detection.
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="campaign_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class AppealOutcome(models.TextChoices):
    OPEN = "open", _("Waiting for a moderator")
    UPHELD = "upheld", _("Decision upheld")
    OVERTURNED = "overturned", _("Decision reversed")


class Appeal(models.Model):
    """An author's request that another moderator look again at a decision to
    reject or hide their contribution. Once per item; the moderator who made
    the decision may not decide the appeal."""

    kind = models.CharField(max_length=12, choices=ScreenedKind.choices)
    object_id = models.PositiveBigIntegerField()
    consultation = models.ForeignKey(
        Consultation, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    decision = models.ForeignKey(AuditEntry, on_delete=models.PROTECT, related_name="appeals")
    text = models.TextField(_("why the decision should change"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(
        max_length=10, choices=AppealOutcome.choices, default=AppealOutcome.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="appeal_once")]
        indexes = [models.Index(fields=["outcome", "created_at"], name="appeal_open")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.outcome}"
