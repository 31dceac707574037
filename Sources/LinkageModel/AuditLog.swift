import Foundation
import GRDB

/// Who a run is, for the audit log.
public struct AuditSource: Sendable {
    public var osUser: String
    /// The script's path, `-e` or `repl`.
    public var source: String
    public var sha256: String?
    /// The code run, for `-e` and REPL lines.
    public var command: String?

    public init(osUser: String, source: String, sha256: String? = nil, command: String? = nil) {
        self.osUser = osUser
        self.source = source
        self.sha256 = sha256
        self.command = command
    }
}

/// One changed row as the audit log recorded it.
public struct AuditEntry: Sendable {
    public let id: Int64
    public let at: String
    public let osUser: String?
    public let source: String?
    public let table: String
    public let rowID: Int64
    public let action: String
    /// The fields that changed: name, before, after (nil where absent).
    public let changes: [(field: String, old: SQLValue?, new: SQLValue?)]
}

/// Reading and writing the audit log (schema step 3).
public enum AuditLog {
    /// Opens a session; call inside the run's transaction, before any change.
    public static func open(_ db: Database, _ source: AuditSource) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO audit_session (started_at, os_user, source, source_sha256, command)
            VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?, ?, ?, ?)
            """, arguments: [source.osUser, source.source, source.sha256, source.command])
        return db.lastInsertedRowID
    }

    /// Closes a session before its transaction commits; a session that changed nothing is removed.
    public static func close(_ db: Database, session: Int64) throws {
        let changed = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM audit_change WHERE session_id = ?)", arguments: [session]) ?? false
        if changed {
            try db.execute(sql: "UPDATE audit_session SET closed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?", arguments: [session])
        } else {
            try db.execute(sql: "DELETE FROM audit_session WHERE id = ?", arguments: [session])
        }
    }

    /// Changes, oldest first, filtered by time (an ISO date or timestamp), table and session.
    public static func entries(_ db: Database, since: String? = nil, table: String? = nil, session: Int64? = nil,
                               limit: Int? = nil) throws -> [AuditEntry] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let since { conditions.append("c.at >= ?"); arguments.append(since) }
        if let table { conditions.append("c.table_name = ?"); arguments.append(table) }
        if let session { conditions.append("c.session_id = ?"); arguments.append(session) }
        let whereText = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let limitText = limit.map { " LIMIT \($0)" } ?? ""
        let rows = try Row.fetchAll(db, sql: """
            SELECT c.*, s.os_user, s.source FROM audit_change AS c LEFT JOIN audit_session AS s ON s.id = c.session_id
            \(whereText) ORDER BY c.id\(limitText)
            """, arguments: StatementArguments(arguments))
        return try rows.map { row in
            let old = try decode(db, row["old"])
            let new = try decode(db, row["new"])
            var fields = Array(Set(old.keys).union(new.keys)).sorted()
            if row["action"] as String == "update" { fields = fields.filter { old[$0] != new[$0] } }
            return AuditEntry(id: row["id"], at: row["at"], osUser: row["os_user"], source: row["source"],
                              table: row["table_name"], rowID: row["row_id"], action: row["action"],
                              changes: fields.map { ($0, old[$0], new[$0]) })
        }
    }

    /// A JSON object as SQLite wrote it, decoded by SQLite so integers and reals stay apart.
    static func decode(_ db: Database, _ json: String?) throws -> [String: SQLValue] {
        guard let json else { return [:] }
        var result: [String: SQLValue] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT key, value FROM json_each(?)", arguments: [json]) {
            result[row["key"]] = SQLValue(row["value"] as DatabaseValue)
        }
        return result
    }
}
