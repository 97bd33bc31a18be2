"""What a manager reads: the iteration report and the portfolio, built from stored figures.

Everything here reads snapshots (`analysis.reports.snapshots`), decisions and the themes; nothing
scans trials or comments. The values built here are plain dicts of text already formatted in the
request's language, so the page, the printable page, the PDF and the CLI show exactly the same thing.
Privacy: any figure resting on fewer than MIN_GROUP_SIZE people is replaced by a notice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from types import SimpleNamespace

from sqlite_utils import Database

from analysis.reports import charts
from analysis.reports.decisions import KIND_LABELS, latest_decisions, list_decisions
from analysis.reports.figures import theme_views
from analysis.reports.snapshots import Snapshot, summaries
from analysis.reports.summary import summary
from analysis.stats import ALPHA, MIN_GROUP_SIZE, SMALL_SAMPLE
from analysis.themes.evidence import evidence
from analysis.themes.tracking import THEME_STATUS
from lab.clock import iso, utcnow
from lab.i18n import N_, format_number, format_p, format_percent, translate
from lab.i18n import gettext as _
from lab.worker import Worker
from prototypes.store import get_iteration, get_prototype, list_iterations, list_prototypes

log = logging.getLogger("servicelab.reports")

DASH = "–"
CHANNEL_LABELS = {
    "online": N_("En ligne"), "assisted": N_("Accompagné (médiation)"), "kiosk": N_("Borne en libre-service"),
    "widget": N_("Widget sur un site"), "import": N_("Import de commentaires"),
}
STATUS_LABELS = {
    "preparation": N_("En préparation"),
    "testing": N_("En test"),
    "iterate": N_("Décision : itérer"),
    "pivot": N_("Décision : pivoter"),
    "scale": N_("Décision : généraliser"),
    "stop": N_("Décision : arrêter"),
}
TESTS = {"fisher_exact": N_("test exact de Fisher"), "two_proportion_z": N_("test de comparaison de deux proportions"),
         "mann_whitney_u": N_("test de Mann-Whitney")}


# --- formatting in the reader's language ----------------------------------------------------


def pct(share: float | None) -> str:
    return DASH if share is None else format_percent(share)


def num(value: float | None, decimals: int = 1) -> str:
    return DASH if value is None else format_number(value, decimals)


def pct_interval(interval: Mapping | None) -> str:
    if not interval:
        return ""
    return _("IC 95 %% : %(low)s à %(high)s", low=pct(interval["low"]), high=pct(interval["high"]))


def num_interval(interval: Mapping | None) -> str:
    if not interval:
        return ""
    return _("IC 95 %% : %(low)s à %(high)s", low=num(interval["low"]), high=num(interval["high"]))


def duration(seconds: float | None) -> str:
    """"45 s", "4 min 10 s", "1 h 05 min": what a person says, not a decimal of minutes."""
    if seconds is None:
        return DASH
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}\u00a0s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}\u00a0min\u00a0{rest:02d}\u00a0s" if rest else f"{minutes}\u00a0min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}\u00a0h\u00a0{minutes:02d}\u00a0min"


def points_change(before: float | None, after: float | None) -> str | None:
    """Change of a rate in percentage points, signed: "+26 points", "−3 points", "stable"."""
    if before is None or after is None:
        return None
    delta = round((after - before) * 100)
    if delta == 0:
        return _("stable")
    return ("+" if delta > 0 else "\u2212") + _("%(n)s points", n=abs(delta))


def score_change(before: float | None, after: float | None, unit: str = "") -> str | None:
    if before is None or after is None:
        return None
    delta = round(after - before, 1)
    if delta == 0:
        return _("stable")
    return ("+" if delta > 0 else "\u2212") + format_number(abs(delta)) + unit


def _count_change(before: int | None, after: int) -> str | None:
    if before is None:
        return None
    return _("stable") if after == before else f"{after - before:+d}".replace("-", "\u2212")


def _significant(comparison: Mapping) -> bool:
    """As the verdicts read it: p below ALPHA (a test that could not run has p None)."""
    return comparison["p_value"] is not None and comparison["p_value"] < ALPHA


def p_text(p: float | None) -> str:
    return "" if p is None else format_p(p)


def labelled(label: object, value: object) -> str:
    """"Label : value" as the language punctuates it (French puts a space before the colon)."""
    return _("%(label)s : %(value)s", label=label, value=value)


def channel_label(value: object) -> str:
    return _(CHANNEL_LABELS.get(str(value), str(value)))


# --- themes and actions (stored in the snapshot, from analysis.themes.contract) -------------


def _themes(db: Database, iteration_id: int, figures: Mapping | None) -> tuple[list, list, list]:
    """(themes, delivered actions, planned actions) of an iteration, as attribute objects."""
    stored = figures["themes"] if figures is not None else theme_views(db, iteration_id)

    def objects(rows: Sequence[Mapping]) -> list[SimpleNamespace]:
        return [SimpleNamespace(**row) for row in rows]

    return objects(stored["themes"]), objects(stored["delivered"]), objects(stored["planned"])


def theme_rows(themes: Sequence, number: int) -> tuple[list[dict], list[dict]]:
    """(this iteration's themes, what became of v(N-1)'s), formatted: largest first, the two buckets last."""
    current, previous = [], []
    for theme in sorted(themes, key=lambda t: (t.is_no_remark, t.is_noise, -t.size, t.label)):
        if theme.side == "previous":
            continue
        current.append({
            "id": theme.id, "label": theme.label, "terms": list(theme.terms)[:6], "size": theme.size,
            "share": pct(theme.share), "share_value": theme.share, "quotes": list(theme.quotes)[:3], "steps": list(theme.steps),
            "satisfaction": num(theme.mean_satisfaction) if theme.mean_satisfaction is not None else None,
            "assisted": pct(theme.assisted_share) if theme.assisted_share is not None else None,
            "status": theme.status, "status_label": _(THEME_STATUS[theme.status]) if theme.status else "",
            "is_noise": theme.is_noise, "is_no_remark": theme.is_no_remark, "english_name": theme.name_lang == "en",
            "predecessors": [(link["label"], link["shared"]) for link in theme.predecessors],
        })
    for theme in sorted((t for t in themes if t.side == "previous"), key=lambda t: (-t.fate["before"], t.label)):
        fate = theme.fate
        row = {"before_count": fate["before"], "before_total": fate["before_total"], "now_count": fate["now"],
               "now_total": fate["now_total"], "before_interval": fate["before_interval"],
               "now_interval": fate["now_interval"], "test": fate["test"], "p_value": fate["p_value"], "status": fate["status"]}
        status = fate["status"]  # a name, not a string literal, inside _(): the extractor would take the literal
        previous.append({
            "id": theme.id, "label": theme.label, "status": status, "status_label": _(THEME_STATUS[status]),
            "evidence": evidence(row, before=number - 1, now=number, parts=fate.get("parts", [])),
            "share_before": fate["share_before"],
            "share_now": fate["share_now"], "successors": [(link["label"], link["shared"]) for link in fate["successors"]],
            "merged_with": list(fate["merged_with"]), "examples": list(fate["examples"])[:2], "quotes": list(theme.quotes)[:2],
        })
    return current, previous


def _themes_chart(current: list[dict], previous: list[dict], number: int) -> charts.Chart | None:
    """Share of comments per theme of v(N-1), then share of vN's comments close to it; new themes from zero."""
    rows = [(row["label"], row["status_label"], row["share_before"], row["share_now"]) for row in previous[:8]]
    rows += [(row["label"], row["status_label"], 0.0, row["share_value"]) for row in current
             if row["status"] == "new" and not row["is_noise"] and not row["is_no_remark"]][: max(0, 10 - len(rows))]
    if not rows:
        return None
    before_label = _("v%(n)s", n=number - 1)
    items = [(label, before * 100, after * 100, labelled(before_label, pct(before)), labelled(f"v{number}", pct(after)))
             for label, _status, before, after in rows]
    table = [[label, status, pct(before), pct(after)] for label, status, before, after in rows]
    described = "; ".join(_("%(theme)s (%(status)s) : %(before)s puis %(after)s", theme=label, status=status.lower(),
                            before=pct(before), after=pct(after)) for label, status, before, after in rows)
    return charts.paired(
        "chart-themes", _("Thèmes des commentaires d'une itération à l'autre"),
        _("Part des commentaires qui parlent de chaque thème, itération précédente puis celle-ci. %(themes)s.",
          themes=described),
        items, [_("Thème"), _("Statut"), before_label, f"v{number}"], table,
    )


# --- the iteration report -------------------------------------------------------------------


def _key_figures(metrics: Mapping, previous: Mapping | None, rows: Mapping[str, Mapping]) -> list[dict]:
    """The six numbers of the "En bref" block, each with its change since v(N-1)."""
    c, q = metrics["completion"], metrics["questionnaire"]
    prev = previous or {}

    def significant(metric: str) -> bool | None:
        row = rows.get(metric)
        if not row or row["suppressed"] or not row["comparison"]:
            return None
        return _significant(row["comparison"])

    figures = [{
        "label": _("Parcours commencés"),
        "value": str(c["started"]),
        "detail": _("sur %(n)s personnes invitées", n=c["invited"]) if c["invited"] else "",
        "change": _count_change(prev.get("trials"), c["started"]),
        "significant": None,
    }]
    if c["started"] >= MIN_GROUP_SIZE:
        figures.append({"label": _("Taux de complétion"), "value": pct(c["rate"]), "detail": pct_interval(c["interval"]),
                        "change": points_change(prev.get("completion"), c["rate"]),
                        "significant": significant("completion_rate")})
    sat = q["satisfied"]
    if sat["n"] >= MIN_GROUP_SIZE:
        figures.append({"label": _("Satisfaits (« Oui »)"), "value": pct(sat["share"]),
                        "detail": _("%(n)s réponses", n=sat["n"]) + " · " + pct_interval(sat["interval"]),
                        "change": points_change(prev.get("satisfied"), sat["share"]),
                        "significant": significant("satisfied")})
    sus = q["sus"]
    if sus["n"] >= MIN_GROUP_SIZE:
        grade = q["sus_grade"]
        figures.append({"label": _("Score SUS (0 à 100)"), "value": num(sus["mean"]),
                        "detail": (f"{grade['letter']}, {_(grade['adjective'])} · " if grade else "") + num_interval(sus["interval"]),
                        "change": score_change(prev.get("sus"), sus["mean"]), "significant": significant("sus")})
    total = metrics["total_time"]
    if total and total["n"] >= MIN_GROUP_SIZE:
        prev_time = (prev.get("total_time") or {}).get("median")
        change = None
        if prev_time is not None:
            delta = total["median"] - prev_time
            change = _("stable") if abs(delta) < 1 else ("+" if delta > 0 else "\u2212") + duration(abs(delta))
        figures.append({"label": _("Temps médian pour aller au bout"), "value": duration(total["median"]),
                        "detail": _("la moitié entre %(q1)s et %(q3)s", q1=duration(total["q1"]), q3=duration(total["q3"])),
                        "change": change, "significant": None})
    help_ = q["help_needed"]
    if help_["n"] >= MIN_GROUP_SIZE:
        figures.append({"label": _("Ont eu besoin d'aide"), "value": pct(help_["share"]),
                        "detail": pct_interval(help_["interval"]),
                        "change": points_change(prev.get("help"), help_["share"]), "significant": None})
    return figures


def comparison_rows(rows: Sequence[Mapping]) -> list[dict]:
    """Comparison rows as shown: both values, the verdict, and the test behind it."""
    shown = []
    for row in rows:
        rate = row["metric"] in ("completion_rate", "satisfied")
        fmt = pct if rate else num
        comparison = row["comparison"]
        test = ""
        if comparison:
            effect = (_("h de Cohen = %(h)s", h=format_number(comparison["cohens_h"], 2)) if rate
                      else _("corrélation bisériale = %(r)s", r=format_number(comparison["rank_biserial"], 2)))
            test = f"{_(TESTS[comparison['test']])}, {p_text(comparison['p_value'])}, {effect}"
            if rate:
                interval = comparison["difference_interval"]
                test += " ; " + _("écart %(d)s (IC 95 %% : %(lo)s à %(hi)s)",
                                  d=points_change(0, comparison["difference"]) or "",
                                  lo=points_change(0, interval["low"]) or "", hi=points_change(0, interval["high"]) or "")
        shown.append({
            "metric": row["metric"], "label": _(row["label"]), "suppressed": row["suppressed"],
            "before": fmt(row["before"]), "after": fmt(row["after"]),
            "n_before": row["n_before"], "n_after": row["n_after"],
            "verdict": translate(row["verdict"]), "test": test,
            "significant": bool(comparison and _significant(comparison)),
        })
    return shown


def _funnel_chart(figures: Mapping, metrics: Mapping) -> charts.Chart | None:
    titles = {s["key"]: s["title"] for s in figures["steps"]}
    comments = figures["comments"]["by_step"]
    steps, table = [], []
    for i, row in enumerate(metrics["funnel"], start=1):
        title = f"{i}. {titles.get(row['step'], row['step'])}"
        stopped = _("%(n)s arrêts ici", n=row["left"]) if row["left"] else ""
        steps.append((title, row["reached"], row["left"], f"{row['reached']}" + (f" ({stopped})" if stopped else "")))
        timing = metrics["step_times"].get(row["step"])
        table.append([title, str(row["reached"]), str(row["left"]), pct(row["left_share"]),
                      duration(timing["median"]) if timing else DASH,
                      f"{duration(timing['q1'])} – {duration(timing['q3'])}" if timing else DASH,
                      str(comments.get(row["step"], 0))])
    if not steps:
        return None
    described = "; ".join(_("%(step)s : %(reached)s personnes, %(left)s arrêts", step=title, reached=reached, left=left)
                          for title, reached, left, _t in steps)
    return charts.funnel(
        "chart-funnel", _("Parcours : combien de personnes atteignent chaque étape"),
        _("Nombre de personnes ayant atteint chaque étape ; en orange, celles qui se sont arrêtées à cette étape. "
          "%(steps)s.", steps=described), steps,
        [_("Étape"), _("Atteinte par"), _("Arrêts à cette étape"), _("Part des arrêts"), _("Temps médian"),
         _("Moitié centrale (Q1 – Q3)"), _("Commentaires")], table)


def _level_chart(id: str, title: str, summary: Mapping, labels: Mapping[int, str], order: Sequence[int]) -> charts.Chart | None:
    if summary["n"] < MIN_GROUP_SIZE:
        return None
    levels = {level["level"]: level for level in summary["levels"]}
    items, table = [], []
    for value in order:
        level = levels.get(value, {"count": 0, "share": 0})
        label = labels.get(value, str(value))
        items.append((label, level["share"] or 0, f"{pct(level['share'])} ({level['count']})"))
        table.append([label, str(level["count"]), pct(level["share"])])
    description = _("%(n)s réponses. %(levels)s.", n=summary["n"],
                    levels="; ".join(labelled(label, text) for label, _v, text in items))
    return charts.bars(id, title, description, items, [_("Réponse"), _("Nombre"), _("Part")], table, maximum=1.0)


#: As the questionnaire words them (feedback.questionnaire), so the report reads like what people answered.
SATISFACTION_LABELS = {3: N_("Oui"), 2: N_("Moyennement"), 1: N_("Non")}
EASE_LABELS = {1: N_("1 – Très difficile"), 2: N_("2 – Difficile"), 3: N_("3 – Ni facile ni difficile"),
               4: N_("4 – Facile"), 5: N_("5 – Très facile")}
CLARITY_LABELS = {1: N_("1 – Pas du tout clairs"), 2: N_("2 – Peu clairs"), 3: N_("3 – Moyennement clairs"),
                  4: N_("4 – Clairs"), 5: N_("5 – Très clairs")}


def _sus_chart(db: Database, prototype_id: int, current_id: int, found: Mapping[int, dict]) -> charts.Chart | None:
    iterations = list_iterations(db, prototype_id)
    points, table = [], []
    for it in iterations:
        summary = found.get(it["id"])
        if summary is None or summary["sus_n"] == 0:
            continue
        label = f"v{it['number']}"
        if summary["sus"] is None:
            points.append((label, None, None, None, _("moins de 5 réponses"), it["id"] == current_id))
            table.append([label, _("moins de 5"), DASH, DASH, DASH])
            continue
        interval = summary["sus_interval"] or {}
        grade = summary["sus_grade"]
        points.append((label, summary["sus"], interval.get("low"), interval.get("high"), num(summary["sus"]),
                       it["id"] == current_id))
        table.append([label, str(summary["sus_n"]), num(summary["sus"]),
                      f"{num(interval.get('low'))} – {num(interval.get('high'))}" if interval else DASH,
                      f"{grade['letter']} ({_(grade['adjective'])})" if grade else DASH])
    if not points:
        return None
    description = _("Score SUS moyen par itération avec son intervalle de confiance à 95 %%, la ligne pointillée marque "
                    "la moyenne de référence 68. %(iterations)s.",
                    iterations="; ".join(labelled(row[0], f"{row[2]} ({row[3]})") for row in table))
    return charts.intervals(
        "chart-sus", _("Score SUS d'une itération à l'autre"), description, points,
        [_("Itération"), _("Réponses"), _("Score SUS moyen"), _("IC 95 %"), _("Note (Sauro et Lewis)")], table,
        reference=(68, _("moyenne : 68")))


def _segments(figures: Mapping) -> list[dict]:
    """Per group, channel, assistance and variant: one table each, small groups replaced by a notice."""
    names = {"group": _("Par groupe de test"), "channel": _("Par canal"), "assisted": _("Avec ou sans accompagnement"),
             "variant": _("Par variante")}
    tables = []
    for key in ("group", "channel", "assisted", "variant"):
        segments = figures["segments"][key]
        if len(segments) < 2:
            continue  # one value only: the same figures as the whole iteration
        rows = []
        for seg in segments:
            value = seg["value"]
            label = (channel_label(value) if key == "channel" else
                     (_("Accompagnés") if value else _("Sans accompagnement")) if key == "assisted" else
                     _("Variante %(v)s", v=value) if key == "variant" else (value or _("Sans groupe (widget, import)")))
            if seg["suppressed"]:
                rows.append({"label": label, "suppressed": True})
                continue
            m = seg["metrics"]
            q = m["questionnaire"]
            rows.append({
                "label": label, "suppressed": False, "n": m["completion"]["started"],
                "completion": pct(m["completion"]["rate"]),
                "satisfied": pct(q["satisfied"]["share"]) if q["satisfied"]["n"] >= MIN_GROUP_SIZE else DASH,
                "sus": num(q["sus"]["mean"]) if q["sus"]["n"] >= MIN_GROUP_SIZE else DASH,
                "help": pct(q["help_needed"]["share"]) if q["help_needed"]["n"] >= MIN_GROUP_SIZE else DASH,
            })
        tables.append({"key": key, "title": names[key], "rows": rows})
    return tables


def _header(figures: Mapping) -> dict:
    channels = []
    for row in figures["channels"]:
        label = channel_label(row["value"])
        channels.append(labelled(label, _("moins de 5") if row["suppressed"] else f"{pct(row['share'])} ({row['n']})"))
    assisted = next((row for row in figures["assisted"] if row["value"] is True), None)
    if figures["trials"] < MIN_GROUP_SIZE:
        assisted_text = DASH
    elif assisted is None:
        assisted_text = _("aucun parcours accompagné")
    elif assisted["suppressed"]:
        assisted_text = _("moins de 5 parcours accompagnés")
    else:
        assisted_text = _("%(share)s des parcours (%(n)s)", share=pct(assisted["share"]), n=assisted["n"])
    groups = sorted({name for dep in figures["deployments"] for name in dep["groups"]})
    return {"deployments": figures["deployments"], "groups": groups, "channels": channels,
            "assisted": assisted_text, "period": figures["period"]}


def build_report(db: Database, iteration_id: int, snapshot: Snapshot, *, worker: Worker | None = None) -> dict:
    """Everything the report templates show about one iteration, formatted, with the summary the printed report opens with.

    `worker` says how other iterations' stale figures (trend charts) are refreshed, as in
    `analysis.reports.snapshots.summaries`.
    """
    context = _report(db, iteration_id, snapshot, worker=worker)
    return {**context, "summary": summary(context)}


def _report(db: Database, iteration_id: int, snapshot: Snapshot, *, worker: Worker | None) -> dict:
    iteration = get_iteration(db, iteration_id)
    prototype = get_prototype(db, iteration["prototype_id"])
    iterations = list_iterations(db, prototype["id"])
    previous = next((it for it in iterations if it["number"] == iteration["number"] - 1), None)
    context = {
        "prototype": prototype, "iteration": iteration, "iterations": iterations, "previous": previous,
        "snapshot": snapshot, "decisions": list_decisions(db, iteration_id), "kinds": KIND_LABELS,
    }
    figures = snapshot.figures
    themes, delivered, planned = _themes(db, iteration_id, figures)
    current_themes, previous_themes = theme_rows(themes, iteration["number"])
    context.update({
        "themes": current_themes,
        "previous_themes": previous_themes,
        "themes_chart": _themes_chart(current_themes, previous_themes, iteration["number"]) if previous else None,
        "delivered": delivered, "planned": planned,
    })
    if figures is None:
        return context
    metrics = figures["metrics"]
    comparison = figures["comparison"]
    rows = {row["metric"]: row for row in comparison["rows"]} if comparison else {}
    # Every iteration's summary: the SUS trend, and v(N-1)'s figures for "change since".
    trend = summaries(db, [it["id"] for it in iterations], worker=worker)
    previous_summary = trend.get(previous["id"]) if previous else None
    q = metrics["questionnaire"]
    trials = figures["trials"]
    hotspots = [{
        "step": next((f"{i}. {s['title']}" for i, s in enumerate(figures["steps"], start=1) if s["key"] == h["step"]), h["step"]),
        "field": figures["fields"].get(h["field"], h["field"]), "count": h["count"], "trials": h["trials"],
        "share": pct(h["share_of_trials_reaching_step"]),
    } for h in metrics["hotspots"]]
    umux = q["umux_lite"]
    context.update({
        "figures": figures,
        "trials": trials,
        "too_few": trials < MIN_GROUP_SIZE,
        "small": MIN_GROUP_SIZE <= trials < SMALL_SAMPLE,
        "header": _header(figures),
        "key_figures": _key_figures(metrics, previous_summary, rows),
        "comparison": {"number": comparison["number"], "iteration_id": comparison["iteration_id"],
                       "rows": comparison_rows(comparison["rows"])} if comparison else None,
        "variants": [{**v, "rows": comparison_rows(v["rows"])} for v in figures["variants"]],
        "funnel_chart": _funnel_chart(figures, metrics) if trials >= MIN_GROUP_SIZE else None,
        "hotspots": hotspots if trials >= MIN_GROUP_SIZE else [],
        "satisfaction_chart": _level_chart("chart-satisfaction", _("Êtes-vous satisfait·e de cette démarche ?"),
                                           q["satisfaction"], {k: _(v) for k, v in SATISFACTION_LABELS.items()}, (3, 2, 1)),
        "ease_chart": _level_chart("chart-ease", _("Facilité de la démarche (1 à 5)"), q["ease"],
                                   {k: _(v) for k, v in EASE_LABELS.items()}, (5, 4, 3, 2, 1)),
        "clarity_chart": _level_chart("chart-clarity", _("Clarté des textes (1 à 5)"), q["clarity"],
                                      {k: _(v) for k, v in CLARITY_LABELS.items()}, (5, 4, 3, 2, 1)),
        "means": [
            {"label": _("Facilité (1 à 5)"), "n": q["ease"]["n"], "value": num(q["ease"]["mean"]),
             "interval": num_interval(q["ease"]["interval"])},
            {"label": _("Clarté (1 à 5)"), "n": q["clarity"]["n"], "value": num(q["clarity"]["mean"]),
             "interval": num_interval(q["clarity"]["interval"])},
        ],
        "umux": ({"n": umux["n"], "value": num(umux["mean"]), "interval": num_interval(umux["interval"]),
                  "sus_equivalent": num(q["umux_lite_sus_equivalent"])} if umux["n"] >= MIN_GROUP_SIZE else None),
        "umux_asked": umux["n"] > 0,
        "sus_chart": _sus_chart(db, prototype["id"], iteration_id, trend),
        "segments": _segments(figures),
        "respondents": q["respondents"],
        # What the report body shows depends on nothing else (decisions are outside it): pages
        # may reuse its rendering while this key holds.
        "body_key": (iteration_id, snapshot.version, json.dumps(trend, sort_keys=True)),
    })
    return context


# --- the portfolio --------------------------------------------------------------------------


def _status(decision: Mapping | None, current_number: int | None, deployed: bool) -> str:
    """A pilot's status: the latest decision when it concerns the latest tested iteration, else whether it is being tested."""
    if decision is not None and (current_number is None or decision["number"] >= current_number):
        return decision["kind"]
    return "testing" if deployed else "preparation"


def portfolio(db: Database, *, domain: str = "", status: str = "", worker: Worker | None = None) -> dict:
    """Every pilot with its status, current iteration, key figures and trend, filtered."""
    # An iteration counts as tested once a deployment of it has opened; a scheduled one is still in preparation.
    deployed = {row[0] for row in db.execute(
        """SELECT DISTINCT v.iteration_id FROM deployment_variants v JOIN deployments d ON d.id = v.deployment_id
           WHERE d.opens_at <= ?""", [iso(utcnow())])}
    decisions = latest_decisions(db)
    pilots = []
    for prototype in list_prototypes(db):
        iterations = list_iterations(db, prototype["id"])
        tested = [it for it in iterations if it["id"] in deployed]
        current = tested[-1] if tested else iterations[-1]
        found = summaries(db, [it["id"] for it in tested], worker=worker)
        trend = [found.get(it["id"]) for it in tested]
        summary = found.get(current["id"]) if tested else None
        state = _status(decisions.get(prototype["id"]), current["number"] if tested else None, bool(tested))
        rates = [s["completion"] if s else None for s in trend]
        spark_text = ", ".join(f"v{it['number']} {pct(rate)}" for it, rate in zip(tested, rates))
        pilots.append({
            "prototype": prototype, "current": current, "status": state, "status_label": _(STATUS_LABELS[state]),
            "decision": decisions.get(prototype["id"]),
            "summary": summary,
            "trials": summary["trials"] if summary else 0,
            "completion": pct(summary["completion"]) if summary else DASH,
            "satisfied": pct(summary["satisfied"]) if summary else DASH,
            "sus": num(summary["sus"]) if summary else DASH,
            "spark": charts.sparkline(rates) if any(r is not None for r in rates) else None,
            "spark_text": _("Taux de complétion par itération : %(values)s", values=spark_text) if spark_text else "",
        })
    domains = sorted({p["prototype"]["domain"] for p in pilots if p["prototype"]["domain"]})
    domain = domain if domain in domains else ""  # an unknown filter value filters nothing
    status = status if status in STATUS_LABELS else ""
    shown = [p for p in pilots if (not domain or p["prototype"]["domain"] == domain) and (not status or p["status"] == status)]
    return {"pilots": shown, "total": len(pilots), "domains": domains,
            "statuses": {key: _(label) for key, label in STATUS_LABELS.items()}, "domain": domain, "status": status}
