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

    private init(connection: OpaquePointer) throws {
        self.connection = connection
        lua = LuaState()
        database = DatabaseModule(connection: connection)
        try database.install(in: lua)
    }

    /// Runs `body` with an engine on `register`.
    public static func with<T>(_ register: Register, _ body: (ScriptEngine) throws -> T) throws -> T {
        try register.queue.inDatabase { db in
            guard let connection = db.sqliteConnection else {
                throw RegisterError.cannotOpen(path: register.path, reason: "the connection is closed")
            }
            let engine = try ScriptEngine(connection: connection)
            defer {
                engine.lua.close()
                engine.database.close()
            }
            return try body(engine)
        }
    }

    // MARK: transactions

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws. A
    /// script that ended the transaction itself (`db.exec("COMMIT")`) is left as it is.
    public func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        let result: T
        do {
            result = try body()
        } catch {
            if sqlite3_get_autocommit(connection) == 0 { try? execute("ROLLBACK") }
            throw error
        }
        if sqlite3_get_autocommit(connection) == 0 { try execute("COMMIT") }
        return result
    }

    private func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(connection, sql, nil, nil, &message) == SQLITE_OK else {
            defer { sqlite3_free(message) }
            throw RegisterError.cannotOpen(path: "", reason: message.map { String(cString: $0) } ?? sql)
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
