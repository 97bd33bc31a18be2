"""File formats read from the first bytes, never from the name."""

from __future__ import annotations

import pytest

from prototypes import file_types

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
JPEG = b"\xff\xd8\xff\xe1\x00\x10Exif" + b"\x00" * 24
# iPhone photos: an ISO media `ftyp` box, major brand "heic" (or "mif1" with "heic" among compatible brands).
HEIC = (24).to_bytes(4, "big") + b"ftypheic" + b"\x00" * 4 + b"mif1heic"
HEIF_MIF1 = (32).to_bytes(4, "big") + b"ftypmif1" + b"\x00" * 4 + b"mif1MiHEmiafheic"
MP4 = (24).to_bytes(4, "big") + b"ftypisom" + b"\x00" * 4 + b"isomiso2"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 "
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3"


@pytest.mark.parametrize(("head", "mime"), [
    (PNG, "image/png"), (JPEG, "image/jpeg"), (HEIC, "image/heic"), (HEIF_MIF1, "image/heic"), (WEBP, "image/webp"),
    (PDF, "application/pdf"),
])
def test_each_format_is_recognised_by_its_signature(head, mime):
    found = file_types.sniff(head, file_types.expand(["photo", "pdf"]))
    assert found is not None and found.mime == mime


@pytest.mark.parametrize("head", [b"", b"hello, this is text", MP4, b"RIFF\x24\x00\x00\x00WAVEfmt ", b"\x89PNG"])
def test_other_content_is_not_a_photo(head):
    assert file_types.sniff(head, file_types.expand(["photo"])) is None


def test_short_names_expand_in_order_once():
    assert [t.mime for t in file_types.expand(["pdf", "photo", "image/png", "nonsense"])] == [
        "application/pdf", "image/jpeg", "image/png", "image/heic", "image/webp"]
    assert file_types.labels(file_types.expand(["image/heic", "image/heif"])) == ["HEIC", "HEIF"]
    assert file_types.unknown(["photo", "IMAGE/PNG", "docx"]) == ["docx"]


def test_the_input_lists_types_and_extensions_so_phones_offer_the_right_files():
    assert file_types.input_accept(file_types.expand(["pdf", "image/jpeg"])) == "application/pdf,image/jpeg,.pdf,.jpg,.jpeg"
