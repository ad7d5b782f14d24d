"""The emails the outbox sends: written when sent, from what the database holds
then, in the recipient's language, as plain text and HTML."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.models import PERSONAL, Event, Outbox

EXCERPT_WORDS = 60  # of the person's own text, to say which contribution


def absolute(path: str) -> str:
    return f"{settings.APORTA_SITE_URL}{path}"


class NotYet(Exception):
    """What the email is about is not public yet (a reply waiting for a
    moderator): the email waits."""


def _message(*, recipient, template: str, context: dict, message_id: str, unsubscribe: str):
    """Renders an email in the recipient's language (the caller set it) as
    plain text and HTML, with one-click unsubscribe headers (RFC 8058)."""
    from notifications import unsubscribe as links

    context |= {
        "name": recipient.public_name,
        "site": absolute("/"),
        "preferences_url": absolute(reverse("notifications_preferences")),
        "unsubscribe_url": links.url(recipient, unsubscribe),
        "unsubscribe_all_url": links.url(recipient, links.ALL),
    }
    subject = str(context["subject"])
    text = render_to_string(f"notifications/email/{template}.txt", context)
    html = render_to_string(f"notifications/email/{template}.html", context)
    host = urlsplit(settings.APORTA_SITE_URL).hostname
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=text,
        to=[recipient.email],
        headers={
            # The same row always makes the same message: a copy sent again
            # after a crash is recognisable as a copy.
            "Message-ID": f"<{message_id}@{host}>",
            "Auto-Submitted": "auto-generated",
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _reachable(recipient) -> bool:
    return recipient is not None and recipient.is_active and bool(recipient.email)


def build(row: Outbox) -> EmailMultiAlternatives | None:
    """The email for one outbox row; None when there is nothing left to say
    (the contribution or the account is gone). NotYet when it must wait."""
    from notifications import unsubscribe as links

    recipient = row.recipient
    if not _reachable(recipient):
        return None
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        context = CONTEXTS[row.event](row)
        if context is None:
            return None
        return _message(
            recipient=recipient,
            template=row.event,
            context=context,
            message_id=f"outbox-{row.pk}",
            unsubscribe=links.MINE if row.event in PERSONAL else links.STAFF,
        )


def renderable(rows: list[Outbox]) -> list[Outbox]:
    """The held-back emails a digest can carry now, each with its context
    (``row.context``), in the recipient's language: those about something gone
    are left out, and those about something not public yet wait."""
    kept = []
    for row in rows:
        with translation.override(row.recipient.language or settings.LANGUAGE_CODE):
            try:
                context = CONTEXTS[row.event](row)
            except NotYet:
                continue
        if context is not None:
            row.context = context
            kept.append(row)
    return kept


def build_digest(digest, content) -> EmailMultiAlternatives | None:
    """A digest's email: the news of each followed bill, then what happened to
    the person's own contributions (by bill and article); None if empty."""
    from notifications import unsubscribe as links

    recipient = digest.recipient
    if not content or not _reachable(recipient):
        return None
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        bills = [
            {
                "bill": news.bill,
                "url": absolute(reverse("bills:detail", args=[news.bill.slug])),
                "events": [_bill_event(event, news.bill) for event in news.events],
                "articles": [_article(article) for article in news.articles],
                "unsubscribe_url": links.url(recipient, links.bill_scope(news.bill.pk)),
            }
            for news in content.bills
        ]
        personal = sorted(
            (row.context for row in content.personal),
            key=lambda context: (str(context.get("consultation") or ""), str(context["place"])),
        )
        weekly = digest.frequency == "weekly"
        subject = (
            _("Your weekly summary from Aporta") if weekly else _("Your daily summary from Aporta")
        )
        return _message(
            recipient=recipient,
            template="digest",
            context={
                "subject": subject,
                "weekly": weekly,
                "period": content.period,
                "bills": bills,
                "personal": personal,
            },
            message_id=f"digest-{digest.pk}",
            unsubscribe=links.BILLS,
        )


def _article(article) -> dict:
    """What was published on one article in the period, in a line with its link."""
    parts = []
    if article.comments:
        parts.append(
            ngettext("%(count)d new comment", "%(count)d new comments", article.comments)
            % {"count": article.comments}
        )
    if article.proposals:
        parts.append(
            ngettext(
                "%(count)d new alternative wording",
                "%(count)d new alternative wordings",
                article.proposals,
            )
            % {"count": article.proposals}
        )
    key = article.provision.eid if article.provision else "bill"
    page = reverse("consultations:detail", args=[article.consultation_id])
    show = "comments" if article.comments else "proposals"
    return {
        "place": str(article.provision) if article.provision else _("The whole bill"),
        "text": ", ".join(parts),
        "url": absolute(f"{page}?open={key}&show={show}"),
    }


def _bill_event(event: Outbox, bill) -> dict:
    """One event of a followed bill, said in a line with its link."""
    consultation = event.consultation
    payload = event.payload
    if event.event == Event.NEW_VERSION:
        url = reverse("bills:diff", args=[bill.slug, payload["previous"], payload["version"]])
        text = _("Version %(number)s of the text was published.") % {"number": payload["version"]}
    elif event.event == Event.CONSULTATION_OPENED:
        url = reverse("consultations:detail", args=[consultation.pk])
        text = _("The consultation “%(title)s” opened; it takes feedback until %(date)s.") % {
            "title": consultation.title,
            "date": date_format(timezone.localtime(consultation.closes_at), "DATETIME_FORMAT"),
        }
    elif event.event == Event.RESULTS:
        url = reverse("consultations:results", args=[consultation.pk])
        text = _("The committee published what it did with the feedback to “%(title)s”.") % {
            "title": consultation.title
        }
    else:  # closing soon
        url = reverse("consultations:detail", args=[consultation.pk])
        text = _("The consultation “%(title)s” closes on %(date)s: there is still time.") % {
            "title": consultation.title,
            "date": date_format(timezone.localtime(consultation.closes_at), "DATETIME_FORMAT"),
        }
    return {"text": text, "url": absolute(url), "when": event.created_at}


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
    context = {"kind_label": kind.label, "contributions_url": absolute(reverse("my_contributions"))}
    if kind == ScreenedKind.DISPLAY_NAME:
        return context | {
            "excerpt": Truncator(item.display_name).words(EXCERPT_WORDS),
            "consultation": None,
            "consultation_url": "",
            "place": "",
        }
    text = item.text if kind != ScreenedKind.REASON else item.reason
    consultation = item.consultation
    key = item.provision.eid if item.provision_id else "bill"
    page = reverse("consultations:detail", args=[consultation.pk])
    return context | {
        "excerpt": Truncator(text).words(EXCERPT_WORDS),
        "consultation": consultation,
        "bill": consultation.version.bill,
        "consultation_url": absolute(page),
        "place": str(item.provision) if item.provision_id else _("the whole bill"),
        "place_url": absolute(f"{page}?open={key}"),
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


def _reply(row: Outbox) -> dict | None:
    """Someone replied to the person's comment: said once the reply is public."""
    from consultations.models import Comment, ItemStatus

    payload = row.payload
    reply = (
        Comment.objects.select_related("author", "provision")
        .filter(pk=payload.get("reply"))
        .first()
    )
    parent = (
        Comment.objects.select_related("consultation", "provision")
        .filter(pk=payload.get("comment"))
        .first()
    )
    if reply is None or parent is None or parent.status == ItemStatus.WITHDRAWN:
        return None
    if reply.status in (ItemStatus.PENDING, ItemStatus.HELD):
        raise NotYet
    if reply.status != ItemStatus.PUBLISHED:
        return None
    key = reply.provision.eid if reply.provision_id else "bill"
    page = reverse("consultations:detail", args=[reply.consultation_id])
    name = reply.author.public_name
    return _about("comment", parent) | {
        "subject": _("%(name)s replied to your comment") % {"name": name},
        "replier": name,
        "reply_excerpt": Truncator(reply.text).words(EXCERPT_WORDS),
        "reply_url": absolute(f"{page}?open={key}&show=comments#comment-{reply.pk}"),
    }


def _answer(row: Outbox) -> dict | None:
    """The committee answered the person's comment or proposal."""
    from consultations.models import ItemStatus, Response

    payload = row.payload
    item = _item(payload["kind"], payload["object_id"])
    response = Response.objects.filter(pk=payload.get("response")).first()
    if item is None or response is None or item.status != ItemStatus.PUBLISHED:
        return None
    context = _about(payload["kind"], item)
    key = item.provision.eid if item.provision_id else "bill"
    page = reverse("consultations:detail", args=[item.consultation_id])
    return context | {
        "subject": _("The committee answered your contribution"),
        "outcome": response.get_outcome_display(),
        "reason": response.reason,
        "item_url": absolute(
            f"{page}?open={key}&show={payload['kind']}s#{payload['kind']}-{item.pk}"
        ),
    }


def _report_ready(row: Outbox) -> dict | None:
    """The report a member of staff asked for is built."""
    from consultations.models import Report, ReportStatus

    report = Report.objects.select_related("consultation").filter(pk=row.payload.get("report"))
    report = report.first()
    if report is None or report.status != ReportStatus.READY:
        return None
    return {
        "subject": _("Your report is ready"),
        "report": report,
        "format": report.get_format_display(),
        "consultation_title": report.consultation.title,
        "reports_url": absolute(
            reverse("consultations_staff:reports", args=[report.consultation_id])
        ),
    }


def _staff_summary(row: Outbox) -> dict | None:
    """The day's figures for a moderator or committee staff, as written then."""
    payload = row.payload
    if not payload.get("moderation") and not payload.get("consultations"):
        return None
    consultations = [
        each | {"url": absolute(reverse("consultations_staff:detail", args=[each["id"]]))}
        for each in payload.get("consultations", [])
    ]
    return {
        "subject": _("Your daily summary for %(date)s") % {"date": payload.get("day", "")},
        "moderation": payload.get("moderation"),
        "consultations": consultations,
        "queue_url": absolute(reverse("moderation:queue")),
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
    Event.REPLY: _reply,
    Event.ANSWER: _answer,
    Event.STAFF_SUMMARY: _staff_summary,
    Event.REPORT_READY: _report_ready,
}
