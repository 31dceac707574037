import Foundation
import GRDB
import GRDBSQLite
import LinkageModel
import LinkageExchange
import CLua
import LuaBridge

/// A Lua state bound to an open register: the `db` module and the script runs.
///
/// An engine lives inside the register's database access (GRDB's access is closure-scoped), and its
/// Lua state is closed before that access ends, so no statement outlives the connection.
public final class ScriptEngine {
    public let lua: LuaState
    /// The raw SQLite connection under the engine.
    public let connection: OpaquePointer
    private let database: DatabaseModule
    private(set) var queries: QueryModule!
    private let db: Database
    private let readOnly: Bool
    private let busyTimeout: Double
    private let statementGuard: StatementGuard

    private init(db: Database, connection: OpaquePointer, readOnly: Bool, busyTimeout: Double, showPII: Bool, limits: ScriptLimits,
                 writes: WritePolicy, safe: Bool, parallel: ParallelReads?) throws {
        self.connection = connection
        self.db = db
        self.readOnly = readOnly
        self.busyTimeout = busyTimeout
        statementGuard = StatementGuard(connection: connection)
        statementGuard.readOnlySession = readOnly
        lua = LuaState()
        // GRDB's errors in linkage's words (DatabaseFailure); every other error as it describes itself.
        lua.errorText = { error in DatabaseFailure.from(error, readOnlySession: readOnly)?.message }
        database = DatabaseModule(connection: connection, statementGuard: statementGuard)
        try database.install(in: lua)
        queries = try QueryModule(database: database, db: db, L: lua.L)
        // The other connections stop with the script (Ctrl-C, --timeout), not when their check ends.
        let interrupter = lua.interrupter
        queries.parallel = parallel?.stopping { interrupter.isStopping }
        try queries.install(in: lua)
        try AssignModule(queries: queries).install(in: lua) // assign.*: proposals of links
        try ExchangeModule(queries: queries, showPII: showPII, writes: writes, readOnly: readOnly).install(in: lua) // export.* and import.check
        try RulesModule(queries: queries).install(in: lua) // check.* and rules.*
        try ReportModule(queries: queries, showPII: showPII, writes: writes).install(in: lua) // report.*
        PrivacyModule.install(in: lua, showPII: showPII)
        try TextModule.install(in: lua, schema: queries.schema) // after the query prelude: one width, Swift's
        if safe { try SafeMode.install(in: lua, policy: writes) }
        installExit()
        apply(limits)
    }

    /// Limits count from here, so linkage's own preludes are not charged to the script. Ctrl-C and
    /// the limits also stop a long SQL statement: SQLite's progress handler asks the state, and an
    /// interrupt calls sqlite3_interrupt.
    private func apply(_ limits: ScriptLimits) {
        lua.memoryLimit = limits.maxMemory
        lua.timeLimit = limits.timeout
        lua.instructionBudget = limits.instructions
        lua.setInterruptCallback({ sqlite3_interrupt(OpaquePointer($0)) }, context: UnsafeMutableRawPointer(connection))
        if limits.catchInterrupt { lua.installInterruptHandler() }
        sqlite3_progress_handler(connection, 10_000, { context in
            Unmanaged<LuaState>.fromOpaque(context!).takeUnretainedValue().checkLimits() == nil ? 0 : 1
        }, Unmanaged.passUnretained(lua).toOpaque())
        lua.resetLimits()
    }

    /// Runs `body` with an engine on `register`.
    /// `safe`: run a colleague's script without processes, C code or writes outside the working
    /// directory (see SafeMode).
    public static func with<T>(_ register: Register, showPII: Bool = false, limits: ScriptLimits = ScriptLimits(),
                               safe: Bool = false, _ body: (ScriptEngine) throws -> T) throws -> T {
        try register.queue.inDatabase { db in
            guard let connection = db.sqliteConnection else {
                throw RegisterError.cannotOpen(path: register.path, reason: "the connection is closed")
            }
            let engine = try ScriptEngine(db: db, connection: connection, readOnly: register.readOnly, busyTimeout: register.busyTimeout, showPII: showPII,
                                          limits: limits, writes: WritePolicy(databases: try ExportTarget.databaseFiles(db) + [register.path], safe: safe),
                                          safe: safe, parallel: register.parallelReads)
            defer {
                engine.closeState()
                if limits.catchInterrupt { LuaState.uninstallInterruptHandler() }
                engine.statementGuard.uninstall()
                // Whatever happened, no transaction outlives the run (GRDB traps on one left open).
                if sqlite3_get_autocommit(connection) == 0 { sqlite3_exec(connection, "ROLLBACK", nil, nil, nil) }
            }
            return try body(engine)
        }
    }

    /// Closes the Lua state: every finalizer (`__gc`, `__close`) runs now, then the statements end.
    private func closeState() {
        sqlite3_progress_handler(connection, 0, nil, nil) // it asks the state, which is going
        lua.close()
        database.close()
    }

    // MARK: the run's transaction

    /// Runs `body` as one session: committed when it returns, rolled back when it throws, and
    /// rolled back after recording what it would change when `dryRun`. The Lua state is closed
    /// before the decision, so finalizers run inside the transaction and are part of what is
    /// committed or rolled back. A script that calls `os.exit` ends the same way, then `onExit`.
    public func runSession(audit: AuditSource?, dryRun: Bool, _ body: () throws -> Void) throws -> SessionOutcome {
        let session = try beginSession(audit: audit, dryRun: dryRun)
        defer { endSession() }
        do {
            try body()
        } catch {
            closeState()
            session.rollback()
            metAnotherWriter = session.metAnotherWriter
            throw error
        }
        return try settle(session, succeeded: true)
    }

    // MARK: a console's sessions, which outlive chunks and keep the state open

    /// Begins a session on the register; chunks run in it until it is committed or rolled back.
    @discardableResult
    public func beginSession(audit: AuditSource?, dryRun: Bool = false) throws -> RegisterSession {
        let session = try RegisterSession(db: db, audit: audit, readOnly: readOnly, busyTimeout: busyTimeout)
        try session.begin()
        self.session = session
        self.dryRun = dryRun
        statementGuard.beforeRegisterWrite = { [unowned session] in try session.willWrite() }
        return session
    }

    private func endSession() {
        statementGuard.beforeRegisterWrite = nil
        session = nil
    }

    /// The open session, if any.
    public var openSession: RegisterSession? { session }

    /// Runs `body` as one chunk of the open session: when it fails, only its own changes are undone.
    public func chunk<T>(_ body: () throws -> T) throws -> T {
        guard let session else { throw SessionError.closed }
        return try session.chunk(body)
    }

    /// Commits the open session (the state stays open).
    public func commitSession() throws {
        guard let session else { return }
        defer { endSession() }
        do { try session.commit() } catch {
            metAnotherWriter = session.metAnotherWriter
            throw error
        }
    }

    /// Rolls the open session back (the state stays open).
    public func rollbackSession() {
        guard let session else { return }
        metAnotherWriter = session.metAnotherWriter
        session.rollback()
        endSession()
    }

    /// Closes the state, then commits or rolls back.
    private func settle(_ session: RegisterSession, succeeded: Bool) throws -> SessionOutcome {
        closeState()
        guard succeeded else {
            session.rollback()
            return .rolledBack
        }
        if dryRun {
            let changes = try session.pendingChanges()
            session.rollback()
            return .dryRun(changes)
        }
        try session.commit()
        return .committed
    }

    private var session: RegisterSession?
    private var dryRun = false
    /// Whether the last run failed because another process held the write lock or changed the
    /// register first (running it again is the remedy).
    public private(set) var metAnotherWriter = false

    /// What the command line does after a script's `os.exit(code)`: the state is closed and the
    /// transaction settled (committed for 0, rolled back otherwise) when it is called.
    public var onExit: (_ code: Int32, _ outcome: Result<SessionOutcome, Error>) -> Never = { code, _ in
        fflush(nil)
        exit(code)
    }

    /// `os.exit` ends the process, as in lua, after settling the run: code 0 (`os.exit()`,
    /// `os.exit(true)`) commits, any other code rolls back. Codes outside 0–255 are an error, since
    /// the shell would see them modulo 256.
    private func installExit() {
        lua.register(module: "os", functions: ["exit": { [unowned self] call in
            // Closing the state releases this very closure: hold the engine in a local first.
            let engine = self
            let code: Int32
            switch call.value(1) {
            case .nil, .boolean(true): code = 0
            case .boolean(false): code = 1
            default:
                let n = try call.integer(1)
                guard (0...255).contains(n) else { throw call.argumentError(1, "exit code \(n) is outside 0–255") }
                code = Int32(n)
            }
            guard let session = engine.session else {
                engine.closeState()
                engine.onExit(code, .success(.rolledBack))
            }
            // Neither the state nor this frame is used again: exit() follows, as in lua's own
            // os.exit(code, true), so closing the state from inside one of its calls is safe.
            let outcome = Result { try engine.settle(session, succeeded: code == 0) }
            engine.onExit(code, outcome)
        }])
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

    /// Runs a chunk, as the lua REPL does: an expression (`1 + 1`) returns its value, a statement
    /// runs. Returns what the chunk returned, for ``show(_:_:)``.
    public func evaluate(_ code: String, chunkName: String = "=(command line)", arguments: [LuaValue] = []) throws(LuaScriptError) -> ChunkValues {
        let stack = lua.stack
        let base = stack.top
        defer { stack.top = base }
        do {
            try lua.load("return " + code, chunkName: chunkName)
        } catch {
            try lua.load(code, chunkName: chunkName)
        }
        for a in arguments { stack.push(a) }
        try lua.callOnStack(nargs: Int32(arguments.count))
        return pack(above: base)
    }

    /// Calls `table[field](arguments…)` (Lua that ships with linkage) and returns its values, as
    /// ``evaluate(_:chunkName:arguments:)`` returns a chunk's.
    public func evaluate(field: String, of table: LuaReference, arguments: [LuaValue] = []) throws(LuaScriptError) -> ChunkValues {
        let stack = lua.stack
        let base = stack.top
        defer { stack.top = base }
        stack.push(.reference(table))
        _ = stack.rawGet(tableAt: -1, key: field)
        stack.insert(at: base + 1) // the function below the table; the table is dropped
        stack.pop()
        for a in arguments { stack.push(a) }
        try lua.callOnStack(nargs: Int32(arguments.count))
        return pack(above: base)
    }

    /// Packs the values above `base` as table.pack does, so nils keep their places.
    private func pack(above base: Int32) -> ChunkValues {
        let stack = lua.stack
        let count = stack.top - base
        lua_createtable(lua.L, count, 1)
        for i in stride(from: count, through: 1, by: -1) {
            lua_pushvalue(lua.L, base + i)
            lua_rawseti(lua.L, -2, lua_Integer(i))
        }
        stack.push(.integer(Int64(count)))
        stack.rawSet(tableAt: -2, key: "n")
        return ChunkValues(count: Int(count), table: stack.reference(at: -1))
    }

    /// Whether `code` is the start of a chunk that needs more lines (`for i = 1, 3 do`): Lua's
    /// parser stopped at the end of the text.
    public func isIncomplete(_ code: String) -> Bool {
        let stack = lua.stack
        let base = stack.top
        defer { stack.top = base }
        if (try? lua.load("return " + code, chunkName: "=stdin")) != nil { return false }
        do {
            try lua.load(code, chunkName: "=stdin")
            return false
        } catch {
            return error.kind == .syntax && error.message.hasSuffix("<eof>")
        }
    }

    /// The text of a chunk's values, the same for the console and `-e` (Lua/render.lua).
    public func show(_ values: ChunkValues, _ options: RenderOptions = RenderOptions()) throws(LuaScriptError) -> String {
        let stack = lua.stack
        let base = stack.top
        defer { stack.top = base }
        stack.push(.reference(values.table))
        // The packed values, unpacked onto the stack where the renderer takes them.
        if values.count > 0 {
            for i in 1...values.count { lua_rawgeti(lua.L, base + 1, lua_Integer(i)) }
        }
        return try TextModule.render(lua, valuesAbove: base + 1, options: options)
    }

    /// Loads Lua that ships with linkage and runs it with `arguments` as `...`; returns the
    /// function it returns.
    public func loadFunction(_ source: String, chunkName: String, arguments: [LuaValue] = []) throws(LuaScriptError) -> LuaReference {
        let stack = lua.stack
        let base = stack.top
        defer { stack.top = base }
        try lua.load(source, chunkName: chunkName)
        for a in arguments { stack.push(a) }
        try lua.callOnStack(nargs: Int32(arguments.count))
        return stack.reference(at: base + 1)
    }

    /// Calls a Lua function with `arguments`; returns its results.
    public func call(_ function: LuaReference, _ arguments: [LuaValue]) throws(LuaScriptError) -> [LuaValue] {
        lua.stack.push(.reference(function))
        return try lua.call(arguments)
    }

    /// The keys of the help catalog (collection and record methods, modules), for completion.
    public var helpKeys: [String] { HelpCatalog.entries.map(\.key) }
}

/// The values a chunk returned, held in Lua until shown.
public final class ChunkValues {
    public let count: Int
    let table: LuaReference
    init(count: Int, table: LuaReference) {
        self.count = count
        self.table = table
    }
}

/// What a run may use before it is stopped (and rolled back).
public struct ScriptLimits: Sendable {
    /// Wall-clock seconds.
    public var timeout: Double?
    /// Bytes of Lua memory.
    public var maxMemory: Int?
    /// Lua VM instructions.
    public var instructions: Int?
    /// Whether Ctrl-C stops the script (rather than the process).
    public var catchInterrupt: Bool

    public init(timeout: Double? = nil, maxMemory: Int? = nil, instructions: Int? = nil, catchInterrupt: Bool = false) {
        self.timeout = timeout
        self.maxMemory = maxMemory
        self.instructions = instructions
        self.catchInterrupt = catchInterrupt
    }
}

/// How a run ended.
public enum SessionOutcome: Sendable {
    case committed
    case rolledBack
    /// A dry run: what it would have changed, now rolled back.
    case dryRun([AuditEntry])
}
