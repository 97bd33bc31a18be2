"""Tables owned by the analysis package."""

from sqlite_utils.migrations import Migrations

migrations = Migrations("analysis")
