"""Reads for bill pages and the API. Each owns its joins, so query counts stay
flat however many provisions a version has."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Func, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from bills.models import (
    Bill,
    BillStageChange,
    BillVersion,
    Provision,
    ProvisionMatch,
    VersionStatus,
)


class Unaccent(Func):
    function = "unaccent"


def _published_versions() -> QuerySet[BillVersion]:
    return BillVersion.objects.filter(status=VersionStatus.PUBLISHED).order_by("number")


def bill_list(
    *, query: str = "", chamber: str = "", committee: str = "", stage: str = ""
) -> QuerySet[Bill]:
    """Bills with at least one published version, filtered and searched.

    On PostgreSQL the search is full-text with the Spanish configuration and
    ignores accents; elsewhere it is a plain case-insensitive match.
    """
    bills = (
        Bill.objects.filter(versions__status=VersionStatus.PUBLISHED)
        .distinct()
        .select_related("origin_chamber")
        .prefetch_related("committees__chamber")
        .order_by("-updated_at", "-pk")
    )
    if chamber:
        bills = bills.filter(Q(origin_chamber__slug=chamber) | Q(committees__chamber__slug=chamber))
    if committee:
        bills = bills.filter(committees__slug=committee)
    if stage:
        bills = bills.filter(stage=stage)
    query = " ".join(query.split())[:200]
    if not query:
        return bills
    if connection.vendor == "postgresql":
        document = (
            SearchVector(Unaccent(Coalesce("number", Value(""))), weight="A", config="spanish")
            + SearchVector(Unaccent("title"), weight="A", config="spanish")
            + SearchVector(Unaccent("summary"), weight="B", config="spanish")
            + SearchVector(Unaccent("proponents"), weight="C", config="spanish")
        )
        search = SearchQuery(Unaccent(Value(query)), config="spanish", search_type="websearch")
        return (
            bills.annotate(rank=SearchRank(document, search))
            .filter(Q(rank__gt=0) | Q(number__iexact=query))
            .order_by("-rank", "-pk")
        )
    words = query.split()
    for word in words:
        bills = bills.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(number__icontains=word)
            | Q(proponents__icontains=word)
        )
    return bills


def bill_for_page(slug: str) -> Bill:
    """A bill with what its page shows: chamber, committees, history, published versions."""
    bill = (
        Bill.objects.select_related("origin_chamber")
        .prefetch_related(
            "committees__chamber",
            Prefetch("stage_changes", queryset=BillStageChange.objects.order_by("happened_on")),
            Prefetch("versions", queryset=_published_versions(), to_attr="published_versions"),
        )
        .filter(slug=slug)
        .first()
    )
    if bill is None or not bill.published_versions:
        raise Http404
    return bill


def published_version(bill: Bill, number: int | None) -> BillVersion:
    versions = bill.published_versions
    if number is None:
        return versions[-1]
    for version in versions:
        if version.number == number:
            return version
    raise Http404


def provision_tree(version: BillVersion) -> list[Provision]:
    """The version's provisions as a tree, in one query: each has ``child_nodes``."""
    provisions = list(Provision.objects.filter(version=version).order_by("order"))
    by_id = {provision.pk: provision for provision in provisions}
    roots: list[Provision] = []
    for provision in provisions:
        provision.child_nodes = []
    for provision in provisions:
        if provision.parent_id is None:
            roots.append(provision)
        else:
            by_id[provision.parent_id].child_nodes.append(provision)
    return roots


def in_document_order(roots: list[Provision]) -> list[Provision]:
    """The tree flattened back into reading order (pages render it in one loop:
    a recursive include per provision costs more than the rest of the page).

    Each article also gets ``short_anchor`` (``art_5``) when no other article
    of the version has the same number, so ``#art_5`` links work whatever the
    titles and chapters around it; the eId stays the canonical anchor.
    """
    from bills.importers.base import eid_number

    ordered: list[Provision] = []
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(node.child_nodes))
    shorts: dict[str, list[Provision]] = {}
    for node in ordered:
        node.short_anchor = ""
        node.after = ""  # what a page shows after the provision (consultation blocks)
        if node.kind == "article" and (number := eid_number(node.label)):
            shorts.setdefault(f"art_{number}", []).append(node)
    taken = {node.eid for node in ordered}
    for anchor, articles in shorts.items():
        if len(articles) == 1 and anchor not in taken:
            articles[0].short_anchor = anchor
    return ordered


TOC_KINDS = {
    "header",
    "preamble",
    "formula",
    "part",
    "title",
    "chapter",
    "subchapter",
    "section",
    "article",
    "provisions_group",
    "provision",
    "explanatory_statement",
}


def table_of_contents(roots: list[Provision]) -> list[Provision]:
    """Structural provisions down to articles, flattened in order with their depth."""
    entries: list[Provision] = []

    def visit(nodes: list[Provision]) -> None:
        for node in nodes:
            if node.kind in TOC_KINDS:
                entries.append(node)
                if node.kind not in {"article", "provision"}:
                    visit(node.child_nodes)

    visit(roots)
    return entries


class ComparisonRow:
    """One line of a version comparison: a provision in the old text, the new, or both."""

    def __init__(self, status: str, old: Provision | None, new: Provision | None) -> None:
        self.status = status
        self.old = old
        self.new = new

    @staticmethod
    def _content(provision: Provision | None) -> str:
        if provision is None:
            return ""
        return "\n".join(part for part in (provision.heading, provision.text) if part)

    @property
    def old_text(self) -> str:
        return self._content(self.old)

    @property
    def new_text(self) -> str:
        return self._content(self.new)

    @property
    def anchor(self) -> str:
        return (self.new or self.old).eid


def version_comparison(old_version: BillVersion, new_version: BillVersion) -> list[ComparisonRow]:
    """Every provision of two versions, paired by the stored match (or a fresh one
    when the pair was never published one after the other), in the new text's
    order with each deleted provision after the one that preceded it."""
    from bills.matching import version_match

    old_rows = {p.pk: p for p in Provision.objects.filter(version=old_version).order_by("order")}
    new_rows = {p.pk: p for p in Provision.objects.filter(version=new_version).order_by("order")}
    stored = list(
        ProvisionMatch.objects.filter(old_version=old_version, new_version=new_version).values_list(
            "old_id", "new_id", "status"
        )
    )
    if stored:
        pairs = stored
    else:
        pairs = [
            (match.old_key, match.new_key, match.status)
            for match in version_match(old_version, new_version)
        ]
    by_new = {new_id: (old_id, status) for old_id, new_id, status in pairs if new_id}
    deleted = sorted(
        (old_rows[old_id] for old_id, new_id, _status in pairs if new_id is None and old_id),
        key=lambda provision: provision.order,
    )
    matched_old_order = {
        old_id: old_rows[old_id].order for old_id, new_id, _s in pairs if new_id and old_id
    }
    rows: list[ComparisonRow] = []
    pending = list(deleted)
    for new in new_rows.values():
        old_id, status = by_new.get(new.pk, (None, "inserted"))
        old = old_rows.get(old_id) if old_id else None
        if old is not None:
            while pending and pending[0].order < matched_old_order[old.pk]:
                rows.append(ComparisonRow("deleted", pending.pop(0), None))
        rows.append(ComparisonRow(status, old, new))
    rows.extend(ComparisonRow("deleted", provision, None) for provision in pending)
    return rows
