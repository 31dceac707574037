import Foundation
import GRDB
import GRDBSQLite
import LinkageModel
import LuaBridge

/// A Lua state bound to an open register: the `db` module and the script runs.
///
/// An engine lives inside the register's database access (GRDB's access is closure-scoped), and its
/// Lua state is closed before that access ends, so no statement outlives the connection.
public final class ScriptEngine {
    public let lua: LuaState
    private let connection: OpaquePointer
    private let database: DatabaseModule
    private(set) var queries: QueryModule!
    private let db: Database
    private let readOnly: Bool
    /// The audit mark of the transaction in progress, sealed under `audit` when it commits.
    private var session: (audit: AuditSource, startedAt: String, mark: Int64)?
    /// What the last dry run would have changed (nil unless it was a dry run).
    public private(set) var dryRunChanges: [AuditEntry]?

    private init(db: Database, connection: OpaquePointer, readOnly: Bool, showPII: Bool) throws {
        self.connection = connection
        self.db = db
        self.readOnly = readOnly
        lua = LuaState()
        database = DatabaseModule(connection: connection)
        try database.install(in: lua)
        queries = try QueryModule(database: database, db: db, L: lua.L)
        try queries.install(in: lua)
        try ExchangeModule(queries: queries, showPII: showPII).install(in: lua) // export.* and import.check
        try lua.run(PrivacyPrelude.source(showPII: showPII), chunkName: "=(linkage privacy)")
        installExit()
    }

    /// `os.exit` ends the process, as in lua; first it settles the run's transaction: committed for
    /// `os.exit()`, `os.exit(true)` or `os.exit(0)`, rolled back for any other code.
    private func installExit() {
        let connection = self.connection
        lua.register(module: "os", functions: ["exit": { [unowned self] call in
            let code: Int32
            switch call.value(1) {
            case .nil, .boolean(true): code = 0
            case .boolean(false): code = 1
            default: code = Int32(truncatingIfNeeded: try call.integer(1))
            }
            if sqlite3_get_autocommit(connection) == 0 {
                if code == 0 { try self.closeSession() }
                sqlite3_exec(connection, code == 0 ? "COMMIT" : "ROLLBACK", nil, nil, nil)
            }
            fflush(nil)
            exit(code)
        }])
    }

    /// Runs `body` with an engine on `register`.
    public static func with<T>(_ register: Register, showPII: Bool = false, _ body: (ScriptEngine) throws -> T) throws -> T {
        try register.queue.inDatabase { db in
            guard let connection = db.sqliteConnection else {
                throw RegisterError.cannotOpen(path: register.path, reason: "the connection is closed")
            }
            let engine = try ScriptEngine(db: db, connection: connection, readOnly: register.readOnly, showPII: showPII)
            defer {
                engine.lua.close()
                engine.database.close()
            }
            return try body(engine)
        }
    }

    // MARK: transactions

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws. A
    /// script that ended the transaction itself (`db.exec("COMMIT")`) is left as it is. Changes are
    /// audited under `audit`; a dry run records what would change in `dryRunChanges`, then rolls back.
    public func inTransaction<T>(audit: AuditSource? = nil, dryRun: Bool = false, _ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        dryRunChanges = nil
        let result: T
        do {
            if let audit, !readOnly { session = (audit, try AuditLog.now(db), try AuditLog.mark(db)) }
            result = try body()
        } catch {
            session = nil
            if sqlite3_get_autocommit(connection) == 0 { try? execute("ROLLBACK") }
            throw error
        }
        guard sqlite3_get_autocommit(connection) == 0 else { session = nil; return result }
        if dryRun {
            dryRunChanges = try session.map { try AuditLog.entries(db, after: $0.mark) } ?? []
            session = nil
            try execute("ROLLBACK")
            return result
        }
        try closeSession()
        try execute("COMMIT")
        return result
    }

    private func closeSession() throws {
        guard let run = session else { return }
        session = nil
        try AuditLog.seal(db, source: run.audit, startedAt: run.startedAt, after: run.mark)
    }

    private func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(connection, sql, nil, nil, &message) == SQLITE_OK else {
            defer { sqlite3_free(message) }
            throw TransactionError(statement: sql, message: message.map { String(cString: $0) } ?? "unknown error")
        }
    }

    // MARK: running code

    /// Runs a script file as `lua` does: `arg[0]` is the script, `arg[1...]` its arguments, negative
    /// indices what came before it on the command line; the chunk receives the arguments as `...`.
    public func runFile(_ path: String, arguments: [String], before: [String] = []) throws(LuaScriptError) {
        var argTable: [LuaValue: LuaValue] = [.integer(0): .string(path)]
        for (i, a) in arguments.enumerated() { argTable[.integer(Int64(i + 1))] = .string(a) }
        for (i, a) in before.reversed().enumerated() { argTable[.integer(Int64(-(i + 1)))] = .string(a) }
        lua[global: "arg"] = .table(argTable)
        try lua.load(file: path)
        try lua.call(arguments.map { .string($0) })
    }

    /// Runs a chunk given on the command line; when it is an expression (or returns values), prints
    /// the values as `print` does.
    public func evaluate(_ code: String, chunkName: String = "=(command line)") throws(LuaScriptError) {
        let stack = lua.stack
        let base = stack.top
        defer { stack.top = base }
        do {
            try lua.load("return " + code, chunkName: chunkName)
        } catch {
            try lua.load(code, chunkName: chunkName)
        }
        try lua.callOnStack(nargs: 0)
        let results = stack.top - base
        guard results > 0 else { return }
        lua.stack.push(lua[global: "print"])
        stack.insert(at: base + 1)
        try lua.callOnStack(nargs: results)
    }
}

/// BEGIN, COMMIT or ROLLBACK failed (the register is locked by another writer, the disk is full …).
public struct TransactionError: Error, CustomStringConvertible {
    public let statement: String
    public let message: String
    public var description: String { "\(statement) failed: \(message)" }
}
