import GRDB

// Step 3, "3-audit": every change to the register is recorded by the register itself, by triggers,
// whoever makes it. In step 3 a linkage run opened an audit session inside its transaction and
// the triggers attributed changes to the latest open one; step 4 ("4-audit-chain") replaced that
// with sessions sealed at commit over a range of change ids (SchemaAuditChain.swift).
extension Schema {
    static let auditTables = ["audit_session", "audit_change"]

    /// Every table whose changes the audit log records: the register and its rules.
    static var auditedTables: [String] { registerTables + ruleTables + datedRuleTables + assessmentTables + excludedCategoryTables }

    static func createAudit(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE audit_session (
                id            INTEGER PRIMARY KEY,
                started_at    TEXT NOT NULL,
                os_user       TEXT NOT NULL,
                source        TEXT NOT NULL,
                source_sha256 TEXT CHECK (source_sha256 IS NULL OR length(source_sha256) = 64),
                command       TEXT,
                closed_at     TEXT
            ) STRICT;
            CREATE TABLE audit_change (
                id         INTEGER PRIMARY KEY,
                session_id INTEGER REFERENCES audit_session (id),
                at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                table_name TEXT NOT NULL,
                row_id     INTEGER NOT NULL,
                action     TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
                old        TEXT,
                new        TEXT
            ) STRICT;
            CREATE INDEX idx_audit_change_session_id ON audit_change (session_id);
            CREATE INDEX idx_audit_change_at ON audit_change (at);
            CREATE INDEX idx_audit_change_table_row ON audit_change (table_name, row_id);
            CREATE INDEX idx_audit_session_open ON audit_session (closed_at) WHERE closed_at IS NULL;
            CREATE TRIGGER audit_change_is_append_only_update BEFORE UPDATE ON audit_change
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_change_is_append_only_delete BEFORE DELETE ON audit_change
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            """)
        try createAuditTriggers(db, session: "(SELECT id FROM audit_session WHERE closed_at IS NULL ORDER BY id DESC LIMIT 1)")
    }

    /// One trigger per table and change, recording rows as JSON (inserts and deletes whole, updates
    /// the changed fields) with session_id NULL: the session that covers them is written when the
    /// run commits (``AuditLog/seal(_:source:startedAt:after:)``). Call again (after dropping the
    /// old ones, ``dropAuditTriggers(_:)``) whenever a later step changes a table's columns.
    public static func createAuditTriggers(_ db: Database) throws {
        try createAuditTriggers(db, session: "NULL")
    }

    /// Drops the triggers ``createAuditTriggers(_:)`` made.
    public static func dropAuditTriggers(_ db: Database) throws {
        for table in auditedTables {
            for change in ["insert", "update", "delete"] {
                try db.execute(sql: "DROP TRIGGER IF EXISTS audit_\(table)_\(change)")
            }
        }
    }

    /// `session` is the SQL of the session_id written: step 3's "latest open session" lookup, which
    /// a released step keeps, or NULL from step 4 on.
    static func createAuditTriggers(_ db: Database, session: String) throws {
        // A step's tables exist from that step on: an earlier step's triggers cover what it had.
        for table in auditedTables where try db.tableExists(table) {
            let columns = try db.columns(in: table).map(\.name)
            func json(_ row: String) -> String {
                "json_object(" + columns.map { "'\($0)', \(row).\($0)" }.joined(separator: ", ") + ")"
            }
            let changed = columns.map { "OLD.\($0) IS NOT NEW.\($0)" }.joined(separator: " OR ")
            // An update records only the fields that changed: the others are removed from both
            // objects ('$.-' names no field, so removing it does nothing).
            func changedOnly(_ row: String) -> String {
                "json_remove(\(json(row)), " + columns.map { "CASE WHEN OLD.\($0) IS NEW.\($0) THEN '$.\($0)' ELSE '$.-' END" }.joined(separator: ", ") + ")"
            }
            try db.execute(sql: """
                CREATE TRIGGER audit_\(table)_insert AFTER INSERT ON \(table)
                BEGIN
                    INSERT INTO audit_change (session_id, table_name, row_id, action, new)
                    VALUES (\(session), '\(table)', NEW.rowid, 'insert', \(json("NEW")));
                END;
                CREATE TRIGGER audit_\(table)_update AFTER UPDATE ON \(table) WHEN \(changed)
                BEGIN
                    INSERT INTO audit_change (session_id, table_name, row_id, action, old, new)
                    VALUES (\(session), '\(table)', NEW.rowid, 'update', \(changedOnly("OLD")), \(changedOnly("NEW")));
                END;
                CREATE TRIGGER audit_\(table)_delete AFTER DELETE ON \(table)
                BEGIN
                    INSERT INTO audit_change (session_id, table_name, row_id, action, old)
                    VALUES (\(session), '\(table)', OLD.rowid, 'delete', \(json("OLD")));
                END;
                """)
        }
    }
}
