"""``lab themes``: cluster any CSV or JSONL export of comments into themes, written as JSON.

The command is defined here, beside the analysis it runs; ``lab.cli`` registers it. It calls
the same ``find_themes`` as the web page, so a theme list can be checked outside the app. The
input is read as a stream (``analysis.themes.comment_files``): a 1M-row export fits in 2 GB.
With ``--previous``, each file is clustered in a child process, so the heap one clustering
frees goes back to the system before the next one starts.
"""

from __future__ import annotations

import json
import pickle
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
    # With --previous the comments are kept pickled, and each file is clustered in a child process.
    apart = previous_path is not None
    texts = _read(input_path, text_column, pickled=apart)
    earlier = _read(previous_path, text_column, pickled=True) if apart else None
    options = {"k": k, "k_min": k_min, "k_max": k_max, "random_state": seed}
    result, vectors, used = _cluster(texts, backend, options, progress, "")
    payload: dict[str, Any] = {
        "themes": [
            {"id": t.id, "label": t.label, "terms": t.terms, "size": t.size, "quotes": t.quotes} for t in result.themes
        ],
        "assignments": result.assignments,
        "params": result.params,
    }
    tracking = previous = None
    if earlier is not None:
        previous, earlier_vectors, _ = _cluster(earlier, used, options, progress, f"{previous_path.name} : ")
        from analysis.themes.compare import compare, previous_payload

        if progress:
            progress.stage("Suivi des thèmes de l'export précédent")
        tracking = compare(_texts(earlier), previous, _texts(texts), result, previous_vectors=earlier_vectors,
                           current_vectors=vectors, random_state=seed)
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


def _read(path: Path, column: str, *, pickled: bool) -> list[str] | bytes:
    """The file's comments; pickled while child processes cluster (1M comments: 51 MB, not 116 MB of strings)."""
    texts = read_comments(path, column)
    return pickle.dumps(texts, protocol=pickle.HIGHEST_PROTOCOL) if pickled else texts


def _texts(texts: list[str] | bytes) -> list[str]:
    """The comments as a list, whether kept pickled or not."""
    return pickle.loads(texts) if isinstance(texts, bytes) else texts


def _cluster(texts: list[str] | bytes, backend: str, options: dict[str, Any], progress: Any,
             prefix: str) -> tuple[Any, Any, str]:
    """(result, sentence vectors or None, backend used): semantic encodes once, the lexical one stands in without encoder."""
    report = progress.reporter(prefix) if progress else None
    vectors = None
    if backend == "semantic":
        from analysis.themes.vectors import SemanticBackendUnavailable, encode

        try:
            vectors = _encode_all(_texts(texts), encode, report)
        except SemanticBackendUnavailable as error:
            click.echo(f"Moteur sémantique indisponible ({error}) : moteur par mots utilisé.", err=True)
            backend = "tfidf"
    # Pickled comments are clustered in a child process, but not with sentence vectors: they stay
    # here for tracking, and copying them to a child (2 GB at 1M) costs more than the heap it returns.
    if isinstance(texts, bytes) and vectors is None:
        result = _find_themes_apart(texts, backend, options, report)
    else:
        from analysis.themes.clustering import find_themes

        result = find_themes(_texts(texts), backend=backend, vectors=vectors, progress=report, **options)  # type: ignore[arg-type]
    return result, vectors, backend


def _find_themes_apart(pickled_texts: bytes, backend: str, options: dict[str, Any], report: Any) -> Any:
    """find_themes in a child process: the heap it used goes back to the system when the child exits."""
    import multiprocessing

    # spawn: a fresh interpreter, not a fork of this one (whose BLAS threads may hold locks).
    context = multiprocessing.get_context("spawn")
    connection, child_end = context.Pipe()
    child = context.Process(target=_find_themes_child, args=(child_end, backend, options, report is not None),
                            name="lab-themes-clustering")
    child.start()
    child_end.close()
    with connection:
        try:
            # The comments go through the pipe, not as an argument the child would hold to the end.
            connection.send_bytes(pickled_texts)
            # Progress events arrive until the result or the error, so the reporter redraws as before.
            while (message := connection.recv())[0] == "progress":
                report(*message[1:])
        except (EOFError, BrokenPipeError):
            message = None
    child.join()
    if message is None:
        raise RuntimeError(f"the clustering process ended without a result (exit code {child.exitcode})")
    kind, value = message
    if kind == "error":
        raise value
    return value


def _find_themes_child(connection: Any, backend: str, options: dict[str, Any], reports: bool) -> None:
    """The child's side: the comments in, then progress and the result or the error out, through the pipe."""
    from analysis.themes.clustering import find_themes

    def report(key: str, done: int, total: int) -> None:
        connection.send(("progress", key, done, total))

    with connection:
        texts = pickle.loads(connection.recv_bytes())
        try:
            result = find_themes(texts, backend=backend, progress=report if reports else None, **options)  # type: ignore[arg-type]
        except Exception as error:
            connection.send(("error", error))
        else:
            connection.send(("result", result))


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
