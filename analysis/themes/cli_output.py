"""What ``lab themes`` tells the person running it: progress on stderr, and a readable summary of the themes.

Progress goes to stderr so the JSON (``--json -``) stays clean on stdout: one line per stage
when stderr is a file or a pipe, and a line redrawn in place with counts and rate when it is a
terminal. The summary gives each theme's name, size, share and one quote, then, with
``--previous``, what became of each earlier theme.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, TextIO

import click

from analysis.themes.tracking import PART_STATUS, THEME_STATUS, Tracking

__all__ = ["StageProgress", "summary"]

#: The stages of `find_themes`, as the person running the command reads them.
STAGES = {
    "mask": "Masquage des données personnelles",
    "prepare": "Préparation des textes",
    "encode": "Vecteurs sémantiques",
    "cluster": "Regroupement en thèmes",
    "name": "Noms des thèmes",
}
QUOTE_MAX = 120


def _number(n: float) -> str:
    return f"{n:,.0f}".replace(",", "\u202f")


class StageProgress:
    """Stages on stderr; counts and rate redrawn in place when stderr is a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.current: str | None = None
        self.started = time.monotonic()
        self.stage_started = self.started

    def _write(self, text: str, *, end: str = "\n") -> None:
        click.echo(text, file=self.stream, nl=False)
        click.echo(end, file=self.stream, nl=False)

    def stage(self, name: str) -> None:
        """A new stage begins: said once."""
        if name == self.current:
            return
        if self.tty and self.current is not None:
            self._write("")
        self.current, self.stage_started = name, time.monotonic()
        if not self.tty:
            self._write(f"{name}…")

    def reporter(self, prefix: str = ""):
        """A `Progress` callback for `find_themes` (stage, done, total)."""
        def report(key: str, done: int, total: int) -> None:
            self.stage(prefix + STAGES.get(key, key))
            if self.tty and total > 1:
                elapsed = max(time.monotonic() - self.stage_started, 1e-6)
                width = 30
                filled = int(width * done / total) if total else width
                bar = "█" * filled + "·" * (width - filled)
                self._write(f"\r{self.current} [{bar}] {_number(done)}/{_number(total)} ({_number(done / elapsed)}/s)", end="")
        return report

    def done(self) -> None:
        """All stages over: the total time."""
        if self.tty and self.current is not None:
            self._write("")
        self._write(f"Terminé en {time.monotonic() - self.started:.1f} s.")


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1] + "…"


def _share(x: float) -> str:
    return f"{round(100 * x)} %"


def summary(result: Any, previous: Any = None, tracking: Tracking | None = None, *, written: Path | None = None) -> str:
    """Themes by size with one quote, the two buckets, and with --previous each earlier theme's status."""
    lines = [f"{len(result.themes)} thème(s) sur {_number(result.params['n_comments'])} commentaire(s) :"]
    for rank, theme in enumerate(result.themes, start=1):
        flag = " [en anglais]" if theme.name_lang == "en" else ""
        lines.append(f"{rank:>3}. {theme.label}{flag} — {_number(theme.size)} ({_share(theme.share)})")
        if theme.quotes:
            lines.append(f"     « {_quote(theme.quotes[0])} »")
    lines.append(f"Autres : {_number(result.params['n_noise'])} ; sans remarque particulière : "
                 f"{_number(len(result.no_remark))}")
    if previous is not None and tracking is not None:
        labels = {theme.id: theme.label for theme in result.themes}
        lines.append("")
        lines.append("Ce que sont devenus les thèmes de l'export précédent :")
        for theme in previous.themes:
            fate = tracking.fate(theme.id)
            if fate is None:
                continue
            status = THEME_STATUS[fate.status]
            lines.append(f"  - {theme.label} : {status} ({_share(fate.share_before)} → {_share(fate.share_now)}"
                         + (f", p = {fate.p_value:.3g}" if fate.p_value is not None else "") + ")")
            if fate.successors:
                lines.append("      → " + ", ".join(labels.get(s, str(s)) for s, _n in fate.successors))
            for part in fate.parts:
                lines.append(f"      {PART_STATUS[part.status].lower()} : "
                             f"{_number(part.before)} → {_number(part.now)} commentaires proches")
        new = [labels[t] for t in sorted(tracking.new, key=str) if t in labels]
        if new:
            lines.append("Nouveaux thèmes : " + ", ".join(new))
    if written is not None:
        lines.append(f"Résultat écrit dans {written}")
    return "\n".join(lines)
