import CLua
import GRDBSQLite
import LinkageModel
import LuaBridge

/// The `db` module: raw SQL from Lua, always with bound parameters.
///
///     db.query(sql, ...)        --> list of rows (tables keyed by column name)
///     for r in db.rows(sql, ...) do ... end   -- streams, constant memory
///     db.exec(sql, ...)         --> number of changed rows
///     db.value(sql, ...)        --> first column of the first row, or nil
///     db.transaction(fn, ...)   --> fn's results; rolled back (and re-raised) if fn fails
final class DatabaseModule {
    let connection: OpaquePointer
    /// Prepared statements by SQL text; a statement is taken out while in use, so nested use of
    /// the same SQL gets its own.
    private var cache: [String: SQLStatement] = [:]
    private var savepointDepth = 0
    private let statementGuard: StatementGuard

    init(connection: OpaquePointer, statementGuard: StatementGuard) {
        self.connection = connection
        self.statementGuard = statementGuard
    }

    func install(in lua: LuaState) throws {
        lua.register(module: "db", functions: [
            "query": { [unowned self] call in try self.query(call) },
            "exec": { [unowned self] call in try self.exec(call) },
            "value": { [unowned self] call in try self.value(call) },
        ])
        RowCursor.luaClass.install(in: lua)
        // db.rows and db.transaction are Lua (Lua/db.lua), built on two primitives only it sees.
        try lua.runEmbedded(PackageResources.db_lua, chunkName: "=(linkage db)", arguments: [
            .function("db._savepoint") { [unowned self] call in try self.savepoint(call) },
            .function("db._rows") { [unowned self] call in try self.rows(call) },
        ])
    }

    /// Drops cached statements; call before the connection closes.
    func close() { cache.removeAll() }

    // MARK: statements

    func statement(_ sql: String) throws -> SQLStatement {
        if let s = cache.removeValue(forKey: sql) { return s }
        let (stmt, rest) = try SQLStatement.prepare(connection: connection, sql: sql)
        guard let stmt else { throw LuaRuntimeError("empty SQL statement") }
        if rest != nil {
            throw LuaRuntimeError("several SQL statements in one call; use db.exec without bound values for a script of statements (in: \(stmt.excerpt))")
        }
        return stmt
    }

    func giveBack(_ s: SQLStatement) {
        s.reset()
        if cache.count < 64 { cache[s.sql] = s }
    }

    private func prepared(_ call: LuaCall) throws -> SQLStatement {
        let s = try statement(try call.string(1))
        do {
            try s.bind(from: call, first: 2)
        } catch {
            giveBack(s)
            throw error
        }
        return s
    }

    // MARK: functions

    private func query(_ call: LuaCall) throws -> Int32 {
        let s = try prepared(call)
        defer { giveBack(s) }
        let L = call.L
        s.pushColumnNames(on: L)
        let names = lua_gettop(L)
        lua_createtable(L, 0, 0)
        var n: lua_Integer = 0
        while try s.step() {
            s.pushRow(on: L, names: names)
            n += 1
            lua_rawseti(L, -2, n)
        }
        // The list keeps the statement's column order, for printing, export.* and report tables.
        lua_createtable(L, 0, 2)
        lua_pushboolean(L, 1)
        lua_setfield(L, -2, "__rows")
        lua_pushvalue(L, names)
        lua_setfield(L, -2, "__columns")
        lua_setmetatable(L, -2)
        return 1
    }

    /// The fetch function and the cursor of a `db.rows` loop; the prelude makes the iterator.
    private func rows(_ call: LuaCall) throws -> Int32 {
        let s = try prepared(call)
        RowCursor(statement: s, L: call.L).push(on: call.stack)
        return 2
    }

    private func exec(_ call: LuaCall) throws -> Int32 {
        var sql = try call.string(1)
        // sqlite3_changes64 counts the rows of each statement itself, not those its triggers (the
        // audit log) write.
        var changed: Int64 = 0
        // A statement that wrote nothing at all (CREATE …) leaves sqlite3_changes64 at the last
        // writer's count, so it only counts when the total moved.
        func run(_ s: SQLStatement) throws {
            let before = sqlite3_total_changes64(connection)
            while try s.step() {}
            if sqlite3_total_changes64(connection) != before { changed += sqlite3_changes64(connection) }
        }
        if call.count > 1 {
            let s = try prepared(call)
            defer { giveBack(s) }
            try run(s)
        } else {
            // No bound values: a script of several statements is allowed, as in sqlite3_exec.
            while true {
                let (stmt, rest) = try SQLStatement.prepare(connection: connection, sql: sql)
                if let stmt { try run(stmt) }
                guard let rest else { break }
                sql = rest
            }
        }
        call.push(.integer(changed))
        return 1
    }

    private func value(_ call: LuaCall) throws -> Int32 {
        let s = try prepared(call)
        defer { giveBack(s) }
        if try s.step(), s.columnCount > 0 {
            s.pushColumn(0, on: call.L)
        } else {
            lua_pushnil(call.L)
        }
        return 1
    }

    private func savepoint(_ call: LuaCall) throws -> Int32 {
        let action = try call.string(1)
        // db.transaction's savepoints are linkage's: scripts may not write SAVEPOINT themselves.
        func run(_ sql: String) throws {
            try statementGuard.trusted {
                let (s, _) = try SQLStatement.prepare(connection: connection, sql: sql)
                while try s?.step() == true {}
            }
        }
        switch action {
        case "begin":
            savepointDepth += 1
            let name = "linkage_\(savepointDepth)"
            try run("SAVEPOINT \(name)")
            call.stack.push(string: name)
            return 1
        case "release":
            try run("RELEASE \(try call.string(2))")
        default:
            let name = try call.string(2)
            try run("ROLLBACK TO \(name)")
            try run("RELEASE \(name)")
        }
        savepointDepth -= 1
        return 0
    }
}

/// The state of one `db.rows` loop: the statement and the column names as Lua strings.
final class RowCursor {
    nonisolated(unsafe) static let luaClass = LuaClass<RowCursor>(name: "linkage.rows", tostring: { _ in "db.rows cursor" }, close: { $0.finish() })

    private var statement: SQLStatement?
    private let namesRef: Int32
    private let L: OpaquePointer
    /// The metatable rows get (records of a table), if any.
    private let metatableRef: Int32?

    init(statement: SQLStatement, L: OpaquePointer, metatableRef: Int32? = nil) {
        self.statement = statement
        self.L = L
        self.metatableRef = metatableRef
        statement.pushColumnNames(on: L)
        namesRef = LuaStack(L).ref()
    }

    var isFinished: Bool { statement == nil }

    /// Pushes the fetch function (which fills a buffer table with up to `batch` rows and returns
    /// how many) and the cursor itself, whose `__close` ends the statement.
    func push(on stack: LuaStack) {
        stack.push(function: { [self] call in try self.fill(call) }, name: "fetch")
        RowCursor.luaClass.push(self, on: stack)
    }

    static let batch = 256

    /// Fills the table at argument 1 with the next rows; 0 when there are no more.
    func fill(_ call: LuaCall) throws -> Int32 {
        guard let s = statement else { return call.returning(0) }
        let L = call.L
        call.stack.push(ref: namesRef)
        let names = lua_gettop(L)
        if let metatableRef { call.stack.push(ref: metatableRef) }
        let meta = lua_gettop(L)
        var n: lua_Integer = 0
        while n < RowCursor.batch {
            guard try s.step() else {
                finish()
                break
            }
            s.pushRow(on: L, names: names)
            if metatableRef != nil {
                lua_pushvalue(L, meta)
                lua_setmetatable(L, -2)
            }
            n += 1
            lua_rawseti(L, 1, n)
        }
        return call.returning(.integer(Int64(n)))
    }

    /// Ends the loop early or late: the statement is finalized and the names released.
    func finish() {
        guard statement != nil else { return }
        statement = nil
        LuaStack(L).unref(namesRef)
    }
}
