"""Page weight: what a visitor on a phone downloads for the pages they land on, within 100 KB.

Counted: the HTML document, stylesheets, scripts and fonts; images are left out (an article's hero
image is the editor's choice and is sized when uploaded). Sizes are what production sends:

- Static files (CSS, JS, fonts) are counted gzip-compressed. The live server sends them as they are,
  so each body is compressed here with gzip at level 6; production's WhiteNoise serves files that
  `collectstatic` precompressed at level 9 (Brotli is not installed), so this is a little more than
  the real transfer, never less.
- HTML is counted uncompressed, though public pages go out gzipped to visitors (config/compression.py):
  a ceiling, not the transfer. Their stylesheet is inline (config/stylesheet.py), so it is counted here.

The figures go to artifacts/page-weight.txt and to stdout (`pytest -s`).
"""

import gzip

import pytest

from .conftest import ARTIFACTS, PHONE
from .test_accessibility import RequestLog, make_payer, publish_demo_articles

BUDGET = 100 * 1024
COUNTED = {"document", "stylesheet", "script", "font"}


def weigh(page_factory, url: str, origin: str) -> dict:
    """Load one page in a fresh phone-sized context and add up what it downloaded, by kind."""
    page = page_factory(viewport=PHONE)
    requests = RequestLog(page, origin)
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")

    rows = []
    for response in responses:
        kind = response.request.resource_type
        if not 200 <= response.status < 300:
            continue
        body = response.body()
        compressed = len(gzip.compress(body, compresslevel=6))
        served = len(body) if kind == "document" else compressed
        rows.append({"kind": kind, "url": response.url, "raw": len(body), "gzip": compressed, "served": served})
    counted = [row for row in rows if row["kind"] in COUNTED]
    return {
        "rows": rows,
        "served": sum(row["served"] for row in counted),
        "all_gzip": sum(row["gzip"] for row in counted),
        "raw": sum(row["raw"] for row in counted),
        "excluded": [row for row in rows if row["kind"] not in COUNTED],
        "foreign": requests.foreign(),
    }


def kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_landing_pages_under_100_kb_and_on_our_own_server(live_server, page_factory):
    make_payer()
    article = max(publish_demo_articles(), key=lambda a: len(a.body_html))
    pages = {
        "home": "/",
        "callback form": "/callback/",
        "verify form": "/verify/",
        "article list": "/articles/",
        "article page": article.get_absolute_url(),
    }

    report = ["Page weight (phone viewport; HTML as served = uncompressed, CSS/JS/fonts gzip -6)", ""]
    weights = {}
    for name, path in pages.items():
        weight = weigh(page_factory, f"{live_server.url}{path}", live_server.url)
        weights[name] = weight
        report.append(
            f"{name:14} {kb(weight['served']):>9} as served   {kb(weight['all_gzip']):>9} if HTML were gzipped"
            f"   {kb(weight['raw']):>9} uncompressed   ({path})"
        )
        for row in weight["rows"]:
            counted = "" if row["kind"] in COUNTED else "   (not counted)"
            report.append(
                f"    {row['kind']:11} {kb(row['raw']):>9} raw {kb(row['gzip']):>9} gzip  {row['url']}{counted}"
            )
    report.append("")
    report.append(f"Budget: {kb(BUDGET)} per page, images excluded.")
    text = "\n".join(report)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weight.txt").write_text(text + "\n")
    print("\n" + text)

    for name, weight in weights.items():
        assert weight["foreign"] == [], f"{name} asked another host for {weight['foreign']}"
        kinds = {row["kind"] for row in weight["rows"]}
        assert "document" in kinds, f"{name}: nothing was measured ({kinds})"
        assert weight["served"] <= BUDGET, f"{name} weighs {kb(weight['served'])}, over {kb(BUDGET)}:\n{text}"
    # The article page is the one search engines send people to: the budget matters most there.
    assert weights["article page"]["served"] <= BUDGET
