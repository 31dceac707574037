import CLua
import GRDBSQLite
import LinkageModel
import LuaBridge

/// The SQLITE_TRANSIENT destructor: SQLite copies bound text before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One prepared statement on the raw connection under GRDB. The `db` module steps statements
/// itself: bridging each row straight from `sqlite3_column_*` onto the Lua stack measured about
/// twice as fast as going through GRDB's `Row` (0.35 s against 0.66 s for a million rows; see
/// ../shared/ENGINEERING.md).
final class SQLStatement {
    let handle: OpaquePointer
    let sql: String
    let columnCount: Int32
    private let connection: OpaquePointer
    /// Whether the statement writes the register's rows: the session takes the write lock first.
    private(set) var writesRegister = false

    private init(connection: OpaquePointer, handle: OpaquePointer, sql: String) {
        self.connection = connection
        self.handle = handle
        self.sql = sql
        columnCount = sqlite3_column_count(handle)
    }

    /// Prepares the first statement of `sql`. Returns nil for a statement that is only blanks or
    /// comments, and the text after the first statement when there is any.
    static func prepare(connection: OpaquePointer, sql: String) throws -> (SQLStatement?, rest: String?) {
        let statementGuard = StatementGuard.on(connection)
        statementGuard?.noteWrites()
        var stmt: OpaquePointer?
        var text = sql
        var consumed = 0
        let rc = text.withUTF8 { buf -> Int32 in
            guard let start = buf.baseAddress else { return SQLITE_OK }
            let base = UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self)
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(connection, base, Int32(buf.count), 0, &stmt, &tail)
            consumed = tail.map { base.distance(to: $0) } ?? buf.count
            return rc
        }
        guard rc == SQLITE_OK else { throw SQLError(connection: connection, sql: sql) }
        let restBytes = sql.utf8.dropFirst(consumed)
        let rest = restBytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D || $0 == 0x3B })
            ? nil : String(decoding: restBytes, as: UTF8.self)
        let statement = stmt.map { SQLStatement(connection: connection, handle: $0, sql: String(decoding: sql.utf8.prefix(consumed), as: UTF8.self)) }
        statement?.writesRegister = statementGuard?.compiledRegisterWrite ?? false
        return (statement, rest)
    }

    deinit { sqlite3_finalize(handle) }

    var parameterCount: Int32 { sqlite3_bind_parameter_count(handle) }


    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds the Lua arguments `first...call.count`: one table for named (`:name`, `@name`,
    /// `$name`) or positional parameters, or the values themselves in order.
    func bind(from call: LuaCall, first: Int32) throws {
        let n = parameterCount
        let given = call.count - first + 1
        if given == 1, call.type(first) == LUA_TTABLE, n > 0 {
            try bindTable(call.value(first), call: call, argument: first)
            return
        }
        guard given == n else {
            throw LuaRuntimeError("SQL expects \(n) bound value\(n == 1 ? "" : "s"), got \(given) (in: \(excerpt))")
        }
        for i in 0..<given {
            try bind(call.value(first + i), at: i + 1, argument: first + i)
        }
    }

    /// Binds values the model generated, in order.
    func bind(_ values: [SQLValue]) throws {
        for (i, v) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch v {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .integer(let n): rc = sqlite3_bind_int64(handle, index, n)
            case .real(let d): rc = sqlite3_bind_double(handle, index, d)
            case .text(var s):
                rc = s.withUTF8 { sqlite3_bind_text(handle, index, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), Int32($0.count), transient) }
            case .blob(let b): rc = b.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), transient) }
            }
            guard rc == SQLITE_OK else { throw SQLError(connection: connection, sql: sql) }
        }
    }

    private func bindTable(_ table: LuaValue, call: LuaCall, argument: Int32) throws {
        let n = parameterCount
        for p in 1...n {
            let value: LuaValue
            if let cname = sqlite3_bind_parameter_name(handle, p), cname[0] != 0x3F /* ? */ {
                let key = String(cString: cname + 1)
                value = table[key]
                if value.isNil, case .table(let t) = table, t[.string(key)] == nil {
                    throw LuaRuntimeError("no value for SQL parameter \(String(cString: cname)) in the table of argument #\(argument) (in: \(excerpt))")
                }
            } else {
                value = table[Int(p)]
            }
            try bind(value, at: p, argument: argument)
        }
    }

    private func bind(_ value: LuaValue, at index: Int32, argument: Int32) throws {
        let rc: Int32
        switch value {
        case .nil: rc = sqlite3_bind_null(handle, index)
        case .boolean(let b): rc = sqlite3_bind_int64(handle, index, b ? 1 : 0)
        case .integer(let i): rc = sqlite3_bind_int64(handle, index, i)
        case .number(let d): rc = sqlite3_bind_double(handle, index, d)
        case .string(var s):
            rc = s.withUTF8 { sqlite3_bind_text(handle, index, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), Int32($0.count), transient) }
        case .bytes(let b):
            rc = b.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), transient) }
        default:
            throw LuaRuntimeError("cannot bind a \(value.typeName) to SQL parameter \(index) (argument #\(argument)); pass a string, number, boolean or nil")
        }
        guard rc == SQLITE_OK else { throw SQLError(connection: connection, sql: sql) }
    }

    /// Steps once: true when a row is ready, false when done.
    func step() throws -> Bool {
        if writesRegister, sqlite3_stmt_busy(handle) == 0 { try StatementGuard.on(connection)?.willWrite() }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLError(connection: connection, sql: sql)
        }
    }

    /// Pushes column `i` of the current row.
    @inline(__always)
    func pushColumn(_ i: Int32, on L: OpaquePointer) {
        pushColumn(i, type: sqlite3_column_type(handle, i), on: L)
    }

    @inline(__always)
    private func pushColumn(_ i: Int32, type: Int32, on L: OpaquePointer) {
        switch type {
        case SQLITE_INTEGER: lua_pushinteger(L, sqlite3_column_int64(handle, i))
        case SQLITE_FLOAT: lua_pushnumber(L, sqlite3_column_double(handle, i))
        case SQLITE_NULL: lua_pushnil(L)
        case SQLITE_BLOB:
            lua_pushlstring(L, sqlite3_column_blob(handle, i)?.assumingMemoryBound(to: CChar.self), Int(sqlite3_column_bytes(handle, i)))
        default:
            let p = sqlite3_column_text(handle, i)
            lua_pushlstring(L, UnsafeRawPointer(p)?.assumingMemoryBound(to: CChar.self), Int(sqlite3_column_bytes(handle, i)))
        }
    }

    /// Column `i` of the current row as the model's value (for SQL the model makes next).
    func value(_ i: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, i))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, i))
        case SQLITE_NULL: return .null
        case SQLITE_BLOB:
            let bytes = UnsafeRawBufferPointer(start: sqlite3_column_blob(handle, i), count: Int(sqlite3_column_bytes(handle, i)))
            return .blob(Array(bytes))
        default:
            let text = sqlite3_column_text(handle, i) // before the byte count, which it may change
            return .text(String(decoding: UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, i))), as: UTF8.self))
        }
    }

    /// Pushes the current row as a table keyed by column name. `names` is the stack index of a
    /// table of the column names, so each row reuses the same interned strings.
    @inline(__always)
    func pushRow(on L: OpaquePointer, names: Int32) {
        lua_createtable(L, 0, columnCount)
        for i in 0..<columnCount {
            let type = sqlite3_column_type(handle, i)
            if type == SQLITE_NULL { continue } // nil is absence in a Lua table
            lua_rawgeti(L, names, lua_Integer(i + 1))
            pushColumn(i, type: type, on: L)
            lua_rawset(L, -3)
        }
    }

    /// Pushes a table of the column names.
    func pushColumnNames(on L: OpaquePointer) {
        lua_createtable(L, columnCount, 0)
        for i in 0..<columnCount {
            lua_pushstring(L, sqlite3_column_name(handle, i))
            lua_rawseti(L, -2, lua_Integer(i + 1))
        }
    }

    var excerpt: String {
        let oneLine = sql.split(whereSeparator: \.isNewline).joined(separator: " ")
        return oneLine.count > 80 ? oneLine.prefix(77) + "..." : oneLine
    }
}

/// An error SQLite reported, with its message and the statement it came from.
struct SQLError: Error, CustomStringConvertible {
    let failure: DatabaseFailure
    let sql: String

    init(connection: OpaquePointer, sql: String) {
        failure = DatabaseFailure(connection: connection, readOnlySession: StatementGuard.on(connection)?.readOnlySession ?? false)
        self.sql = sql
    }

    var message: String { failure.message }

    var description: String {
        let oneLine = sql.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "SQL error: \(message) (in: \(oneLine.count > 80 ? oneLine.prefix(77) + "..." : oneLine))"
    }
}
