import Foundation

/// Why a register could not be opened. Each message says what, where, and what to do.
public enum RegisterError: Error, LocalizedError, Equatable {
    case missingDirectory(path: String)
    case notFound(path: String)
    case isDirectory(path: String)
    case notSQLite(path: String)
    case foreignDatabase(path: String)
    case newerSchema(path: String, found: Int, supported: Int)
    case needsMigration(path: String, found: Int, supported: Int)
    /// The register has applied a schema step this linkage does not know.
    case unknownMigration(path: String, migration: String)
    case cannotOpen(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .missingDirectory(let p):
            return "cannot create register \(p): the directory \((p as NSString).deletingLastPathComponent) does not exist; create it first or choose another --db path"
        case .notFound(let p):
            return "register \(p) does not exist; create it with 'linkage init --db \(p)'"
        case .isDirectory(let p):
            return "\(p) is a directory, not a register file; give --db a file path"
        case .notSQLite(let p):
            return "\(p) is not a Linkage register (it is not an SQLite database); it was left untouched. Give --db a register, or a new path to create one"
        case .foreignDatabase(let p):
            return "\(p) is an SQLite database of another application, not a Linkage register; it was left untouched. Give --db a register, or a new path to create one"
        case .newerSchema(let p, let found, let supported):
            return "register \(p) has schema version \(found), newer than this linkage supports (\(supported)); it was left untouched. Upgrade linkage to open it"
        case .needsMigration(let p, let found, let supported):
            return "register \(p) has schema version \(found) and needs migrating to \(supported), which a read-only session cannot do; open it once without --read-only"
        case .unknownMigration(let p, let migration):
            return "register \(p) has applied schema step '\(migration)', which this linkage does not know: a newer (or another) linkage made it; it was left untouched. Upgrade linkage to open it"
        case .cannotOpen(let p, let reason):
            return "cannot open register \(p): \(reason)"
        }
    }
}
