import GRDB

// Step 4, "4-audit-chain": sessions are written when a run commits, covering the range of change
// ids it made, so a run that only reads writes nothing and no open session can take the blame;
// a hash chain over the entries shows whether the log was rewritten (AuditChain.swift).
extension Schema {
    static let auditChainTables = ["audit_chain"]

    static func createAuditChain(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE audit_session ADD COLUMN first_change INTEGER;
            ALTER TABLE audit_session ADD COLUMN last_change INTEGER
                CHECK (last_change IS NULL OR last_change >= first_change);
            ALTER TABLE audit_session ADD COLUMN digest TEXT CHECK (digest IS NULL OR length(digest) = 64);
            DROP INDEX idx_audit_session_open;
            CREATE INDEX idx_audit_session_first_change ON audit_session (first_change);
            CREATE TABLE audit_chain (
                id         INTEGER PRIMARY KEY,
                session_id INTEGER,
                hash       TEXT NOT NULL
            ) STRICT;
            """)
        try dropAuditTriggers(db)
        try createAuditTriggers(db)
        // The existing log is sealed as it stands: every session gets its digest, every entry a link.
        for row in try Row.fetchAll(db, sql: AuditChain.sessionSQL) {
            try db.execute(sql: "UPDATE audit_session SET digest = ? WHERE id = ?",
                           arguments: [AuditChain.digest(of: row), row["id"] as Int64])
        }
        try AuditChain.extend(db)
        try db.execute(sql: """
            CREATE TRIGGER audit_session_is_append_only_update BEFORE UPDATE ON audit_session
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_session_is_append_only_delete BEFORE DELETE ON audit_session
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_chain_is_append_only_update BEFORE UPDATE ON audit_chain
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_chain_is_append_only_delete BEFORE DELETE ON audit_chain
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            """)
    }
}
