import pytest
from django.core.exceptions import ValidationError

from bills import services
from bills.models import BillStage, MatchStatus, Provision, ProvisionMatch, VersionStatus
from tests.bills import factories

pytestmark = pytest.mark.django_db


def test_a_new_bill_gets_its_url_slug_and_first_stage():
    bill = services.bill_create(
        number="1234/2025-CR", title="  Ley   de prueba ", origin_chamber=factories.chamber()
    )
    assert bill.slug == "1234-2025-CR"
    assert bill.title == "Ley de prueba"
    assert [change.stage for change in bill.stage_changes.all()] == [BillStage.PRESENTED]


@pytest.mark.parametrize("number", ["", "   ", "<script>", "1234/2025 CR", "a" * 41, "ñ/2025"])
def test_a_malformed_bill_number_is_refused(number):
    with pytest.raises(ValidationError):
        services.bill_create(number=number, title="Ley", origin_chamber=factories.chamber())


def test_stage_changes_are_appended_to_the_history():
    bill = factories.published_bill()
    services.bill_change_stage(
        bill=bill, stage=BillStage.IN_COMMITTEE, happened_on=bill.created_at.date()
    )
    bill.refresh_from_db()
    assert bill.stage == BillStage.IN_COMMITTEE
    assert [change.stage for change in bill.stage_changes.all()] == [
        BillStage.PRESENTED,
        BillStage.IN_COMMITTEE,
    ]


def test_versions_are_numbered_and_keep_the_tree_in_document_order():
    bill = factories.published_bill(articles=4, versions=2)
    assert list(bill.versions.values_list("number", flat=True)) == [1, 2]
    version = bill.versions.get(number=1)
    provisions = list(version.provisions.order_by("order"))
    assert [p.kind for p in provisions[:3]] == ["title", "chapter", "article"]
    assert provisions[2].parent == provisions[1]
    assert provisions[2].depth == 2
    assert provisions[2].eid == "tit_1__chp_1__art_1"
    assert len({p.eid for p in provisions}) == len(provisions)
    assert version.source_sha256
    assert version.source_file.name


def test_publishing_twice_is_refused_and_a_published_version_cannot_be_deleted():
    bill = factories.published_bill()
    version = bill.versions.get()
    assert version.status == VersionStatus.PUBLISHED
    assert version.published_at is not None
    with pytest.raises(ValidationError):
        services.bill_version_publish(version=version)
    with pytest.raises(ValidationError):
        services.bill_version_discard(version=version)
    assert bill.versions.count() == 1


def test_a_draft_can_be_discarded_with_its_provisions():
    bill = factories.published_bill()
    draft = services.bill_version_create(
        bill=bill,
        result=factories.tree(2),
        source_format="text",
        source_name="borrador.txt",
        source_bytes=b"x",
    )
    services.bill_version_discard(version=draft)
    assert not Provision.objects.filter(version_id=draft.pk).exists()
    assert bill.versions.count() == 1


def test_publishing_a_new_version_stores_how_its_provisions_match_the_last():
    bill = factories.published_bill(articles=3, versions=2)
    old, new = bill.versions.order_by("number")
    matches = ProvisionMatch.objects.filter(old_version=old, new_version=new)
    statuses = {m.old.label: m.status for m in matches.select_related("old") if m.old}
    assert statuses["Artículo 1.-"] == MatchStatus.UNCHANGED
    assert statuses["Artículo 2.-"] == MatchStatus.CHANGED
