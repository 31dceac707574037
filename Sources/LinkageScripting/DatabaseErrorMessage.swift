import Foundation
import GRDB
import GRDBSQLite
import LinkageModel

// SQLite's own message is what a script author needs ("CHECK constraint failed: …", a trigger's
// RAISE text); GRDB's description adds the error code and the whole statement.
extension DatabaseError: @retroactive LocalizedError {
    public var errorDescription: String? {
        SQLiteErrorText.text(extendedCode: extendedResultCode.rawValue, message: message ?? description)
    }
}

/// What linkage says for an SQLite error, from the raw connection or through GRDB alike: its own
/// words where SQLite's would mislead ("attempt to write a readonly database" when the file is
/// immutable) or say nothing ("not authorized", "database is locked").
enum SQLiteErrorText {
    /// Whether the running session asked for a read-only register (--read-only).
    nonisolated(unsafe) static var readOnlyRequested = false

    static func text(extendedCode code: Int32, message: String) -> String {
        if RegisterSession.isRefusedCommit(code) { return RegisterSession.lostTransactionMessage }
        switch code & 0xff {
        case SQLITE_AUTH:
            return StatementGuard.lastRefusal ?? message
        case SQLITE_READONLY where readOnlyRequested:
            return "the register is open read-only (--read-only), so this session cannot change it; run without --read-only to write"
        case SQLITE_READONLY:
            return "the register's file cannot be written (\(message)): the file, its directory or its file system is read-only, or the file is immutable; check its permissions, or use --read-only to read it"
        case SQLITE_BUSY:
            return "another process holds the register's write lock and kept it past the busy timeout (\(message)); nothing was written — try again when it has finished, or let it wait longer with --busy-timeout SECONDS"
        default:
            return message
        }
    }

    static func text(connection: OpaquePointer) -> String {
        text(extendedCode: sqlite3_extended_errcode(connection), message: String(cString: sqlite3_errmsg(connection)))
    }
}
