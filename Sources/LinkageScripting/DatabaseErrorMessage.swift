import Foundation
import GRDB
import LinkageModel

// SQLite's own message is what a script author needs ("CHECK constraint failed: …", a trigger's
// RAISE text); GRDB's description adds the error code and the whole statement.
extension DatabaseError: @retroactive LocalizedError {
    public var errorDescription: String? {
        if RegisterSession.isRefusedCommit(extendedResultCode.rawValue) { return RegisterSession.lostTransactionMessage }
        if resultCode == .SQLITE_AUTH, let refusal = StatementGuard.lastRefusal { return refusal }
        return resultCode == .SQLITE_READONLY ? ReadOnlyMessage.text : message ?? description
    }
}

/// What a write in a read-only session says.
enum ReadOnlyMessage {
    static let text = "the register is open read-only (--read-only), so this session cannot change it; run without --read-only to write"
}
