"""The report's content, and its CSV and JSON files: the same totals in each,
equal to counts taken directly in the database; small groups suppressed;
campaigns counted as campaigns; nothing personal beyond public names."""

import csv
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Region
from consultations import services
from consultations.models import Comment, ItemStatus, Proposal, Vote
from consultations.reports import population
from consultations.reports.content import SMALL, report_content
from moderation import services as moderation
from moderation.models import Campaign, CampaignMember
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def feedback(committee_staff):
    """Seven people from Cusco and two from Tacna vote; some comment and
    propose; one comment is held; three comments form a campaign; one is answered."""
    consultation = open_consultation(committee_staff)
    cusco, tacna = Region.objects.get(code="cusco"), Region.objects.get(code="tacna")
    people = [UserFactory(region=cusco, age_range="25-34") for _ in range(7)]
    people += [UserFactory(region=tacna, age_range="65+") for _ in range(2)]
    first, second = article(consultation, 1), article(consultation, 2)
    for index, person in enumerate(people):
        services.vote_cast(voter=person, consultation=consultation, provision=first,
                           choice=["agree", "disagree", "abstain"][index % 3])  # fmt: skip
    services.vote_cast(voter=people[0], consultation=consultation, provision=None, choice="agree")
    letters = []
    for person in people[:3]:
        letters.append(services.comment_submit(
            author=person, consultation=consultation, provision=second,
            text="Exigimos que el artículo 2 garantice el acceso libre y gratuito.",
        ))  # fmt: skip
    popular = services.comment_submit(
        author=people[3], consultation=consultation, provision=first, text="=HYPERLINK(malo)"
    )
    for person in people[4:8]:
        services.support_add(supporter=person, item=popular)
    services.proposal_submit(
        author=people[4], consultation=consultation, provision=first,
        text="Nueva redacción propuesta", reason="Más precisa",
    )  # fmt: skip
    held = services.comment_submit(
        author=people[5], consultation=consultation, provision=first, text="Son unos cojudos"
    )
    moderation.item_screen(kind="comment", pk=held.pk)
    campaign = Campaign.objects.create(
        consultation=consultation, representative_kind="comment", representative_id=letters[0].pk
    )
    for letter in letters:
        CampaignMember.objects.create(
            campaign=campaign, kind="comment", object_id=letter.pk, created_at=letter.created_at
        )
    services.responses_set(
        actor=committee_staff, consultation=consultation, items=[("comment", popular.pk)],
        outcome="noted", reason="Gracias.",
    )  # fmt: skip
    return consultation, people


def test_the_totals_are_the_databases_counts(feedback):
    consultation, people = feedback
    content = report_content(consultation)
    published = {"consultation": consultation, "status": ItemStatus.PUBLISHED}
    assert content["totals"] == {
        "participants": len(people),
        "comments": Comment.objects.filter(**published).count(),
        "proposals": Proposal.objects.filter(**published).count(),
        "votes": Vote.objects.filter(consultation=consultation).count(),
    }
    assert content["totals"]["comments"] == 4  # the held one is not counted
    first = next(row for row in content["provisions"] if row["label"] == "Artículo 1.-")
    assert first["votes"] == {"agree": 3, "disagree": 3, "abstain": 3}
    assert first["shares"]["agree"] == 33.3
    assert first["most_supported"][0]["supports"] == 4
    assert content["responses"]["by_outcome"]["noted"] == 1


def test_small_groups_are_suppressed_and_population_shares_shown(feedback):
    consultation, _people = feedback
    regions = {row["code"]: row for row in report_content(consultation)["regions"]}
    assert regions["cusco"]["participants"] == 7
    assert regions["tacna"]["participants"] is None  # 2 < SMALL
    assert regions["tacna"]["share"] is None
    assert regions["cusco"]["population_share"] == round(100 * 1_205_527 / 29_381_884, 1)
    ages = {row["value"]: row["participants"] for row in report_content(consultation)["age_ranges"]}
    assert ages["25-34"] == 7
    assert ages["65+"] is None
    assert SMALL == 5


def test_a_campaign_is_one_campaign_with_its_signatories(feedback):
    consultation, _people = feedback
    [campaign] = report_content(consultation)["campaigns"]
    assert campaign["signatories"] == 3
    assert "acceso libre y gratuito" in campaign["text"]


def build(consultation, fmt: str, tmp_path: Path) -> Path:
    out = tmp_path / f"report.{fmt}"
    call_command("build_report", consultation.pk, "--format", fmt, "--out", str(out))
    return out


def test_csv_and_json_carry_the_same_totals_and_annex(feedback, tmp_path):
    consultation, people = feedback
    as_json = json.loads(build(consultation, "json", tmp_path).read_text())
    with zipfile.ZipFile(build(consultation, "csv", tmp_path)) as archive:
        totals = list(csv.DictReader(io.TextIOWrapper(archive.open("totals.csv"), "utf-8-sig")))
        annex = list(csv.DictReader(io.TextIOWrapper(archive.open("annex.csv"), "utf-8-sig")))
        names = set(archive.namelist())
    assert {key: int(value) for key, value in totals[0].items()} == as_json["totals"]
    assert len(annex) == len(as_json["annex"]) == 5  # 4 comments and 1 proposal published
    assert {"provisions.csv", "regions.csv", "campaigns.csv", "methodology.csv"} <= names
    formula = next(row for row in annex if "HYPERLINK" in row["text"])
    assert formula["text"].startswith("'=")  # a spreadsheet never runs it
    assert formula["answer"] == "noted"
    assert len(people) == as_json["totals"]["participants"]


def test_the_workbook_has_typed_cells_frozen_headers_and_the_same_figures(feedback, tmp_path):
    from openpyxl import load_workbook

    consultation, _people = feedback
    as_json = json.loads(build(consultation, "json", tmp_path).read_text())
    workbook = load_workbook(build(consultation, "xlsx", tmp_path))
    totals = workbook["totals"]
    header = [cell.value for cell in totals[1]]
    values = [cell.value for cell in totals[2]]
    assert dict(zip(header, values, strict=True)) == as_json["totals"]
    assert all(isinstance(value, int) for value in values)
    assert totals.freeze_panes == "A2"
    assert totals["A1"].font.bold
    annex = workbook["annex"]
    assert annex.max_row - 1 == len(as_json["annex"])
    texts = [row[6] for row in annex.iter_rows(min_row=2)]
    formula = next(cell for cell in texts if "HYPERLINK" in str(cell.value))
    assert formula.value == "=HYPERLINK(malo)"  # kept exactly, and never a formula
    assert formula.data_type == "s"
    assert isinstance(annex["D2"].value, datetime)  # when it was sent, as a date and time
    assert {"provisions", "regions", "campaigns", "methodology"} <= set(workbook.sheetnames)


def test_no_export_contains_an_email_address(feedback, tmp_path):
    consultation, people = feedback
    for fmt in ("json", "csv", "xlsx", "pdf", "docx"):
        path = build(consultation, fmt, tmp_path)
        data = path.read_bytes()
        if fmt in ("csv", "xlsx", "docx"):
            with zipfile.ZipFile(path) as archive:
                data = b"".join(archive.read(name) for name in archive.namelist())
        for person in people:
            assert person.email.encode() not in data
        assert b"@example.org" not in data


def test_the_command_refuses_what_it_cannot_build(committee_staff, tmp_path):
    with pytest.raises(CommandError):
        call_command("build_report", 999999, "--format", "json", "--out", str(tmp_path / "x"))
    assert not (tmp_path / "x").exists()


def test_the_census_figures_add_up_to_the_sources_total(corpus):
    assert sum(population.CENSUS_2017.values()) == population.TOTAL_2017
    table = (corpus / "population" / "inei-pob_03.csv").read_text(encoding="utf-8")
    assert "29 381 884" in table
    assert "8 574 974" in table  # Lima Metropolitana
    assert " 910 431" in table  # Lima Provincias


def test_the_pdf_and_docx_hold_the_tables_and_the_charts(feedback, tmp_path):
    from docx import Document
    from pypdf import PdfReader

    consultation, _people = feedback
    pdf = PdfReader(build(consultation, "pdf", tmp_path))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    for expected in ("Artículo 1.-", "Votos por artículo", "Participación por día",
                     "Cusco", "menos de 5", "9"):  # fmt: skip
        assert expected in text, expected
    drawn = b"".join(page.get_contents().get_data() for page in pdf.pages)
    assert b" re" in drawn  # the bars are rectangles: vector graphics, not pictures
    totals = report_content(consultation)["totals"]
    numbers = [str(totals[key]) for key in ("participants", "comments", "proposals", "votes")]
    assert " ".join(numbers) in " ".join(text.split())  # the totals row, in order
    document = Document(build(consultation, "docx", tmp_path))
    assert [cell.text for cell in document.tables[0].rows[1].cells] == numbers
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Artículo 1.-" in cells
    assert "Cusco" in cells
    assert len(document.inline_shapes) == 2  # the stance chart and the timeline
    prose = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "Votos por artículo" in prose
