import Foundation
import GRDB

/// Who a run is, for the audit log.
public struct AuditSource: Sendable {
    public var osUser: String
    /// The script's path, `-e` or `repl`.
    public var source: String
    public var sha256: String?
    /// The code run, for `-e` and REPL lines; the command line, for `linkage run` (the script and
    /// its arguments: which file a bulk edit read) and `linkage import`.
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
    /// The session the change is attributed to; nil for changes made outside linkage (and for
    /// changes of a run not sealed yet).
    public let session: Int64?
    public let osUser: String?
    public let source: String?
    /// The session's command (``AuditSource/command``).
    public let command: String?
    public let table: String
    public let rowID: Int64
    public let action: String
    /// The fields that changed: name, before, after (nil where absent).
    public let changes: [(field: String, old: SQLValue?, new: SQLValue?)]
}

/// Where the audit log's hash chain first breaks (``AuditLog/verify(_:)``).
public struct AuditBreak: Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The entry's fields differ from what was sealed.
        case entryAltered
        /// The chain seals this change id, but no entry has it.
        case entryDeleted
        /// The session the entry is attributed to differs from the one it was sealed under, or
        /// that session's fields (or range) were rewritten.
        case sessionRewritten(session: Int64)
        /// The entry has no chain row, though later entries do.
        case chainRowMissing
        /// The entry's chain row holds another hash than the one its entry and predecessor give.
        case chainRowAltered
    }

    public let changeID: Int64
    public let reason: Reason
    /// More about the break, or empty.
    public let detail: String

    public var description: String {
        let why: String
        switch reason {
        case .entryAltered: why = "the entry was altered after it was sealed"
        case .entryDeleted: why = "the entry was deleted after it was sealed"
        case .sessionRewritten(let session): why = "session \(session) was rewritten or forged"
        case .chainRowMissing: why = "its chain row is missing, though later entries are sealed"
        case .chainRowAltered: why = "its chain row was altered"
        }
        return "audit log broken at change \(changeID): \(why)" + (detail.isEmpty ? "" : " (\(detail))")
    }
}

/// What ``AuditLog/verify(_:)`` found.
public struct AuditVerification: Sendable, Equatable {
    /// The sealed entries whose links hold (all of them when the log is intact).
    public let sealed: Int
    /// The hash of the last link that holds; nil when none does.
    public let head: String?
    /// Entries after the last sealed one: written outside linkage since the last seal (not an
    /// error; the next linkage run that writes seals them). 0 when the chain is broken.
    public let unsealed: Int
    /// The first broken link, or nil when the log is intact.
    public let broken: AuditBreak?

    public var intact: Bool { broken == nil }
}

/// Reading and writing the audit log (schema steps 3 and 4).
///
/// A run takes a ``mark(_:)`` when its transaction begins (a read) and calls
/// ``seal(_:source:startedAt:after:)`` just before committing: only a run that changed something
/// writes a session, and the session names its changes by their range of ids, so no other
/// program's open session can take the blame.
public enum AuditLog {
    /// The id of the latest change, or 0: the entries after it are the ones this run makes.
    public static func mark(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM audit_change") ?? 0
    }

    /// A time as the audit log writes times (UTC, ISO 8601 with milliseconds), without asking SQLite:
    /// a session that reads nothing before it writes must not start a read.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// Now, as the audit log writes times (UTC, ISO 8601 with milliseconds): a run's `startedAt`.
    public static func now(_ db: Database) throws -> String {
        try String.fetchOne(db, sql: "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')") ?? ""
    }

    /// Seals a run before its transaction commits: when there are entries after `mark`, writes one
    /// session (who, with what, when) covering them, then extends the hash chain over every entry
    /// not chained yet — changes made outside linkage since the last seal included. Writes nothing
    /// when the run changed nothing.
    public static func seal(_ db: Database, source: AuditSource, startedAt: String, after mark: Int64) throws {
        let last = try Self.mark(db)
        guard last > mark else { return }
        // Ranges do not overlap, so the latest range is the session with the largest first_change
        // (an index seek, not a scan of the sessions).
        let sealedUpTo = try Int64.fetchOne(db, sql: """
            SELECT max(coalesce((SELECT max(id) FROM audit_chain), 0),
                       coalesce((SELECT last_change FROM audit_session ORDER BY first_change DESC LIMIT 1), 0))
            """) ?? 0
        // A mark taken before the last seal would claim changes already attributed elsewhere.
        guard mark >= sealedUpTo else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE,
                                message: "audit mark \(mark) is older than the last seal (change \(sealedUpTo)); take the mark inside the transaction that commits")
        }
        let id = (try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) + 1 FROM audit_session") ?? 1)
        let closedAt = try now(db)
        let digest = AuditChain.digest(id: id, startedAt: startedAt, osUser: source.osUser, source: source.source,
                                       sourceSHA256: source.sha256, command: source.command, closedAt: closedAt,
                                       firstChange: mark + 1, lastChange: last)
        try db.execute(sql: """
            INSERT INTO audit_session (id, started_at, os_user, source, source_sha256, command, closed_at,
                                       first_change, last_change, digest)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [id, startedAt, source.osUser, source.source, source.sha256, source.command, closedAt,
                             mark + 1, last, digest])
        try AuditChain.extend(db)
    }

    /// Recomputes the hash chain and reports its first broken link, or that it is intact and how
    /// many entries are not sealed yet. Reads only; streams the log.
    public static func verify(_ db: Database) throws -> AuditVerification {
        try AuditChain.verify(db)
    }

    /// Changes, oldest first, filtered by time (an ISO date or timestamp) and table.
    public static func entries(_ db: Database, since: String? = nil, table: String? = nil,
                               limit: Int? = nil) throws -> [AuditEntry] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let since { conditions.append("c.at >= ?"); arguments.append(since) }
        if let table { conditions.append("c.table_name = ?"); arguments.append(table) }
        return try entries(db, conditions, arguments, limit: limit)
    }

    /// The changes after `mark`: what the run in progress changed (a dry run lists them, then
    /// rolls back).
    public static func entries(_ db: Database, after mark: Int64) throws -> [AuditEntry] {
        try entries(db, ["c.id > ?"], [mark], limit: nil)
    }

    private static func entries(_ db: Database, _ conditions: [String], _ arguments: [any DatabaseValueConvertible],
                                limit: Int?) throws -> [AuditEntry] {
        let whereText = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let limitText = limit.map { " LIMIT \($0)" } ?? ""
        let rows = try Row.fetchAll(db, sql: """
            SELECT c.*, s.id AS attributed, s.os_user, s.source, s.command
            FROM audit_change AS c LEFT JOIN audit_session AS s ON s.id = \(AuditChain.attribution("c"))
            \(whereText) ORDER BY c.id\(limitText)
            """, arguments: StatementArguments(arguments))
        return try rows.map { row in
            let old = try decode(db, row["old"])
            let new = try decode(db, row["new"])
            var fields = Array(Set(old.keys).union(new.keys)).sorted()
            if row["action"] as String == "update" { fields = fields.filter { old[$0] != new[$0] } }
            return AuditEntry(id: row["id"], at: row["at"], session: row["attributed"], osUser: row["os_user"],
                              source: row["source"], command: row["command"], table: row["table_name"], rowID: row["row_id"],
                              action: row["action"], changes: fields.map { ($0, old[$0], new[$0]) })
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
