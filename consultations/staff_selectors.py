"""Reads for the committee staff's consultation pages."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from consultations.models import (
    Comment,
    Consultation,
    ItemStatus,
    Proposal,
    Response,
    ResponseOutcome,
    Vote,
)
from consultations.permissions import manageable_committees


def _count(model, **filters) -> Coalesce:
    rows = (
        model.objects.filter(consultation=OuterRef("pk"), **filters)
        .order_by()
        .values("consultation")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_counts(consultations: QuerySet[Consultation]) -> QuerySet[Consultation]:
    """Adds ``comment_count``, ``proposal_count`` (published only) and
    ``vote_count``, one subquery each, so a page of rows costs one query."""
    return consultations.annotate(
        comment_count=_count(Comment, status=ItemStatus.PUBLISHED),
        proposal_count=_count(Proposal, status=ItemStatus.PUBLISHED),
        vote_count=_count(Vote),
    )


def consultations_for_staff(user: User) -> QuerySet[Consultation]:
    """The consultations of the committees this person runs, newest first."""
    consultations = Consultation.objects.filter(committee__in=manageable_committees(user))
    return with_counts(
        consultations.select_related("version__bill", "committee__chamber").order_by(
            "-created_at", "-pk"
        )
    )


# --- The response ledger (matriz de aportes) ---------------------------------------------

ANSWERED = "answered"
UNANSWERED = "unanswered"


@dataclass
class LedgerRow:
    """One published comment or proposal, with the committee's answer if any."""

    kind: str
    pk: int
    text: str
    author_name: str
    place: str
    created_at: datetime
    supports: int
    response: Response | None = None
    campaign_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"


def ledger(
    consultation: Consultation,
    *,
    kind: str = "",
    state: str = "",
    provision_id: int | None = None,
) -> QuerySet:
    """The consultation's published comments and proposals as ``(kind, pk,
    created_at)`` rows, the first sent first: all, unanswered, answered or
    answered with one outcome (``state``), of one kind and provision."""
    parts = []
    for each, model in (("comment", Comment), ("proposal", Proposal)):
        if kind and kind != each:
            continue
        rows = model.objects.filter(consultation=consultation, status=ItemStatus.PUBLISHED)
        if provision_id:
            rows = rows.filter(provision_id=provision_id)
        if state == UNANSWERED:
            rows = rows.filter(responses__isnull=True)
        elif state == ANSWERED:
            rows = rows.filter(responses__isnull=False)
        elif state in ResponseOutcome.values:
            rows = rows.filter(responses__outcome=state)
        parts.append(
            rows.annotate(kind=Value(each, output_field=CharField()))
            .values_list("kind", "pk", "created_at")
            .order_by()
        )
    first, *rest = parts
    return (first.union(*rest, all=True) if rest else first).order_by("created_at", "pk")


def ledger_rows(rows) -> list[LedgerRow]:
    """A page of the ledger in full: text, public name, place, supports, the
    answer, and the campaign the text belongs to."""
    from moderation.models import CampaignMember

    wanted: dict[str, list[int]] = defaultdict(list)
    for kind, pk, _created_at in rows:
        wanted[kind].append(pk)
    found: dict[tuple[str, int], LedgerRow] = {}
    for kind, model in (("comment", Comment), ("proposal", Proposal)):
        if not wanted[kind]:
            continue
        items = (
            model.objects.filter(pk__in=wanted[kind])
            .select_related("author", "provision")
            .annotate(support_count=Count("supports", distinct=True))
        )
        for item in items:
            found[kind, item.pk] = LedgerRow(
                kind=kind,
                pk=item.pk,
                text=item.text,
                author_name=item.author.public_name,
                place=str(item.provision) if item.provision_id else "",
                created_at=item.created_at,
                supports=item.support_count,
            )
        for response in Response.objects.filter(**{f"{kind}_id__in": wanted[kind]}).select_related(
            "answered_by"
        ):
            found[kind, getattr(response, f"{kind}_id")].response = response
        members = CampaignMember.objects.filter(
            kind=kind, object_id__in=wanted[kind], released_at__isnull=True
        ).values_list("object_id", "campaign_id")
        for object_id, campaign_id in members:
            found[kind, object_id].campaign_id = campaign_id
    return [found[kind, pk] for kind, pk, _created_at in rows if (kind, pk) in found]


def ledger_figures(consultation: Consultation) -> dict[str, int]:
    """How many published contributions there are, and how many are answered."""
    total = answered = 0
    for model in (Comment, Proposal):
        counts = model.objects.filter(
            consultation=consultation, status=ItemStatus.PUBLISHED
        ).aggregate(total=Count("pk"), answered=Count("pk", filter=Q(responses__isnull=False)))
        total += counts["total"]
        answered += counts["answered"]
    return {"total": total, "answered": answered, "unanswered": total - answered}


def campaign_items(consultation: Consultation, campaign_id: int) -> list[tuple[str, int]]:
    """A campaign's texts counted in it and published, to answer all at once."""
    from moderation.models import CampaignMember

    members = CampaignMember.objects.filter(
        campaign_id=campaign_id,
        campaign__consultation=consultation,
        released_at__isnull=True,
    ).values_list("kind", "object_id")
    published = {
        kind: set(
            model.objects.filter(
                consultation=consultation,
                status=ItemStatus.PUBLISHED,
                pk__in=[pk for each, pk in members if each == kind],
            ).values_list("pk", flat=True)
        )
        for kind, model in (("comment", Comment), ("proposal", Proposal))
    }
    return [(kind, pk) for kind, pk in members if pk in published.get(kind, set())]
