"""Reads for consultation pages and the API: counts come from SQL."""

from collections import defaultdict

from django.db.models import Count

from consultations.models import Consultation, ItemStatus, Vote, VoteChoice, VoteTally


def vote_tallies(consultation: Consultation) -> dict[int | None, dict[str, int]]:
    """Agree/disagree/abstain counts per provision (``None``: the whole bill),
    in one grouped query."""
    tallies: dict[int | None, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(VoteChoice.values, 0)
    )
    rows = (
        Vote.objects.filter(consultation=consultation)
        .values("provision_id", "choice")
        .annotate(count=Count("id"))
        .order_by()
    )
    for row in rows:
        tallies[row["provision_id"]][row["choice"]] = row["count"]
    return dict(tallies)


def tally_counts(consultation: Consultation) -> dict[int | None, dict[str, int]]:
    """The running tallies kept with each vote (one row per provision voted on);
    they always equal :func:`vote_tallies`, which counts the votes themselves."""
    return {
        tally.provision_id: tally.as_dict()
        for tally in VoteTally.objects.filter(consultation=consultation)
    }


def published_counts(consultation: Consultation) -> dict[int | None, dict[str, int]]:
    """Published comments and proposals per provision, two grouped queries."""
    counts: dict[int | None, dict[str, int]] = defaultdict(lambda: {"comments": 0, "proposals": 0})
    for name, queryset in (
        ("comments", consultation.comments),
        ("proposals", consultation.proposals),
    ):
        rows = (
            queryset.filter(status=ItemStatus.PUBLISHED)
            .values("provision_id")
            .annotate(count=Count("id"))
            .order_by()
        )
        for row in rows:
            counts[row["provision_id"]][name] = row["count"]
    return dict(counts)


def open_consultations() -> list[Consultation]:
    """Consultations open now, closing soonest first, with what the home page shows."""
    return list(
        Consultation.objects.open()
        .select_related("version__bill", "committee")
        .order_by("closes_at", "pk")
    )
