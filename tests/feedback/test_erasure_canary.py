"""After erasure, a canary string the participant wrote is nowhere: not in the database files (main and
WAL: secure_delete is on and erasure checkpoints), not in themes or quotes, not in exports."""

from pathlib import Path

from analysis.themes.jobs import analyse_now
from lab.db import opened

CANARY = "Zorglubienne"
WORDS = ["carte", "adresse", "photo", "date", "trop long", "simple", "suivi", "catégorie"]


def _complete(lab, citizen, index, comment):
    return citizen().complete(lab.tokens[index], comment, comment + " à la fin")


def _files_contain(db_path: Path, text: str) -> list[str]:
    needle = text.encode()
    return [p.name for p in db_path.parent.glob(db_path.name + "*") if needle in p.read_bytes()]


def test_canary_is_gone_everywhere_after_erasure(app, db, settings, lab, citizen, login_as):
    alice = _complete(lab, citizen, 0, f"{CANARY} trouve que la carte manque, {CANARY} le répète")
    for index in range(1, len(lab.tokens)):
        _complete(lab, citizen, index, f"la {WORDS[index % len(WORDS)]} pose problème, la carte manque")
    with opened(settings.db_path) as analysis_db:
        analyse_now(analysis_db, iteration_id=lab.iteration_id)
    staff = login_as("staff")
    exports = [f"/reports/iterations/{lab.iteration_id}/data.json", f"/reports/iterations/{lab.iteration_id}/comments.csv",
               f"/lab/iterations/{lab.iteration_id}/themes", f"/reports/iterations/{lab.iteration_id}"]
    assert all(CANARY in staff.get(url).text for url in exports), "the canary is visible before erasure"

    snapshots = lambda: " ".join(row[0] for row in db.execute("SELECT figures FROM report_snapshots"))  # noqa: E731
    assert CANARY in snapshots(), "the stored report quotes the canary before erasure"
    assert alice.post_form("/take/effacer", follow_redirects=False).status_code == 303
    assert CANARY not in snapshots()  # gone at once, not when a large report is next recomputed

    for url in exports:
        assert CANARY not in staff.get(url).text, url
    assert db.execute("SELECT COUNT(*) FROM comments WHERE text LIKE ?", [f"%{CANARY}%"]).fetchone()[0] == 0
    themes = " ".join(str(row) for row in db.query("SELECT * FROM themes"))
    assert CANARY not in themes and CANARY.lower() not in themes.lower()
    # Right away, with the server's connections still open: no copy waits for a later checkpoint.
    assert _files_contain(settings.db_path, CANARY) == []
