"""Files that hold personal data (the database, its WAL, backups, exports) are readable by their owner only."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700


def private_directory(path: Path | str) -> Path:
    """A folder created owner-only (an existing one is left as the administrator set it)."""
    path = Path(path)
    path.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
    return path


def private_file(path: Path | str) -> Path:
    """The file, created empty and owner-only if missing; an existing one loses any group or other access."""
    path = Path(path)
    private_directory(path.parent)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        os.chmod(path, mode & ~0o077)
    return path
