import CLua
import Foundation
import GRDB
import LinkageModel
import LuaBridge

/// The `export` and `import` tables in Lua: scripts write the same files as `linkage export`, and
/// check rows as `linkage import` does.
///
///     export.csv(rows, "out.csv" [, { bom = true, raw_cells = true, columns = { … } }])   --> rows written
///     export.json(rows [, path] [, opts])       --> the text without a path, else rows written
///     export.markdown(rows [, path] [, opts])   --> the same
///     export.xlsx(rows, "out.xlsx" [, { sheet = "名单", columns = { … } }])
///     import.check("households", { 户主姓名 = "王五", … } [, { update = true }])
///                                               --> { { field = "resident_id", message = "…" }, … }
///
/// `rows` is a query (`households:where{ … }`) or a list of tables (records, `db.query` rows).
/// Resident IDs and phone numbers are masked unless the run shows PII (`--show-pii`). CSV text a
/// spreadsheet would run as a formula gets a ' before it unless `raw_cells = true`. No path may
/// name the register or its -wal, -shm or -journal file (found through the connection).
final class ExchangeModule {
    unowned let queries: QueryModule
    let showPII: Bool
    /// Where exports may go (never the register; under --safe, the working directory only).
    let writes: WritePolicy

    init(queries: QueryModule, showPII: Bool, writes: WritePolicy) {
        self.queries = queries
        self.showPII = showPII
        self.writes = writes
    }

    func install(in lua: LuaState) throws {
        lua.register(module: "export", functions: [
            "csv": { [self] call in try self.export(call, .csv) },
            "json": { [self] call in try self.export(call, .json) },
            "markdown": { [self] call in try self.export(call, .markdown) },
            "xlsx": { [self] call in try self.export(call, .xlsx) },
        ])
        lua.register(module: "import", functions: [
            "check": { [self] call in try self.check(call) },
        ])
    }

    // MARK: export

    private func export(_ call: LuaCall, _ format: ExportFormat) throws -> Int32 {
        var path: String?
        var options: LuaValue = .nil
        switch call.type(2) {
        case LUA_TSTRING: path = try call.string(2); options = call.value(3)
        case LUA_TTABLE: options = call.value(2)
        case LUA_TNIL, LUA_TNONE: options = call.value(3)
        default: throw call.argumentError(2, "a file name expected, got \(call.stack.typeName(at: 2))")
        }
        if path == nil, format == .csv || format == .xlsx {
            throw call.argumentError(2, "export.\(format.rawValue) writes a file: give its name, such as \"out.\(format.rawValue)\"")
        }
        var columns: [String]?
        if case .array(let list) = options["columns"] { columns = list.compactMap(\.stringValue) }
        var table = try rows(call, columns: columns)
        if !showPII { table = table.masked() }
        func flag(_ key: String) -> Bool { if case .boolean(true) = options[key] { return true }; return false }
        let bom = flag("bom"), rawCells = flag("raw_cells")
        if let path {
            if let why = writes.refusal(for: path) { throw LuaRuntimeError(why) }
            do {
                try Exporter.write(table, format: format, to: path, bom: bom, rawCells: rawCells,
                                   sheetName: options["sheet"].stringValue ?? "Sheet1",
                                   protecting: try ExportTarget.databaseFiles(queries.db))
            } catch let e as ExchangeError {
                throw LuaRuntimeError(e.message)
            }
            return call.returning(.integer(Int64(table.rows.count)))
        }
        return call.returning(.string(format == .json ? Exporter.json(table) : Exporter.markdown(table)))
    }

    /// The rows of argument 1: a query, run now, or a list of tables.
    private func rows(_ call: LuaCall, columns wanted: [String]?) throws -> ExportTable {
        if let q = call.stack.object(at: 1, metatable: QueryObject.luaClass.name, as: QueryObject.self) {
            let sql = try SQLGenerator(schema: queries.schema, query: q.query).select()
            var table = try ExportTable.query(queries.db, sql: sql.text, arguments: sql.arguments)
            if let wanted { table = try select(table, wanted) }
            return table
        }
        guard call.type(1) == LUA_TTABLE else {
            throw call.argumentError(1, "rows expected: a query such as households:where{ … } or a list of tables, got \(call.stack.typeName(at: 1))")
        }
        let recordTable = firstRecordTable(call)
        let list: [LuaValue]
        switch call.value(1) {
        case .array(let a): list = a
        case .table(let t) where t.isEmpty: list = []
        default: throw call.argumentError(1, "a list of rows expected (a table with rows at 1, 2, 3 …)")
        }
        var dicts: [[String: LuaValue]] = []
        var keys = Set<String>()
        for (i, item) in list.enumerated() {
            guard case .table(let t) = item else {
                if case .array = item { throw LuaRuntimeError("row \(i + 1) is a list; give each row as a table of field = value") }
                throw LuaRuntimeError("row \(i + 1) is a \(kind(item)), not a table of field = value")
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
        else if let declared = declaredColumns(call) { columns = declared.filter(keys.contains) + keys.subtracting(declared).sorted() }
        else if let recordTable, let info = queries.schema[recordTable] { columns = info.columnNames }
        else { columns = order(keys) }
        var rows: [[SQLValue]] = []
        for (i, d) in dicts.enumerated() {
            rows.append(try columns.map { c in try sqlValue(d[c] ?? .nil, row: i + 1, field: c) })
        }
        return ExportTable(columns: columns, rows: rows)
    }

    /// The table of the first row when it is a record (its metatable's `__table`).
    private func firstRecordTable(_ call: LuaCall) -> String? {
        let L = call.L
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        guard lua_rawgeti(L, 1, 1) == LUA_TTABLE, lua_getmetatable(L, -1) != 0 else { return nil }
        guard lua_getfield(L, -1, "__table") == LUA_TSTRING else { return nil }
        return call.stack.string(at: -1)
    }

    /// The column order the first row's metatable declares (`__columns`, as findings do).
    private func declaredColumns(_ call: LuaCall) -> [String]? {
        let L = call.L
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        guard lua_rawgeti(L, 1, 1) == LUA_TTABLE, lua_getmetatable(L, -1) != 0 else { return nil }
        guard lua_getfield(L, -1, "__columns") == LUA_TTABLE, case .array(let list) = call.value(-1) else { return nil }
        return list.compactMap(\.stringValue)
    }

    /// Keys in the order of the table whose columns they are (the smallest that has them all),
    /// else `id` first and the rest by name.
    private func order(_ keys: Set<String>) -> [String] {
        let candidates = queries.schema.tables.values.filter { keys.isSubset(of: Set($0.columnNames)) }
            .sorted { ($0.columns.count, $0.table) < ($1.columns.count, $1.table) }
        if let t = candidates.first { return t.columnNames.filter(keys.contains) }
        return keys.sorted { a, b in a == "id" ? b != "id" : (b == "id" ? false : a < b) }
    }

    private func select(_ table: ExportTable, _ columns: [String]) throws -> ExportTable {
        let indexes = try columns.map { c -> Int in
            guard let i = table.columns.firstIndex(of: c) else {
                throw LuaRuntimeError("columns: the query has no column '\(c)'; its columns are \(table.columns.joined(separator: ", "))")
            }
            return i
        }
        return ExportTable(columns: columns, rows: table.rows.map { row in indexes.map { row[$0] } })
    }

    /// A cell: the query API's conversion (booleans as 1/0, a record as its id), placed by row.
    private func sqlValue(_ v: LuaValue, row: Int, field: String) throws -> SQLValue {
        try queries.sqlValue(v, field: "row \(row), field \(field)")
    }

    private func kind(_ v: LuaValue) -> String {
        switch v {
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .integer, .number: return "number"
        case .string, .bytes: return "string"
        case .array, .table: return "table"
        case .object, .reference: return "userdata or function"
        }
    }

    // MARK: import.check

    private func check(_ call: LuaCall) throws -> Int32 {
        let name = try call.string(1)
        guard let kind = ImportKind(name: name) else {
            throw call.argumentError(1, "the kinds are \(ImportKind.allCases.map(\.rawValue).joined(separator: ", ")); got '\(name)'")
        }
        var fields: [(String, CellValue)] = []
        switch try call.table(2) {
        case .table(let t):
            for (k, v) in t {
                guard case .string(let field) = k else { throw call.argumentError(2, "field names are strings; got \(k.keyDescription)") }
                let cell: CellValue
                switch v {
                case .nil: cell = .empty
                case .boolean(let b): cell = .boolean(b)
                case .integer(let i): cell = .integer(i)
                case .number(let d): cell = .number(d)
                case .string(let s): cell = .text(s)
                default: throw LuaRuntimeError("import.check: \(field) is a \(self.kind(v)); give a string, number or boolean")
                }
                fields.append((field, cell))
            }
        case .array: throw call.argumentError(2, "a row of field = value expected, such as { 户主姓名 = \"王五\" }")
        default: break
        }
        fields.sort { $0.0 < $1.0 }
        let update: Bool = { if case .boolean(true) = call.value(3)["update"] { return true }; return false }()
        let problems = try Importer.check(kind: kind, fields: fields, db: queries.db, schema: queries.schema, update: update)
        let mask: (String) -> String = { [showPII] in showPII ? $0 : Privacy.mask($0) }
        return call.returning(.array(problems.map { p in
            var d: [String: LuaValue] = ["message": .string(mask(p.message))]
            if let f = p.field { d["field"] = .string(f) }
            return .dictionary(d)
        }))
    }
}
