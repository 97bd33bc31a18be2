"""QR codes as inline SVG, and the printable sheet of invitation cards."""

import re
import xml.etree.ElementTree as ET
from html import unescape

from lab import qr
from tests.factories import deployment_with_contact

URL = "https://lab.ville.test/t/FlX5dkEqSzrSHyrkm8yzI5H4WMlnTUss"


def dark_modules(path_data: str) -> set[tuple[int, int]]:
    """Read segno's path (absolute M, relative m moves, h runs on the row's mid-line) back into modules."""
    x = y = 0.0
    dark = set()
    for command, dx, dy in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path_data):
        if command == "M":
            x, y = float(dx), float(dy)
        elif command == "m":
            x, y = x + float(dx), y + float(dy)
        else:
            dark |= {(int(y), int(x) + i) for i in range(int(dx))}
            x += float(dx)
    return dark


def test_svg_is_embeddable_titled_and_deterministic():
    svg = qr.svg_inline(URL, title="Code QR de l'invitation P-7F3K")
    assert not svg.startswith("<?xml") and svg == qr.svg_inline(URL, title="Code QR de l'invitation P-7F3K")
    root = ET.fromstring(svg)
    assert root.tag == "svg" and root.get("role") == "img" and root.get("class") == "qr"
    assert "width" not in root.attrib and root.get("viewBox")
    assert root.find("title").text == "Code QR de l'invitation P-7F3K"
    assert "style" not in svg  # the CSP forbids inline styles


def test_svg_draws_segnos_matrix_for_the_url_at_level_m():
    symbol = qr.make(URL)
    assert symbol.error == "M"
    root = ET.fromstring(qr.svg_inline(URL, title="QR"))
    expected = {(r, c) for r, row in enumerate(symbol.matrix_iter(border=4)) for c, bit in enumerate(row) if bit}
    assert dark_modules(root.find("path").get("d")) == expected
    assert qr.svg_inline(URL + "x", title="QR") != qr.svg_inline(URL, title="QR")


def test_title_is_escaped():
    root = ET.fromstring(qr.svg_inline(URL, title='<script>alert("x")</script>'))
    assert root.find("title").text == '<script>alert("x")</script>' and root.find("script") is None


def test_printable_sheet_has_one_card_per_usable_invitation_without_contacts(login_as, db, settings, seeded):
    staff, page_url = deployment_with_contact(login_as, db, seeded, title="Voirie – seniors", phone="06 12 34 56 78",
                                              opens_at="2030-03-10T09:00", closes_at="2030-03-31T18:00")
    staff.post_form(f"{page_url}/invitations/shared", {"group_id": seeded["group"], "max_uses": "30"})
    first_personal = list(db.query("SELECT id FROM invitations WHERE kind = 'personal' ORDER BY id LIMIT 1"))[0]["id"]
    staff.post_form(f"{page_url}/invitations/{first_personal}/revoke")

    sheet = staff.get(f"{page_url}/invitations/print")
    text = unescape(sheet.text)
    assert sheet.status_code == 200
    cards = re.findall(r'<li class="invitation-card">(.*?)</li>', sheet.text, re.S)
    assert len(cards) == 4  # 4 participants + 1 shared link − 1 revoked
    codes = {row["code"] for row in db.query(
        "SELECT p.code FROM invitations i JOIN participants p ON p.id = i.participant_id WHERE i.revoked_at IS NULL")}
    assert len(codes) == 3 and all(code in text for code in codes)
    for card in cards:
        link = re.search(r'<p class="link">([^<]+)</p>', card).group(1)
        assert link.startswith("http://testserver/t/") and len(link.rsplit("/", 1)[1]) == 32
        assert ET.fromstring(re.search(r"<svg.*?</svg>", card, re.S).group(0)).find("title") is not None
        assert "Scannez le code" in unescape(card) and "10/03/2030 à 09:00" in unescape(card)
        assert "Voirie – seniors" in unescape(card)
    assert "Jeanne" not in text and "jeanne@ville.test" not in text and "06 12 34 56 78" not in text
