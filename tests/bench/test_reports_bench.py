"""The reports benchmark with small numbers: its data and a whole run in
process (PostgreSQL: the group loads with COPY)."""

import re

import pytest

from consultations.models import Comment, Vote, VoteTally
from tests.bench import bench_reports
from tests.bench.runner import BenchError, Context


def on_postgres(test):
    """The group loads with COPY: its tests need PostgreSQL."""
    return pytest.mark.django_db(pytest.mark.postgres(test))


def test_the_figures_are_the_issues_contract():
    assert bench_reports.FIGURES == (
        "copy_baseline_s",
        "report_csv_s",
        "report_csv_peak_mb",
        "report_xlsx_s",
        "report_xlsx_peak_mb",
        "report_json_s",
        "report_json_peak_mb",
        "report_pdf_s",
        "report_pdf_peak_mb",
        "report_docx_s",
        "report_docx_peak_mb",
    )


@on_postgres
def test_a_small_run_prints_the_eleven_figures_in_their_formats():
    logged = []
    figures = bench_reports.run(
        Context(group="reports", log=logged.append), people=40, articles=3, comments=60
    )
    lines = [figure.line() for figure in figures]
    assert [line.split(":")[0] for line in lines] == list(bench_reports.FIGURES)
    assert re.fullmatch(r"copy_baseline_s: \d+\.\d\d s", lines[0])
    for line in lines[1::2]:
        assert re.fullmatch(r"report_[a-z]+_s: \d+\.\d\d s", line)
    for figure, line in zip(figures[2::2], lines[2::2], strict=True):
        assert re.fullmatch(r"report_[a-z]+_peak_mb: \d+\.\d mb", line)
        assert 10 < figure.value < 2000  # the whole process's resident memory
    assert "40 people, 160 votes and 60 comments loaded" in "\n".join(logged)


@on_postgres
def test_the_load_keeps_the_constraints_and_rebuilds_the_tallies():
    loaded = bench_reports.load(people=30, articles=2, comments=20)
    consultation = loaded.consultation
    assert Vote.objects.filter(consultation=consultation).count() == 90
    assert Vote.objects.filter(consultation=consultation, provision=None).count() == 30
    assert Comment.objects.filter(consultation=consultation, provision=None).count() == 0
    tallies = VoteTally.objects.filter(consultation=consultation)
    assert tallies.count() == 3
    assert sum(t.agree + t.disagree + t.abstain for t in tallies) == 90

    # The triggers are back on: deleting a vote moves its tally.
    vote = Vote.objects.filter(consultation=consultation, provision=None).first()
    bill = tallies.get(provision=None)
    before = getattr(bill, vote.choice)
    Vote.objects.filter(pk=vote.pk).delete()
    bill.refresh_from_db()
    assert getattr(bill, vote.choice) == before - 1
    bench_reports.check_tallies(consultation)
    VoteTally.objects.filter(pk=bill.pk).update(agree=bill.agree + 1)
    with pytest.raises(BenchError, match="tallies do not match"):
        bench_reports.check_tallies(consultation)


@on_postgres
def test_the_baseline_copies_the_rows_of_the_csv_annex():
    loaded = bench_reports.load(people=10, articles=2, comments=15)
    (comments, _params), _proposals = bench_reports.annex_queries(loaded.consultation)
    assert "consultations_support" in comments
    assert "consultations_response" in comments
    seconds, size = bench_reports.copy_baseline(loaded.consultation)
    assert seconds > 0
    assert size > 15 * 50
