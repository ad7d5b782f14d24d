"""Reads for consultation pages and the API: counts come from SQL."""

from collections import defaultdict
from functools import cache

from django.db import connection
from django.db.models import Count, Q, QuerySet, Value
from django.http import Http404

from bills.models import Provision
from config import sql
from consultations.models import (
    Comment,
    Consultation,
    ConsultationStatus,
    Follow,
    ItemStatus,
    Proposal,
    Vote,
    VoteChoice,
    VoteTally,
)

# What taking part reads of a consultation: not its texts, bill, committee or
# chamber. A vote is the most frequent write, so its reads are kept lean.
PARTICIPATION_FIELDS = ("id", "version_id", "committee_id", "status", "opens_at", "closes_at",
                        "moderation_policy", "minimum_level")  # fmt: skip


@cache
def _place_query() -> str:
    quote = connection.ops.quote_name
    consultation = sql.columns(Consultation, PARTICIPATION_FIELDS, "consultation")
    return (
        f"SELECT {consultation}, provision.id "  # noqa: S608 - names from the models
        f"FROM {quote(Consultation._meta.db_table)} consultation "
        f"LEFT JOIN {quote(Provision._meta.db_table)} provision "
        "ON provision.version_id = consultation.version_id AND provision.eid = %s "
        "WHERE consultation.id = %s AND consultation.status <> %s"
    )


def place_to_vote(pk: int, eid: str | None) -> tuple[Consultation, Provision | None]:
    """The consultation (not a draft) and the provision (by eId; none: the whole
    bill) that a vote is about, in one query; 404 when either is not there.

    Written in SQL (config.sql): it runs on every vote, and building it with
    the ORM cost more than the database's answer. Each object carries only
    what a vote reads; any other field is loaded when asked for."""
    if eid and "\x00" in eid:
        raise Http404  # no eId has one, and PostgreSQL refuses it in a query
    params = [eid or "", pk, ConsultationStatus.DRAFT]
    found = sql.fetch_instance(
        Consultation, PARTICIPATION_FIELDS, _place_query(), params, using=connection.alias
    )
    if found is None:
        raise Http404
    consultation, (provision_pk,) = found
    if not eid:
        return consultation, None
    if provision_pk is None:
        raise Http404
    provision = Provision.from_db(
        connection.alias, ["id", "version_id", "eid"], [provision_pk, consultation.version_id, eid]
    )
    return consultation, provision


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


def published_counts_by_place(consultation_ids) -> dict[tuple[int, int | None], dict[str, int]]:
    """Published comments and proposals per (consultation, provision) of the
    given consultations (provision ``None``: the whole bill), in one query."""
    comments = (
        Comment.objects.filter(consultation_id__in=consultation_ids, status=ItemStatus.PUBLISHED)
        .values_list("consultation_id", "provision_id")
        .annotate(count=Count("*"), kind=Value("comments"))
        .order_by()
    )
    proposals = (
        Proposal.objects.filter(consultation_id__in=consultation_ids, status=ItemStatus.PUBLISHED)
        .values_list("consultation_id", "provision_id")
        .annotate(count=Count("*"), kind=Value("proposals"))
        .order_by()
    )
    counts: dict[tuple[int, int | None], dict[str, int]] = {}
    for consultation_id, provision_id, count, kind in comments.union(
        proposals, all=True
    ).order_by():
        place = counts.setdefault((consultation_id, provision_id), {"comments": 0, "proposals": 0})
        place[kind] = count
    return counts


def published_counts(consultation: Consultation) -> dict[int | None, dict[str, int]]:
    """Published comments and proposals per provision of one consultation."""
    return {
        provision_id: figures
        for (_consultation, provision_id), figures in published_counts_by_place(
            [consultation.pk]
        ).items()
    }


def open_consultations() -> list[Consultation]:
    """Consultations open now, closing soonest first, with what the home page shows."""
    return list(
        Consultation.objects.open()
        .select_related("version__bill", "committee")
        .order_by("closes_at", "pk")
    )


# --- The participation API -----------------------------------------------------

# What the public sees of comments and proposals: published ones, and those
# their authors withdrew (listed without their text, so replies keep context).
PUBLIC_ITEM_STATUSES = (ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN)
ITEM_ORDERS = {
    "oldest": ("created_at", "pk"),
    "newest": ("-created_at", "-pk"),
    # Among equally supported items the newest first, so new ones get seen.
    "supported": ("-support_count", "-created_at", "-pk"),
}


def public_items(
    model: type[Comment] | type[Proposal],
    *,
    consultation: Consultation,
    provision: Provision | None = None,
    whole_bill: bool = False,
    sort: str = "oldest",
) -> QuerySet:
    """Public comments or proposals of a consultation with their support counts,
    optionally on one provision (or, with ``whole_bill``, on the bill as a whole)."""
    items = (
        model.objects.filter(consultation=consultation, status__in=PUBLIC_ITEM_STATUSES)
        .select_related("author", "provision")
        .annotate(support_count=Count("supports"))
    )
    if provision is not None:
        items = items.filter(provision=provision)
    elif whole_bill:
        items = items.filter(provision__isnull=True)
    return items.order_by(*ITEM_ORDERS[sort])


def item_for_viewer(
    model: type[Comment] | type[Proposal], *, pk: int, viewer
) -> Comment | Proposal:
    """One comment or proposal as ``viewer`` may see it: a public one, or any of
    their own; anything else is a 404 that does not say whether it exists."""
    visible = Q(status__in=PUBLIC_ITEM_STATUSES)
    if viewer.is_authenticated:
        visible |= Q(author=viewer)
    item = (
        model.objects.filter(visible, pk=pk)
        .select_related("author", "provision", "consultation")
        .annotate(support_count=Count("supports"))
        .first()
    )
    if item is None:
        raise Http404
    return item


def votes_of(*, voter, consultation: Consultation) -> list[Vote]:
    """The person's own votes in a consultation (never anyone else's)."""
    return list(
        Vote.objects.filter(consultation=consultation, voter=voter)
        .select_related("provision")
        .order_by("provision__order", "pk")
    )


def consultations_of_bill(bill) -> list[Consultation]:
    """The bill's consultations the public may see, latest first."""
    return list(
        Consultation.objects.filter(version__bill=bill)
        .exclude(status=ConsultationStatus.DRAFT)
        .select_related("version", "committee", "chamber")
        .order_by("-opens_at", "-pk")
    )


def votes_by_place(*, voter, consultation: Consultation) -> dict[int | None, Vote]:
    """The person's votes in the consultation by provision (``None``: the whole
    bill), with what the page shows of them."""
    votes = Vote.objects.filter(consultation=consultation, voter=voter)
    return {vote.provision_id: vote for vote in votes.only("provision_id", "choice", "reason")}


def follow_of(*, user, bill_id: int) -> Follow | None:
    return Follow.objects.filter(follower=user, bill_id=bill_id).first()


# --- Public results --------------------------------------------------------------------------


def results(consultation):
    """What the committee did with the feedback, article by article: for each
    provision (and the whole bill) the answers by outcome and every answered
    published contribution with its answer; and the version that followed."""
    from bills.models import BillVersion, VersionStatus
    from consultations.models import Response, ResponseOutcome

    answers = (
        Response.objects.filter(consultation=consultation)
        .filter(
            Q(comment__status=ItemStatus.PUBLISHED) | Q(proposal__status=ItemStatus.PUBLISHED)
        )
        .select_related("comment__author", "comment__provision", "proposal__author",
                        "proposal__provision")
        .order_by("pk")
    )  # fmt: skip
    places: dict = {}
    for answer in answers.iterator(chunk_size=500):
        item = answer.comment or answer.proposal
        key = item.provision.order if item.provision_id else -1
        place = places.setdefault(key, {
            "label": str(item.provision) if item.provision_id else None,
            "eid": item.provision.eid if item.provision_id else "bill",
            "counts": dict.fromkeys(ResponseOutcome.values, 0),
            "answers": [],
        })  # fmt: skip
        place["counts"][answer.outcome] += 1
        place["answers"].append({
            "kind": "comment" if answer.comment_id else "proposal",
            "item": item,
            "outcome": answer.get_outcome_display(),
            "outcome_value": answer.outcome,
            "reason": answer.reason,
        })  # fmt: skip
    following = (
        BillVersion.objects.filter(
            bill_id=consultation.version.bill_id,
            status=VersionStatus.PUBLISHED,
            number__gt=consultation.version.number,
        )
        .order_by("number")
        .first()
    )
    return [places[key] for key in sorted(places)], following
