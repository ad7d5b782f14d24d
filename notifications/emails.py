"""The emails the outbox sends: written when sent, from what the database holds
then, in the recipient's language, as plain text and HTML."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from notifications.models import Event, Outbox

EXCERPT_WORDS = 60  # of the person's own text, to say which contribution


def absolute(path: str) -> str:
    return f"{settings.APORTA_SITE_URL}{path}"


def build(row: Outbox) -> EmailMultiAlternatives | None:
    """The email for one outbox row; None when there is nothing left to say
    (the contribution or the account is gone)."""
    recipient = row.recipient
    if not recipient.is_active or not recipient.email:
        return None
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        context = CONTEXTS[row.event](row)
        if context is None:
            return None
        context |= {"name": recipient.public_name, "site": absolute("/")}
        subject = str(context["subject"])
        text = render_to_string(f"notifications/email/{row.event}.txt", context)
        html = render_to_string(f"notifications/email/{row.event}.html", context)
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=text,
        to=[recipient.email],
        headers={
            # The same row always makes the same message: a copy sent again
            # after a crash is recognisable as a copy.
            "Message-ID": f"<outbox-{row.pk}@{urlsplit(settings.APORTA_SITE_URL).hostname}>",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _item(kind: str, pk: int):
    """The contribution (or account, for a public name) an event is about."""
    from moderation.models import ScreenedKind
    from moderation.services import SCREENED

    spec = SCREENED.get(ScreenedKind(kind))
    return spec.model.objects.filter(pk=pk).first() if spec else None


def _about(kind: str, item) -> dict:
    """What names the contribution in an email: its kind, where it was sent,
    the start of its text and a link to the person's contributions."""
    from moderation.models import ScreenedKind

    kind = ScreenedKind(kind)
    if kind == ScreenedKind.DISPLAY_NAME:
        text, consultation, place = item.display_name, None, ""
    else:
        text = item.text if kind != ScreenedKind.REASON else item.reason
        consultation = item.consultation
        place = str(item.provision) if item.provision_id else _("the whole bill")
    return {
        "kind_label": kind.label,
        "excerpt": Truncator(text).words(EXCERPT_WORDS),
        "consultation": consultation,
        "consultation_url": absolute(reverse("consultations:detail", args=[consultation.pk]))
        if consultation
        else "",
        "place": place,
        "contributions_url": absolute(reverse("my_contributions")),
    }


def _decision(row: Outbox) -> dict | None:
    from moderation.models import Action, Appeal, AuditEntry, DecisionReason
    from moderation.services import APPEALABLE

    payload = row.payload
    item = _item(payload["kind"], payload["object_id"])
    entry = AuditEntry.objects.filter(pk=payload.get("entry")).first()
    if item is None or entry is None:
        return None
    appealable = (
        entry.action in APPEALABLE
        and not Appeal.objects.filter(kind=entry.kind, object_id=entry.object_id).exists()
    )
    reason = DecisionReason(entry.reason) if entry.reason else None
    return _about(payload["kind"], item) | {
        "subject": SUBJECTS[entry.action](),
        "action": entry.action,
        "actions": Action,
        "reason": reason.label if reason else "",
        "policy_url": absolute(reverse("moderation_policy"))
        + (f"#reason-{reason.value}" if reason else ""),
        "appeal_url": absolute(
            reverse("appeal", kwargs={"kind": entry.kind, "pk": entry.object_id})
        )
        if appealable
        else "",
    }


def _appeal_decided(row: Outbox) -> dict | None:
    from moderation.models import Appeal, AppealOutcome

    payload = row.payload
    item = _item(payload["kind"], payload["object_id"])
    appeal = Appeal.objects.filter(pk=payload.get("appeal")).first()
    if item is None or appeal is None or appeal.outcome == AppealOutcome.OPEN:
        return None
    overturned = appeal.outcome == AppealOutcome.OVERTURNED
    return _about(payload["kind"], item) | {
        "subject": _("Your appeal was accepted") if overturned else _("Your appeal was decided"),
        "overturned": overturned,
        "policy_url": absolute(reverse("moderation_policy")),
    }


SUBJECTS: dict[str, Callable[[], str]] = {
    "approve": lambda: _("Your contribution is published"),
    "restore": lambda: _("Your contribution is published again"),
    "reject": lambda: _("Your contribution was not published"),
    "hide": lambda: _("Your contribution was hidden"),
}

CONTEXTS: dict[str, Callable[[Outbox], dict | None]] = {
    Event.DECISION: _decision,
    Event.APPEAL_DECIDED: _appeal_decided,
}
