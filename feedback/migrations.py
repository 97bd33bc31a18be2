"""Tables owned by the feedback package."""

from sqlite_utils.migrations import Migrations

migrations = Migrations("feedback")
