import CLua
import LinkageModel
import LuaBridge

/// A Lua list of rows as an `ExportTable`: what export.* writes when given records, db.query
/// rows or a material (a contact card or a linkage log), and what a material prints.
extension QueryModule {
    /// The rows of argument `index` as a table: a query, run now, or a list of tables; with
    /// `wanted`, only those columns, in that order. What export.* and report tables read.
    func rowsTable(_ call: LuaCall, at index: Int32, columns wanted: [String]?) throws -> ExportTable {
        if let q = call.stack.object(at: index, metatable: QueryObject.luaClass.name, as: QueryObject.self) {
            let sql = try SQLGenerator(schema: schema, query: q.query).select()
            let table = try ExportTable.query(db, sql: sql.text, arguments: sql.arguments)
            guard let wanted else { return table }
            let indexes = try wanted.map { c -> Int in
                guard let i = table.columns.firstIndex(of: c) else {
                    throw LuaRuntimeError("columns: the query has no column '\(c)'; its columns are \(table.columns.joined(separator: ", "))")
                }
                return i
            }
            return ExportTable(columns: wanted, rows: table.rows.map { row in indexes.map { row[$0] } })
        }
        guard call.type(index) == LUA_TTABLE else {
            throw call.argumentError(index, "rows expected: a query such as households:where{ … } or a list of tables, got \(call.stack.typeName(at: index))")
        }
        return try exportTable(call, listAt: index, columns: wanted)
    }

    /// The rows of the list at `index`. Columns: `wanted`; else those a material declares
    /// (`__columns` of the list's metatable); else a record's table's; else the keys found, in the
    /// order of the table whose columns they are.
    func exportTable(_ call: LuaCall, listAt index: Int32, columns wanted: [String]?) throws -> ExportTable {
        let declared = declaredColumns(call, index)
        let recordTable = LinkageScripting.recordTable(call, at: index, element: 1)
        let list: [LuaValue]
        switch call.value(index) {
        case .array(let a): list = a
        case .table(let t) where t.isEmpty: list = []
        default: throw call.argumentError(index, "a list of rows expected (a table with rows at 1, 2, 3 …)")
        }
        var dicts: [[String: LuaValue]] = []
        var keys = Set<String>()
        for (i, item) in list.enumerated() {
            guard case .table(let t) = item else {
                if case .array = item { throw LuaRuntimeError("row \(i + 1) is a list; give each row as a table of field = value") }
                throw LuaRuntimeError("row \(i + 1) is a \(item.typeName), not a table of field = value")
            }
            var d: [String: LuaValue] = [:]
            for (k, v) in t {
                guard case .string(let name) = k else { continue }
                d[name] = v
            }
            dicts.append(d)
            keys.formUnion(d.keys)
        }
        let columns: [String]
        if let wanted { columns = wanted }
        else if let declared { columns = declared }
        else if let recordTable, let info = schema[recordTable] { columns = info.columnNames }
        else { columns = order(keys) }
        var rows: [[SQLValue]] = []
        for (i, d) in dicts.enumerated() {
            rows.append(try columns.map { c in try sqlValue(d[c] ?? .nil, field: "row \(i + 1), field \(c)") })
        }
        return ExportTable(columns: columns, rows: rows)
    }

    /// The columns declared in order: by the list's metatable (a material) or by its first row's
    /// (a finding of check.*).
    private func declaredColumns(_ call: LuaCall, _ index: Int32) -> [String]? {
        let L = call.L
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        func declared() -> [String]? {
            guard lua_getmetatable(L, -1) != 0, call.stack.rawGet(tableAt: -1, key: "__columns") == LUA_TTABLE,
                  case .array(let names) = call.stack.value(at: -1) else { return nil }
            return names.compactMap(\.stringValue)
        }
        lua_pushvalue(L, index)
        if let list = declared() { return list }
        lua_settop(L, base)
        guard lua_type(L, index) == LUA_TTABLE, lua_rawgeti(L, index, 1) == LUA_TTABLE else { return nil }
        return declared()
    }

    /// Keys in the order of the table whose columns they are (the smallest that has them all),
    /// else `id` first and the rest by name.
    private func order(_ keys: Set<String>) -> [String] {
        let candidates = schema.tables.values.filter { keys.isSubset(of: Set($0.columnNames)) }
            .sorted { ($0.columns.count, $0.table) < ($1.columns.count, $1.table) }
        if let t = candidates.first { return t.columnNames.filter(keys.contains) }
        return keys.sorted { a, b in a == "id" ? b != "id" : (b == "id" ? false : a < b) }
    }
}

/// The table of a record — its metatable's `__table` — found in the table at `index`: under
/// `field`, at position `element`, or that table itself. Read without metamethods, so nothing
/// can raise a Lua error through the Swift frames.
func recordTable(_ call: LuaCall, at index: Int32, field: String? = nil, element: Int? = nil) -> String? {
    let L = call.L, base = lua_gettop(L)
    defer { lua_settop(L, base) }
    guard lua_type(L, index) == LUA_TTABLE else { return nil }
    if let field { call.stack.rawGet(tableAt: index, key: field) }
    else if let element { lua_rawgeti(L, index, lua_Integer(element)) }
    else { lua_pushvalue(L, index) }
    guard lua_type(L, -1) == LUA_TTABLE, lua_getmetatable(L, -1) != 0,
          call.stack.rawGet(tableAt: -1, key: "__table") == LUA_TSTRING else { return nil }
    return call.stack.string(at: -1)
}
