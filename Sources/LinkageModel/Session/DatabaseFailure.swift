import Foundation
import GRDB
import GRDBSQLite

/// An SQLite error in linkage's words, for a person: what the register refused or why a statement
/// could not run, and what to do. SQLite's own message is what a script author needs for most
/// errors ("CHECK constraint failed: …", a trigger's RAISE text); linkage's words replace it where
/// SQLite's would mislead ("attempt to write a readonly database" when the file is immutable) or
/// say nothing ("not authorized", "database is locked").
///
/// Made explicitly where an error reaches a person — the Lua error path (`ScriptEngine`), the
/// command line (`main.swift`), the console — from GRDB's `DatabaseError` or the raw connection.
/// GRDB's own `DatabaseError` is left as GRDB describes it.
public enum DatabaseFailure: Error, LocalizedError, Equatable, CustomStringConvertible {
    /// The statement guard (SQLite's authorizer) refused a statement a script may not run; the
    /// guard's reason, or SQLite's "not authorized" when it gave none.
    case refused(reason: String)
    /// A write in a session that asked for a read-only register (--read-only).
    case readOnlySession
    /// A write to a register whose file cannot be written; SQLite's message.
    case readOnlyFile(detail: String)
    /// Another process held the write lock past the busy timeout; SQLite's message.
    case busy(detail: String)
    /// A write the commit guard refused because the run's transaction had already ended.
    case transactionLost
    /// Any other error: SQLite's own message, with its extended result code.
    case sqlite(code: Int32, message: String)

    /// Sorts an SQLite result by its (extended) code. `readOnlySession`: the session asked for a
    /// read-only register, so a refused write is the user's choice, not the file's.
    public init(extendedCode code: Int32, message: String, readOnlySession: Bool) {
        if RegisterSession.isRefusedCommit(code) {
            self = .transactionLost
            return
        }
        switch code & 0xff {
        case SQLITE_AUTH: self = .refused(reason: StatementGuard.lastRefusal ?? message)
        case SQLITE_READONLY where readOnlySession: self = .readOnlySession
        case SQLITE_READONLY: self = .readOnlyFile(detail: message)
        case SQLITE_BUSY: self = .busy(detail: message)
        default: self = .sqlite(code: code, message: message)
        }
    }

    /// GRDB's error in linkage's words.
    public init(_ error: DatabaseError, readOnlySession: Bool) {
        self.init(extendedCode: error.extendedResultCode.rawValue, message: error.message ?? error.description,
                  readOnlySession: readOnlySession)
    }

    /// The last error of a raw connection (read at once: any later call replaces it).
    public init(connection: OpaquePointer, readOnlySession: Bool) {
        self.init(extendedCode: sqlite3_extended_errcode(connection), message: String(cString: sqlite3_errmsg(connection)),
                  readOnlySession: readOnlySession)
    }

    /// `error` in linkage's words when it is GRDB's `DatabaseError`, else nil.
    public static func from(_ error: any Error, readOnlySession: Bool) -> DatabaseFailure? {
        (error as? DatabaseError).map { DatabaseFailure($0, readOnlySession: readOnlySession) }
    }

    /// The extended result code SQLite reported (SQLITE_CONSTRAINT_CHECK …).
    public var code: Int32 {
        switch self {
        case .refused: return SQLITE_AUTH
        case .readOnlySession, .readOnlyFile: return SQLITE_READONLY
        case .busy: return SQLITE_BUSY
        case .transactionLost: return SQLITE_CONSTRAINT | (2 << 8)
        case .sqlite(let code, _): return code
        }
    }

    /// Another process holds the write lock: running again later is the remedy.
    public var isAnotherWriter: Bool { if case .busy = self { return true }; return false }

    public var message: String {
        switch self {
        case .refused(let reason):
            return reason
        case .readOnlySession:
            return "the register is open read-only (--read-only), so this session cannot change it; run without --read-only to write"
        case .readOnlyFile(let detail):
            return "the register's file cannot be written (\(detail)): the file, its directory or its file system is read-only, or the file is immutable; check its permissions, or use --read-only to read it"
        case .busy(let detail):
            return "another process holds the register's write lock and kept it past the busy timeout (\(detail)); nothing was written — try again when it has finished, or let it wait longer with --busy-timeout SECONDS"
        case .transactionLost:
            return RegisterSession.lostTransactionMessage
        case .sqlite(_, let message):
            return message
        }
    }

    public var errorDescription: String? { message }
    public var description: String { message }
}
