"""Tables owned by the analysis package: stored comment vectors, analysis jobs, themes, curation, actions.

What is derived from a comment points at it with ON DELETE CASCADE (`comment_vectors`,
`theme_members`), and `feedback.erasure.erase_participant` also deletes those rows explicitly and
then refreshes the themes they belonged to (sizes, quotes, terms), so one call forgets a person.
Figures that can go stale (size, share, steps, mean satisfaction, assisted share, quote texts)
are never stored: they are read live from `theme_members` joined to the comments, so a purge or
an erasure can never leave an old number or an old quote behind.
"""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("analysis")


@migrations(name="001_themes")
def themes(db: Database) -> None:
    """Vectors, jobs, themes with their members and links to v(N-1), curations, redesign actions."""
    db.executescript(
        """
        -- One sentence embedding per comment, computed once in the background when it arrives.
        -- `comment_updated_at` is the comment's updated_at when encoded: an edited comment is
        -- encoded again; `model` names the encoder and its version, another model re-encodes.
        CREATE TABLE comment_vectors (
            comment_id INTEGER PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
            backend TEXT NOT NULL CHECK (backend = 'semantic'),
            model TEXT NOT NULL,
            dim INTEGER NOT NULL CHECK (dim > 0),
            vector BLOB NOT NULL,
            comment_updated_at TEXT NOT NULL,
            created_at TEXT NOT NULL
        );

        -- An analysis job and the parameters that produced its themes (seed, versions, k chosen).
        CREATE TABLE analyses (
            id INTEGER PRIMARY KEY,
            iteration_id INTEGER NOT NULL REFERENCES iterations(id) ON DELETE CASCADE,
            backend TEXT NOT NULL CHECK (backend IN ('tfidf', 'semantic')),
            k_requested INTEGER CHECK (k_requested IS NULL OR k_requested BETWEEN 1 AND 50),
            seed INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
            progress REAL NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
            message TEXT NOT NULL DEFAULT '',
            params TEXT NOT NULL DEFAULT '{}',
            -- How the iteration's curations were replayed on this analysis: applied / skipped.
            replay TEXT NOT NULL DEFAULT '{}',
            -- Who runs it: the web worker (restarted with the server), the CLI or the demo loader.
            runner TEXT NOT NULL DEFAULT 'web' CHECK (runner IN ('web', 'cli', 'demo')),
            created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            started_at TEXT,
            heartbeat_at TEXT,
            finished_at TEXT
        );
        CREATE INDEX analyses_iteration ON analyses(iteration_id, id);
        CREATE INDEX analyses_status ON analyses(status, id);
        -- One analysis at a time per iteration: a double click queues one job, not two.
        CREATE UNIQUE INDEX analyses_one_active ON analyses(iteration_id) WHERE status IN ('queued', 'running');

        -- A theme of one analysis. Only the latest finished analysis of an iteration keeps its
        -- themes; `curated_label` is the staff's name for it, `label` the clustering's.
        CREATE TABLE themes (
            id INTEGER PRIMARY KEY,
            analysis_id INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            label TEXT NOT NULL,
            curated_label TEXT,
            terms TEXT NOT NULL DEFAULT '[]',
            -- c-TF-IDF weights by stem: the signature tracking and curation replay compare.
            term_weights TEXT NOT NULL DEFAULT '{}',
            centroid TEXT,
            -- Representative quotes as comment ids, best first; texts are read from comments.
            quote_ids TEXT NOT NULL DEFAULT '[]',
            is_noise INTEGER NOT NULL DEFAULT 0 CHECK (is_noise IN (0, 1)),
            origin TEXT NOT NULL DEFAULT 'analysis' CHECK (origin IN ('analysis', 'split'))
        );
        CREATE INDEX themes_analysis ON themes(analysis_id, position);
        CREATE UNIQUE INDEX themes_one_noise ON themes(analysis_id) WHERE is_noise = 1;

        -- Which comments a theme holds; a comment is in one theme per analysis.
        CREATE TABLE theme_members (
            theme_id INTEGER NOT NULL REFERENCES themes(id) ON DELETE CASCADE,
            comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
            analysis_id INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
            PRIMARY KEY (theme_id, comment_id)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX theme_members_once ON theme_members(analysis_id, comment_id);
        CREATE INDEX theme_members_comment ON theme_members(comment_id);

        -- Themes of an analysis matched with the previous iteration's: new, persisting, resolved.
        CREATE TABLE theme_links (
            id INTEGER PRIMARY KEY,
            analysis_id INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
            status TEXT NOT NULL CHECK (status IN ('new', 'persisting', 'resolved')),
            theme_id INTEGER REFERENCES themes(id) ON DELETE CASCADE,
            previous_theme_id INTEGER REFERENCES themes(id) ON DELETE CASCADE,
            similarity REAL,
            CHECK ((status = 'new') = (previous_theme_id IS NULL)),
            CHECK ((status = 'resolved') = (theme_id IS NULL))
        );
        CREATE INDEX theme_links_analysis ON theme_links(analysis_id);
        CREATE INDEX theme_links_theme ON theme_links(theme_id);
        CREATE INDEX theme_links_previous ON theme_links(previous_theme_id);

        -- Staff curation of an iteration's themes, replayed in order on every re-analysis. The
        -- payload holds snapshots (member comment ids, term weights) to find the theme again.
        CREATE TABLE curations (
            id INTEGER PRIMARY KEY,
            iteration_id INTEGER NOT NULL REFERENCES iterations(id) ON DELETE CASCADE,
            analysis_id INTEGER REFERENCES analyses(id) ON DELETE SET NULL,
            kind TEXT NOT NULL CHECK (kind IN ('rename', 'merge', 'split', 'move', 'noise')),
            payload TEXT NOT NULL,
            created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX curations_iteration ON curations(iteration_id, id);

        -- What the team will change, raised from an iteration's themes, delivered in a later one.
        CREATE TABLE redesign_actions (
            id INTEGER PRIMARY KEY,
            prototype_id INTEGER NOT NULL REFERENCES prototypes(id) ON DELETE CASCADE,
            source_iteration_id INTEGER NOT NULL REFERENCES iterations(id) ON DELETE CASCADE,
            delivered_in_iteration_id INTEGER REFERENCES iterations(id) ON DELETE SET NULL,
            title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
            description TEXT NOT NULL DEFAULT '',
            owner TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'done', 'dropped')),
            created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX redesign_actions_source ON redesign_actions(source_iteration_id);
        CREATE INDEX redesign_actions_delivered ON redesign_actions(delivered_in_iteration_id);
        CREATE INDEX redesign_actions_prototype ON redesign_actions(prototype_id);

        -- The themes an action answers. The link follows the theme across re-analysis (matched
        -- like curations); `theme_label` keeps the name if the theme no longer exists.
        CREATE TABLE action_themes (
            action_id INTEGER NOT NULL REFERENCES redesign_actions(id) ON DELETE CASCADE,
            theme_id INTEGER REFERENCES themes(id) ON DELETE SET NULL,
            theme_label TEXT NOT NULL
        );
        CREATE INDEX action_themes_action ON action_themes(action_id);
        CREATE INDEX action_themes_theme ON action_themes(theme_id);
        """
    )


@migrations(name="002_tracking_evidence_and_no_remark")
def tracking_evidence_and_no_remark(db: Database) -> None:
    """Comments with nothing to say counted apart; what became of each theme of v(N-1), with its evidence."""
    db.executescript(
        """
        -- "Sans remarque particulière": the bucket of comments with nothing to say about the
        -- service ("RAS", "merci", emoji only), neither a theme nor "Autres". At most one per analysis.
        ALTER TABLE themes ADD COLUMN no_remark INTEGER NOT NULL DEFAULT 0 CHECK (no_remark IN (0, 1));
        CREATE UNIQUE INDEX themes_one_no_remark ON themes(analysis_id) WHERE no_remark = 1;
        -- The language of the automatic name: 'fr', or 'en' for a theme of English comments only.
        ALTER TABLE themes ADD COLUMN name_lang TEXT NOT NULL DEFAULT 'fr' CHECK (name_lang IN ('fr', 'en'));

        -- theme_links rows are now the many-to-many links between an analysis' themes and v(N-1)'s:
        -- 'persisting' rows say the theme holds `shared` comments close to the previous theme
        -- (a theme of N-1 split in two has two rows, two themes merged into one have two rows),
        -- 'new' rows name the themes most of whose comments are close to no previous theme.
        ALTER TABLE theme_links ADD COLUMN shared INTEGER;

        -- The fate of each theme of v(N-1) in an analysis of vN, decided from vN's comments, with its
        -- evidence: its comments in N-1 (before_count of before_total comments with content), the
        -- comments of N close to it (now_count of now_total), the two-proportion test (p_value,
        -- test), the comments of N that still speak of it (example_ids, best first) and the other
        -- previous themes it merged with (merged_with). Intervals are recomputed from the counts.
        CREATE TABLE theme_fates (
            id INTEGER PRIMARY KEY,
            analysis_id INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
            previous_theme_id INTEGER NOT NULL REFERENCES themes(id) ON DELETE CASCADE,
            status TEXT NOT NULL CHECK (status IN ('resolved', 'receding', 'persisting', 'split', 'merged')),
            before_count INTEGER NOT NULL CHECK (before_count >= 0),
            before_total INTEGER NOT NULL CHECK (before_total >= before_count),
            now_count INTEGER NOT NULL CHECK (now_count >= 0),
            now_total INTEGER NOT NULL CHECK (now_total >= now_count),
            p_value REAL,
            test TEXT,
            example_ids TEXT NOT NULL DEFAULT '[]',
            merged_with TEXT NOT NULL DEFAULT '[]',
            -- How the comments were compared: 'semantic' (stored sentence vectors) or 'tfidf'.
            space TEXT NOT NULL DEFAULT 'semantic',
            UNIQUE (analysis_id, previous_theme_id)
        );
        CREATE INDEX theme_fates_previous ON theme_fates(previous_theme_id);
        -- Links and statuses computed the old way (one-to-one matching of term vectors) are
        -- dropped; the worker computes them again from the comments at start-up (links.retrack_stale).
        DELETE FROM theme_links;
        """
    )


@migrations(name="003_fate_parts")
def fate_parts(db: Database) -> None:
    """A theme of v(N-1) may be resolved in part: the fate of each part, with its quotes."""
    db.executescript(
        """
        -- When the comments of v(N-1) of a theme fall in a part no comment of vN comes near
        -- (resolved) and a part that persists, one JSON object per part: status, before, now
        -- (its comments of v(N-1), and of vN close to it), p_value, test, quote_ids (comments of v(N-1) of the resolved part, best
        -- first; none for the rest). Empty for a theme whose comments share one fate.
        ALTER TABLE theme_fates ADD COLUMN parts TEXT NOT NULL DEFAULT '[]';
        -- Fates stored before parts existed are computed again at start-up (links.retrack_stale).
        DELETE FROM theme_fates;
        DELETE FROM theme_links;
        """
    )
