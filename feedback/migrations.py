"""Tables owned by the feedback package: participant sessions, kiosks, trials and what they record.

Everything a participant contributed hangs off `trials` with ON DELETE CASCADE, and trials hang
off `participants`, so deleting a participant removes it all; `feedback.erasure` still deletes
table by table so that it can count what went and so that nothing depends on a pragma.
"""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("feedback")


@migrations(name="001_journey")
def journey(db: Database) -> None:
    """The citizen journey: sessions, kiosks, trials, step visits, answers, questionnaire, comments."""
    db.executescript(
        """
        -- A shared device in kiosk mode: the cookie holds a random token, this table its hash.
        CREATE TABLE kiosks (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
            group_id INTEGER NOT NULL REFERENCES test_groups(id) ON DELETE CASCADE,
            started_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            ended_at TEXT
        );
        CREATE INDEX kiosks_deployment ON kiosks(deployment_id);

        -- What an invitation link is exchanged for: an HttpOnly cookie whose hash is the id.
        CREATE TABLE participant_sessions (
            id TEXT PRIMARY KEY,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
            invitation_id INTEGER REFERENCES invitations(id) ON DELETE SET NULL,
            channel TEXT NOT NULL CHECK (channel IN ('online', 'assisted', 'kiosk')),
            assisted_by INTEGER REFERENCES users(id) ON DELETE CASCADE,
            assisted_via TEXT CHECK (assisted_via IS NULL OR assisted_via IN ('telephone', 'papier', 'guichet')),
            kiosk_id INTEGER REFERENCES kiosks(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            revoked_at TEXT,
            CHECK ((channel = 'assisted') = (assisted_by IS NOT NULL AND assisted_via IS NOT NULL)),
            CHECK ((channel = 'kiosk') = (kiosk_id IS NOT NULL))
        );
        CREATE INDEX participant_sessions_participant ON participant_sessions(participant_id);

        -- One person going through one iteration once.
        CREATE TABLE trials (
            id INTEGER PRIMARY KEY,
            deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
            participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
            invitation_id INTEGER REFERENCES invitations(id) ON DELETE SET NULL,
            iteration_id INTEGER NOT NULL REFERENCES iterations(id),
            variant TEXT NOT NULL DEFAULT 'A' CHECK (variant IN ('A', 'B')),
            channel TEXT NOT NULL CHECK (channel IN ('online', 'assisted', 'kiosk', 'widget', 'import')),
            -- Set whenever a mediator entered answers for the person (kept if the account goes).
            assisted_via TEXT CHECK (assisted_via IS NULL OR assisted_via IN ('telephone', 'papier', 'guichet')),
            assisted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            consent_at TEXT,
            started_at TEXT NOT NULL,
            -- Index of the first step not yet validated: steps up to it may be revisited.
            progress INTEGER NOT NULL DEFAULT 0,
            last_step TEXT,
            completed_at TEXT,
            questionnaire_at TEXT,
            idempotency_key TEXT UNIQUE,
            CHECK (channel <> 'assisted' OR assisted_via IS NOT NULL)
        );
        CREATE INDEX trials_deployment ON trials(deployment_id);
        CREATE INDEX trials_iteration ON trials(iteration_id);
        CREATE INDEX trials_participant ON trials(participant_id);
        -- A person takes a given test once, whatever the channel they came by.
        CREATE UNIQUE INDEX trials_once ON trials(deployment_id, participant_id)
            WHERE participant_id IS NOT NULL AND channel IN ('online', 'assisted', 'kiosk');

        -- Each visit to a step: when it started and ended, and the errors shown per field.
        CREATE TABLE step_events (
            id INTEGER PRIMARY KEY,
            trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
            step_key TEXT NOT NULL,
            entered_at TEXT NOT NULL,
            left_at TEXT,
            errors TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX step_events_trial ON step_events(trial_id, id);

        -- The prototype's own fields, one row per field (files: name and size only).
        CREATE TABLE answers (
            trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
            step_key TEXT NOT NULL,
            field_key TEXT NOT NULL,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (trial_id, field_key)
        ) WITHOUT ROWID;

        -- The end questionnaire, one normalised row per answer (satisfaction, ease, sus_1...).
        CREATE TABLE responses (
            trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            number REAL,
            text TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (trial_id, key)
        ) WITHOUT ROWID;

        -- Free text, per step or overall (step_key NULL), always stored masked.
        CREATE TABLE comments (
            id INTEGER PRIMARY KEY,
            deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
            iteration_id INTEGER REFERENCES iterations(id) ON DELETE CASCADE,
            trial_id INTEGER REFERENCES trials(id) ON DELETE CASCADE,
            step_key TEXT,
            text TEXT NOT NULL,
            language TEXT,
            pii_kinds TEXT NOT NULL DEFAULT '[]',
            source TEXT NOT NULL CHECK (source IN ('step', 'questionnaire', 'widget', 'import')),
            moderation TEXT NOT NULL DEFAULT 'visible' CHECK (moderation IN ('visible', 'hidden')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX comments_deployment ON comments(deployment_id);
        CREATE INDEX comments_iteration ON comments(iteration_id, step_key);
        CREATE INDEX comments_trial ON comments(trial_id);
        -- The journey keeps one comment per step and one overall comment per trial.
        CREATE UNIQUE INDEX comments_journey_once ON comments(trial_id, IFNULL(step_key, ''))
            WHERE trial_id IS NOT NULL AND source IN ('step', 'questionnaire');

        -- Per-form idempotency keys: a reload, double click or retry records once.
        CREATE TABLE submissions (
            key TEXT PRIMARY KEY,
            trial_id INTEGER REFERENCES trials(id) ON DELETE CASCADE,
            participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
            form TEXT NOT NULL,
            outcome TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX submissions_trial ON submissions(trial_id);
        CREATE INDEX submissions_participant ON submissions(participant_id);
        """
    )
