import GRDB
import GRDBSQLite

/// Decides, as SQLite compiles each statement, what SQL written by a script may do: it may read and
/// write the register's rows, and make temporary tables, but not begin or end linkage's
/// transaction, change the register's schema, write the audit log, attach files or change
/// connection settings. The decision is SQLite's authorizer on the statement's operations, never a
/// reading of the SQL text, so comments, case, quoting, `WITH` prefixes and triggers cannot hide
/// an operation.
///
/// Linkage's own statements (the session's BEGIN, COMMIT and savepoints, sealing the audit log)
/// run inside ``trusted(_:)``.
///
/// Installing the guard replaces GRDB's own authorizer on the connection, which only gathers
/// observation hints (regions, transaction effects) that linkage does not use: linkage uses no
/// transaction observers and runs its transactions itself.
public final class StatementGuard {
    private let connection: OpaquePointer
    private var trustDepth = 0
    /// Set when a statement compiled since ``noteWrites()`` writes the register's rows.
    public private(set) var compiledRegisterWrite = false
    /// Called before a statement first writes the register's rows (the session takes the write
    /// lock, waiting for another writer).
    public var beforeRegisterWrite: (() throws -> Void)?

    /// Starts watching for statements that write the register (read after compiling one).
    public func noteWrites() { compiledRegisterWrite = false }

    /// Calls ``beforeRegisterWrite``.
    public func willWrite() throws { try beforeRegisterWrite?() }

    /// Whether the session asked for a read-only register (--read-only): a refused write is then
    /// the user's choice, and `DatabaseFailure` says so.
    public var readOnlySession = false

    /// Why the last statement was refused, for the error message ("not authorized" says nothing).
    nonisolated(unsafe) public private(set) static var lastRefusal: String?

    nonisolated(unsafe) private static var installed: [OpaquePointer: StatementGuard] = [:]

    /// Installs the guard on `connection` until ``uninstall()``.
    public init(connection: OpaquePointer) {
        self.connection = connection
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_set_authorizer(connection, { context, action, a1, a2, a3, a4 in
            Unmanaged<StatementGuard>.fromOpaque(context!).takeUnretainedValue()
                .authorize(action, a1.map(String.init(cString:)), a2.map(String.init(cString:)),
                           a3.map(String.init(cString:)), a4.map(String.init(cString:)))
        }, context)
        StatementGuard.installed[connection] = self
    }

    /// Removes the authorizer; statements compiled afterwards are not checked.
    public func uninstall() {
        guard StatementGuard.installed[connection] === self else { return }
        sqlite3_set_authorizer(connection, nil, nil)
        StatementGuard.installed[connection] = nil
    }

    /// The guard on `connection`, if one is installed.
    public static func on(_ connection: OpaquePointer) -> StatementGuard? { installed[connection] }

    /// Runs linkage's own statements, which may do what scripts may not.
    public func trusted<T>(_ body: () throws -> T) rethrows -> T {
        trustDepth += 1
        defer { trustDepth -= 1 }
        return try body()
    }

    /// Runs linkage's own statements on `db`, trusted when a guard is installed on it.
    public static func trusted<T>(on db: Database, _ body: () throws -> T) rethrows -> T {
        if let connection = db.sqliteConnection, let g = on(connection) { return try g.trusted(body) }
        return try body()
    }

    // MARK: the policy

    /// Tables only linkage writes: the audit log and GRDB's record of applied migrations.
    static var linkageOwnedTables: Set<String> { Set(Schema.auditTables + ["grdb_migrations"]) }

    /// Pragmas a script may set (they last one transaction and cannot weaken the register).
    static let settablePragmas: Set<String> = ["defer_foreign_keys", "case_sensitive_like"]

    /// Pragmas that report on what their argument names (a table, an index, a schema).
    static let inspectingPragmas: Set<String> = [
        "foreign_key_check", "foreign_key_list", "index_info", "index_list", "index_xinfo",
        "integrity_check", "quick_check", "table_info", "table_list", "table_xinfo",
    ]

    /// Pragmas that only report when given no value (a value would change the connection).
    static let statusPragmas: Set<String> = [
        "application_id", "collation_list", "compile_options", "data_version", "database_list",
        "encoding", "foreign_keys", "freelist_count", "function_list", "journal_mode", "module_list",
        "page_count", "page_size", "pragma_list", "recursive_triggers", "schema_version", "user_version",
    ]

    private static let transactionAdvice = "linkage runs each script in one transaction of its own, committed when the script succeeds and rolled back when it fails; use db.transaction(function() … end) for a part that must succeed or fail as a whole"

    private func authorize(_ action: Int32, _ a1: String?, _ a2: String?, _ a3: String?, _ a4: String?) -> Int32 {
        if [SQLITE_INSERT, SQLITE_UPDATE, SQLITE_DELETE].contains(action), a3 == "main", a4 == nil { compiledRegisterWrite = true }
        if trustDepth > 0 { return SQLITE_OK }
        guard let refusal = Self.refusal(action, a1, a2, a3, a4) else { return SQLITE_OK }
        StatementGuard.lastRefusal = refusal
        return SQLITE_DENY
    }

    /// Why a script may not perform the operation, or nil when it may. The arguments are those of
    /// sqlite3_set_authorizer: a4 names the trigger whose body is being compiled, if any.
    static func refusal(_ action: Int32, _ a1: String?, _ a2: String?, _ a3: String?, _ a4: String?) -> String? {
        switch action {
        case SQLITE_TRANSACTION:
            return "\(a1 ?? "BEGIN") is not allowed in a script: \(transactionAdvice)"
        case SQLITE_SAVEPOINT:
            return "SAVEPOINT, RELEASE and ROLLBACK TO are not allowed in a script: \(transactionAdvice)"
        case SQLITE_CREATE_TABLE, SQLITE_CREATE_INDEX, SQLITE_CREATE_TRIGGER, SQLITE_CREATE_VIEW, SQLITE_CREATE_VTABLE:
            return schemaRefusal("create", a1)
        case SQLITE_DROP_TABLE, SQLITE_DROP_INDEX, SQLITE_DROP_TRIGGER, SQLITE_DROP_VIEW, SQLITE_DROP_VTABLE:
            return schemaRefusal("drop", a1)
        case SQLITE_ALTER_TABLE:
            return schemaRefusal("alter", a2)
        case SQLITE_CREATE_TEMP_TRIGGER:
            // A temporary trigger can act on the register's tables, and its writes would look like
            // linkage's own triggers'.
            return "CREATE TEMP TRIGGER is not allowed in a script: triggers are linkage's; do the work in the script itself"
        case SQLITE_DROP_TEMP_TRIGGER:
            return nil
        case SQLITE_INSERT, SQLITE_UPDATE, SQLITE_DELETE:
            guard let table = a1, a3 != "temp", linkageOwnedTables.contains(table.lowercased()) else { return nil }
            // The audit triggers write the log as part of the statement that changed the register.
            if a4 != nil, table.lowercased() != "grdb_migrations" { return nil }
            return "\(table) is written by linkage alone: the audit log records every change by itself and cannot be edited (read it with 'linkage audit')"
        case SQLITE_ATTACH, SQLITE_DETACH:
            return "ATTACH and DETACH are not allowed in a script: writes to another database would escape the run's transaction and the audit log; export and import files instead (export.*, import.*)"
        case SQLITE_PRAGMA:
            let name = (a1 ?? "").lowercased()
            if inspectingPragmas.contains(name) || settablePragmas.contains(name) { return nil }
            if a2 == nil, statusPragmas.contains(name) { return nil }
            if a2 == nil {
                return "PRAGMA \(name) is not allowed in a script; the pragmas that report are: \(inspectingPragmas.union(statusPragmas).sorted().joined(separator: ", "))"
            }
            return "PRAGMA \(name) = \(a2!) is not allowed in a script: the connection's settings are linkage's"
        case SQLITE_ANALYZE, SQLITE_REINDEX:
            return "\(action == SQLITE_ANALYZE ? "ANALYZE" : "REINDEX") is not allowed in a script: it rewrites the register's statistics or indexes outside the audit log"
        default:
            return nil
        }
    }

    private static func schemaRefusal(_ verb: String, _ name: String?) -> String {
        "\(verb.uppercased()) of \(name.map { "'\($0)'" } ?? "a schema object") is not allowed in a script: the register's schema is linkage's (its tables, indexes, triggers and views); use CREATE TEMP TABLE or CREATE TEMP VIEW for scratch data"
    }
}
