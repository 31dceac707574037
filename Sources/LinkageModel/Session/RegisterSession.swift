import Foundation
import GRDB
import GRDBSQLite

/// One run's transaction on the register, begun and ended by linkage alone: a script, an import or
/// a console session works inside it, and only this type begins, commits or rolls it back. The
/// audit log attributes what it wrote to `audit` when it commits.
///
///     let session = RegisterSession(db: db, audit: source)
///     try session.begin()
///     do { try session.chunk { … } ; try session.commit() } catch { session.rollback(); throw error }
public final class RegisterSession {
    public let db: Database
    private let connection: OpaquePointer
    /// Who and what the audit log records for this session when it commits (a console sets it as
    /// its chunks run).
    public var audit: AuditSource?
    private let statementGuard: StatementGuard?
    /// When the session began, for the audit session it may seal.
    private var startedAt = ""
    private var chunks = 0
    public private(set) var isOpen = false
    private let readOnly: Bool
    private let busyTimeout: Double
    /// Set only while ``commit()`` runs: every other commit is turned into a rollback.
    private var committing = false

    /// `audit` nil: changes are logged as made outside a linkage run (only tests do that). A
    /// read-only register is never audited: nothing can change.
    public init(db: Database, audit: AuditSource?, readOnly: Bool = false, busyTimeout: Double = Register.defaultBusyTimeout) throws {
        guard let connection = db.sqliteConnection else { throw SessionError.closed }
        self.db = db
        self.connection = connection
        self.audit = readOnly ? nil : audit
        self.readOnly = readOnly
        self.busyTimeout = busyTimeout
        statementGuard = StatementGuard.on(connection)
    }

    /// Begins the transaction. `immediate` takes the write lock at once (an import that will write).
    public func begin(immediate: Bool = false) throws {
        precondition(!isOpen, "a session is begun once")
        if sqlite3_get_autocommit(connection) == 0 {
            // Left open by a crash of an earlier run on this connection: never build on it.
            try execute("ROLLBACK")
        }
        // A read-only register's connection refuses every write; said again here because GRDB's
        // read blocks turn query_only off when they end.
        if readOnly { try execute("PRAGMA query_only = 1") }
        try execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN")
        isOpen = true
        installCommitGuard()
        chunks = 0
        startedAt = AuditLog.timestamp(Date())
    }

    /// Runs `body` under a savepoint of its own: when it throws, what it changed is undone and the
    /// rest of the session stays (a console line that fails loses only its own changes).
    public func chunk<T>(_ body: () throws -> T) throws -> T {
        chunks += 1
        let name = "linkage_chunk_\(chunks)"
        try execute("SAVEPOINT \(name)")
        do {
            let result = try body()
            try execute("RELEASE \(name)")
            return result
        } catch {
            if sqlite3_get_autocommit(connection) == 0 {
                try? execute("ROLLBACK TO \(name)")
                try? execute("RELEASE \(name)")
            }
            throw error
        }
    }

    /// What the session has changed so far, as the audit log recorded it (a dry run's report).
    public func pendingChanges() throws -> [AuditEntry] {
        guard hasWritten else { return [] }
        return try trusted { try AuditLog.entries(db, after: try committedMark()) }
    }

    /// Takes the write lock before the session's first write, waiting up to the busy timeout for
    /// another writer to finish. SQLite itself does not wait here: a transaction that has read
    /// fails at once when the lock is busy. Waiting is right when the other writer then changes
    /// nothing this session read; when it commits, the session's reads are stale and continuing
    /// would lose its update, so that is an error that says to run again.
    public func willWrite() throws {
        guard isOpen, !readOnly, !hasWritten else { return }
        guard sqlite3_get_autocommit(connection) == 0 else { throw SessionError.transactionLost }
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            // A write that changes no row still takes the write lock (OP_Transaction).
            let rc = try trusted { sqlite3_exec(connection, "UPDATE grdb_migrations SET identifier = identifier WHERE 0", nil, nil, nil) }
            let code = sqlite3_extended_errcode(connection)
            if rc == SQLITE_OK { return }
            if code == SQLITE_BUSY | (2 << 8) { // SQLITE_BUSY_SNAPSHOT
                metAnotherWriter = true
                throw SessionError.conflict
            }
            guard rc & 0xff == SQLITE_BUSY, Date() < deadline else {
                if rc & 0xff == SQLITE_BUSY {
                    metAnotherWriter = true
                    throw SessionError.lockTimeout(seconds: busyTimeout)
                }
                throw SessionError.statementFailed(statement: "taking the write lock", reason: String(cString: sqlite3_errmsg(connection)), code: rc)
            }
            usleep(10_000)
        }
    }

    /// Whether another process stopped this session: it held the write lock past the busy timeout,
    /// or committed changes after this session began reading. Running again is the remedy.
    public private(set) var metAnotherWriter = false

    /// Whether the session has written: only then does it hold the write lock, or need a seal.
    public var hasWritten: Bool { sqlite3_txn_state(connection, "main") == SQLITE_TXN_WRITE }

    /// The last audit entry others committed. A session reads nothing when it begins (a reader
    /// must not wait for writers, nor fail when one commits first), so which entries are its own
    /// is asked at the end, through a connection of its own that sees only what is committed:
    /// while this session holds the write lock nobody else can add entries, so every entry after
    /// that mark is this session's.
    private func committedMark() throws -> Int64 {
        guard let file = sqlite3_db_filename(connection, "main"), file[0] != 0 else { return try AuditLog.mark(db) }
        var probe: OpaquePointer?
        defer { sqlite3_close_v2(probe) }
        guard sqlite3_open_v2(file, &probe, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let probe else {
            throw SessionError.statementFailed(statement: "reading the audit log", reason: probe.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open",
                                               code: probe.map { sqlite3_extended_errcode($0) } ?? SQLITE_CANTOPEN)
        }
        sqlite3_busy_timeout(probe, 5_000)
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        guard sqlite3_prepare_v2(probe, "SELECT coalesce(max(id), 0) FROM audit_change", -1, &statement, nil) == SQLITE_OK,
              sqlite3_step(statement) == SQLITE_ROW else {
            throw SessionError.statementFailed(statement: "reading the audit log", reason: String(cString: sqlite3_errmsg(probe)),
                                               code: sqlite3_extended_errcode(probe))
        }
        return sqlite3_column_int64(statement, 0)
    }

    /// Seals the audit session and commits. When COMMIT fails (a deferred foreign key, a full disk,
    /// another writer), everything is rolled back and the error says so.
    public func commit() throws {
        precondition(isOpen, "commit of a session that is not open")
        guard sqlite3_get_autocommit(connection) == 0 else {
            rollback()
            throw SessionError.transactionLost
        }
        committing = true
        defer { committing = false }
        do {
            if let audit, hasWritten {
                let mark = try committedMark()
                try trusted { try AuditLog.seal(db, source: audit, startedAt: startedAt, after: mark) }
            }
            try execute("COMMIT")
        } catch {
            let reason = (error as? SessionError)?.reason ?? DatabaseFailure.from(error, readOnlySession: readOnly)?.message ?? "\(error)"
            rollback()
            throw SessionError.commitFailed(reason: reason)
        }
        isOpen = false
        removeCommitGuard()
    }

    /// Rolls everything back. Never fails: when SQLite has already rolled back (after some errors
    /// it does by itself), there is nothing left to undo.
    public func rollback() {
        if sqlite3_get_autocommit(connection) == 0 { try? execute("ROLLBACK") }
        isOpen = false
        removeCommitGuard()
    }

    deinit { if isOpen { rollback() } }

    /// A statement can end the transaction behind linkage's back (`INSERT OR ROLLBACK` that
    /// conflicts; SQLite after an I/O error), and every later write would then commit on its own,
    /// unaudited and beyond the run's rollback. While the session is open, SQLite's commit hook
    /// turns every commit but the session's own into a rollback, so such a write fails instead.
    private func installCommitGuard() {
        sqlite3_commit_hook(connection, { context in
            Unmanaged<RegisterSession>.fromOpaque(context!).takeUnretainedValue().committing ? 0 : 1
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    private func removeCommitGuard() {
        sqlite3_commit_hook(connection, nil, nil)
    }

    /// What a write says when the commit guard refused it (SQLITE_CONSTRAINT_COMMITHOOK).
    public static let lostTransactionMessage = "the run's transaction was ended early by an earlier statement (ON CONFLICT ROLLBACK, or an I/O error), so this write was refused; nothing the run did will be kept"

    /// True for the result code of a write the commit guard refused.
    public static func isRefusedCommit(_ extendedCode: Int32) -> Bool {
        extendedCode == SQLITE_CONSTRAINT | (2 << 8) // SQLITE_CONSTRAINT_COMMITHOOK
    }

    private func trusted<T>(_ body: () throws -> T) throws -> T {
        if let statementGuard { return try statementGuard.trusted(body) }
        return try body()
    }

    private func execute(_ sql: String) throws {
        try trusted {
            var message: UnsafeMutablePointer<CChar>?
            guard sqlite3_exec(connection, sql, nil, nil, &message) == SQLITE_OK else {
                defer { sqlite3_free(message) }
                var reason = message.map { String(cString: $0) } ?? "unknown error"
                let code = sqlite3_extended_errcode(connection)
                switch code & 0xff {
                case SQLITE_FULL, SQLITE_IOERR:
                    reason += ": the disk that holds the register may be full or failing; free some space and run it again"
                default: break
                }
                throw SessionError.statementFailed(statement: sql, reason: reason, code: code)
            }
        }
    }
}

/// A session's BEGIN, COMMIT or ROLLBACK failed.
public enum SessionError: Error, CustomStringConvertible {
    case closed
    /// `code`: SQLite's extended result code.
    case statementFailed(statement: String, reason: String, code: Int32)
    case commitFailed(reason: String)
    case transactionLost
    case conflict
    case lockTimeout(seconds: Double)

    /// SQLITE_BUSY or SQLITE_LOCKED ("database is locked"): another connection holds a lock.
    static func isLock(_ code: Int32) -> Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }

    /// Another process was writing: running again later is the remedy.
    public var isAnotherWriter: Bool {
        switch self {
        case .conflict, .lockTimeout: return true
        case .statementFailed(_, _, let code): return SessionError.isLock(code)
        default: return false
        }
    }

    var reason: String {
        switch self {
        case .closed: return "the connection is closed"
        case .transactionLost: return "the transaction was ended early"
        case .conflict: return "another process changed the register first"
        case .lockTimeout: return "another process holds the write lock"
        case .statementFailed(_, let reason, _), .commitFailed(let reason): return reason
        }
    }

    public var description: String {
        switch self {
        case .closed: return "the register's connection is closed"
        case .statementFailed(let statement, let reason, let code):
            if SessionError.isLock(code) {
                return "\(statement) failed: another process holds the register's write lock (\(reason)); try again when it has finished, or let it wait longer with --busy-timeout SECONDS"
            }
            return "\(statement) failed: \(reason)"
        case .lockTimeout(let seconds):
            return "another process holds the register's write lock and kept it longer than \(seconds.formatted()) s (--busy-timeout); nothing was written — run it again when that process has finished, or let it wait longer with --busy-timeout SECONDS"
        case .conflict:
            return "another process changed the register after this run began reading it, so its changes would be based on old data; nothing was written — run it again"
        case .transactionLost:
            return "the run's transaction was ended early by one of its statements (ON CONFLICT ROLLBACK, or an I/O error); nothing was written"
        case .commitFailed(let reason):
            return "the changes could not be committed (\(reason)); everything was rolled back and the register is as it was"
        }
    }
}

extension Register {
    /// Runs `body` in one audited session, holding the write lock from the start: committed when
    /// it returns, rolled back when it throws. For commands that change the register without a script.
    public func write<T>(audit: AuditSource, _ body: (Database) throws -> T) throws -> T {
        try queue.inDatabase { db in
            let session = try RegisterSession(db: db, audit: audit, busyTimeout: busyTimeout)
            try session.begin(immediate: true)
            do {
                let value = try body(db)
                try session.commit()
                return value
            } catch {
                session.rollback()
                throw error
            }
        }
    }
}
