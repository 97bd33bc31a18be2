"""What became of a theme of v(N-1), said in words: shares with their intervals, the test, the verdict.

The staff's theme page and the manager's report (page, printable page, PDF) say it with the same
sentences, formatted at display time in the reader's language from the stored counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from analysis.themes.tracking import PART_STATUS, TEST_LABELS
from lab.i18n import N_, format_p, format_percent, ngettext
from lab.i18n import gettext as _

#: What each fate means, in one sentence a manager can act on.
VERDICTS = {
    "resolved": N_("Résolu : sa part a nettement baissé et presque plus aucun commentaire de v%(v)s n'en parle."),
    "receding": N_("En baisse : moins de commentaires de v%(v)s en parlent, mais il n'a pas disparu."),
    "persisting": N_("Persistant : les commentaires de v%(v)s en parlent encore autant."),
    "split": N_("Persistant, scindé : les commentaires de v%(v)s qui en parlent se répartissent entre plusieurs thèmes."),
    "merged": N_("Persistant, fusionné : en v%(v)s, il est réuni avec un autre thème."),
}


#: Each part of such a theme, in one sentence: the part resolved (its quotes follow), then the rest.
PART_SENTENCES = {
    "resolved": N_("Résolu en partie : ce que disaient %(n)s commentaires de v%(before)s n'apparaît presque plus en v%(now)s "
                   "(%(close)s%(test)s). Ce qui était dit :"),
    "persisting": N_("Le reste persiste : %(n)s commentaires de v%(before)s, et %(m)s de v%(now)s en parlent encore."),
}


def share_text(count: int, total: int, interval: Sequence[float] | None, number: int) -> str:
    """"14 % des commentaires de v1 (33 sur 236 ; IC 95 % : 10 % à 19 %)"."""
    share = count / total if total else 0.0
    text = _("%(share)s des commentaires de v%(v)s (%(n)s sur %(total)s", share=format_percent(share), v=number, n=count,
             total=total)
    if interval:
        text += " ; " + _("IC 95 %% : %(low)s à %(high)s", low=format_percent(interval[0]), high=format_percent(interval[1]))
    return text + ")"


def test_text(test: str | None, p_value: float | None) -> str:
    """"test exact de Fisher, p = 0,042" (empty when no test could run)."""
    if test is None or p_value is None:
        return ""
    return f"{_(TEST_LABELS.get(test, test))}, {format_p(p_value)}"


def verdict_text(status: str, number: int) -> str:
    """The fate in one sentence."""
    return _(VERDICTS[status], v=number) if status in VERDICTS else ""


def part_texts(parts: Iterable[Mapping], *, before: int, now: int) -> list[dict]:
    """Each part of a theme resolved in part (status, before, now, test, p_value, quotes): its sentence and its quotes."""
    out = []
    for part in parts:
        test = test_text(part["test"], part["p_value"])
        sentence = PART_SENTENCES[part["status"]]  # a name inside _(): the extractor would take a literal key
        out.append({
            "status": part["status"],
            "text": _(sentence, n=part["before"], m=part["now"], before=before, now=now,
                      close=ngettext("%(num)d commentaire proche", "%(num)d commentaires proches", part["now"]),
                      test=f" ; {test}" if test else ""),
            "quotes": list(part["quotes"]),
        })
    return out


def evidence(fate: Mapping, *, before: int, now: int, parts: Iterable[Mapping] = ()) -> dict:
    """The sentences of one fate (a `theme_fates` row, or its JSON form in a report) for iterations `before` and `now`."""
    described = part_texts(parts, before=before, now=now)
    badge = PART_STATUS["resolved"]
    return {
        "verdict": verdict_text(fate["status"], now),
        "before": share_text(fate["before_count"], fate["before_total"], fate["before_interval"], before),
        "now": share_text(fate["now_count"], fate["now_total"], fate["now_interval"], now),
        "test": test_text(fate["test"], fate["p_value"]),
        "parts": described,
        "part_badge": _(badge) if described else "",
    }
