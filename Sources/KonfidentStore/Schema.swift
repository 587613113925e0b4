import GRDB

/// Versioned migrations. Each one is append-only: a released migration never changes.
enum Schema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 workspaces and members") { db in
            try db.execute(sql: """
                CREATE TABLE workspace (
                    id INTEGER PRIMARY KEY,
                    slug TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    url TEXT NOT NULL,
                    host TEXT NOT NULL,
                    path_prefix TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX workspace_by_host ON workspace(host);
                CREATE TABLE member (
                    id INTEGER PRIMARY KEY,
                    workspace_id INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    email TEXT,
                    email_key TEXT,
                    phone TEXT,
                    personnummer TEXT,
                    method TEXT NOT NULL,
                    role TEXT NOT NULL,
                    state TEXT NOT NULL,
                    invited_by INTEGER REFERENCES member(id),
                    created_at INTEGER NOT NULL,
                    activated_at INTEGER,
                    revoked_at INTEGER,
                    last_sign_in_at INTEGER,
                    UNIQUE (workspace_id, email_key),
                    UNIQUE (workspace_id, personnummer)
                );
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    workspace_id INTEGER,
                    member_id INTEGER,
                    ip TEXT,
                    event TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    detail TEXT
                );
                CREATE INDEX audit_by_time ON audit(at);
                """)
        }
        migrator.registerMigration("v2 sign-in attempts, sessions, outbox, rate limits") { db in
            try db.execute(sql: """
                CREATE TABLE sign_in_attempt (
                    id INTEGER PRIMARY KEY,
                    workspace_id INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    member_id INTEGER REFERENCES member(id) ON DELETE CASCADE,
                    browser_hash BLOB NOT NULL,
                    match_code TEXT NOT NULL,
                    nonce BLOB NOT NULL,
                    email_token_hash BLOB UNIQUE,
                    sms_token_hash BLOB UNIQUE,
                    required_channels TEXT NOT NULL,
                    confirmed_channels TEXT NOT NULL DEFAULT '',
                    state TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    ip TEXT NOT NULL,
                    user_agent TEXT NOT NULL
                );
                CREATE INDEX attempt_by_browser ON sign_in_attempt(browser_hash);
                CREATE INDEX attempt_by_member ON sign_in_attempt(member_id, state);
                CREATE TABLE session (
                    id_hash BLOB PRIMARY KEY,
                    workspace_id INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
                    created_at INTEGER NOT NULL,
                    last_seen_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    ended_at INTEGER
                ) WITHOUT ROWID;
                CREATE INDEX session_by_member ON session(member_id);
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY,
                    channel TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    workspace_id INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    member_id INTEGER REFERENCES member(id) ON DELETE CASCADE,
                    recipient TEXT NOT NULL,
                    language TEXT NOT NULL,
                    subject_id INTEGER,
                    state TEXT NOT NULL DEFAULT 'pending',
                    tries INTEGER NOT NULL DEFAULT 0,
                    next_try_at INTEGER NOT NULL,
                    last_error TEXT,
                    gateway_id TEXT,
                    created_at INTEGER NOT NULL,
                    sent_at INTEGER
                );
                CREATE INDEX outbox_due ON outbox(state, next_try_at);
                CREATE TABLE rate_limit (
                    key TEXT NOT NULL,
                    window_start INTEGER NOT NULL,
                    count INTEGER NOT NULL,
                    PRIMARY KEY (key, window_start)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3 invitations") { db in
            try db.execute(sql: """
                CREATE TABLE invitation (
                    id INTEGER PRIMARY KEY,
                    workspace_id INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
                    invited_by INTEGER REFERENCES member(id) ON DELETE SET NULL,
                    match_code TEXT NOT NULL,
                    nonce BLOB NOT NULL,
                    email_token_hash BLOB UNIQUE,
                    sms_token_hash BLOB UNIQUE,
                    browser_hash BLOB,
                    required_channels TEXT NOT NULL,
                    confirmed_channels TEXT NOT NULL DEFAULT '',
                    state TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL
                );
                CREATE INDEX invitation_by_member ON invitation(member_id, state);
                CREATE INDEX invitation_by_browser ON invitation(browser_hash);
                """)
        }
        migrator.registerMigration("v4 BankID orders") { db in
            try db.execute(sql: """
                CREATE TABLE bankid_order (
                    id INTEGER PRIMARY KEY,
                    workspace_id INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    browser_hash BLOB NOT NULL,
                    purpose TEXT NOT NULL,
                    invitation_id INTEGER REFERENCES invitation(id) ON DELETE CASCADE,
                    required_personnummer TEXT,
                    order_ref TEXT NOT NULL,
                    sealed BLOB,
                    state TEXT NOT NULL,
                    hint_code TEXT,
                    error_code TEXT,
                    personnummer TEXT,
                    member_id INTEGER REFERENCES member(id) ON DELETE SET NULL,
                    started_at INTEGER NOT NULL,
                    collected_at INTEGER,
                    ip TEXT NOT NULL
                );
                CREATE INDEX bankid_order_by_browser ON bankid_order(browser_hash);
                CREATE INDEX bankid_order_pending ON bankid_order(state, started_at);
                ALTER TABLE invitation ADD COLUMN requires_bankid INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE invitation ADD COLUMN bankid_proven_at INTEGER;
                """)
        }
        // Next for an address that is no member's writes an attempt without tokens or member: NULLs
        // need no index entries, and the audit log is read by id, not by time. Fewer index pages per
        // Next (SQLite cannot drop the UNIQUE of a column, hence the table is rebuilt).
        migrator.registerMigration("v5 partial indexes of sign-in attempts") { db in
            try db.execute(sql: """
                DROP INDEX audit_by_time;
                CREATE TABLE sign_in_attempt_v5 (
                    id INTEGER PRIMARY KEY,
                    workspace_id INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
                    member_id INTEGER REFERENCES member(id) ON DELETE CASCADE,
                    browser_hash BLOB NOT NULL,
                    match_code TEXT NOT NULL,
                    nonce BLOB NOT NULL,
                    email_token_hash BLOB,
                    sms_token_hash BLOB,
                    required_channels TEXT NOT NULL,
                    confirmed_channels TEXT NOT NULL DEFAULT '',
                    state TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    ip TEXT NOT NULL,
                    user_agent TEXT NOT NULL
                );
                INSERT INTO sign_in_attempt_v5 (id, workspace_id, member_id, browser_hash, match_code, nonce, email_token_hash,
                    sms_token_hash, required_channels, confirmed_channels, state, created_at, expires_at, ip, user_agent)
                SELECT id, workspace_id, member_id, browser_hash, match_code, nonce, email_token_hash,
                    sms_token_hash, required_channels, confirmed_channels, state, created_at, expires_at, ip, user_agent
                FROM sign_in_attempt;
                DROP TABLE sign_in_attempt;
                ALTER TABLE sign_in_attempt_v5 RENAME TO sign_in_attempt;
                CREATE UNIQUE INDEX attempt_by_email_token ON sign_in_attempt(email_token_hash) WHERE email_token_hash IS NOT NULL;
                CREATE UNIQUE INDEX attempt_by_sms_token ON sign_in_attempt(sms_token_hash) WHERE sms_token_hash IS NOT NULL;
                CREATE INDEX attempt_by_browser ON sign_in_attempt(browser_hash);
                CREATE INDEX attempt_by_member ON sign_in_attempt(member_id, state) WHERE member_id IS NOT NULL;
                """)
        }
        // The worker takes due messages oldest first. The index on (state, next_try_at) left SQLite
        // two ranges to merge for `state IN ('pending', 'sending')` and it sorted every due row
        // for each claim, so a backlog made each claim slower. This one holds only the rows that
        // wait, in the order they are taken, and sheds them as they are sent.
        migrator.registerMigration("v6 outbox due index in claim order") { db in
            try db.execute(sql: """
                DROP INDEX outbox_due;
                CREATE INDEX outbox_due ON outbox(next_try_at, id) WHERE state IN ('pending', 'sending');
                """)
        }
        // Sign-in links carry their attempt's id (`SplitToken`) and are found by it: the indexes of
        // the token hashes, a page at a random place written by every member's Next, are gone.
        // Links sent before this migration (at most a link lifetime ago) no longer open.
        migrator.registerMigration("v7 sign-in links found by attempt id") { db in
            try db.execute(sql: """
                DROP INDEX attempt_by_email_token;
                DROP INDEX attempt_by_sms_token;
                """)
        }
        // The attempt cookie names its attempt (`ID.SECRET`) and the browser's hash is compared with
        // the row's: the index of browser hashes, another page at a random place per Next, is gone.
        // Cookies of the old form no longer find their attempt (the waiting page sends that browser
        // back to the login page); they live a link lifetime.
        migrator.registerMigration("v8 attempt cookies name their attempt") { db in
            try db.execute(sql: "DROP INDEX attempt_by_browser")
        }
        // A collect the service did not answer no longer ends the order at once (`BankIDOrder`):
        // the time of the first unanswered one is kept until an answer comes.
        migrator.registerMigration("v9 BankID collects that went unanswered") { db in
            try db.execute(sql: "ALTER TABLE bankid_order ADD COLUMN unanswered_since INTEGER")
        }
        return migrator
    }()
}
