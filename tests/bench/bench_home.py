"""Group ``home``: the home page, as an anonymous visitor gets it."""

from tests.bench.runner import Context, Figure

FIGURES = ("home_ms_median", "home_queries")


def run(ctx: Context) -> list[Figure]:
    client = ctx.client()

    def get_home():
        # No cookies: every request is a first visit, like the counted one.
        client.cookies.clear()
        response = client.get("/")
        ctx.expect_status(response, 200, "GET /")
        return response

    samples = ctx.time_ms(get_home)
    queries = ctx.count_queries(get_home)
    ctx.log(f"home: {len(samples)} requests, min {min(samples):.2f} ms, max {max(samples):.2f} ms")
    return [
        Figure("home_ms_median", ctx.median(samples), "ms"),
        Figure("home_queries", queries, "queries", decimals=0),
    ]
