"""QR codes as inline SVG: no image files, no inline styles (the CSP forbids them), same URL, same drawing."""

from __future__ import annotations

import segno
from markupsafe import Markup


def make(url: str) -> segno.QRCode:
    """The QR symbol for a URL: level M exactly (no silent boost), so reprints are identical."""
    return segno.make(url, error="m", boost_error=False, micro=False)


def svg_inline(url: str, *, title: str) -> Markup:
    """An `<svg>` to put straight into HTML, sized by CSS (class "qr"), named for screen readers by its title."""
    svg = make(url).svg_inline(title=title, svgclass="qr", omitsize=True)
    # segno escapes the title and the URL is only encoded as modules, so the markup is safe to embed.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))
