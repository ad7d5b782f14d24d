"""Writes to the parliament's structure and its bills.

A published version is immutable: nothing here changes its provisions, and
publishing stores how its provisions match the previous published version's.
"""

import hashlib
import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from bills.importers.base import Node, ParseResult, assign_eids
from bills.models import (
    Bill,
    BillStage,
    BillStageChange,
    BillVersion,
    Chamber,
    Committee,
    Provision,
    VersionKind,
    VersionStatus,
)

_BILL_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./-]{0,38}$")


@transaction.atomic
def chamber_ensure(*, slug: str, name_es: str, name_en: str, position: int = 0) -> Chamber:
    """Creates the chamber or brings its names up to date; safe to repeat."""
    chamber = Chamber.objects.filter(slug=slug).first() or Chamber(slug=slug)
    chamber.name_es, chamber.name_en, chamber.position = name_es, name_en, position
    chamber.full_clean()
    chamber.save()
    return chamber


@transaction.atomic
def committee_ensure(*, chamber: Chamber, slug: str, name_es: str, name_en: str) -> Committee:
    """Creates the committee or brings its names up to date; safe to repeat."""
    committee = Committee.objects.filter(chamber=chamber, slug=slug).first() or Committee(
        chamber=chamber, slug=slug
    )
    committee.name_es, committee.name_en = name_es, name_en
    committee.full_clean()
    committee.save()
    return committee


def bill_slug(number: str) -> str:
    """``1234/2025-CR`` → ``1234-2025-CR``: the number as it appears in URLs."""
    return number.replace("/", "-").replace(".", "-")


def _check_number(number: str) -> str:
    number = number.strip()
    if not _BILL_NUMBER.match(number):
        raise ValidationError(
            {"number": _("Use the parliament's number, such as 1234/2025-CR.")}, code="invalid"
        )
    return number


@transaction.atomic
def bill_create(
    *,
    number: str,
    title: str,
    origin_chamber: Chamber,
    summary: str = "",
    proponents: str = "",
    committees: list[Committee] | tuple[Committee, ...] = (),
    external_url: str = "",
    stage: str = BillStage.PRESENTED,
    stage_date: date | None = None,
    actor: User | None = None,
) -> Bill:
    number = _check_number(number)
    bill = Bill(
        number=number,
        slug=bill_slug(number),
        title=" ".join(title.split()),
        summary=summary.strip(),
        proponents=proponents.strip(),
        origin_chamber=origin_chamber,
        external_url=external_url.strip(),
        stage=stage,
    )
    bill.full_clean()
    bill.save()
    bill.committees.set(committees)
    BillStageChange.objects.create(
        bill=bill, stage=stage, happened_on=stage_date or timezone.localdate(), recorded_by=actor
    )
    return bill


@transaction.atomic
def bill_update(
    *,
    bill: Bill,
    title: str,
    summary: str = "",
    proponents: str = "",
    committees: list[Committee] | tuple[Committee, ...] | None = None,
    external_url: str = "",
) -> Bill:
    bill.title = " ".join(title.split())
    bill.summary = summary.strip()
    bill.proponents = proponents.strip()
    bill.external_url = external_url.strip()
    bill.updated_at = timezone.now()
    bill.full_clean()
    bill.save()
    if committees is not None:
        bill.committees.set(committees)
    return bill


@transaction.atomic
def bill_change_stage(
    *, bill: Bill, stage: str, happened_on: date, note: str = "", actor: User | None = None
) -> BillStageChange:
    """Moves the bill to ``stage`` and appends the change to its history."""
    if stage not in BillStage.values:
        raise ValidationError({"stage": _("Unknown stage.")}, code="invalid")
    change = BillStageChange(
        bill=bill, stage=stage, happened_on=happened_on, note=note.strip(), recorded_by=actor
    )
    change.full_clean()
    change.save()
    Bill.objects.filter(pk=bill.pk).update(stage=stage, updated_at=timezone.now())
    bill.stage = stage
    return change


def _levels(nodes: list[Node]) -> list[list[tuple[Node, int, Node | None]]]:
    """Nodes grouped by depth, each with its document-order position and parent."""
    levels: list[list[tuple[Node, int, Node | None]]] = []
    position = 0
    stack: list[tuple[Node, int, Node | None]] = [(node, 0, None) for node in reversed(nodes)]
    while stack:
        node, depth, parent = stack.pop()
        if len(levels) <= depth:
            levels.append([])
        levels[depth].append((node, position, parent))
        position += 1
        stack.extend((child, depth + 1, node) for child in reversed(node.children))
    return levels


@transaction.atomic
def bill_version_create(
    *,
    bill: Bill,
    result: ParseResult,
    source_format: str,
    source_name: str,
    source_bytes: bytes,
    kind: str = VersionKind.ORIGINAL,
    actor: User | None = None,
) -> BillVersion:
    """Stores a parsed source as the bill's next version, as a draft.

    Takes a row lock on the bill so two imports never get the same number.
    Provisions are written level by level (one insert per depth).
    """
    Bill.objects.select_for_update().filter(pk=bill.pk).first()
    if not result.nodes:
        raise ValidationError(_("The document has no provisions."), code="empty")
    if any(not node.eid for node in result.walk()):
        assign_eids(result.nodes)
    latest = bill.versions.aggregate(latest=Max("number"))["latest"] or 0
    version = BillVersion(
        bill=bill,
        number=latest + 1,
        kind=kind,
        source_format=source_format,
        source_sha256=hashlib.sha256(source_bytes).hexdigest(),
        import_report={
            "warnings": [vars(warning) for warning in result.warnings],
            "removed": list(result.removed),
        },
        created_by=actor,
    )
    version.full_clean(exclude=["source_file"])
    version.save()
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "_", source_name)[-80:] or "source"
    version.source_file.save(safe_name, ContentFile(source_bytes), save=True)

    saved: dict[int, Provision] = {}
    for depth, level in enumerate(_levels(result.nodes)):
        rows = []
        for node, position, parent in level:
            rows.append(
                Provision(
                    version=version,
                    parent=saved[id(parent)] if parent is not None else None,
                    kind=node.kind,
                    group_type=node.group_type,
                    label=node.label,
                    heading=node.heading,
                    text=node.text,
                    order=position,
                    depth=depth,
                    eid=node.eid,
                )
            )
        created = Provision.objects.bulk_create(rows)
        for (node, _position, _parent), row in zip(level, created, strict=True):
            saved[id(node)] = row
    return version


@transaction.atomic
def bill_version_publish(*, version: BillVersion, actor: User | None = None) -> BillVersion:
    """Publishes a draft version and stores its match with the previous published one."""
    version = BillVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise ValidationError(_("This version is already published."), code="published")
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor
    version.save(update_fields=["status", "published_at", "published_by"])
    previous = (
        BillVersion.objects.filter(
            bill=version.bill_id, status=VersionStatus.PUBLISHED, number__lt=version.number
        )
        .order_by("-number")
        .first()
    )
    if previous is not None:
        from bills.matching import store_matches, version_match
        from notifications.models import Event
        from notifications.services import outbox_add_about_bill

        store_matches(previous, version, version_match(previous, version))
        outbox_add_about_bill(
            event=Event.NEW_VERSION,
            bill_id=version.bill_id,
            version=version.number,
            previous=previous.number,
        )
    Bill.objects.filter(pk=version.bill_id).update(updated_at=timezone.now())
    return version


@transaction.atomic
def bill_version_discard(*, version: BillVersion) -> None:
    """Deletes a draft; a published version is part of the record and stays."""
    version = BillVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise ValidationError(_("A published version cannot be deleted."), code="published")
    version.source_file.delete(save=False)
    version.delete()
