"""Reads for the committee staff's consultation pages."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from consultations.models import Comment, Consultation, ItemStatus, Proposal, Vote
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
