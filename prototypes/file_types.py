"""What a citizen's file really is, read from its first bytes, against the formats a spec accepts.

A name says nothing: "photo.jpg" may hold text. A field's `accept` lists MIME types or short
names (`photo`, `pdf`…) from `data/file_formats.yaml`; an upload is accepted only when its first
bytes carry one of their signatures. HEIC/HEIF (iPhone photos) are ISO media files recognised by
the brand of their `ftyp` box.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data" / "file_formats.yaml"
#: Enough to read every signature, including an `ftyp` box's first compatible brands.
HEAD_BYTES = 64


@dataclass(frozen=True)
class FileType:
    """One accepted format: its MIME type, its name for citizens, its extensions and its signature."""

    mime: str
    label: str
    extensions: tuple[str, ...]
    magic: tuple[tuple[int, bytes], ...] = ()
    brands: frozenset[bytes] = frozenset()

    def matches(self, head: bytes) -> bool:
        """Whether a file starting with `head` is of this type."""
        if self.brands:
            if head[4:8] != b"ftyp":
                return False
            size = int.from_bytes(head[:4], "big")
            box = head[8:min(max(size, 16), len(head))]
            found = {box[i:i + 4] for i in range(0, len(box) - 3, 4)}
            return bool(found & self.brands)
        return all(head[at:at + len(signature)] == signature for at, signature in self.magic)


@functools.cache
def _catalogue() -> tuple[dict[str, FileType], dict[str, tuple[str, ...]]]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    types = {}
    for mime, entry in data["types"].items():
        magic = tuple((int(m["at"]), bytes.fromhex(m["hex"]) if "hex" in m else m["ascii"].encode("ascii"))
                      for m in entry.get("magic", ()))
        types[mime] = FileType(mime, entry["label"], tuple(entry["extensions"]), magic,
                               frozenset(brand.encode("ascii") for brand in entry.get("ftyp", ())))
    return types, {name: tuple(mimes) for name, mimes in data["groups"].items()}


def known_names() -> list[str]:
    """Everything `accept` may list: short names first, then MIME types."""
    types, groups = _catalogue()
    return [*groups, *types]


def unknown(accept: Iterable[str]) -> list[str]:
    """The entries of an `accept` list that name no known format."""
    names = set(known_names())
    return [entry for entry in accept if entry.lower() not in names]


def expand(accept: Sequence[str]) -> tuple[FileType, ...]:
    """The formats an `accept` list names, in order, each once (unknown entries are skipped)."""
    types, groups = _catalogue()
    found: dict[str, FileType] = {}
    for entry in accept:
        for mime in groups.get(entry.lower(), (entry.lower(),)):
            if mime in types:
                found.setdefault(mime, types[mime])
    return tuple(found.values())


def sniff(head: bytes, accepted: Sequence[FileType]) -> FileType | None:
    """The accepted format the file starting with `head` is in, or None."""
    return next((file_type for file_type in accepted if file_type.matches(head)), None)


def labels(accepted: Sequence[FileType]) -> list[str]:
    """The formats as citizens name them, each once ("JPG", "PNG", "HEIC")."""
    return list(dict.fromkeys(file_type.label for file_type in accepted))


def input_accept(accepted: Sequence[FileType]) -> str:
    """The HTML `accept` attribute: MIME types and extensions, so phones offer the right files."""
    return ",".join(dict.fromkeys([t.mime for t in accepted] + [e for t in accepted for e in t.extensions]))
