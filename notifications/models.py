"""The outbox: every event that may produce an email is a row, written in the
same transaction as the change that caused it, and sent later by a task."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import DigestFrequency


class Event(models.TextChoices):
    """What happened that someone may want to know. The first ones are about a
    person's own contributions (a row for that person, sent promptly); the
    bill's ones are about a bill (one row, for everyone who follows it, sent
    in their digests); staff summaries go to one member of staff."""

    DECISION = "decision", _("A moderator decided on my contribution")
    APPEAL_DECIDED = "appeal_decided", _("My appeal was decided")
    REPLY = "reply", _("A reply to my comment")
    ANSWER = "answer", _("The committee's answer to my contribution")
    CONSULTATION_OPENED = "consultation_opened", _("A consultation opened on a bill I follow")
    NEW_VERSION = "new_version", _("A new version of a bill I follow")
    CLOSING_SOON = "closing_soon", _("A consultation on a bill I follow closes in 48 hours")
    STAFF_SUMMARY = "staff_summary", _("The daily summary for staff")
    REPORT_READY = "report_ready", _("A report I asked for is ready")
    RESULTS = "results", _("The results of a consultation on a bill I follow")


# About the recipient's own contributions: sent promptly, capped per hour.
PERSONAL = (Event.DECISION, Event.APPEAL_DECIDED, Event.REPLY, Event.ANSWER)
# About a bill: one row each, read by the digests of the bill's followers.
ABOUT_BILLS = (
    Event.CONSULTATION_OPENED,
    Event.NEW_VERSION,
    Event.CLOSING_SOON,
    Event.RESULTS,
)


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Nothing left to send")
    # A bill's event, or a personal one past the hourly cap: it goes out in digests.
    DIGEST = "digest", _("Goes out in the digests")


DUE = (OutboxStatus.PENDING, OutboxStatus.SENDING)


class Outbox(models.Model):
    """One event for one person. It names what it is about by ids only (no
    copied text): the email is written when it is sent, in the recipient's
    language, from what the database holds then.

    A sender claims rows by a conditional update (a fresh ``claim`` token and
    ``claimed_until``); a row whose sender died is claimed again once that
    time has passed; a row is marked sent only by the claim that sent it."""

    event = models.CharField(max_length=20, choices=Event.choices)
    # None for a bill's event: its followers are found when digests are made.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox",
    )
    bill = models.ForeignKey(
        "bills.Bill", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The article it is about, if any (digests group by bill, then article).
    provision = models.ForeignKey(
        "bills.Provision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consultation = models.ForeignKey(
        "consultations.Consultation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    send_after = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim = models.UUIDField(null=True, blank=True, default=None)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # The digest that carried it (a personal event past the hourly cap).
    digest = models.ForeignKey(
        "Digest", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outbox")
        indexes = [
            models.Index(
                fields=["send_after"],
                condition=models.Q(status__in=DUE),
                name="outbox_due",
            ),
            models.Index(fields=["recipient", "created_at"], name="outbox_recipient"),
            models.Index(
                fields=["bill", "created_at"],
                condition=models.Q(recipient__isnull=True),
                name="outbox_bill_events",
            ),
            models.Index(
                fields=["recipient"],
                condition=models.Q(status="digest", digest__isnull=True),
                name="outbox_waiting_for_digest",
            ),
        ]
        constraints = [
            # "Closes in 48 hours" is said once per consultation.
            models.UniqueConstraint(
                fields=["consultation"],
                condition=models.Q(event="closing_soon"),
                name="outbox_closing_soon_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_id} ({self.status})"

    @staticmethod
    def new_claim() -> uuid.UUID:
        return uuid.uuid4()


class Digest(models.Model):
    """One person's digest for one period: made once (unique), claimed and sent
    once, like an outbox row. ``period_start`` is the Lima date the period
    starts (the day, or the Monday of the week)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    frequency = models.CharField(
        max_length=10,
        choices=[(value, label) for value, label in DigestFrequency.choices if value != "never"],
    )
    period_start = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    send_after = models.DateTimeField(default=timezone.now)
    claim = models.UUIDField(null=True, blank=True, default=None)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "frequency", "period_start"], name="digest_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["send_after"], condition=models.Q(status__in=DUE), name="digest_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.frequency} {self.period_start} → {self.recipient_id} ({self.status})"


class Preferences(models.Model):
    """What a person wants from us beyond their follows (each follow has its
    own frequency): emails about their own contributions, and staff summaries."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    about_my_contributions = models.BooleanField(
        _("emails about my contributions (decisions, replies)"), default=True
    )
    staff_summary = models.BooleanField(_("the daily summary for staff"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("email preferences")
        verbose_name_plural = _("email preferences")

    def __str__(self) -> str:
        return str(self.user_id)
