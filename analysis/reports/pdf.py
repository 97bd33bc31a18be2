"""The printable report as a tagged PDF (PDF/UA-1), drawn by WeasyPrint from the same HTML and inline SVG as the page.

WeasyPrint may only read our own static files: any other URL (a link someone typed in a
changelog, a remote image) is refused, so rendering a report never reaches the network.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
from urllib.parse import urlsplit

from lab.templating import STATIC_DIR

log = logging.getLogger("servicelab.reports")
BASE_URL = "https://servicelab.invalid/"
#: Accessible documents: public bodies must publish PDFs that assistive technologies can read (RGAA).
PDF_VARIANT = "pdf/ua-1"


def _static_file(url: str) -> tuple[bytes, str]:
    """The bytes and type of one of our static files; ValueError for any other URL."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.netloc == "servicelab.invalid" and parts.path.startswith("/static/"):
        path = (STATIC_DIR / parts.path.removeprefix("/static/")).resolve()
        if path.is_file() and STATIC_DIR.resolve() in path.parents:
            return path.read_bytes(), mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    raise ValueError(f"PDF rendering may only read servicelab's static files, not {url}")


def html_to_pdf(html: str) -> bytes:
    """Render a complete HTML document (the printable report) to PDF bytes."""
    from weasyprint import HTML  # heavy import, only where a PDF is asked for
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        """Serve /static/... from disk and refuse everything else: no network access while rendering."""

        def fetch(self, url, headers=None):
            if url.startswith("data:image/"):  # the collectivité's logo, inline
                mime_type, _, data = url.removeprefix("data:").partition(";base64,")
                return URLFetcherResponse(url, base64.b64decode(data), headers={"Content-Type": mime_type})
            body, mime_type = _static_file(url)
            return URLFetcherResponse(url, body, headers={"Content-Type": mime_type})

    # WeasyPrint logs every CSS property it does not draw (screen-only rules) and each layout
    # step; keep its errors only, or every PDF floods the server log.
    for name in ("weasyprint", "weasyprint.progress"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # PDF/UA-1: a tagged PDF (structure tree, reading order, language, title), as public bodies must publish.
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnly()).write_pdf(pdf_variant=PDF_VARIANT)


def printable_html(db, env, context: dict, *, pdf: bool) -> str:
    """The printable report as a complete HTML document, outside any request (PDF, CLI), signed by the collectivité."""
    from lab import organisation
    from lab.i18n import current_locale

    return env.get_template("reports/report_print.html").render(
        {**context, "lang": current_locale.get(), "pdf": pdf, "printing": True, "user": None, "csrf_token": "",
         "organisation": organisation.load(db), "organisation_logo": organisation.logo_data_uri(db)})
