"""The report as documents to read and attach: PDF (from HTML templates, the
charts as vector graphics) and DOCX (the same narrative, editable tables, the
charts as images). Both are summaries: the annex of every contribution is in
the CSV, XLSX and JSON files."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from consultations.models import Consultation
from consultations.reports import charts

SECTIONS = ("summary", "articles", "rest")


def _legend() -> dict[str, str]:
    return {"agree": _("Agree"), "disagree": _("Disagree"), "abstain": _("Abstain")}


def _when(value: str | None) -> str:
    if not value:
        return ""
    return date_format(timezone.localtime(datetime.fromisoformat(value)), "DATETIME_FORMAT")


def _context(content: dict) -> dict:
    about = content["consultation"]
    return {
        "c": content,
        "opens": _when(about["opens_at"]),
        "closes": _when(about["closes_at"]),
        "generated": _when(content["generated_at"]),
        "until": _when(content["data_until"]),
    }


def _html(section: str, content: dict) -> str:
    return render_to_string(f"consultations/reports/{section}.html", _context(content))


def write_pdf(content: dict, consultation: Consultation, out: BinaryIO) -> None:
    """The summary as PDF: the templates' HTML laid out by fpdf2, with the
    stance chart and the timeline as SVG drawn as vector graphics."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(content["consultation"]["title"])
    pdf.set_creator("Aporta")
    family = _font(pdf)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(family, size=10)
    pdf.write_html(_html("summary", content))
    rows = charts.stance_rows(content)
    if rows:
        pdf.ln(4)
        pdf.set_font(family, "B", size=12)
        pdf.cell(text=_("Votes by article"), new_x="LMARGIN", new_y="NEXT")
        pdf.image(io.BytesIO(charts.stances_svg(rows, _legend())), w=pdf.epw)
    days = charts.day_rows(content)
    if days:
        pdf.ln(4)
        pdf.set_font(family, "B", size=12)
        pdf.cell(text=_("Participation per day"), new_x="LMARGIN", new_y="NEXT")
        pdf.image(io.BytesIO(charts.timeline_svg(days)), w=pdf.epw)
    pdf.set_font(family, size=10)
    pdf.write_html(_html("articles", content))
    pdf.write_html(_html("rest", content))
    out.write(bytes(pdf.output()))


def _font(pdf) -> str:
    """A Unicode font (``APORTA_REPORT_FONT``, DejaVu Sans by default) so any
    citizen's text prints; without it, the core font and text it can show."""
    regular = Path(settings.APORTA_REPORT_FONT)
    bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
    if regular.is_file():
        pdf.add_font("Report", "", str(regular))
        pdf.add_font("Report", "B", str(bold if bold.is_file() else regular))
        pdf.add_font("Report", "I", str(regular))
        pdf.add_font("Report", "BI", str(bold if bold.is_file() else regular))
        return "Report"
    pdf.core_fonts_encoding = "latin-1"
    return "helvetica"


def write_docx(content: dict, consultation: Consultation, out: BinaryIO) -> None:
    """The same summary as an editable Word document: headings, paragraphs,
    real tables, and the two charts as images."""
    from docx import Document
    from docx.shared import Cm

    context = _context(content)
    about = content["consultation"]
    document = Document()
    document.core_properties.title = about["title"]
    document.add_heading(about["title"], level=0)
    document.add_paragraph(
        _("Bill %(number)s, version %(version)s: %(title)s")
        % {"number": about["bill"]["number"], "version": about["bill"]["version"],
           "title": about["bill"]["title"]}
    )  # fmt: skip
    document.add_paragraph(f"{about['chamber']} · {about['committee']}")
    document.add_paragraph(
        _("Consultation from %(opens)s to %(closes)s.") % context
        + " "
        + _("Report generated on %(generated)s from the data received until %(until)s.")
        % {"generated": context["generated"], "until": context["until"] or "—"}
    )
    document.add_heading(_("Totals"), level=1)
    totals = content["totals"]
    _table(
        document,
        [_("Participants"), _("Comments"), _("Alternative wordings"), _("Votes")],
        [[totals["participants"], totals["comments"], totals["proposals"], totals["votes"]]],
    )
    rows = charts.stance_rows(content)
    if rows:
        document.add_heading(_("Votes by article"), level=1)
        document.add_picture(io.BytesIO(charts.stances_png(rows, _legend())), width=Cm(16))
    days = charts.day_rows(content)
    if days:
        document.add_heading(_("Participation per day"), level=1)
        document.add_picture(io.BytesIO(charts.timeline_png(days)), width=Cm(16))
    document.add_heading(_("Article by article"), level=1)
    _table(
        document,
        [_("Provision"), _("Agree"), _("Disagree"), _("Abstain"), _("Comments"),
         _("Alternative wordings")],
        [[row["label"], row["votes"]["agree"], row["votes"]["disagree"], row["votes"]["abstain"],
          row["comments"], row["proposals"]] for row in content["provisions"]],
    )  # fmt: skip
    document.add_heading(_("Most supported contributions"), level=1)
    for row in content["provisions"]:
        for item in row["most_supported"]:
            document.add_paragraph(
                f"{row['label']} · {item['author']} ({item['supports']}): {item['text'][:600]}"
            )
    suppressed = _("fewer than 5")
    document.add_heading(_("Participation by region"), level=1)
    _table(
        document,
        [_("Region"), _("Participants"), _("Share of participants"),
         _("Share of the population (2017)")],
        [[row["name"], suppressed if row["participants"] is None else row["participants"],
          _dash(row["share"]), _dash(row["population_share"])] for row in content["regions"]],
    )  # fmt: skip
    for title, key in ((_("Participation by respondent type"), "respondent_types"),
                       (_("Participation by age range"), "age_ranges")):  # fmt: skip
        document.add_heading(title, level=1)
        _table(
            document,
            [title, _("Participants"), _("Share of participants")],
            [[row["label"], suppressed if row["participants"] is None else row["participants"],
              _dash(row["share"])] for row in content[key]],
        )  # fmt: skip
    document.add_heading(_("Campaigns"), level=1)
    for row in content["campaigns"] or [{"signatories": 0, "text": _("None.")}]:
        document.add_paragraph(f"{row['signatories'] or ''} {row['text'][:400]}".strip())
    document.add_heading(_("Method"), level=1)
    for note in content["methodology"]:
        document.add_paragraph(note)
    document.save(out)


def _dash(value) -> str:
    return "—" if value is None else str(value)


def _table(document, header: list[str], rows: list[list]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)
