"""Channel boilerplate: what a channel adds to every comment, learned and stripped before vectorising.

A mediator who types for someone opens with "Propos recueillis par téléphone :" or "La
personne dit :", a widget signs "(envoyé depuis le site de la mairie)", an export prefixes
"Commentaire :". Left in, those words make a theme of their own ("téléphone · propos ·
taper") and pull unrelated comments together. Nothing is listed by hand: a *header* (the words
before the first colon, or an opening parenthesised group, at most six words) or a *signature*
(a closing parenthesised group, or what follows a final " -- ") is boilerplate of a channel when

- the same header opens at least two comments of that channel and 1 % of them (3 and 0.5 %
  when nothing tells the channels apart), and never makes a whole comment;
- its words are rarely written anywhere else (at most half as often as it is used as a
  header): "Date :" is not boilerplate, because comments speak of the date everywhere;
- when several channels have comments, it is at least three times as frequent in its channel
  as in the others: people's own openings ("Franchement,") are in every channel;
- what it opens (or closes) varies: the rest of those comments share few words (mean Jaccard
  below .3), so a remark written twice ("Mettre un statut de suivi : reçu / programmé") is
  not mistaken for a header.

Stripping keeps the comment when nothing would be left. Quotes still show what was written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from lab.folding import strip_accents

__all__ = ["Boilerplate", "learn_boilerplate"]

MAX_WORDS = 6
MIN_COUNT = 2
MIN_SHARE = 0.01
MIN_COUNT_ONE_CHANNEL = 3
MIN_SHARE_ONE_CHANNEL = 0.005
# A channel's boilerplate is at least this many times as frequent there as elsewhere.
CHANNEL_LIFT = 3.0
# Its words are written elsewhere at most this many times per use as boilerplate.
ELSEWHERE = 0.5
MIN_CHANNEL_SIZE = 10
# The rest of the comments a header opens share at most this many of their words (mean Jaccard).
MAX_OVERLAP = 0.3
RESTS_SAMPLE = 30

_HEADER = re.compile(r"^\s*(?:\(([^()\n]{1,80})\)|([^:\n()]{1,80}?)\s*:(?!//))\s*")
_SIGNATURE = re.compile(r"\s*(?:\(([^()\n]{1,80})\)|\s--+\s*([^\n]{1,80}))\s*$")
_WORDS = re.compile(r"[^\W_]+")


def _key(text: str) -> str:
    """Folded words of a header or signature: "Mme :" and "mme:" are one."""
    return " ".join(_WORDS.findall(strip_accents(text.lower())))


def _header(text: str) -> tuple[str, int] | None:
    """(key, length of the matched prefix) of a comment's header, if it has one."""
    match = _HEADER.match(text)
    if not match:
        return None
    key = _key(match.group(1) or match.group(2) or "")
    if not key or len(key.split()) > MAX_WORDS or not re.search(r"[^\W\d_]", key):
        return None
    return key, match.end()


def _signature(text: str) -> tuple[str, int] | None:
    """(key, start of the matched suffix) of a comment's closing signature, if it has one."""
    match = _SIGNATURE.search(text)
    if not match or match.start() == 0:
        return None
    key = _key(match.group(1) or match.group(2) or "")
    if not key or len(key.split()) > MAX_WORDS + 2 or not re.search(r"[^\W\d_]", key):
        return None
    return key, match.start()


@dataclass
class Boilerplate:
    """Headers and signatures learned per channel; ``strip`` removes them from a comment."""

    headers: dict[str | None, set[str]] = field(default_factory=dict)
    signatures: dict[str | None, set[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(self.headers.values()) or any(self.signatures.values())

    def strip(self, text: str, channel: str | None = None) -> str:
        """The comment without its channel's header(s) and signature; unchanged if nothing would remain."""
        headers, signatures = self.headers.get(channel, set()), self.signatures.get(channel, set())
        if not headers and not signatures:
            return text
        rest = text
        for _round in range(2):  # "(saisi par l'agent) Mme : ..."
            found = _header(rest)
            if found is None or found[0] not in headers:
                break
            rest = rest[found[1] :]
        found = _signature(rest)
        if found is not None and found[0] in signatures:
            rest = rest[: found[1]]
        return rest if rest.strip() and _WORDS.search(rest) else text

    def describe(self) -> dict[str, list[str]]:
        """What was learned, for the analysis parameters."""
        out: dict[str, list[str]] = {}
        for channel, keys in self.headers.items():
            out.setdefault(channel or "", []).extend(f"{key} :" for key in sorted(keys))
        for channel, keys in self.signatures.items():
            out.setdefault(channel or "", []).extend(f"({key})" for key in sorted(keys))
        return {channel: keys for channel, keys in out.items() if keys}


def _varied(rests: Sequence[str]) -> bool:
    """Whether the texts a header opens say different things (mean pairwise Jaccard of their words)."""
    words = [set(_key(rest).split()) for rest in rests]
    pairs = [(a, b) for i, a in enumerate(words) for b in words[i + 1 :]]
    if not pairs:
        return False
    overlap = sum(len(a & b) / max(len(a | b), 1) for a, b in pairs) / len(pairs)
    return overlap < MAX_OVERLAP


def _candidates(per_channel: dict[str | None, Counter], sizes: Counter, multi: bool,
                rests: dict[str, list[str]]) -> dict[str | None, set[str]]:
    """Keys used often enough in a channel, opening varied texts, before the costlier checks."""
    out: dict[str | None, set[str]] = {}
    for channel, counts in per_channel.items():
        size = sizes[channel]
        least = max(MIN_COUNT, MIN_SHARE * size) if multi else max(MIN_COUNT_ONE_CHANNEL, MIN_SHARE_ONE_CHANNEL * size)
        keys = {key for key, n in counts.items() if n >= least and _varied(rests.get(key, []))}
        if keys:
            out[channel] = keys
    return out


def _learned(candidates: dict[str | None, set[str]], found: Counter, per_channel: dict[str | None, Counter],
             sizes: Counter, texts: Sequence[str], multi: bool) -> dict[str | None, set[str]]:
    """Candidates that are never a whole comment, rare elsewhere and (with channels) typical of theirs."""
    keys = set().union(*candidates.values()) if candidates else set()
    if not keys:
        return {}
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)) + r")\b")
    written, whole = Counter(), Counter()
    for text in texts:
        folded = _key(text or "")
        if folded in keys:
            whole[folded] += 1
        for match in pattern.finditer(folded):
            written[match.group(0)] += 1
    learned: dict[str | None, set[str]] = {}
    for channel, channel_keys in candidates.items():
        size = sizes[channel]
        for key in channel_keys:
            n = per_channel[channel][key]
            if whole[key] or written[key] - found[key] > ELSEWHERE * found[key]:
                continue
            other_size = sum(sizes.values()) - size
            if multi and other_size and (found[key] - n) / other_size * CHANNEL_LIFT > n / size:
                continue
            learned.setdefault(channel, set()).add(key)
    return learned


def learn_boilerplate(texts: Sequence[str], channels: Sequence[str | None] | None = None) -> Boilerplate:
    """Learn each channel's headers and signatures from the comments themselves (already masked)."""
    channels = list(channels) if channels is not None else [None] * len(texts)
    if len(channels) != len(texts):
        raise ValueError("one channel per text")
    sizes = Counter(channels)
    multi = sum(1 for n in sizes.values() if n >= MIN_CHANNEL_SIZE) >= 2
    header_found, signature_found = Counter(), Counter()
    header_channel: dict[str | None, Counter] = {}
    signature_channel: dict[str | None, Counter] = {}
    header_rests: dict[str, list[str]] = {}
    signature_rests: dict[str, list[str]] = {}
    for text, channel in zip(texts, channels):
        text = text or ""
        header = _header(text)
        if header:
            header_found[header[0]] += 1
            header_channel.setdefault(channel, Counter())[header[0]] += 1
            kept = header_rests.setdefault(header[0], [])
            if len(kept) < RESTS_SAMPLE:
                kept.append(text[header[1] :])
        signature = _signature(text)
        if signature:
            signature_found[signature[0]] += 1
            signature_channel.setdefault(channel, Counter())[signature[0]] += 1
            kept = signature_rests.setdefault(signature[0], [])
            if len(kept) < RESTS_SAMPLE:
                kept.append(text[: signature[1]])
    header_keys = _candidates(header_channel, sizes, multi, header_rests)
    signature_keys = _candidates(signature_channel, sizes, multi, signature_rests)
    if not header_keys and not signature_keys:  # the usual case: one cheap pass
        return Boilerplate()
    return Boilerplate(
        headers=_learned(header_keys, header_found, header_channel, sizes, texts, multi),
        signatures=_learned(signature_keys, signature_found, signature_channel, sizes, texts, multi),
    )
