"""The one place Lantern turns a page into a PDF (WeasyPrint).

No network: no base URL is given, so a remote stylesheet, font or image can never be fetched
(the templates keep their CSS inline and use the system's fonts, DejaVu on Debian). The same
HTML gives the same bytes, which is what lets a re-download equal the document first issued.
"""

from django.template.loader import render_to_string


def _no_fetching(url: str, *args, **kwargs):
    raise ValueError("PDFs are rendered without fetching anything")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported late: it loads Pango, which only PDF views need

    return HTML(string=html, base_url=None, url_fetcher=_no_fetching).write_pdf()


def render_pdf(template_name: str, context: dict) -> bytes:
    return html_to_pdf(render_to_string(template_name, context))
