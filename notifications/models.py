"""The outbox: every event that may produce an email is a row, written in the
same transaction as the change that caused it, and sent later by a task."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    """What happened that the recipient may want to know."""

    DECISION = "decision", _("A moderator decided on my contribution")
    APPEAL_DECIDED = "appeal_decided", _("My appeal was decided")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Nothing left to send")


DUE = (OutboxStatus.PENDING, OutboxStatus.SENDING)


class Outbox(models.Model):
    """One event for one person. It names what it is about by ids only (no
    copied text): the email is written when it is sent, in the recipient's
    language, from what the database holds then.

    A sender claims rows by a conditional update (a fresh ``claim`` token and
    ``claimed_until``); a row whose sender died is claimed again once that
    time has passed; a row is marked sent only by the claim that sent it."""

    event = models.CharField(max_length=20, choices=Event.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbox"
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
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_id} ({self.status})"

    @staticmethod
    def new_claim() -> uuid.UUID:
        return uuid.uuid4()
