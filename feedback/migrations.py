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


@migrations(name="002_mail")
def mail(db: Database) -> None:
    """The mail outbox, what it kept of forgotten messages, each person's choices, each session's mail settings.

    The outbox holds no address and no text: both are read and written at sending time, from
    `participant_contacts` (erasable) and the templates, so a personal link never rests in the
    database in clear and erasing a contact is enough to stop a queued message.
    """
    db.executescript(
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'changes')),
            -- A participant, or a staff member receiving a test of the message at their own address.
            participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
            user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
            deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
            -- For "ce qui a changé": the new iteration whose changes are told.
            iteration_id INTEGER REFERENCES iterations(id) ON DELETE CASCADE,
            language TEXT NOT NULL,
            message_id TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'bounced', 'unknown', 'cancelled')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            claimed_at TEXT,
            finished_at TEXT,
            last_reply TEXT,
            -- The demo marks what it pretends to have sent: no relay ever saw it.
            simulated INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            CHECK ((participant_id IS NULL) <> (user_id IS NULL))
        );
        CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
        CREATE INDEX outbox_participant ON outbox(participant_id, deployment_id);
        CREATE INDEX outbox_deployment ON outbox(deployment_id);
        -- One reminder per person and session, one "ce qui a changé" per person and new iteration.
        CREATE UNIQUE INDEX outbox_reminder_once ON outbox(participant_id, deployment_id)
            WHERE kind = 'reminder' AND participant_id IS NOT NULL;
        CREATE UNIQUE INDEX outbox_changes_once ON outbox(participant_id, iteration_id)
            WHERE kind = 'changes' AND participant_id IS NOT NULL;

        -- Erasure and retention delete outbox rows; only these counts remain of them.
        CREATE TABLE outbox_tallies (
            deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (deployment_id, kind, status)
        ) WITHOUT ROWID;
        CREATE TRIGGER outbox_tally AFTER DELETE ON outbox BEGIN
            INSERT INTO outbox_tallies (deployment_id, kind, status, count) VALUES (OLD.deployment_id, OLD.kind, OLD.status, 1)
            ON CONFLICT (deployment_id, kind, status) DO UPDATE SET count = count + 1;
        END;

        -- A person's language for our messages (the one they used), and whether they want none at all.
        CREATE TABLE mail_preferences (
            participant_id INTEGER PRIMARY KEY REFERENCES participants(id) ON DELETE CASCADE,
            language TEXT NOT NULL,
            unsubscribed_at TEXT,
            updated_at TEXT NOT NULL
        );

        -- "Tell me what changed": asked at the end of a test, with the time and the version of the wording ticked.
        CREATE TABLE mail_opt_ins (
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
            iteration_id INTEGER NOT NULL REFERENCES iterations(id),
            wording TEXT NOT NULL,
            language TEXT NOT NULL,
            opted_in_at TEXT NOT NULL,
            PRIMARY KEY (participant_id, deployment_id)
        ) WITHOUT ROWID;
        CREATE INDEX mail_opt_ins_iteration ON mail_opt_ins(iteration_id);

        -- A session's mail settings: who helps by telephone, and when the one reminder goes.
        CREATE TABLE deployment_mail (
            deployment_id INTEGER PRIMARY KEY REFERENCES deployments(id) ON DELETE CASCADE,
            mediator_phone TEXT NOT NULL DEFAULT '',
            reminder_days INTEGER CHECK (reminder_days IS NULL OR reminder_days BETWEEN 1 AND 60),
            reminders_queued_at TEXT,
            updated_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL
        );
        """
    )
