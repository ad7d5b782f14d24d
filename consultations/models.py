"""Consultations and the feedback given in them.

Every item of feedback belongs to one consultation. Who voted how is never
public: votes are only ever shown as counts. Each item records the author's
region, respondent type and age range as they were when the person took part,
so later profile changes never rewrite a consultation's figures.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AgeRange, Region, RespondentType
from bills.models import Bill, BillVersion, Chamber, Committee, Provision


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    RESULTS_PUBLISHED = "results_published", _("Results published")


class ModerationPolicy(models.TextChoices):
    PRE = "pre", _("Pre-moderation: nothing shows until a moderator approves it")
    POST = "post", _("Post-moderation: published at once unless screening holds it")


class ParticipationLevel(models.TextChoices):
    """The minimum verification to take part; ID-verified levels come later."""

    EMAIL_VERIFIED = "email_verified", _("Verified email address")


class ConsultationQuerySet(models.QuerySet):
    def open(self):
        now = timezone.now()
        return self.filter(status=ConsultationStatus.OPEN, opens_at__lte=now, closes_at__gt=now)

    def due_to_open(self, now=None):
        now = now or timezone.now()
        return self.filter(
            status=ConsultationStatus.SCHEDULED, opens_at__lte=now, closes_at__gt=now
        )

    def due_to_close(self, now=None):
        now = now or timezone.now()
        return self.filter(
            status__in=[ConsultationStatus.SCHEDULED, ConsultationStatus.OPEN], closes_at__lte=now
        )


class Consultation(models.Model):
    """One bill version opened to feedback in one chamber, run by one of its committees."""

    version = models.ForeignKey(BillVersion, on_delete=models.PROTECT, related_name="consultations")
    chamber = models.ForeignKey(Chamber, on_delete=models.PROTECT, related_name="consultations")
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="consultations")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    questions = models.JSONField(
        _("guiding questions"),
        default=list,
        blank=True,
        help_text=_("Optional questions the committee asks participants."),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(
        max_length=20, choices=ConsultationStatus.choices, default=ConsultationStatus.DRAFT
    )
    moderation_policy = models.CharField(
        _("moderation"),
        max_length=10,
        choices=ModerationPolicy.choices,
        default=ModerationPolicy.POST,
    )
    minimum_level = models.CharField(
        _("who may take part"),
        max_length=20,
        choices=ParticipationLevel.choices,
        default=ParticipationLevel.EMAIL_VERIFIED,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    # What the committee did with the feedback, published once it has answered.
    results_published_at = models.DateTimeField(null=True, blank=True)
    results_summary = models.TextField(_("summary of the results"), blank=True, max_length=5000)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="consultations_closes_after_opens"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        now = timezone.now()
        return self.status == ConsultationStatus.OPEN and self.opens_at <= now < self.closes_at


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PUBLISHED = "published", _("Published")
    HELD = "held", _("Held for review")
    REJECTED = "rejected", _("Rejected")
    HIDDEN = "hidden", _("Hidden")
    WITHDRAWN = "withdrawn", _("Withdrawn by its author")


class ParticipantSnapshot(models.Model):
    """The author's profile facts as they were when they took part."""

    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    respondent_type = models.CharField(max_length=20, choices=RespondentType.choices, blank=True)
    age_range = models.CharField(max_length=8, choices=AgeRange.choices, blank=True)

    class Meta:
        abstract = True


class Comment(ParticipantSnapshot):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="comments"
    )
    provision = models.ForeignKey(
        Provision,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="comments",
        help_text=_("Empty for a comment on the whole bill."),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    quote = models.TextField(_("quoted passage"), blank=True, max_length=2000)
    text = models.TextField(_("comment"), max_length=5000)
    status = models.CharField(max_length=20, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    screened_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["consultation", "provision", "status"], name="comment_by_place"),
            models.Index(
                fields=["updated_at"],
                condition=Q(screened_at__isnull=True),
                name="comment_unscreened",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Proposal(ParticipantSnapshot):
    """An alternative wording for a provision ("redacción alternativa")."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="proposals"
    )
    provision = models.ForeignKey(Provision, on_delete=models.PROTECT, related_name="proposals")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals"
    )
    text = models.TextField(_("proposed wording"), max_length=20000)
    reason = models.TextField(_("why"), blank=True, max_length=2000)
    status = models.CharField(max_length=20, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    screened_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            models.Index(fields=["consultation", "provision", "status"], name="proposal_by_place"),
            models.Index(
                fields=["updated_at"],
                condition=Q(screened_at__isnull=True),
                name="proposal_unscreened",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class VoteChoice(models.TextChoices):
    AGREE = "agree", _("Agree")
    DISAGREE = "disagree", _("Disagree")
    ABSTAIN = "abstain", _("Abstain")


class Vote(ParticipantSnapshot):
    """One person's stance on a provision, or on the whole bill (no provision).

    The database keeps one per person per provision and one per person for the
    whole bill in each consultation (two partial unique constraints).
    """

    # Votes are the busiest table and each index is written on every vote: the
    # consultation is found through the indexes that begin with it (the tally
    # index and the unique constraints), and the region, a few dozen values
    # shared by thousands of rows, is only ever read within a consultation.
    # Two indexes serve the committee report of a consultation with a million
    # votes: its participants and their facts are read from ``vote_participant``
    # alone, in order, instead of hashing the million rows; and the few votes
    # with a reason are found through the small partial ``vote_reason``.
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="votes", db_index=False
    )
    provision = models.ForeignKey(
        Provision, null=True, blank=True, on_delete=models.PROTECT, related_name="votes"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="votes"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    choice = models.CharField(max_length=10, choices=VoteChoice.choices)
    reason = models.TextField(_("reason"), blank=True, max_length=1000)
    reason_status = models.CharField(
        max_length=20,
        choices=ItemStatus.choices,
        blank=True,
        help_text=_("Reasons are public and moderated like comments; the vote itself is not."),
    )
    reason_screened_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "provision", "voter"],
                condition=Q(provision__isnull=False),
                name="consultations_one_vote_per_provision",
            ),
            models.UniqueConstraint(
                fields=["consultation", "voter"],
                condition=Q(provision__isnull=True),
                name="consultations_one_vote_on_the_bill",
            ),
        ]
        indexes = [
            models.Index(fields=["consultation", "provision", "choice"], name="vote_tally"),
            models.Index(
                fields=["consultation", "voter", "region", "respondent_type", "age_range"],
                name="vote_participant",
            ),
            models.Index(
                fields=["consultation", "reason_status"],
                condition=~Q(reason=""),
                name="vote_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}/{self.provision_id}: {self.choice}"


class VoteTally(models.Model):
    """Running agree/disagree/abstain counts for one provision (or the whole
    bill) of a consultation, so pages read a few rows instead of counting every
    vote. Kept by the database: triggers on the votes table move them in the
    statement that changes a vote (migration 0005)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="tallies")
    provision = models.ForeignKey(
        Provision, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    agree = models.PositiveIntegerField(default=0)
    disagree = models.PositiveIntegerField(default=0)
    abstain = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("vote tally")
        verbose_name_plural = _("vote tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "provision"],
                condition=Q(provision__isnull=False),
                name="consultations_one_tally_per_provision",
            ),
            models.UniqueConstraint(
                fields=["consultation"],
                condition=Q(provision__isnull=True),
                name="consultations_one_tally_for_the_bill",
            ),
        ]

    def __str__(self) -> str:
        counts = f"{self.agree}/{self.disagree}/{self.abstain}"
        return f"{self.consultation_id}/{self.provision_id}: {counts}"

    def as_dict(self) -> dict[str, int]:
        return {choice: getattr(self, choice) for choice in VoteChoice.values}


class OnOneItem(models.Model):
    """Something a person does to exactly one comment or one proposal."""

    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="%(class)ss"
    )
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.CASCADE, related_name="%(class)ss"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(comment__isnull=True) ^ Q(proposal__isnull=True),
                name="%(app_label)s_%(class)s_one_item",
            ),
        ]

    @staticmethod
    def once_per_person(person_field: str, prefix: str) -> list[models.UniqueConstraint]:
        return [
            models.UniqueConstraint(
                fields=[person_field, item],
                condition=Q(**{f"{item}__isnull": False}),
                name=f"{prefix}_{item}_once",
            )
            for item in ("comment", "proposal")
        ]


class Support(OnOneItem):
    """A person backing a comment or a proposal, once."""

    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supports"
    )

    class Meta(OnOneItem.Meta):
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            *OnOneItem.Meta.constraints,
            *OnOneItem.once_per_person("supporter", "consultations_support"),
        ]

    def __str__(self) -> str:
        return f"{self.supporter_id} → {self.comment_id or self.proposal_id}"


class ResponseOutcome(models.TextChoices):
    """What the committee did with a contribution."""

    INCORPORATED = "incorporated", _("Incorporated")
    PARTIAL = "partial", _("Partially incorporated")
    NOT_INCORPORATED = "not_incorporated", _("Not incorporated")
    NOTED = "noted", _("Noted")


class Response(OnOneItem):
    """The committee's answer to one comment or proposal (the *matriz de
    aportes*): what it did with it, and why. One per item; changing it keeps
    who answered last and when."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="responses"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=ResponseOutcome.choices)
    reason = models.TextField(_("reason"), max_length=3000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta(OnOneItem.Meta):
        verbose_name = _("committee response")
        verbose_name_plural = _("committee responses")
        constraints = [
            *OnOneItem.Meta.constraints,
            *[
                models.UniqueConstraint(
                    fields=[item],
                    condition=Q(**{f"{item}__isnull": False}),
                    name=f"consultations_response_{item}_once",
                )
                for item in ("comment", "proposal")
            ],
        ]
        indexes = [models.Index(fields=["consultation", "outcome"], name="response_outcome")]

    def __str__(self) -> str:
        return f"{self.comment_id or self.proposal_id}: {self.outcome}"


class FlagReason(models.TextChoices):
    INSULT = "insult", _("Insult or harassment")
    PERSONAL_DATA = "personal_data", _("Personal data")
    SPAM = "spam", _("Spam or advertising")
    OFF_TOPIC = "off_topic", _("Off-topic")
    OTHER = "other", _("Other")


class Flag(OnOneItem):
    """A person's report of a comment or proposal, once (the moderation issue acts on them)."""

    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags"
    )
    reason = models.CharField(max_length=20, choices=FlagReason.choices)
    detail = models.TextField(blank=True, max_length=1000)

    class Meta(OnOneItem.Meta):
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            *OnOneItem.Meta.constraints,
            *OnOneItem.once_per_person("flagger", "consultations_flag"),
        ]

    def __str__(self) -> str:
        return f"{self.flagger_id}: {self.reason}"


class DigestFrequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    NEVER = "never", _("Never")


class Follow(models.Model):
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="follows")
    frequency = models.CharField(
        max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["follower", "bill"], name="consultations_follow_once"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} → {self.bill_id} ({self.frequency})"


class ReportFormat(models.TextChoices):
    CSV = "csv", _("CSV (a zip of tables)")
    XLSX = "xlsx", _("Excel workbook (XLSX)")
    JSON = "json", _("JSON")
    PDF = "pdf", _("PDF (summary with charts)")
    DOCX = "docx", _("Word document (DOCX, summary with charts)")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be built")
    BUILDING = "building", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Report(models.Model):
    """One committee report a member of staff asked for: built by a task,
    stored as a file with its size and checksum, kept with the others."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="reports")
    format = models.CharField(_("format"), max_length=10, choices=ReportFormat.choices)
    language = models.CharField(_("language"), max_length=8, default="es")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    data_until = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.consultation_id} {self.format} ({self.status})"
