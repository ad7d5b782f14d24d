"""Group ``bills``: importing real texts from the corpus, and the bill page."""

import time
import tracemalloc
from pathlib import Path

from tests.bench.runner import BenchError, Context, Figure

FIGURES = (
    "import_constitution_s",
    "import_constitution_peak_mb",
    "import_ley32069_s",
    "bill_page_300_ms_median",
    "bill_page_300_queries",
    "bill_page_20_queries",
)
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "bills-es"


def _seconds(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def run(ctx: Context) -> list[Figure]:
    from bills.importers.text import parse_text
    from tests.bills.corpus import constitution_text
    from tests.bills.factories import published_bill

    if not CORPUS.is_dir():
        raise BenchError(f"the corpus is not at {CORPUS}: the import figures need it")
    constitution = constitution_text(CORPUS.parent)
    ley = (CORPUS / "pe-ley-32069-ley-general-contrataciones-publicas.md").read_text("utf-8")

    parse_text(constitution)  # warm up imports and regular expressions
    constitution_s = min(_seconds(lambda: parse_text(constitution)) for _ in range(3))
    tracemalloc.start()
    parse_text(constitution)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    ley_s = min(_seconds(lambda: parse_text(ley)) for _ in range(3))

    published_bill("300/2026-CR", articles=300)
    published_bill("20/2026-CR", articles=20)
    client = ctx.client()

    def page(slug: str):
        def get():
            response = client.get(f"/bills/{slug}/")
            ctx.expect_status(response, 200, f"GET /bills/{slug}/")

        return get

    samples = ctx.time_ms(page("300-2026-CR"), repeat=50)
    ctx.log(f"bills: constitution {constitution_s:.3f} s, peak {peak / 2**20:.1f} MB")
    return [
        Figure("import_constitution_s", constitution_s, "s", decimals=3),
        Figure("import_constitution_peak_mb", peak / 2**20, "mb", decimals=1),
        Figure("import_ley32069_s", ley_s, "s", decimals=3),
        Figure("bill_page_300_ms_median", ctx.median(samples), "ms"),
        Figure(
            "bill_page_300_queries", ctx.count_queries(page("300-2026-CR")), "queries", decimals=0
        ),
        Figure(
            "bill_page_20_queries", ctx.count_queries(page("20-2026-CR")), "queries", decimals=0
        ),
    ]
