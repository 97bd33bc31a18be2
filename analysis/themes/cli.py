"""``lab themes``: cluster any CSV or JSONL export of comments into themes, written as JSON.

The command is defined here, beside the analysis it runs; ``lab.cli`` registers it. It calls
the same ``find_themes`` as the web page, so a theme list can be checked outside the app. The
input is read as a stream (``analysis.themes.comment_files``): a 1M-row export fits in 2 GB.
With ``--previous``, each file is clustered in a child process, so the heap one clustering
frees goes back to the system before the next one starts (1M + 1M comments also fit in 2 GB).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from analysis.themes.comment_files import read_comments

__all__ = ["read_comments", "themes"]


@click.command("themes")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--previous", "previous_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="An earlier file of the same kind: its themes are tracked into INPUT's (JSON key 'previous').")
@click.option("--text-column", default="text", show_default=True, help="Column (CSV) or key (JSONL) holding the comment.")
@click.option("--backend", type=click.Choice(["tfidf", "semantic"]), default="tfidf", show_default=True)
@click.option("--k", type=click.IntRange(min=1), default=None, help="Number of themes (default: chosen automatically).")
@click.option("--k-min", type=click.IntRange(min=1), default=3, show_default=True, help="Smallest automatic number of themes.")
@click.option("--k-max", type=click.IntRange(min=1), default=20, show_default=True, help="Largest automatic number of themes.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: same input and seed, same themes.")
@click.option(
    "--json",
    "json_out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the result ('-' for stdout).",
)
@click.option("--quiet", is_flag=True, help="No progress and no summary: only the JSON file.")
def themes(
    input_path: Path, previous_path: Path | None, text_column: str, backend: str, k: int | None, k_min: int, k_max: int,
    seed: int, json_out: Path, quiet: bool,
) -> None:
    """Cluster the comments of INPUT (CSV or JSONL) into themes and write them as JSON."""
    from analysis.themes.cli_output import StageProgress, summary

    if k_max < k_min:
        raise click.BadParameter("--k-max doit être supérieur ou égal à --k-min", param_hint="'--k-max'")
    progress = None if quiet else StageProgress()
    texts = read_comments(input_path, text_column)
    earlier = read_comments(previous_path, text_column) if previous_path is not None else None
    options = {"k": k, "k_min": k_min, "k_max": k_max, "random_state": seed}
    apart = earlier is not None
    result, vectors, used = _cluster(texts, backend, options, progress, "", apart=apart)
    payload: dict[str, Any] = {
        "themes": [
            {"id": t.id, "label": t.label, "terms": t.terms, "size": t.size, "quotes": t.quotes} for t in result.themes
        ],
        "assignments": result.assignments,
        "params": result.params,
    }
    tracking = previous = None
    if earlier is not None:
        from analysis.themes.compare import compare, previous_payload

        previous, earlier_vectors, _ = _cluster(earlier, used, options, progress, f"{previous_path.name} : ", apart=apart)
        if progress:
            progress.stage("Suivi des thèmes de l'export précédent")
        tracking = compare(earlier, previous, texts, result, previous_vectors=earlier_vectors, current_vectors=vectors,
                           random_state=seed)
        payload["previous"] = previous_payload(previous, tracking)
    if progress:
        progress.done()
    document = json.dumps(payload, ensure_ascii=False, indent=2)
    to_stdout = str(json_out) == "-"
    if to_stdout:
        click.echo(document)
    else:
        try:
            json_out.write_text(document + "\n", encoding="utf-8")
        except OSError as error:
            message = f"écriture impossible : {json_out} ({error.strerror or error})"
            raise click.BadParameter(message, param_hint="'--json'") from error
    if not quiet:
        # The summary goes where it does not mix with the JSON.
        click.echo(summary(result, previous, tracking, written=None if to_stdout else json_out), err=to_stdout)


def _cluster(texts: list[str], backend: str, options: dict[str, Any], progress: Any, prefix: str, *,
             apart: bool = False) -> tuple[Any, Any, str]:
    """(result, sentence vectors or None, backend used): semantic encodes once, the lexical one stands in without encoder."""
    from analysis.themes.clustering import find_themes
    from analysis.themes.vectors import SemanticBackendUnavailable, encode

    report = progress.reporter(prefix) if progress else None
    vectors = None
    if backend == "semantic":
        try:
            vectors = _encode_all(texts, encode, report)
        except SemanticBackendUnavailable as error:
            click.echo(f"Moteur sémantique indisponible ({error}) : moteur par mots utilisé.", err=True)
            backend = "tfidf"
    # Sentence vectors stay here for tracking: copying them to a child (2 GB at 1M) would cost
    # more than the heap it gives back, so only the lexical clustering runs apart.
    if apart and vectors is None:
        result = _find_themes_apart(texts, backend, options, report)
    else:
        result = find_themes(texts, backend=backend, vectors=vectors, progress=report, **options)  # type: ignore[arg-type]
    return result, vectors, backend


def _find_themes_apart(texts: list[str], backend: str, options: dict[str, Any], report: Any) -> Any:
    """find_themes in a child process: the heap it used goes back to the system when the child exits."""
    import multiprocessing

    # spawn: a fresh interpreter, not a fork of this one (whose BLAS threads may hold locks).
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_find_themes_child, args=(sender, texts, backend, options, report is not None),
                            name="lab-themes-clustering")
    child.start()
    sender.close()
    with receiver:
        try:
            # Progress events arrive until the result or the error, so the reporter redraws as before.
            while (message := receiver.recv())[0] == "progress":
                report(*message[1:])
        except EOFError:
            message = None
    child.join()
    if message is None:
        raise RuntimeError(f"the clustering process ended without a result (exit code {child.exitcode})")
    kind, value = message
    if kind == "error":
        raise value
    return value


def _find_themes_child(sender: Any, texts: list[str], backend: str, options: dict[str, Any], reports: bool) -> None:
    """The child's side: progress, then the result or the error, sent back through the pipe."""
    from analysis.themes.clustering import find_themes

    def report(key: str, done: int, total: int) -> None:
        sender.send(("progress", key, done, total))

    with sender:
        try:
            result = find_themes(texts, backend=backend, progress=report if reports else None, **options)  # type: ignore[arg-type]
        except Exception as error:
            sender.send(("error", error))
        else:
            sender.send(("result", result))


def _encode_all(texts: list[str], encode: Any, report: Any) -> Any:
    """Sentence vectors of every comment, in batches, so progress moves and tracking reuses them."""
    import numpy as np

    from analysis.themes.vectors import SEMANTIC_DIM

    if not texts:
        return None
    batch = 2_048
    # Filled in place: batches then stacked would hold every vector twice (2 GB each at 1M).
    vectors = np.empty((len(texts), SEMANTIC_DIM), dtype=np.float32)
    for start in range(0, len(texts), batch):
        vectors[start : start + batch] = encode(texts[start : start + batch])
        if report:
            report("encode", min(start + batch, len(texts)), len(texts))
    return vectors
