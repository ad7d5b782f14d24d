"""Reads for the consultation page: the text with its feedback, one provision's
discussion, and the feedback carried over from consultations on earlier versions.

The page's query count does not depend on how many provisions, comments or
votes there are: tallies come from the running tally rows, item counts from
grouped queries, and a discussion is one paginated query plus one for replies.
"""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from accounts.models import User
from bills.models import BillVersion, MatchStatus, Provision, ProvisionKind, ProvisionMatch
from bills.selectors import in_document_order, provision_tree
from consultations.models import (
    Comment,
    Consultation,
    ConsultationStatus,
    Follow,
    ItemStatus,
    Proposal,
    Response,
    Support,
    Vote,
    VoteChoice,
)
from consultations.selectors import (
    follow_of,
    public_items,
    published_counts_by_place,
    tally_counts,
    votes_by_place,
)

# Citizens vote and comment on articles and on the complementary provisions;
# their paragraphs, numerals and literals are read as part of them.
UNIT_KINDS = frozenset({ProvisionKind.ARTICLE, ProvisionKind.PROVISION})
BILL = "bill"  # the key of the whole bill where a provision's eId would go
OWN_WAITING_STATES = (ItemStatus.PENDING, ItemStatus.HELD)
SORTS = ("supported", "newest")
SHOWS = ("comments", "proposals")
PER_PAGE = 10
CARRIED_SHOWN = 20


def empty_tally() -> dict[str, int]:
    return dict.fromkeys(VoteChoice.values, 0)


def normalise_space(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Unit:
    """A provision citizens give feedback on (or the whole bill), with its figures."""

    key: str
    provision: Provision | None
    text: str = ""
    tally: dict[str, int] = field(default_factory=empty_tally)
    comments: int = 0
    proposals: int = 0
    carried: int = 0
    my_vote: Vote | None = None

    @property
    def votes(self) -> int:
        return sum(self.tally.values())

    @property
    def shares(self) -> dict[str, int]:
        """Whole percentages per choice, for the bars."""
        total = self.votes
        return {
            choice: round(100 * count / total) if total else 0
            for choice, count in self.tally.items()
        }


@dataclass
class CarriedPlace:
    """Where an earlier version's provision is in the consulted text."""

    current_id: int | None  # None: deleted since
    status: str  # the strongest change on the way: unchanged, moved, changed


@dataclass
class RemovedProvision:
    provision: Provision
    consultation: Consultation
    count: int
    items: list = field(default_factory=list)


@dataclass
class CarryOver:
    """Feedback given in consultations on earlier versions of the same bill."""

    consultations: dict[int, Consultation] = field(default_factory=dict)
    places: dict[int, CarriedPlace] = field(default_factory=dict)
    counts: dict[int | None, int] = field(default_factory=dict)
    removed: list[RemovedProvision] = field(default_factory=list)

    def old_ids_for(self, provision: Provision | None) -> list[int]:
        if provision is None:
            return []
        return [old for old, place in self.places.items() if place.current_id == provision.pk]


def unit_text(provision: Provision, descendants: list[Provision]) -> str:
    """The provision's whole wording: its own text, then each paragraph,
    numeral and literal under it with its label, one per line."""
    lines = [provision.text] if provision.text else []
    for child in descendants:
        line = " ".join(part for part in (child.label, child.heading, child.text) if part)
        if line:
            lines.append(line)
    return "\n".join(lines)


def provision_with_text(provision: Provision) -> str:
    """``unit_text`` for one provision, reading its descendants in one query."""
    following = Provision.objects.filter(
        version_id=provision.version_id, order__gt=provision.order
    ).order_by("order")
    descendants = []
    for candidate in following.iterator(chunk_size=200):
        if candidate.depth <= provision.depth:
            break
        descendants.append(candidate)
    return unit_text(provision, descendants)


def consultation_for_page(pk: int) -> Consultation:
    return (
        Consultation.objects.select_related("version__bill__origin_chamber", "committee", "chamber")
        .defer("version__import_report")  # the import's report can be long
        .get(pk=pk)
    )


def carry_over(consultation: Consultation) -> CarryOver:
    """Maps feedback from consultations on earlier versions of the bill onto
    the consulted text, following the version matches stored at publication.
    Votes do not carry over: they were about the old text."""
    version = consultation.version
    earlier = {
        other.pk: other
        for other in Consultation.objects.filter(
            version__bill_id=version.bill_id, version__number__lt=version.number
        )
        .exclude(status=ConsultationStatus.DRAFT)
        .select_related("version")
    }
    result = CarryOver(consultations=earlier)
    if not earlier:
        return result
    oldest = min(other.version.number for other in earlier.values())
    steps: dict[int, dict[int, tuple[int | None, str]]] = {}
    next_version: dict[int, int] = {}
    for old_version, new_version, old, new, status in ProvisionMatch.objects.filter(
        new_version__bill_id=version.bill_id,
        new_version__number__gt=oldest,
        new_version__number__lte=version.number,
        old__isnull=False,
    ).values_list("old_version_id", "new_version_id", "old_id", "new_id", "status"):
        steps.setdefault(new_version, {})[old] = (new, status)
        next_version[old_version] = new_version

    counts = published_counts_by_place(list(earlier))
    removed: dict[int, tuple[int, int]] = {}
    for (consultation_id, provision_id), figures in counts.items():
        total = figures["comments"] + figures["proposals"]
        if provision_id is None:
            result.counts[None] = result.counts.get(None, 0) + total
            continue
        place = _follow(
            provision_id, earlier[consultation_id].version_id, version.pk, steps, next_version
        )
        result.places[provision_id] = place
        if place.current_id is None:
            removed[provision_id] = (consultation_id, total)
        else:
            result.counts[place.current_id] = result.counts.get(place.current_id, 0) + total
    if removed:
        for provision in Provision.objects.filter(pk__in=removed).order_by("version_id", "order"):
            consultation_id, total = removed[provision.pk]
            result.removed.append(
                RemovedProvision(
                    provision=provision, consultation=earlier[consultation_id], count=total
                )
            )
    return result


STRENGTH = {MatchStatus.UNCHANGED: 0, MatchStatus.MOVED: 1, MatchStatus.CHANGED: 2}


def _follow(provision_id, version_id, target_id, steps, next_version) -> CarriedPlace:
    status = MatchStatus.UNCHANGED
    current: int | None = provision_id
    while version_id != target_id and current is not None:
        version_id = next_version.get(version_id)
        if version_id is None:
            return CarriedPlace(current_id=None, status=MatchStatus.DELETED)
        current, step = steps.get(version_id, {}).get(current, (None, MatchStatus.DELETED))
        if STRENGTH.get(step, 0) > STRENGTH[status]:
            status = step
    if current is None:
        return CarriedPlace(current_id=None, status=MatchStatus.DELETED)
    return CarriedPlace(current_id=current, status=status)


@dataclass
class PageData:
    consultation: Consultation
    version: BillVersion
    provisions: list[Provision]
    units: dict[str, Unit]
    bill_unit: Unit
    carry: CarryOver
    follow: Follow | None = None


def consultation_page(consultation: Consultation, user: User | None) -> PageData:
    """The consulted text in reading order; each unit provision gets ``unit``
    and each provision ``closing`` (the units whose feedback block follows it)."""
    version = consultation.version
    provisions = in_document_order(provision_tree(version))
    tallies = tally_counts(consultation)
    counts = published_counts_by_place([consultation.pk])
    carry = carry_over(consultation)
    my_votes: dict[int | None, Vote] = {}
    follow = None
    if user is not None and user.is_authenticated:
        my_votes = votes_by_place(voter=user, consultation=consultation)
        follow = follow_of(user=user, bill_id=version.bill_id)

    def unit_for(provision: Provision | None, key: str, text: str = "") -> Unit:
        pk = provision.pk if provision else None
        figures = counts.get((consultation.pk, pk), {"comments": 0, "proposals": 0})
        return Unit(
            key=key,
            provision=provision,
            text=text,
            tally=tallies.get(pk, empty_tally()),
            comments=figures["comments"],
            proposals=figures["proposals"],
            carried=carry.counts.get(pk, 0),
            my_vote=my_votes.get(pk),
        )

    units: dict[str, Unit] = {}
    open_units: list[tuple[Provision, list[Provision]]] = []
    for provision in provisions:
        provision.closing = []
        provision.unit = None
    for index, provision in enumerate(provisions):
        while open_units and provision.depth <= open_units[-1][0].depth:
            _close(open_units.pop(), provisions[index - 1], units, unit_for)
        if provision.kind in UNIT_KINDS:
            open_units.append((provision, []))
        elif open_units:
            open_units[-1][1].append(provision)
    while open_units:
        _close(open_units.pop(), provisions[-1], units, unit_for)
    return PageData(
        consultation=consultation,
        version=version,
        provisions=provisions,
        units=units,
        bill_unit=unit_for(None, BILL),
        carry=carry,
        follow=follow,
    )


def _close(opened, last: Provision, units: dict[str, Unit], unit_for) -> None:
    provision, descendants = opened
    unit = unit_for(provision, provision.eid, unit_text(provision, descendants))
    provision.unit = unit
    units[provision.eid] = unit
    last.closing.append(unit)


# --- One provision's discussion ---------------------------------------------------


@dataclass
class Discussion:
    unit: Unit
    show: str
    sort: str
    page: Page
    own_waiting: list = field(default_factory=list)
    carried: list = field(default_factory=list)
    carried_total: int = 0
    supported: set[int] = field(default_factory=set)

    @property
    def kind(self) -> str:
        return {"comments": "comment", "proposals": "proposal"}.get(self.show, "")


def _with_supports(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("author").annotate(support_count=Count("supports"))


def discussion(
    consultation: Consultation,
    unit: Unit,
    *,
    show: str,
    sort: str,
    page_number: int,
    user: User | None,
    carry: CarryOver | None = None,
) -> Discussion:
    """A page of the unit's published (and withdrawn) comments or proposals,
    most supported or newest first, with one level of replies; the person's
    own items still waiting for moderation; and earlier versions' feedback.
    ``show="reasons"`` pages the published reasons given with votes instead:
    each with its stance, never with who gave it."""
    if show == "reasons":
        reasons = Vote.objects.filter(
            consultation=consultation,
            provision=unit.provision,
            reason_status=ItemStatus.PUBLISHED,
        ).only("choice", "reason", "updated_at")
        page = Paginator(reasons.order_by("-updated_at", "-pk"), PER_PAGE).get_page(page_number)
        return Discussion(unit=unit, show=show, sort=sort, page=page)
    model = Comment if show == "comments" else Proposal
    items = public_items(
        model,
        consultation=consultation,
        provision=unit.provision,
        whole_bill=unit.provision is None,
        sort=sort,
    )
    if model is Comment:
        items = items.filter(parent=None)
    page = Paginator(items, PER_PAGE).get_page(page_number)
    result = Discussion(unit=unit, show=show, sort=sort, page=page)
    shown = list(page.object_list)
    if model is Comment and shown:
        replies: dict[int, list[Comment]] = {}
        for reply in public_items(Comment, consultation=consultation).filter(parent__in=shown):
            replies.setdefault(reply.parent_id, []).append(reply)
        for comment in shown:
            comment.shown_replies = replies.get(comment.pk, [])
    if model is Proposal:
        for proposal in shown:
            proposal.base_text = unit.text
    _attach_responses(model, shown)
    if user is not None and user.is_authenticated:
        result.own_waiting = list(
            model.objects.filter(
                consultation=consultation,
                provision=unit.provision,
                author=user,
                status__in=OWN_WAITING_STATES,
            ).order_by("-created_at")
        )
        ids = [item.pk for item in shown] + [
            reply.pk for item in shown for reply in getattr(item, "shown_replies", [])
        ]
        item_field = "comment_id" if model is Comment else "proposal_id"
        result.supported = set(
            Support.objects.filter(supporter=user, **{f"{item_field}__in": ids}).values_list(
                item_field, flat=True
            )
        )
    if carry is not None:
        result.carried, result.carried_total = carried_items(carry, unit.provision, model)
    return result


def _attach_responses(model, shown: list) -> None:
    """The committee's answer to each item shown (and to its replies), one query."""
    items = {item.pk: item for item in shown}
    items |= {reply.pk: reply for item in shown for reply in getattr(item, "shown_replies", [])}
    field_name = "comment_id" if model is Comment else "proposal_id"
    for item in items.values():
        item.response = None
    if not items:
        return
    for response in Response.objects.filter(**{f"{field_name}__in": list(items)}):
        items[getattr(response, field_name)].response = response


def carried_items(carry: CarryOver, provision: Provision | None, model) -> tuple[list, int]:
    """Earlier consultations' published items about this provision (or the whole
    bill), most supported first, each marked with how the text changed since."""
    if not carry.consultations:
        return [], 0
    where = Q(consultation_id__in=list(carry.consultations), status=ItemStatus.PUBLISHED)
    if provision is None:
        where &= Q(provision=None)
    else:
        old_ids = carry.old_ids_for(provision)
        if not old_ids:
            return [], 0
        where &= Q(provision_id__in=old_ids)
    if model is Comment:
        where &= Q(parent=None)
    items = _with_supports(model.objects.filter(where).select_related("provision")).order_by(
        "-support_count", "-created_at", "-pk"
    )
    total = items.count()
    shown = list(items[:CARRIED_SHOWN])
    for item in shown:
        _mark_carried(item, carry)
    return shown, total


def _mark_carried(item, carry: CarryOver) -> None:
    item.earlier = carry.consultations[item.consultation_id]
    place = carry.places.get(item.provision_id) if item.provision_id else None
    item.text_changed = place is not None and place.status == MatchStatus.CHANGED
    item.moved = place is not None and place.status == MatchStatus.MOVED


def removed_feedback(carry: CarryOver) -> list[RemovedProvision]:
    """The feedback on provisions deleted since, shown under their own heading
    (two queries however many provisions were removed)."""
    if not carry.removed:
        return []
    by_place = {(r.consultation.pk, r.provision.pk): r for r in carry.removed}
    where = Q(
        consultation_id__in={key[0] for key in by_place},
        provision_id__in={key[1] for key in by_place},
        status=ItemStatus.PUBLISHED,
    )
    comments = _with_supports(Comment.objects.filter(where, parent=None))
    proposals = _with_supports(Proposal.objects.filter(where))
    for queryset in (comments, proposals):
        for item in queryset.order_by("-support_count", "-created_at", "-pk"):
            removed = by_place.get((item.consultation_id, item.provision_id))
            if removed is not None and len(removed.items) < CARRIED_SHOWN:
                item.earlier = removed.consultation
                removed.items.append(item)
    return carry.removed
