"""Report speed benchmark: the iteration report and the portfolio at 1k, 10k and 100k trials.

Run ``python -m benchmarks.reports`` from the repository root (``make bench`` runs it with the
other benchmarks). Each size runs in a fresh subprocess, so its peak RSS is its own:

1. synthetic data is inserted directly with SQL, with a realistic shape: the 6-step
   "restauration scolaire" prototype, v1 (a quarter of the trials) and v2 (all of them),
   75 % completion, step visits with lognormal durations and some validation errors,
   the JDMA questionnaire plus SUS for 85 % of completed trials, two comments per trial;
2. the figures are computed once (the "cold" snapshot, what a worker does after new data);
3. through one ASGI test client, rounds alternate the login page (anonymous) and the report
   (signed in as a manager); the ratio of their medians is the figure, so the machine's speed
   cancels out. Target: report ≤ 10× login page at 100k trials;
4. then trials keep arriving: a trial is added before each of a few more rounds, so every view
   finds its figures stale; it must stay fast (stored figures served, refresh handed to the
   background worker, which computes in a child process; recomputed inline only up to
   `analysis.reports.snapshots.INLINE_LIMIT` trials), and the worker's time is reported.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SIZES = (1_000, 10_000, 100_000)
ROUNDS = 21
STALE_ROUNDS = 7
TARGET_RATIO = 10.0
PASSWORD = "benchmark password 2026"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
COMMENTS = (
    "Je n'ai pas trouvé où indiquer le quotient familial, j'ai dû appeler la mairie.",
    "Très simple, bravo, c'est beaucoup mieux que le dossier papier.",
    "Le champ de l'allergie ne permet pas de mettre plusieurs allergies.",
    "Impossible de joindre l'attestation depuis mon téléphone, le fichier était trop lourd.",
    "Les tarifs ne sont pas clairs, je ne sais pas combien je vais payer.",
    "Pourquoi redemander l'adresse alors que la mairie la connaît déjà ?",
    "La page sur la santé fait peur, on dirait un formulaire médical.",
    "Rapide, j'ai tout rempli en cinq minutes pendant la pause de midi.",
    "Le bouton pour revenir en arrière efface ce que j'avais saisi.",
    "J'aurais aimé pouvoir inscrire mes deux enfants en même temps.",
    "Ma voisine m'a aidée, seule je n'y serais pas arrivée.",
    "Le vocabulaire est administratif, « responsable légal » n'est pas clair pour tout le monde.",
)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def populate(db, n: int, seed: int = 2026) -> dict:
    """Insert a prototype with v1 and v2, one group of n people and their trials, directly with SQL."""
    from lab.accounts import create_user
    from lab.campaigns.deployments import DeploymentForm, create_deployment
    from lab.db import write
    from prototypes import EXAMPLES_DIR
    from prototypes.store import create_prototype, get_iteration, new_iteration, spec_of

    rng = random.Random(seed)
    with write(db):
        manager = create_user(db, email="direction@bench.test", name="Direction", role="manager", password=PASSWORD)
        spec_yaml = (EXAMPLES_DIR / "restauration-scolaire.yaml").read_text(encoding="utf-8")
        prototype_id, v1 = create_prototype(db, spec_yaml=spec_yaml, user_id=None, changelog="v1")
        v2 = new_iteration(db, prototype_id=prototype_id, user_id=None, changelog="v2")
        group_id = db["test_groups"].insert({"name": "Parents (benchmark)", "description": "", "created_at": _iso(T0)}).last_pk
        db.conn.executemany(
            "INSERT INTO participants (group_id, code, profile, created_at) VALUES (?, ?, '{}', ?)",
            ((group_id, f"P-{i:06X}", _iso(T0)) for i in range(n)))
        people = [row[0] for row in db.execute("SELECT id FROM participants WHERE group_id = ? ORDER BY id", [group_id])]
        now = datetime.now(UTC)
        deployments = {}
        for number, iteration_id in ((1, v1), (2, v2)):
            form = DeploymentForm(title=f"Cantine v{number} (benchmark)", iteration_a=str(iteration_id),
                                  group_ids=(str(group_id),), opens_at=(now - timedelta(days=60)).strftime("%Y-%m-%dT%H:%M"),
                                  closes_at=(now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"), sus=True)
            deployments[number] = create_deployment(db, form=form, user_id=None, now=now - timedelta(days=61))
        steps = [step.key for step in spec_of(get_iteration(db, v2)).steps]
        fields = {step.key: [f.key for f in step.fields] for step in spec_of(get_iteration(db, v2)).steps}
        for number, iteration_id, count, completion in ((1, v1, n // 4, 0.6), (2, v2, n, 0.75)):
            deployment_id = deployments[number]
            db.conn.executemany(
                """INSERT INTO invitations (deployment_id, group_id, participant_id, kind, salt, token_hash, created_at)
                   VALUES (?, ?, ?, 'personal', 'salt', ?, ?)""",
                ((deployment_id, group_id, pid, f"bench-{deployment_id}-{pid}", _iso(T0)) for pid in people[:count]))
            _trials(db, rng, deployment_id=deployment_id, iteration_id=iteration_id, people=people[:count],
                    steps=steps, fields=fields, completion=completion, assisted_by=manager.id, better=number == 2)
            if db["analyses"].exists():
                _themes(db, iteration_id)
    return {"v1": v1, "v2": v2, "prototype_id": prototype_id}


def _themes(db, iteration_id: int) -> None:
    """A finished theme analysis of every comment, as the theme worker stores it (no clustering here)."""
    now = _iso(T0)
    analysis_id = db["analyses"].insert({
        "iteration_id": iteration_id, "backend": "tfidf", "status": "done", "progress": 1.0, "message": "",
        "params": "{}", "runner": "cli", "created_at": now, "started_at": now, "finished_at": now}).last_pk
    for position, text in enumerate(COMMENTS):
        noise = position >= len(COMMENTS) - 2
        members = [row[0] for row in db.execute("SELECT id FROM comments WHERE iteration_id = ? AND text = ?",
                                               [iteration_id, text])]
        words = [w.strip(".,?«»") for w in text.split() if len(w) > 5][:3]
        theme = db.execute("SELECT id FROM themes WHERE analysis_id = ? AND is_noise = 1", [analysis_id]).fetchone() if noise else None
        if theme is None:
            theme_id = db["themes"].insert({
                "analysis_id": analysis_id, "position": position, "label": " · ".join(words), "terms": json.dumps(words),
                "term_weights": json.dumps(dict.fromkeys(words, 1.0)), "quote_ids": json.dumps(members[:3]),
                "is_noise": int(noise)}).last_pk
        else:
            theme_id = theme[0]
        db.conn.executemany("INSERT INTO theme_members (theme_id, comment_id, analysis_id) VALUES (?, ?, ?)",
                            ((theme_id, member, analysis_id) for member in members))


def _trials(db, rng: random.Random, *, deployment_id: int, iteration_id: int, people: list[int], steps: list[str],
            fields: dict, completion: float, assisted_by: int, better: bool) -> None:
    trial_rows, events, responses, comments = [], [], [], []
    first = db.execute("SELECT IFNULL(MAX(id), 0) FROM trials").fetchone()[0] + 1
    for offset, pid in enumerate(people):
        trial_id = first + offset
        start = T0 + timedelta(minutes=rng.randrange(60 * 24 * 30))
        channel = rng.choices(("online", "assisted", "kiosk"), (80, 15, 5))[0]
        done = rng.random() < completion
        reached = len(steps) if done else rng.randrange(1, len(steps))
        moment = start
        for index, step in enumerate(steps[:reached]):
            seconds = int(rng.lognormvariate(3.6 if better else 3.9, 0.6))
            errors = {rng.choice(fields[step]): rng.randint(1, 3)} if rng.random() < 0.12 else {}
            left = moment + timedelta(seconds=seconds)
            last_open = not done and index == reached - 1
            events.append((trial_id, step, _iso(moment), None if last_open else _iso(left), json.dumps(errors)))
            moment = left
        completed = _iso(moment) if done else None
        trial_rows.append((trial_id, deployment_id, pid, iteration_id, channel,
                           "telephone" if channel == "assisted" else None, assisted_by if channel == "assisted" else None,
                           _iso(start), _iso(start), reached if done else reached - 1, steps[reached - 1], completed,
                           completed if done else None))
        if done and rng.random() < 0.85:
            happy = rng.random() < (0.7 if better else 0.5)
            answers = {"satisfaction": 3 if happy else rng.choice((1, 2)), "ease": rng.randint(3, 5) if happy else rng.randint(1, 4),
                       "clarity": rng.randint(2, 5), "help_needed": int(rng.random() < 0.2)}
            for i in range(1, 11):
                positive = i % 2 == 1
                answers[f"sus_{i}"] = (rng.randint(3, 5) if positive else rng.randint(1, 3)) if happy else rng.randint(1, 5)
            responses.extend((trial_id, key, float(value), completed) for key, value in answers.items())
        comments.append((deployment_id, iteration_id, trial_id, rng.choice(steps[:reached]), rng.choice(COMMENTS), "step",
                         _iso(moment)))
        comments.append((deployment_id, iteration_id, trial_id, None, rng.choice(COMMENTS), "questionnaire", _iso(moment)))
    db.conn.executemany(
        """INSERT INTO trials (id, deployment_id, participant_id, iteration_id, channel, assisted_via, assisted_by,
                               consent_at, started_at, progress, last_step, completed_at, questionnaire_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", trial_rows)
    db.conn.executemany("INSERT INTO step_events (trial_id, step_key, entered_at, left_at, errors) VALUES (?, ?, ?, ?, ?)",
                        events)
    db.conn.executemany("INSERT INTO responses (trial_id, key, number, created_at) VALUES (?, ?, ?, ?)", responses)
    db.conn.executemany(
        """INSERT INTO comments (deployment_id, iteration_id, trial_id, step_key, text, language, source, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, 'fr', ?, ?, ?)""", [(*c[:6], c[6], c[6]) for c in comments])


def _timed(client, url: str, expect: int = 200) -> float:
    started = time.perf_counter()
    response = client.get(url, follow_redirects=False)
    elapsed = time.perf_counter() - started
    assert response.status_code == expect, (url, response.status_code, response.text[:500])
    return elapsed


def run_size(n: int, rounds: int = ROUNDS) -> dict:
    """Populate, compute, and time the pages for one size; the caller runs this in a fresh process."""
    from starlette.testclient import TestClient

    from analysis.reports.refresh_jobs import refreshing
    from analysis.reports.snapshots import get_snapshot, refresh
    from lab.app import create_app
    from lab.clock import utcnow
    from lab.db import opened, write
    from lab.settings import Settings

    result: dict = {"trials": n}
    with tempfile.TemporaryDirectory(prefix="servicelab-bench-") as tmp:
        settings = Settings(db_path=Path(tmp) / "bench.db", secret_key="b" * 40, start_workers=True)
        app = create_app(settings)
        started = time.perf_counter()
        with opened(settings.db_path) as db:
            ids = populate(db, n)
            result["setup_s"] = time.perf_counter() - started
            result["comments"] = db.execute("SELECT COUNT(*) FROM comments").fetchone()[0]
            result["rows"] = sum(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                                 for t in ("trials", "step_events", "responses", "comments"))
            rss_before = _rss_mb()
            started = time.perf_counter()
            refresh(db, ids["v1"])
            snapshot = refresh(db, ids["v2"])
            result["cold_s"] = time.perf_counter() - started
            result["cold_rss_mb"] = _rss_mb()
            result["cold_rss_growth_mb"] = _rss_mb() - rss_before
            result["snapshot_kb"] = len(json.dumps(snapshot.figures)) / 1024
        report_url = f"/reports/iterations/{ids['v2']}"
        with TestClient(app, base_url="http://testserver") as client:
            token = CSRF_RE.search(client.get("/login").text).group(1)
            signed_in = client.post("/login", data={"csrf_token": token, "email": "direction@bench.test", "password": PASSWORD},
                                    follow_redirects=False)
            assert signed_in.status_code == 303, signed_in.text
            session = dict(client.cookies)
            for _ in range(3):  # warm-up: templates compiled, caches filled
                client.cookies.clear()
                _timed(client, "/login")
                client.cookies.update(session)
                _timed(client, report_url)
                _timed(client, "/reports")
            login, report, portfolio = [], [], []
            for _ in range(rounds):
                client.cookies.clear()
                login.append(_timed(client, "/login"))
                client.cookies.update(session)
                report.append(_timed(client, report_url))
                portfolio.append(_timed(client, "/reports"))
            result["page_kb"] = len(client.get(report_url).content) / 1024
            # New trials keep arriving while managers look: each view serves the stored figures
            # and hands the refresh to the background worker (or refreshes inline when small).
            stale, stale_login = [], []
            for _ in range(STALE_ROUNDS):
                with opened(settings.db_path) as db, write(db):
                    db.execute(
                        """INSERT INTO trials (deployment_id, iteration_id, channel, consent_at, started_at, progress)
                           SELECT deployment_id, iteration_id, 'online', consent_at, started_at, 0 FROM trials
                           WHERE iteration_id = ? LIMIT 1""", [ids["v2"]])
                client.cookies.clear()
                stale_login.append(_timed(client, "/login"))
                client.cookies.update(session)
                stale.append(_timed(client, report_url))
            waited = time.perf_counter()
            with opened(settings.db_path) as db:
                while refreshing(db, ids["v2"], now=utcnow()):
                    time.sleep(0.05)
                result["worker_wait_s"] = time.perf_counter() - waited
                job = db.execute("SELECT started_at, finished_at FROM report_jobs WHERE iteration_id = ?", [ids["v2"]]).fetchone()
                result["fresh_after_worker"] = get_snapshot(db, ids["v2"], worker=app.state.worker).state == "fresh"
            result["worker_s"] = ((datetime.fromisoformat(job[1]) - datetime.fromisoformat(job[0])).total_seconds()
                                  if job and job[1] else None)
        result.update({
            "login_ms": statistics.median(login) * 1000,
            "report_ms": statistics.median(report) * 1000,
            "report_p90_ms": sorted(report)[math.ceil(0.9 * len(report)) - 1] * 1000,
            "portfolio_ms": statistics.median(portfolio) * 1000,
            "stale_ms": statistics.median(stale) * 1000,
            "stale_login_ms": statistics.median(stale_login) * 1000,
            "peak_rss_mb": _rss_mb(),
        })
        result["ratio"] = result["report_ms"] / result["login_ms"]
        result["portfolio_ratio"] = result["portfolio_ms"] / result["login_ms"]
        result["stale_ratio"] = result["stale_ms"] / result["stale_login_ms"]
    return result


def table(results: list[dict]) -> str:
    head = ("trials", "comments", "setup", "cold figures", "RSS (cold)", "login", "report", "ratio", "p90",
            "portfolio", "ratio", "while trials arrive", "ratio", "worker", "page", "snapshot")
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in results:
        lines.append(" | ".join((
            f"{r['trials']:,}".replace(",", " "), f"{r['comments']:,}".replace(",", " "), f"{r['setup_s']:.1f} s",
            f"{r['cold_s']:.2f} s", f"{r['cold_rss_mb']:.0f} MB", f"{r['login_ms']:.1f} ms", f"{r['report_ms']:.1f} ms",
            f"{r['ratio']:.1f}×", f"{r['report_p90_ms']:.1f} ms", f"{r['portfolio_ms']:.1f} ms",
            f"{r['portfolio_ratio']:.1f}×", f"{r['stale_ms']:.1f} ms", f"{r['stale_ratio']:.1f}×",
            "–" if r["worker_s"] is None else f"{r['worker_s']:.1f} s", f"{r['page_kb']:.0f} KB",
            f"{r['snapshot_kb']:.0f} KB")))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_size(args.child, args.rounds)))
        return 0
    import logging

    logging.disable(logging.INFO)
    results = []
    for n in args.sizes:
        print(f"… {n:,} trials".replace(",", " "), file=sys.stderr, flush=True)
        done = subprocess.run([sys.executable, "-m", "benchmarks.reports", "--child", str(n), "--rounds", str(args.rounds)],
                              capture_output=True, text=True, check=False)
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"\nReport page speed (median of {args.rounds} requests, same client; ratio = report / login page)\n")
    print(table(results))
    largest = max(results, key=lambda r: r["trials"])
    ok = largest["ratio"] <= TARGET_RATIO and largest["stale_ratio"] <= TARGET_RATIO
    size = f"{largest['trials']:,}".replace(",", " ")
    print(f"\nTarget: report ≤ {TARGET_RATIO:.0f}× login page at {size} trials: {'met' if ok else 'MISSED'} "
          f"({largest['ratio']:.1f}×; {largest['stale_ratio']:.1f}× while new trials arrive).")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
