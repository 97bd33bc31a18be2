"""`lab analyse ITERATION`: run the theme analysis of an iteration now, printing its progress.

The same job as the web page's button (a row in `analyses`, curations replayed, actions
re-linked, statuses against v(N-1)), run synchronously in this process instead of the server's
worker; with `--backend semantic`, the vectors still missing are computed first.
"""

from __future__ import annotations

import re

import click

from lab.commands import Runtime, pass_runtime


def iteration_id_of(db, text: str) -> int:
    """An iteration by id ("12") or by prototype slug and number ("signaler-une-anomalie/v2")."""
    if re.fullmatch(r"[0-9]{1,18}", text) and db.execute("SELECT 1 FROM iterations WHERE id = ?", [int(text)]).fetchone():
        return int(text)
    match = re.fullmatch(r"(?P<slug>[a-z0-9-]+)/v(?P<number>[0-9]{1,9})", text)
    if match:
        row = db.execute(
            "SELECT i.id FROM iterations i JOIN prototypes p ON p.id = i.prototype_id WHERE p.slug = ? AND i.number = ?",
            [match["slug"], int(match["number"])],
        ).fetchone()
        if row:
            return row[0]
    raise click.ClickException(f"Itération introuvable : {text} (donnez son numéro, ou « slug-du-prototype/v2 »)")


STATUS_TEXT = {"new": "nouveau", "persisting": "persistant", "split": "scindé", "merged": "fusionné",
               "receding": "en baisse", "resolved": "résolu"}


@click.command("analyse")
@click.argument("iteration")
@click.option("--backend", type=click.Choice(["semantic", "tfidf"]), default="semantic", show_default=True,
              help="semantic: multilingual sentence embeddings (French and English meet); tfidf: by shared words.")
@click.option("--k", type=click.IntRange(2, 30), default=None, help="Number of themes (default: chosen automatically, 3 to 20).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: same comments and seed, same themes.")
@pass_runtime
def analyse(runtime: Runtime, iteration: str, backend: str, k: int | None, seed: int) -> None:
    """Group the comments of ITERATION (id or slug/vN) into themes now, and print them."""
    from analysis.themes import jobs
    from analysis.themes.contract import iteration_themes

    def progress(value: float, message: str) -> None:
        click.echo(f"[{round(value * 100):>3} %] {message}")

    with runtime.database() as db:
        iteration_id = iteration_id_of(db, iteration)
        try:
            result = jobs.analyse_now(db, iteration_id=iteration_id, backend=backend, k=k, seed=seed, on_progress=progress)
        except jobs.AnalysisRefused as exc:
            raise click.ClickException(exc.text()) from exc
        if result["status"] != "done":
            raise click.ClickException(f"Analyse n° {result['id']} en échec : {result['message']}")
        themes = iteration_themes(db, iteration_id)
        params = result["params_"]
    click.echo(f"Analyse n° {result['id']} terminée ({params.get('backend', backend)}, graine {seed}) : "
               f"{params.get('n_comments', 0)} commentaires, {params.get('n_themes', 0)} thèmes, "
               f"{params.get('n_noise', 0)} dans « Autres », {params.get('n_no_remark', 0)} sans remarque particulière.")
    replay = result["replay_"]
    if replay.get("applied") or replay.get("skipped"):
        click.echo(f"Retouches réappliquées : {replay.get('applied', 0)} ; non applicables : {len(replay.get('skipped', []))}.")
    for theme in themes:
        if theme.side == "previous":
            continue
        status = "" if theme.status is None else STATUS_TEXT[theme.status]
        click.echo(f"  {status:<11} {theme.label} : {theme.size} commentaires ({round(theme.share * 100)} %)")
    earlier = [theme for theme in themes if theme.side == "previous"]
    if earlier:
        click.echo("Thèmes de la version précédente :")
    from analysis.themes.tracking import PART_STATUS

    for theme in earlier:
        fate = theme.fate
        after = ", ".join(f"« {s.label} »" for s in fate.successors) or "aucun thème"
        click.echo(f"  {STATUS_TEXT[fate.status]:<11} {theme.label} : {fate.before}/{fate.before_total} puis "
                   f"{fate.now}/{fate.now_total} commentaires proches"
                   f"{'' if fate.p_value is None else f' (p = {fate.p_value:.3f})'} → {after}")
        for part in fate.parts:
            click.echo(f"  {'':<11} {PART_STATUS[part.status].lower()} : "
                       f"{part.before} puis {part.now} commentaires proches")
