"""Formats staff write in a spec (`pattern`), run on citizens' answers by a linear-time engine.

Python's `re` backtracks: a plausible pattern such as `([A-Z0-9]+-?)+` takes seconds per extra
character on a near miss and holds the GIL, so one citizen's answer could freeze the server.
RE2 (google-re2) matches in time linear in the answer, whatever the pattern, and refuses the
few constructs that need backtracking (back-references, look-arounds), which spec validation
reports. `\\w` keeps the meaning Python gives it (letters with accents are word characters), so
a pattern accepts "Hélène" under RE2 as it did before; `\\d` stays ASCII, which is what codes want.
"""

from __future__ import annotations

import re
from functools import lru_cache

import re2

#: Word characters as Python's `re` understands them: any letter or digit, and "_".
_WORD = r"\p{L}\p{N}_"

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is reported to staff, not logged on stderr
_OPTIONS.max_mem = 8 << 20  # a 500-character pattern fits easily; a pathological one is refused


class PatternError(ValueError):
    """A pattern the engine cannot run; `position` is where Python's parser stopped, when it did."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.position = position


def unicode_words(pattern: str) -> str:
    """`\\w` and `\\W` spelled so RE2 reads them as Python does (RE2's own are ASCII-only)."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escape = pattern[i + 1]
            if escape == "w":
                out.append(_WORD if in_class else f"[{_WORD}]")
            elif escape == "W" and not in_class:
                out.append(f"[^{_WORD}]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            # "]" right after "[" or "[^" is a literal, not the end of the class
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":
                out.append("]")
                i += 1
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        else:
            out.append(char)
        i += 1
    return "".join(out)


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> re2._Regexp:
    """The compiled pattern, or PatternError saying why it cannot be used."""
    try:
        re.compile(pattern)
    except re.error as exc:  # Python's parser says where the syntax breaks
        raise PatternError(str(exc), (exc.pos or 0) + 1) from None
    except (RecursionError, OverflowError):
        raise PatternError("pattern too deeply nested") from None
    try:
        return re2.compile(unicode_words(pattern), _OPTIONS)
    except re2.error as exc:
        raise PatternError(str(exc)) from None


def full_match(pattern: str, text: str) -> bool:
    """Whether the whole answer has the format; linear in its length."""
    return compile_pattern(pattern).fullmatch(text) is not None
