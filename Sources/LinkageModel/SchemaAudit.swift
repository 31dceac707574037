import GRDB

// Step 3, "3-audit": every change to the register is recorded by the register itself, by triggers,
// whoever makes it. A linkage run opens an audit session (who, which script and its SHA-256, or
// which REPL line) inside its transaction and closes it before committing, so changes made by
// any other program find no open session and are recorded with session_id NULL.
extension Schema {
    static let auditTables = ["audit_session", "audit_change"]

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
        try createAuditTriggers(db)
    }

    /// One trigger per table and change, recording rows as JSON (inserts and deletes whole, updates
    /// the changed fields). Call again (after dropping
    /// the old ones) whenever a later step changes a table's columns.
    public static func createAuditTriggers(_ db: Database) throws {
        let session = "(SELECT id FROM audit_session WHERE closed_at IS NULL ORDER BY id DESC LIMIT 1)"
        for table in registerTables + ruleTables {
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
