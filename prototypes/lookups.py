"""An iteration named in a URL: a missing one ends the request with the 404 page."""

from __future__ import annotations

from sqlite_utils import Database

from lab.i18n import gettext as _
from lab.lookups import found
from prototypes.store import get_iteration


def existing_iteration(db: Database, iteration_id: int) -> dict:
    """The iteration, or the 404 page saying it does not exist."""
    return found(get_iteration(db, iteration_id), _("Cette itération n'existe pas."))
