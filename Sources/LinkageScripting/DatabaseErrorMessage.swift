import Foundation
import GRDB

// SQLite's own message is what a script author needs ("CHECK constraint failed: …", a trigger's
// RAISE text); GRDB's description adds the error code and the whole statement.
extension DatabaseError: @retroactive LocalizedError {
    public var errorDescription: String? { message ?? description }
}
