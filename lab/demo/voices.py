"""What citizens wrote: the comment banks of data/comments, and the voices that draw from them.

Comments are drawn without replacement from a hand-written bank per iteration and theme; a text
is used again only once its theme's pool is empty, then with small surface changes (case,
accents, a word added) as people write. About one participant in nine writes in English; a few
leave an e-mail or a phone number, which `scan` masks as the form does.
"""

from __future__ import annotations

import random
import re
from functools import cache
from typing import NamedTuple

from lab.demo.datafiles import DATA_DIR, lines, read_yaml
from lab.folding import strip_accents

PRAISE = "positif"  # every bank has it: what people say when it went well
NOISE = "bruit"  # the bank (and its one theme) of remarks on nothing or on something else, mixed into every iteration
LANGUAGES = ("fr", "en")
MEDIATOR_NOTES = ("Propos recueillis par téléphone : ", "Mme : ", "M. : ", "(saisi par l'agent) ", "La personne dit : ",
                  "Au guichet, Madame explique : ", "Remarque de l'usager : ")
_TAG = re.compile(r"\{([a-z_]+)\} ")


class Line(NamedTuple):
    """One comment of the bank; `step` limits where it fits (a step key, "fin" = overall only)."""

    text: str
    step: str | None = None


#: A bank: theme → language → its comments, in the file's order.
Bank = dict[str, dict[str, tuple[Line, ...]]]


def _line(raw: str) -> Line:
    """A line of a bank file: "{step} " tags a remark about that step only, "{fin} " one for the overall comment."""
    tag = _TAG.match(raw)
    return Line(raw[tag.end():] if tag else raw, tag[1] if tag else None)


def _bank(name: str) -> Bank:
    """One bank file: under each theme, a `fr` and an `en` block of one comment per line."""
    themes: Bank = {}
    for theme, blocks in read_yaml(f"comments/{name}.yaml").items():
        where = f"comments/{name}.yaml: {theme}"
        if not isinstance(blocks, dict) or not set(blocks) <= set(LANGUAGES):
            raise ValueError(f"{where}: expected `fr: |` and `en: |` blocks")
        themes[theme] = {lang: tuple(_line(raw) for raw in lines(blocks.get(lang, ""), f"{where}: {lang}")) for lang in LANGUAGES}
    return themes


@cache
def banks() -> dict[str, Bank]:
    """Every bank by file name (a story names its bank; NOISE is shared), read once."""
    return {path.stem: _bank(path.stem) for path in sorted((DATA_DIR / "comments").glob("*.yaml"))}


class Voices:
    """Draws comments from one bank without repeating a text until its theme's pool runs dry."""

    def __init__(self, bank: str, rng: random.Random):
        """The iteration's bank plus the shared noise; pools fill on first use of a theme."""
        every = banks()
        self.themes = {**every[bank], NOISE: every[NOISE][NOISE]}
        self.rng = rng
        self.pools: dict[tuple[str, str], list[tuple[Line, bool]]] = {}

    def _draw(self, theme: str, lang: str, step: str | None) -> tuple[str, bool]:
        """The next text that fits the step (any for the overall comment, `step` None)."""
        key = (theme, lang)
        if not any(step is None or line.step in (None, step) for line in self.themes[theme][lang]):
            step = None  # nothing written for this step: any remark of the theme will do
        for _attempt in range(2):
            pool = self.pools.setdefault(key, [])
            for i in range(len(pool) - 1, -1, -1):
                line, reused = pool[i]
                if step is None or line.step in (None, step):
                    del pool[i]
                    return line.text, reused
            # This theme's texts (for this step) are all used: a new round, said a little differently.
            fresh = [(line, True) for line in self.themes[theme][lang]]
            self.rng.shuffle(fresh)
            pool[:0] = fresh
        raise AssertionError("unreachable")  # pragma: no cover

    def say(self, theme: str, *, english: bool, assisted: bool, step: str | None = None) -> str:
        """A comment on a theme, in English if the author writes English and the theme has some."""
        lang = "en" if english and self.themes[theme]["en"] else "fr"
        key = (theme, lang)
        if key not in self.pools:
            first = [(line, False) for line in self.themes[theme][lang]]
            self.rng.shuffle(first)
            self.pools[key] = first
        text, reused = self._draw(theme, lang, step)
        if reused:
            text = self._vary(text, lang)
        if assisted and lang == "fr" and theme != NOISE and self.rng.random() < 0.45:
            text = self.rng.choice(MEDIATOR_NOTES) + text
        return text

    def _vary(self, text: str, lang: str) -> str:
        """A second use reads like another person's: other case, no accents, a word added."""
        rng = self.rng
        choice = rng.randrange(5)
        if choice == 0:
            return strip_accents(text).lower().rstrip(".")
        if choice == 1:
            return text.rstrip(".!") + rng.choice((" !", " !!", "...", " :(", ""))
        if choice == 2 and lang == "fr":
            opener = rng.choice(("Franchement, ", "Bref, ", "Perso, ", "Comme d'autres sans doute : ", "Sinon, "))
            return opener + text[0].lower() + text[1:]
        if choice == 2:
            return rng.choice(("Honestly, ", "Also, ", "Just saying: ")) + text[0].lower() + text[1:]
        if choice == 3 and lang == "fr":
            return text.rstrip() + rng.choice((" Merci.", " Voilà.", " Cordialement.", " Bonne journée"))
        return text.rstrip() + rng.choice((" Thanks.", " Cheers", "")) if lang == "en" else text.lower()
