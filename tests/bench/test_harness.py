"""The benchmark harness, run as `make bench` runs it: in a subprocess of its own.

No `db` fixture: the harness creates (and destroys) a test database of its own,
under a name distinct from pytest-django's.
"""

import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from tests.bench.runner import Context, Figure, Unmeasured, discover_groups, run_group

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^[a-z0-9_]+: [0-9.]+ [a-z%/]+$")
# The contract: dashboards key on these names. Change them only on purpose.
HOME_FIGURES = ["home_ms_median", "home_queries"]


def bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tests.bench", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def figures(result: subprocess.CompletedProcess) -> dict[str, str]:
    return {line.split(":")[0]: line.split(" ")[1] for line in result.stdout.splitlines()}


@pytest.fixture(scope="module")
def home_run() -> subprocess.CompletedProcess:
    result = bench("--only", "home")
    assert result.returncode == 0, result.stderr
    return result


def test_every_stdout_line_is_one_figure(home_run):
    lines = home_run.stdout.splitlines()
    assert lines
    for line in lines:
        assert LINE.match(line), f"not a figure line: {line!r}"


def test_home_reports_its_figures_in_order(home_run):
    assert list(figures(home_run)) == HOME_FIGURES


def test_home_values_are_plausible(home_run):
    values = figures(home_run)
    assert re.fullmatch(r"\d+\.\d\d", values["home_ms_median"])
    assert float(values["home_ms_median"]) > 0
    assert re.fullmatch(r"\d+", values["home_queries"])


def test_progress_goes_to_stderr(home_run):
    assert "bench: running group home" in home_run.stderr
    assert "bench:" not in home_run.stdout


def test_figure_names_are_stable_across_runs(home_run):
    again = bench("--only", "home")
    assert again.returncode == 0, again.stderr
    assert list(figures(again)) == list(figures(home_run)) == HOME_FIGURES


def test_an_unknown_group_fails_and_lists_the_groups():
    result = bench("--only", "no_such_group")
    assert result.returncode != 0
    assert result.stdout == ""
    assert "unknown group 'no_such_group'" in result.stderr
    assert "home" in result.stderr


def test_groups_are_discovered_from_bench_modules():
    assert "home" in discover_groups()
    listed = bench("--list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == discover_groups()


@pytest.mark.parametrize(
    ("name", "value", "unit"),
    [("Home ms", 1.0, "ms"), ("home_ms", 1.0, "milli seconds"), ("home_ms", -1.0, "ms")],
)
def test_a_figure_that_would_break_the_line_format_is_refused(name, value, unit):
    with pytest.raises(ValueError, match=r"must"):
        Figure(name, value, unit)


def test_an_unmeasured_figure_says_why():
    with pytest.raises(ValueError, match="say why"):
        Unmeasured("consultation_page_queries", " ")


def test_a_group_may_report_a_figure_as_unmeasured_in_its_place():
    group = types.ModuleType("tests.bench.bench_example")
    group.FIGURES = ("example_ms", "example_queries")
    group.run = lambda ctx: [
        Figure("example_ms", 1.0, "ms"),
        Unmeasured("example_queries", "the page does not exist yet"),
    ]
    reported = run_group(group, Context(group="example"))
    assert [figure.name for figure in reported] == ["example_ms", "example_queries"]
    assert isinstance(reported[1], Unmeasured)


def test_figure_line_format():
    assert Figure("home_ms_median", 3.4149, "ms").line() == "home_ms_median: 3.41 ms"
    assert Figure("home_queries", 4, "queries", decimals=0).line() == "home_queries: 4 queries"


BILLS_FIGURES = [
    "import_constitution_s",
    "import_constitution_peak_mb",
    "import_ley32069_s",
    "bill_page_300_ms_median",
    "bill_page_300_queries",
    "bill_page_20_queries",
]


def test_the_bills_group_prints_its_contract_and_a_flat_query_count(corpus):
    result = bench("--only", "bills")
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        assert LINE.match(line), line
    values = figures(result)
    assert list(values) == BILLS_FIGURES
    assert values["bill_page_300_queries"] == values["bill_page_20_queries"]
